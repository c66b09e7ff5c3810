// What an admin can set on a campaign, its defaults, and how it is validated.
import { z } from "zod";
import { abTestSchema } from "./ab-test";
import { amountProblem, isSupportedCurrency } from "./currency";
import { firstIssue, type Invalid } from "./issues";

// Stripe's limit for a single amount is 8 digits in minor units.
const STRIPE_MAX_AMOUNT = 99_999_999;
const minorUnits = z.number().int().positive().max(STRIPE_MAX_AMOUNT);

const settingsFields = {
	title: z.string().trim().min(1).max(200),
	currency: z
		.string()
		.transform((code) => code.toLowerCase())
		.refine(isSupportedCurrency, "a currency Stripe supports, as its ISO code (e.g. usd, eur, jpy)"),
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
	/** Whether the widget starts on once or monthly (absent: once). */
	interval: z.enum(["once", "month"]).optional(),
	/** An A/B test of the ask (src/domain/ab-test.ts); null in a patch ends it. */
	test: abTestSchema
		.nullish()
		.transform((test) => test ?? undefined)
		.optional(),
};

export const settingsSchema = z
	.object(settingsFields)
	.refine((s) => s.minAmount <= s.maxAmount, { message: "minAmount must not exceed maxAmount", path: ["minAmount"] })
	.superRefine((s, ctx) => {
		// Every amount must be one Stripe can charge in the currency (ISK in whole krónur, KWD in tens of fils).
		const amounts: [(string | number)[], number][] = [
			...s.amounts.map((amount, i): [(string | number)[], number] => [["amounts", i], amount]),
			[["minAmount"], s.minAmount],
			[["maxAmount"], s.maxAmount],
			...(s.test?.variants ?? []).flatMap((v, i) =>
				(v.amounts ?? []).map((amount, j): [(string | number)[], number] => [["test", "variants", i, "amounts", j], amount]),
			),
		];
		for (const [path, amount] of amounts) {
			const problem = amountProblem(amount, s.currency);
			if (problem) ctx.addIssue({ code: "custom", message: problem, path });
		}
	});

/** A PUT body: any subset of the fields, merged over what is stored. */
export const settingsPatchSchema = z.object(settingsFields).partial().strict();

/** What a reset may change for the new period. */
export const periodChangesSchema = z.object({ goals: settingsFields.goals, currency: settingsFields.currency }).partial().strict();

export type CampaignSettings = z.infer<typeof settingsSchema>;
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
export type PeriodChanges = z.infer<typeof periodChangesSchema>;

export const DEFAULT_SETTINGS: CampaignSettings = {
	title: "Do you like this content? Consider helping us!",
	currency: "usd",
	goals: [250_000, 500_000],
	amounts: [500, 1_000, 2_500, 5_000],
	minAmount: 100,
	maxAmount: 1_000_000,
};

/** Merges a patch over the current settings and validates the result as a whole. */
export function mergeSettings(current: CampaignSettings, patch: SettingsPatch): CampaignSettings | Invalid {
	const merged = settingsSchema.safeParse({ ...current, ...patch });
	return merged.success ? merged.data : { invalid: firstIssue(merged.error) };
}
