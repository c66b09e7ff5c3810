// What an admin can set on a campaign, its defaults, and how it is validated.
import { z } from "zod";
import { abTestSchema } from "./ab-test.ts";
import { amountProblem, isSupportedCurrency } from "./currency.ts";
import { firstIssue, type Invalid } from "./issues.ts";
import { plainText } from "./text.ts";

// Stripe's limit for a single amount is 8 digits in minor units.
const STRIPE_MAX_AMOUNT = 99_999_999;
const minorUnits = z.number().int().positive().max(STRIPE_MAX_AMOUNT);

const settingsFields = {
	title: plainText(200),
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
	/** An offer to donors to add the card fees on top (grossed up so the whole gift arrives). */
	feeCover: z
		.object({
			enabled: z.boolean(),
			/** Percent of the charge, e.g. 2.9 (Stripe's standard US card pricing). */
			percent: z.number().min(0).lt(100, "the fee percent must be below 100"),
			/** Fixed fee per charge, in minor units of the campaign's currency, e.g. 30 (30¢). */
			fixed: z.number().int().min(0).max(STRIPE_MAX_AMOUNT),
		})
		.strict(),
	/** Past the last goal: keep asking, or close (no donate buttons, a thank-you line). */
	afterGoal: z.enum(["ask", "close"]),
	goalReachedText: plainText(120),
	/** Whether the widget starts on once or monthly (absent: once). */
	interval: z.enum(["once", "month"]).optional(),
	/** An A/B test of the ask (src/domain/ab-test.ts); null in a patch ends it. */
	test: abTestSchema
		.nullish()
		.transform((test) => test ?? undefined)
		.optional(),
};

/** A sponsor's match for one period: `percent` of every gift (100 doubles it), up to `cap` in total. */
const matchSchema = z
	.object({
		sponsor: plainText(80),
		percent: z.number().int().min(1).max(1_000),
		cap: z.number().int().min(1, "the match cap must be at least 1 (minor units)").max(1e12),
	})
	.strict();

/** What belongs to one period rather than the campaign: its deadline and its sponsor's match. */
const periodFields = {
	/** ISO 8601; after it the campaign shows its result and takes no more gifts. */
	endsAt: z.iso.datetime({ offset: true, message: "endsAt must be an ISO 8601 date and time, e.g. 2026-12-31T23:59:59Z" }).nullable(),
	match: matchSchema.nullable(),
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
		// A preset the campaign's own range refuses would be a button that always fails.
		for (const [path, amount] of amounts) {
			if (path[0] !== "minAmount" && path[0] !== "maxAmount" && (amount < s.minAmount || amount > s.maxAmount)) {
				ctx.addIssue({
					code: "custom",
					message: `preset amounts must lie between minAmount (${s.minAmount}) and maxAmount (${s.maxAmount})`,
					path,
				});
			}
		}
	});

/** A PUT body: any subset of the fields, merged over what is stored; endsAt and match apply to the current period. */
export const settingsPatchSchema = z
	.object({ ...settingsFields, ...periodFields })
	.partial()
	.strict();

/** What a reset may set for the new period. */
export const periodChangesSchema = z
	.object({ goals: settingsFields.goals, currency: settingsFields.currency, ...periodFields })
	.partial()
	.strict();

export type Match = z.infer<typeof matchSchema>;

/** A period's own settings. */
export interface PeriodSettings {
	endsAt: string | null;
	match: Match | null;
}

/** A campaign's settings as the admin page edits them. */
export interface AdminSettings {
	settings: CampaignSettings;
	period: PeriodSettings;
	/** The current period has gifts: its currency can only change with a new period. */
	currencyLocked: boolean;
}

/** Splits a patch into the campaign's settings and the period's. */
export function splitPatch(patch: SettingsPatch | PeriodChanges): { settings: Partial<CampaignSettings>; period: Partial<PeriodSettings> } {
	const { endsAt, match, ...settings } = patch;
	return { settings, period: { ...(endsAt !== undefined ? { endsAt } : {}), ...(match !== undefined ? { match } : {}) } };
}

/** Why a period's deadline cannot be set, or null: it must lie ahead. */
export function deadlineProblem(endsAt: string | null | undefined, now: number): string | null {
	return endsAt && Date.parse(endsAt) <= now ? "endsAt must lie in the future" : null;
}

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
	// Stripe's standard US card pricing, as an estimate; the admin sets their own.
	feeCover: { enabled: false, percent: 2.9, fixed: 30 },
	afterGoal: "ask",
	goalReachedText: "Goal reached — thank you!",
};

/** Settings stored before a field existed read as the default for it. */
export const withDefaults = (stored: Partial<CampaignSettings>): CampaignSettings => ({ ...DEFAULT_SETTINGS, ...stored });

/** Merges a patch over the current settings and validates the result as a whole. */
export function mergeSettings(current: CampaignSettings, patch: Partial<CampaignSettings>): CampaignSettings | Invalid {
	const merged = settingsSchema.safeParse({ ...current, ...patch });
	return merged.success ? merged.data : { invalid: firstIssue(merged.error) };
}
