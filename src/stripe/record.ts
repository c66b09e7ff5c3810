// Applies a planned movement to its campaign's ledger: the one path that both
// webhooks and re-sync use, so both count money the same way.
import type Stripe from "stripe";
import { CAMPAIGN_ID } from "../campaigns/settings";
import { paymentKey } from "../campaigns/snapshot";
import { ledger, purgePublicCache } from "../campaigns/store";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import type { LedgerEntry, Movement, RecordOutcome } from "../ledger/movements";
import { stripeFailure } from "./client";
import type { EventPlan } from "./events";
import { campaignOfInvoicePayment, paymentOfInvoice } from "./invoices";

export type Applied = { outcome: RecordOutcome; campaign: string } | { outcome: "ignored"; reason: string; campaign?: string };

/**
 * Which campaign a movement belongs to: its own metadata, else the payment
 * index written when the gift was recorded, else at Stripe (a refund can
 * arrive before its gift): the PaymentIntent's metadata for a one-time gift,
 * the metadata of the invoice it paid for a monthly one.
 */
async function resolveCampaign(env: Bindings, plan: Extract<EventPlan, { action: "record" }>, stripe: () => Stripe | null) {
	if (plan.campaign) return plan.campaign;
	const payment = plan.movement.payment;
	if (!payment) return null;
	let indexFailed = false;
	const indexed = await env.TOTALS.get(paymentKey(payment)).catch(() => {
		indexFailed = true;
		return null;
	});
	if (indexed) return indexed;
	const client = stripe();
	const intent = client
		? await client.paymentIntents.retrieve(payment).catch((err: { statusCode?: number }) => {
				// Unknown to Stripe: nothing to attribute. Any other failure: not acknowledged, so Stripe retries.
				if (err?.statusCode === 404) return null;
				throw stripeFailure(err, "look up the payment");
			})
		: null;
	let campaign = intent?.metadata?.campaign || null;
	if (!campaign && intent && client) {
		campaign = await campaignOfInvoicePayment(client, payment).catch((err: { statusCode?: number }) => {
			if (err?.statusCode === 404) return null;
			throw stripeFailure(err, "look up the invoice of the payment");
		});
	}
	if (!campaign && indexFailed) {
		throw new ApiError(503, "payment_index_unavailable", "Could not read the payment index; Stripe will retry this event.");
	}
	return campaign;
}

/**
 * A monthly gift with the PaymentIntent that paid it, so its refunds and
 * disputes can come off. A Stripe failure is not acknowledged (Stripe retries
 * the event); without an API key the gift still counts, unlinked.
 */
async function withInvoicePayment(movement: Movement, invoice: string, stripe: () => Stripe | null): Promise<Movement> {
	const client = stripe();
	if (movement.kind !== "donation" || movement.payment || !client) return movement;
	const payment = await paymentOfInvoice(client, invoice).catch((err) => {
		throw stripeFailure(err, "look up the invoice's payment");
	});
	return { ...movement, payment };
}

export async function applyPlan(
	env: Bindings,
	origin: string,
	plan: EventPlan,
	ids: { eventId: string; eventType: string },
	stripe: () => Stripe | null,
): Promise<Applied> {
	if (plan.action === "ignore") return { outcome: "ignored", reason: plan.reason };
	const campaign = await resolveCampaign(env, plan, stripe);
	if (!campaign) return { outcome: "ignored", reason: "unattributed" };
	if (!CAMPAIGN_ID.test(campaign)) return { outcome: "ignored", reason: "invalid_campaign", campaign };
	const movement = plan.invoice ? await withInvoicePayment(plan.movement, plan.invoice, stripe) : plan.movement;
	const entry: LedgerEntry = { eventId: ids.eventId, eventType: ids.eventType, movement };
	const outcome = await ledger(env, campaign).record(campaign, entry);
	if (outcome === "recorded") await purgePublicCache(origin, campaign);
	return { outcome, campaign };
}
