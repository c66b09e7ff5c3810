// Re-sync: rebuild the current period from Stripe's own records. Everything
// found goes through the same planning and recording path as webhooks, so
// running it twice, or alongside late webhooks, never counts a gift twice.
import type Stripe from "stripe";
import { campaignStore, type StoreContext, unplaced } from "../campaigns/store";
import { campaignOf } from "../domain/metadata";
import type { ResyncReport } from "../domain/reports";
import type { CampaignSnapshot } from "../domain/snapshot";
import { type EventPlan, invoiceMetadata, planInvoice, planRefund, planSession, type RecordPlan } from "../stripe/events";
import { type PlannedEntry, recordPlans } from "./record";

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
	// Refunds name no campaign: each is placed as a webhook would place it, in its state now
	// (so a refund that failed since it was announced gives its money back).
	const now = Date.now();
	for await (const refund of stripe.refunds.list({ created, limit: 100 })) {
		checked.refunds += 1;
		plans.push(planRefund(refund, now));
	}
	return { checked, plans: plans.filter((plan): plan is RecordPlan => plan.action === "record") };
}

/**
 * Money kept unplaced because it named this campaign before it existed: each
 * object is read again at Stripe and planned as it is now (into this period).
 */
async function planUnplaced(context: StoreContext, stripe: Stripe, campaign: CampaignSnapshot): Promise<RecordPlan[]> {
	const sinceMs = Date.parse(campaign.period.startedAt);
	const waiting = (await unplaced.list(context.env)).filter((entry) => entry.campaign === campaign.id);
	const plans: EventPlan[] = [];
	for (const { key } of waiting) {
		const [kind, id = ""] = key.split(":");
		if (kind === "session") {
			const session = await stripe.checkout.sessions.retrieve(id);
			plans.push(planSession(session, Math.max(session.created * 1000, sinceMs), session.payment_status === "paid"));
		} else if (kind === "invoice") {
			const invoice = await stripe.invoices.retrieve(id, { expand: ["payments"] });
			plans.push(planInvoice(invoice, Math.max((invoice.status_transitions?.paid_at ?? invoice.created) * 1000, sinceMs)));
		} else if (kind === "refund") {
			plans.push(planRefund(await stripe.refunds.retrieve(id), Date.now()));
		}
	}
	return plans.filter((plan): plan is RecordPlan => plan.action === "record" && plan.campaign === campaign.id);
}

export async function resync(context: StoreContext, stripe: Stripe, campaign: CampaignSnapshot): Promise<ResyncReport> {
	const store = campaignStore(context, campaign.id);
	const listed = await planFromStripe(stripe, campaign);
	const { checked } = listed;
	const seen = new Set(listed.plans.map((plan) => plan.movement.key));
	const plans = [...listed.plans, ...(await planUnplaced(context, stripe, campaign)).filter((plan) => !seen.has(plan.movement.key))];
	const planned: PlannedEntry[] = plans.map((plan) => ({ plan, eventId: `resync:${plan.movement.key}`, eventType: "resync" }));
	const applied = await recordPlans(context, planned, () => stripe);

	const added: ResyncReport["added"] = [];
	let alreadyRecorded = 0;
	const inLedger: string[] = [];
	for (const [i, result] of applied.entries()) {
		const movement = plans[i]?.movement;
		if (result.campaign !== campaign.id || !movement) continue;
		if (result.outcome === "recorded") added.push({ key: movement.key, amount: movement.amount });
		else if (result.outcome === "duplicate_event" || result.outcome === "duplicate_movement") alreadyRecorded += 1;
		if (result.outcome !== "ignored" && result.outcome !== "unplaced") inLedger.push(movement.key);
	}
	// Money kept unplaced (e.g. it arrived before this campaign existed) is in the ledger now.
	const settled = inLedger.length > 0 ? await unplaced.settle(context.env, inLedger) : 0;

	const atStripe = new Set(plans.map((plan) => plan.movement.key));
	const notInStripe: string[] = [];
	for (let after = 0; ; ) {
		const rows = (await store.donations(campaign.period.id, after, 1000)) ?? [];
		for (const row of rows) if (!atStripe.has(row.key)) notInStripe.push(row.key);
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
		settled,
		notInStripe,
		totalBefore: campaign.total,
		totalAfter: after?.total ?? campaign.total,
	};
}
