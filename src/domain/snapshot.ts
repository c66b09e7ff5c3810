// The public view of a campaign: what the widget reads. The ledger builds it,
// KV publishes it, the edge cache keeps a copy. The widget imports this type.
import type { CampaignSettings } from "./settings";

export interface CampaignSnapshot extends CampaignSettings {
	id: string;
	/** Decimal places of the currency's minor unit as Stripe writes amounts (2 for USD, ISK and HUF; 0 for JPY). */
	currencyExponent: number;
	/** Net total of the current period in minor units (gifts minus refunds and lost disputes). */
	total: number;
	/** Number of gifts in the current period. */
	donations: number;
	period: { id: number; startedAt: string };
	updatedAt: string;
	/** Goes up with every change of the campaign: a newer snapshot has a larger one. */
	version: number;
}
