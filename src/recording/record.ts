// Recording planned movements in their campaigns' ledgers: the one path that
// webhooks (one plan) and re-sync (many) share, so both count money the same
// way. Movements are placed first, then written per campaign in batches, one
// ledger transaction each.
import { campaignStore, type StoreContext } from "../campaigns/store";
import { isCampaignId } from "../domain/campaign-id";
import type { LedgerEntry, RecordOutcome } from "../domain/movements";
import type { EventPlan } from "../stripe/events";
import { type LazyStripe, resolveCampaign, withInvoicePayment } from "./attribution";

export type Applied = { outcome: RecordOutcome; campaign: string } | { outcome: "ignored"; reason: string; campaign?: string };

export interface PlannedEntry {
	plan: EventPlan;
	eventId: string;
	eventType: string;
}

/** How many entries one ledger transaction takes. */
export const BATCH_SIZE = 500;

export async function recordPlans(context: StoreContext, planned: PlannedEntry[], stripe: LazyStripe): Promise<Applied[]> {
	const applied: Applied[] = [];
	const byCampaign = new Map<string, { index: number; entry: LedgerEntry }[]>();
	for (const [index, { plan, eventId, eventType }] of planned.entries()) {
		if (plan.action === "ignore") {
			applied[index] = { outcome: "ignored", reason: plan.reason };
			continue;
		}
		const campaign = await resolveCampaign(context.env, plan, stripe);
		if (!campaign) {
			applied[index] = { outcome: "ignored", reason: "unattributed" };
			continue;
		}
		if (!isCampaignId(campaign)) {
			applied[index] = { outcome: "ignored", reason: "invalid_campaign", campaign };
			continue;
		}
		const movement = await withInvoicePayment(plan, stripe);
		const list = byCampaign.get(campaign) ?? [];
		list.push({ index, entry: { eventId, eventType, movement } });
		byCampaign.set(campaign, list);
	}
	for (const [campaign, entries] of byCampaign) {
		const store = campaignStore(context, campaign);
		for (let start = 0; start < entries.length; start += BATCH_SIZE) {
			const batch = entries.slice(start, start + BATCH_SIZE);
			const outcomes = await store.recordMany(batch.map(({ entry }) => entry));
			for (const [i, { index }] of batch.entries()) applied[index] = { outcome: outcomes[i] ?? "unknown_campaign", campaign };
		}
	}
	return applied;
}
