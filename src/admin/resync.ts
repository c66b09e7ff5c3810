// Re-sync: rebuild the current period from Stripe's own records. Everything
// found goes through the same recording path as webhooks, so running it twice,
// or alongside late webhooks, never counts a gift twice.
import type Stripe from "stripe";
import type { CampaignSnapshot } from "../campaigns/snapshot";
import { ledger, purgePublicCache } from "../campaigns/store";
import type { Bindings } from "../env";
import { campaignOf, donationFromInvoice, donationFromSession, type EventPlan, invoiceMetadata } from "../stripe/events";
import { applyPlan } from "../stripe/record";

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

export async function resync(env: Bindings, origin: string, stripe: Stripe, campaign: CampaignSnapshot): Promise<ResyncReport> {
	const id = campaign.id;
	const sinceMs = Date.parse(campaign.period.startedAt);
	const created = { gte: Math.floor(sinceMs / 1000) };
	const plans: EventPlan[] = [];
	const checked = { sessions: 0, invoices: 0, refunds: 0 };

	for await (const session of stripe.checkout.sessions.list({ created, status: "complete", limit: 100 })) {
		checked.sessions += 1;
		if (campaignOf(session.metadata) !== id || session.payment_status !== "paid") continue;
		const donation = donationFromSession(session, Math.max(session.created * 1000, sinceMs));
		if (donation) plans.push({ action: "record", campaign: id, movement: donation });
	}
	// `payments` links each monthly gift to its PaymentIntent, so its refunds can come off.
	for await (const invoice of stripe.invoices.list({ created, status: "paid", limit: 100, expand: ["data.payments"] })) {
		checked.invoices += 1;
		if (campaignOf(invoiceMetadata(invoice)) !== id) continue;
		const paidAt = (invoice.status_transitions?.paid_at ?? invoice.created) * 1000;
		const donation = donationFromInvoice(invoice, Math.max(paidAt, sinceMs));
		if (donation) plans.push({ action: "record", campaign: id, movement: donation });
	}
	for await (const refund of stripe.refunds.list({ created, limit: 100 })) {
		checked.refunds += 1;
		const payment = typeof refund.payment_intent === "string" ? refund.payment_intent : refund.payment_intent?.id;
		if (!payment) continue;
		const counts = refund.status === "succeeded" || refund.status === "pending";
		plans.push({
			action: "record",
			campaign: null, // resolved through the payment index, like a webhook
			movement: {
				kind: "refund",
				key: `refund:${refund.id}`,
				payment,
				amount: counts ? refund.amount : 0,
				occurredAt: refund.created * 1000,
			},
		});
	}

	const added: ResyncReport["added"] = [];
	let alreadyRecorded = 0;
	const count = (outcome: string, key: string, amount: number) => {
		if (outcome === "recorded") added.push({ key, amount });
		else if (outcome === "duplicate_event" || outcome === "duplicate_movement") alreadyRecorded += 1;
	};
	// This campaign's gifts go to its ledger in batches: one transaction each.
	const own = plans.flatMap((p) => (p.action === "record" && p.campaign === id ? [p.movement] : []));
	for (let i = 0; i < own.length; i += 500) {
		const batch = own.slice(i, i + 500);
		const outcomes = await ledger(env, id).recordMany(
			id,
			batch.map((movement) => ({ eventId: `resync:${movement.key}`, eventType: "resync", movement })),
		);
		for (const [j, outcome] of outcomes.entries()) count(outcome, batch[j]?.key ?? "", batch[j]?.amount ?? 0);
	}
	if (own.length > 0) await purgePublicCache(origin, id);
	// Refunds name no campaign: each is placed like a webhook would place it.
	for (const plan of plans) {
		if (plan.action !== "record" || plan.campaign === id) continue;
		const key = plan.movement.key;
		const applied = await applyPlan(env, origin, plan, { eventId: `resync:${key}`, eventType: "resync" }, () => stripe);
		if (applied.campaign === id) count(applied.outcome, key, plan.movement.amount);
	}

	const listed = new Set(plans.map((p) => (p.action === "record" ? p.movement.key : "")));
	const notInStripe: string[] = [];
	for (let after = 0; ; ) {
		const rows = (await ledger(env, id).donations(id, campaign.period.id, after, 1000)) ?? [];
		for (const row of rows) if (!listed.has(row.key)) notInStripe.push(row.key);
		const last = rows.at(-1);
		if (!last) break;
		after = last.seq;
	}
	const after = await ledger(env, id).snapshot(id);
	return {
		campaign: id,
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
