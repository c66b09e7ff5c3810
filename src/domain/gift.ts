// The arithmetic of a gift beyond its amount: covering the card fees, and a
// sponsor's match. Integers in minor units throughout.
import { amountStep } from "./currency";
import type { CampaignSettings, Match } from "./settings";

export type FeeRule = CampaignSettings["feeCover"];

/**
 * What to charge so that `gift` arrives whole after a fee of `percent`% of
 * the charge plus `fixed`: (gift + fixed) / (1 - percent), rounded up to a
 * whole minor unit (rounding down would leave the publisher a cent short) and
 * up to an amount the currency can be charged in (ISK: whole krónur).
 */
export function grossUp(gift: number, rule: Pick<FeeRule, "percent" | "fixed">, currency: string): number {
	// Basis points keep the division exact: 2.9 % is 290 / 10,000.
	const basisPoints = Math.round(rule.percent * 100);
	const gross = Math.ceil(((gift + rule.fixed) * 10_000) / (10_000 - basisPoints));
	const step = amountStep(currency);
	return Math.ceil(gross / step) * step;
}

/** The fee cover a donor adds to `gift` under `rule`: what comes on top. */
export const feeCoverFor = (gift: number, rule: Pick<FeeRule, "percent" | "fixed">, currency: string) =>
	grossUp(gift, rule, currency) - gift;

/** A sponsor's match of a period's gifts (net of refunds): `percent` of them, never above the cap. */
export function matchedAmount(giftsNet: number, match: Match | null): number {
	if (!match || giftsNet <= 0) return 0;
	return Math.min(match.cap, Math.floor((giftsNet * match.percent) / 100));
}
