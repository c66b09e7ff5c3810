// Words an admin types that readers see (titles, the goal-reached line, a
// sponsor's name): one line of plain text. Control characters, bidirectional
// overrides (which can make a title read as something else) and lone UTF-16
// surrogates (which no encoder can send on, Stripe's included) are refused here
// rather than failing later in front of a donor.
import { z } from "zod";

const CONTROL_OR_BIDI_OVERRIDE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const isPlainText = (text: string) => !CONTROL_OR_BIDI_OVERRIDE.test(text) && !LONE_SURROGATE.test(text);

/** A trimmed, non-empty line of plain text of at most `max` characters. */
export const plainText = (max: number) =>
	z
		.string()
		.trim()
		.min(1)
		.max(max)
		.refine(isPlainText, "must be plain text: no control characters, direction overrides or broken characters");
