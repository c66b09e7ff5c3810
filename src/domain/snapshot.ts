// The public view of a campaign: what the widget reads. The ledger builds it,
// KV publishes it, the edge cache keeps a copy. The widget imports this type.
import type { CampaignSettings, Match } from "./settings.ts";

export interface CampaignSnapshot extends Omit<CampaignSettings, "feeCover"> {
	id: string;
	/** Decimal places of the currency's minor unit as Stripe writes amounts (2 for USD, ISK and HUF; 0 for JPY). */
	currencyExponent: number;
	/** The smallest step an amount may take in this currency, in minor units (100 for ISK, 10 for KWD, else 1). */
	amountStep: number;
	/** What the bar shows, in minor units: the period's gifts (net of refunds and lost disputes) plus the sponsor's match. */
	total: number;
	/** The period's gifts alone, net: fee cover and match excluded. */
	gifts: number;
	/** Number of gifts in the current period. */
	donations: number;
	/** The sponsor's match of this period, with what it has matched so far. */
	match: (Match & { matched: number }) | null;
	/** The card-fee estimate donors may add on top; null when not offered. */
	feeCover: { percent: number; fixed: number } | null;
	/** At the time of the snapshot: taking gifts, closed past its last goal, or past its deadline. */
	status: "open" | "closed" | "ended";
	/** Stripe's portal login page for monthly donors (STRIPE_PORTAL_LOGIN_URL), or null. */
	manageUrl: string | null;
	period: { id: number; startedAt: string; endsAt: string | null };
	updatedAt: string;
	/** Goes up with every change of the campaign: a newer snapshot has a larger one. */
	version: number;
}
