// One way to turn a zod failure into the sentence an API client reads.
import type { z } from "zod";

/** "goals: goals must be strictly ascending": the first issue, with where it is. */
export function firstIssue(error: z.ZodError, fallback = "invalid input"): string {
	const issue = error.issues[0];
	const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
	return `${where}${issue?.message ?? fallback}`;
}

/** A validation failure returned as a value: thrown errors lose their type across Durable Object RPC. */
export interface Invalid {
	invalid: string;
	/** The error code and status for the API (default: invalid_settings, 400). */
	code?: string;
	status?: 400 | 409;
}

export const isInvalid = <T extends object>(result: T | Invalid): result is Invalid => "invalid" in result;
