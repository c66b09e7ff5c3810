// Placing a movement: which campaign it belongs to, and (for a monthly gift)
// which PaymentIntent paid it, so its refunds and disputes can come off later.
import type Stripe from "stripe";
import { campaignOfPayment } from "../campaigns/store";
import type { Bindings } from "../config";
import { campaignOf } from "../domain/metadata";
import type { Movement } from "../domain/movements";
import { ApiError } from "../http/errors";
import { stripeFailure } from "../stripe/client";
import { planRefund, type RecordPlan } from "../stripe/events";
import { campaignOfInvoicePayment, paymentOfInvoice } from "../stripe/invoices";

/** A Stripe client when a key is configured (some lookups are optional without one). */
export type LazyStripe = () => Stripe | null;

/** "Stripe does not know it" is an answer (null); any other failure is not, and Stripe retries the event. */
function unlessUnknown(doing: string) {
	return (err: { statusCode?: number }) => {
		if (err?.statusCode === 404) return null;
		throw stripeFailure(err, doing);
	};
}

/** Why a movement could not be placed, when it might be ours. */
export class NeedsStripe extends Error {}

/**
 * Which campaign a movement belongs to: its own metadata; for an invoice
 * without metadata in its payload, its subscription's at Stripe; else the
 * payment index written when the gift was recorded, else at Stripe (a refund
 * can arrive before its gift): the PaymentIntent's metadata for a one-time
 * gift, the metadata of the invoice it paid for a monthly one. Null: not ours.
 */
export async function resolveCampaign(env: Bindings, plan: RecordPlan, stripe: LazyStripe): Promise<string | null> {
	if (plan.campaign) return plan.campaign;
	if (plan.subscription) {
		const client = stripe();
		if (!client) throw new NeedsStripe("the invoice names no campaign, and reading its subscription needs STRIPE_SECRET_KEY");
		const subscription = await client.subscriptions.retrieve(plan.subscription).catch(unlessUnknown("look up the subscription"));
		return campaignOf(subscription?.metadata);
	}
	const payment = plan.movement.payment;
	if (!payment) return null;
	const indexed = await campaignOfPayment(env, payment);
	if (indexed && indexed !== "unavailable") return indexed;
	const client = stripe();
	const intent = client ? await client.paymentIntents.retrieve(payment).catch(unlessUnknown("look up the payment")) : null;
	let campaign = campaignOf(intent?.metadata);
	if (!campaign && intent && client) {
		campaign = await campaignOfInvoicePayment(client, payment).catch(unlessUnknown("look up the invoice of the payment"));
	}
	if (!campaign && indexed === "unavailable") {
		throw new ApiError(503, "payment_index_unavailable", "Could not read the payment index; Stripe will retry this event.");
	}
	return campaign;
}

/**
 * A monthly gift with the PaymentIntent that paid it. A Stripe failure is not
 * acknowledged (Stripe retries the event); without an API key the gift still
 * counts, unlinked.
 */
export async function withInvoicePayment(plan: RecordPlan, stripe: LazyStripe): Promise<Movement> {
	const movement = plan.movement;
	const client = stripe();
	if (!plan.invoice || movement.kind !== "donation" || movement.payment || !client) return movement;
	const payment = await paymentOfInvoice(client, plan.invoice).catch((err) => {
		throw stripeFailure(err, "look up the invoice's payment");
	});
	return { ...movement, payment };
}

/** A refunded charge's refunds in their current states at Stripe, planned like refund events (campaign: the charge's, if it names one). */
export async function refundsOfCharge(charge: string, campaign: string | null, stripe: LazyStripe): Promise<RecordPlan[]> {
	const client = stripe();
	if (!client) return [];
	const now = Date.now();
	const plans: RecordPlan[] = [];
	try {
		for await (const refund of client.refunds.list({ charge, limit: 100 })) {
			const plan = planRefund(refund, now);
			if (plan.action === "record") plans.push({ ...plan, campaign: plan.campaign ?? campaign });
		}
	} catch (err) {
		throw stripeFailure(err, "list the charge's refunds");
	}
	return plans;
}
