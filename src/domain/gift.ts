// The arithmetic of a gift beyond its amount: covering the card fees, and a
// sponsor's match. Integers in minor units throughout.
import type { CampaignSettings, Match } from "./settings.ts";

export type FeeRule = CampaignSettings["feeCover"];

/**
 * What to charge so that `gift` arrives whole after a fee of `percent`% of
 * the charge plus `fixed`: (gift + fixed) / (1 - percent), rounded up to a
 * whole minor unit (rounding down would leave the publisher a cent short) and
 * up to an amount the currency can be charged in (`step`, see amountStep: ISK
 * in whole krónur). The widget runs this too, to say what a donor would add.
 */
export function grossUp(gift: number, rule: Pick<FeeRule, "percent" | "fixed">, step = 1): number {
	// Basis points keep the division exact: 2.9 % is 290 / 10,000.
	const basisPoints = Math.round(rule.percent * 100);
	const gross = Math.ceil(((gift + rule.fixed) * 10_000) / (10_000 - basisPoints));
	return Math.ceil(gross / step) * step;
}

/** A sponsor's match of a period's gifts (net of refunds): `percent` of them, never above the cap. */
export function matchedAmount(giftsNet: number, match: Match | null): number {
	if (!match || giftsNet <= 0) return 0;
	return Math.min(match.cap, Math.floor((giftsNet * match.percent) / 100));
}
