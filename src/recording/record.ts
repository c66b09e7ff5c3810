// Recording planned movements in their campaigns' ledgers: the one path that
// webhooks (one plan) and re-sync (many) share, so both count money the same
// way. Movements are placed first, then written per campaign in batches, one
// ledger transaction each. What is ours but has no campaign to go to is kept
// (unplaced) for admins, never acknowledged and forgotten.
import { campaignStore, type StoreContext, unplaced } from "../campaigns/store";
import { isCampaignId } from "../domain/campaign-id";
import type { LedgerEntry, RecordOutcome } from "../domain/movements";
import type { EventPlan, RecordPlan } from "../stripe/events";
import { type LazyStripe, NeedsStripe, refundsOfCharge, resolveCampaign, withInvoicePayment } from "./attribution";

export type Applied =
	| { outcome: RecordOutcome; campaign: string }
	| { outcome: "ignored"; reason: string; campaign?: string }
	/** Ours, but no campaign could take it: kept for admins; re-sync places it once it can. */
	| { outcome: "unplaced"; reason: string; campaign?: string };

export interface PlannedEntry {
	plan: EventPlan;
	eventId: string;
	eventType: string;
}

/** How many entries one ledger transaction takes. */
export const BATCH_SIZE = 500;

interface Placed {
	index: number;
	entry: LedgerEntry;
}

export async function recordPlans(context: StoreContext, planned: PlannedEntry[], stripe: LazyStripe): Promise<Applied[]> {
	const applied: Applied[] = [];
	const byCampaign = new Map<string, Placed[]>();
	const keep: { index: number; entry: LedgerEntry; campaign: string; reason: string }[] = [];
	/** Placing (campaign, PaymentIntent) may ask KV or Stripe: timed as one phase. */
	const attributing = <T>(work: () => Promise<T>) => (context.timing ? context.timing.time("attribution", work) : work());
	for (const [index, { plan, eventId, eventType }] of planned.entries()) {
		if (plan.action === "ignore") {
			applied[index] = { outcome: "ignored", reason: plan.reason };
			continue;
		}
		// A refunded charge stands for its refunds, each recorded in its current state.
		const refresh = plan.action === "refresh_refunds";
		const plans: RecordPlan[] = refresh ? await attributing(() => refundsOfCharge(plan.charge, plan.campaign, stripe)) : [plan];
		if (plans.length === 0) applied[index] = { outcome: "ignored", reason: "no_refunds_listed" };
		for (const one of plans) {
			const entry: LedgerEntry = { eventId: refresh ? `${eventId}:${one.movement.key}` : eventId, eventType, movement: one.movement };
			let campaign: string | null;
			try {
				campaign = await attributing(() => resolveCampaign(context.env, one, stripe));
			} catch (err) {
				if (!(err instanceof NeedsStripe)) throw err;
				keep.push({ index, entry, campaign: "", reason: "needs_stripe_key" });
				continue;
			}
			if (!campaign) {
				applied[index] ??= { outcome: "ignored", reason: "unattributed" };
			} else if (!isCampaignId(campaign)) {
				keep.push({ index, entry, campaign, reason: "invalid_campaign" });
			} else {
				const list = byCampaign.get(campaign) ?? [];
				list.push({ index, entry: { ...entry, movement: await attributing(() => withInvoicePayment(one, stripe)) } });
				byCampaign.set(campaign, list);
			}
		}
	}
	for (const [campaign, entries] of byCampaign) {
		const outcomes = await recordInBatches(context, campaign, entries);
		for (const [i, { index, entry }] of entries.entries()) {
			const outcome = outcomes[i] ?? "unknown_campaign";
			if (outcome === "unknown_campaign") keep.push({ index, entry, campaign, reason: "unknown_campaign" });
			else applied[index] = { outcome, campaign };
		}
	}
	if (keep.length > 0) {
		await unplaced.keep(
			context.env,
			keep.map(({ entry, campaign, reason }) => unplacedEntry(entry, campaign, reason)),
		);
		for (const { index, campaign, reason } of keep) applied[index] = { outcome: "unplaced", reason, ...(campaign ? { campaign } : {}) };
	}
	return applied;
}

async function recordInBatches(context: StoreContext, campaign: string, entries: Placed[]): Promise<RecordOutcome[]> {
	const store = campaignStore(context, campaign);
	const outcomes: RecordOutcome[] = [];
	for (let start = 0; start < entries.length; start += BATCH_SIZE) {
		outcomes.push(...(await store.recordMany(entries.slice(start, start + BATCH_SIZE).map(({ entry }) => entry))));
	}
	return outcomes;
}

function unplacedEntry(entry: LedgerEntry, campaign: string, reason: string) {
	const m = entry.movement;
	return {
		eventId: entry.eventId,
		eventType: entry.eventType,
		key: m.key,
		campaign,
		reason,
		amount: m.amount,
		currency: m.kind === "donation" ? m.currency : null,
	};
}
