// A/B tests of the ask: 2–4 variants of a campaign's title, preset amounts and
// default interval. Each totals request picks one at random (src/funnel/choose.ts);
// the snapshot carries their definitions, the widget applies the one picked.
import { z } from "zod";
import { plainText } from "./text.ts";

/** Variant ids: short slugs ("a", "b", "short-ask"); they travel in a header and in Stripe metadata. */
export const VARIANT_ID = /^[a-z][a-z0-9_-]{0,15}$/;

export const isVariantId = (value: unknown): value is string => typeof value === "string" && VARIANT_ID.test(value);

const STRIPE_MAX_AMOUNT = 99_999_999;

export const variantSchema = z
	.object({
		id: z.string().regex(VARIANT_ID, "variant ids are 1-16 lowercase letters, digits, '-' or '_', starting with a letter"),
		title: plainText(200).optional(),
		amounts: z.array(z.number().int().positive().max(STRIPE_MAX_AMOUNT)).min(1).max(6).optional(),
		interval: z.enum(["once", "month"]).optional(),
	})
	.strict();

export const abTestSchema = z
	.object({
		variants: z
			.array(variantSchema)
			.min(2, "a test has 2 to 4 variants")
			.max(4, "a test has 2 to 4 variants")
			.refine((variants) => new Set(variants.map((v) => v.id)).size === variants.length, { message: "variant ids must be unique" }),
		/** even: every variant as often; epsilon_greedy: the best so far, except a share `epsilon` spread evenly. */
		mode: z.enum(["even", "epsilon_greedy"]).default("even"),
		epsilon: z.number().min(0.01).max(1).default(0.1),
	})
	.strict();

export type Variant = z.infer<typeof variantSchema>;
export type AbTest = z.infer<typeof abTestSchema>;

/** The variant ids of a test, or none. */
export const variantIds = (test: AbTest | undefined | null): string[] => test?.variants.map((v) => v.id) ?? [];

/** `raw` when it names one of the test's variants, else null (an unknown or forged id counts as none). */
export function knownVariant(test: AbTest | undefined | null, raw: unknown): string | null {
	return isVariantId(raw) && variantIds(test).includes(raw) ? raw : null;
}

/**
 * The settings after ending the test and keeping variant `keep`: its title,
 * amounts and interval become the campaign's own (what it leaves out stays).
 */
export function keepVariant<S extends { title: string; amounts: number[]; interval?: "once" | "month"; test?: AbTest }>(
	settings: S,
	keep: string,
): S | { invalid: string; code: string; status: 400 | 409 } {
	const variant = settings.test?.variants.find((v) => v.id === keep);
	if (!settings.test) return { invalid: "This campaign runs no A/B test.", code: "no_test", status: 409 };
	if (!variant) return { invalid: `The test has no variant '${String(keep).slice(0, 40)}'.`, code: "unknown_variant", status: 400 };
	const { test: _ended, ...rest } = settings;
	return {
		...rest,
		title: variant.title ?? settings.title,
		amounts: variant.amounts ?? settings.amounts,
		...(variant.interval || settings.interval ? { interval: variant.interval ?? settings.interval } : {}),
	} as S;
}
