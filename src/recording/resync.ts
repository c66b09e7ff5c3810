// Re-sync: rebuild the current period from Stripe's own records. Everything
// found goes through the same planning and recording path as webhooks, so
// running it twice, or alongside late webhooks, never counts a gift twice.
import type Stripe from "stripe";
import { campaignStore, type StoreContext } from "../campaigns/store";
import type { CampaignSnapshot } from "../domain/snapshot";
import { campaignOf, type EventPlan, invoiceMetadata, planInvoice, planRefund, planSession } from "../stripe/events";
import { type PlannedEntry, recordPlans } from "./record";

export interface ResyncReport {
	campaign: string;
	period: number;
	since: string;
	checked: { sessions: number; invoices: number; refunds: number };
	added: { key: string; amount: number }[];
	alreadyRecorded: number;
	/** Gifts of this period in the ledger that Stripe did not list. */
	notInStripe: string[];
	totalBefore: number;
	totalAfter: number;
}

/** What Stripe lists for the period: this campaign's paid sessions and invoices, and every refund. */
async function planFromStripe(stripe: Stripe, campaign: CampaignSnapshot) {
	const sinceMs = Date.parse(campaign.period.startedAt);
	const created = { gte: Math.floor(sinceMs / 1000) };
	const plans: EventPlan[] = [];
	const checked = { sessions: 0, invoices: 0, refunds: 0 };
	for await (const session of stripe.checkout.sessions.list({ created, status: "complete", limit: 100 })) {
		checked.sessions += 1;
		if (campaignOf(session.metadata) !== campaign.id) continue;
		plans.push(planSession(session, Math.max(session.created * 1000, sinceMs), session.payment_status === "paid"));
	}
	// `payments` links each monthly gift to its PaymentIntent, so its refunds can come off.
	for await (const invoice of stripe.invoices.list({ created, status: "paid", limit: 100, expand: ["data.payments"] })) {
		checked.invoices += 1;
		if (campaignOf(invoiceMetadata(invoice)) !== campaign.id) continue;
		const paidAt = (invoice.status_transitions?.paid_at ?? invoice.created) * 1000;
		plans.push(planInvoice(invoice, Math.max(paidAt, sinceMs)));
	}
	// Refunds name no campaign: each is placed as a webhook would place it.
	for await (const refund of stripe.refunds.list({ created, limit: 100 })) {
		checked.refunds += 1;
		plans.push(planRefund(refund, refund.created * 1000));
	}
	return { checked, plans: plans.filter((plan) => plan.action === "record") };
}

export async function resync(context: StoreContext, stripe: Stripe, campaign: CampaignSnapshot): Promise<ResyncReport> {
	const store = campaignStore(context, campaign.id);
	const { checked, plans } = await planFromStripe(stripe, campaign);
	const planned: PlannedEntry[] = plans.map((plan) => ({ plan, eventId: `resync:${plan.movement.key}`, eventType: "resync" }));
	const applied = await recordPlans(context, planned, () => stripe);

	const added: ResyncReport["added"] = [];
	let alreadyRecorded = 0;
	for (const [i, result] of applied.entries()) {
		const movement = plans[i]?.movement;
		if (result.campaign !== campaign.id || !movement) continue;
		if (result.outcome === "recorded") added.push({ key: movement.key, amount: movement.amount });
		else if (result.outcome === "duplicate_event" || result.outcome === "duplicate_movement") alreadyRecorded += 1;
	}

	const listed = new Set(plans.map((plan) => plan.movement.key));
	const notInStripe: string[] = [];
	for (let after = 0; ; ) {
		const rows = (await store.donations(campaign.period.id, after, 1000)) ?? [];
		for (const row of rows) if (!listed.has(row.key)) notInStripe.push(row.key);
		const last = rows.at(-1);
		if (!last) break;
		after = last.seq;
	}
	const after = await store.fresh();
	return {
		campaign: campaign.id,
		period: campaign.period.id,
		since: campaign.period.startedAt,
		checked,
		added,
		alreadyRecorded,
		notInStripe,
		totalBefore: campaign.total,
		totalAfter: after?.total ?? campaign.total,
	};
}
