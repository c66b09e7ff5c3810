// What an admin can set on a campaign, its defaults, and how it is validated.
import { z } from "zod";
import { ApiError } from "../errors";

/** Campaign ids appear in URLs, KV keys and CSV exports: keep them boring. */
export const CAMPAIGN_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function assertCampaignId(id: string): string {
	if (!CAMPAIGN_ID.test(id)) {
		throw new ApiError(400, "invalid_campaign_id", "Campaign ids are 1-64 lowercase letters, digits, '-' or '_'.");
	}
	return id;
}

// Stripe's limit for a single amount is 8 digits in minor units.
const STRIPE_MAX_AMOUNT = 99_999_999;
const minorUnits = z.number().int().positive().max(STRIPE_MAX_AMOUNT);

const settingsFields = {
	title: z.string().trim().min(1).max(200),
	currency: z
		.string()
		.regex(/^[A-Za-z]{3}$/, "a three-letter ISO currency code")
		.transform((code) => code.toLowerCase()),
	goals: z
		.array(z.number().int().positive().max(1e12))
		.min(1)
		.max(5)
		.refine((goals) => goals.every((goal, i) => i === 0 || goal > (goals[i - 1] ?? 0)), {
			message: "goals must be strictly ascending",
		}),
	amounts: z.array(minorUnits).min(1).max(6),
	minAmount: minorUnits,
	maxAmount: minorUnits,
};

export const settingsSchema = z.object(settingsFields).refine((s) => s.minAmount <= s.maxAmount, {
	message: "minAmount must not exceed maxAmount",
	path: ["minAmount"],
});

/** A PUT body: any subset of the fields, merged over what is stored. */
export const settingsPatchSchema = z.object(settingsFields).partial().strict();

export type CampaignSettings = z.infer<typeof settingsSchema>;
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const DEFAULT_SETTINGS: CampaignSettings = {
	title: "Do you like this content? Consider helping us!",
	currency: "usd",
	goals: [250_000, 500_000],
	amounts: [500, 1_000, 2_500, 5_000],
	minAmount: 100,
	maxAmount: 1_000_000,
};

/** A validation failure, returned as a value: thrown errors lose their type across Durable Object RPC. */
export interface Invalid {
	invalid: string;
}

/** Merges a patch over the current settings and validates the result as a whole. */
export function mergeSettings(current: CampaignSettings, patch: SettingsPatch): CampaignSettings | Invalid {
	const merged = settingsSchema.safeParse({ ...current, ...patch });
	if (merged.success) return merged.data;
	const issue = merged.error.issues[0];
	const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
	return { invalid: `${where}${issue?.message ?? "invalid settings"}` };
}

export function orInvalid<T extends object>(result: T | Invalid): T {
	if ("invalid" in result) throw new ApiError(400, "invalid_settings", result.invalid);
	return result;
}
