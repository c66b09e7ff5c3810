// Stripe objects -> ledger movements, following the money rules in the
// design: one-time gifts count when paid, monthly gifts count per paid
// invoice, refunds and lost disputes come off, reinstated disputes come back.
// Webhooks (planEvent) and re-sync (the plan* functions) share these rules.
// Events arrive in the webhook endpoint's API version, so every reader here
// accepts each shape Stripe has rendered since 2020-08-27.
import type Stripe from "stripe";
import { campaignOf, feeCoverOf, pageOf, variantOf } from "../domain/metadata";
import { type Donation, type Movement, REFUND_RANK, type Reversal } from "../domain/movements";
import { normalizePage } from "../domain/page-url";

export type EventPlan =
	| { action: "ignore"; reason: string }
	/**
	 * `campaign` is null when the object does not say: the payment index or Stripe resolves it.
	 * `invoice`: a monthly gift whose payload left out the paying PaymentIntent; it is looked up at Stripe.
	 * `subscription`: a monthly gift whose payload carries no metadata (invoices before 2023-06-29);
	 * the campaign is read from the subscription at Stripe.
	 */
	| { action: "record"; campaign: string | null; movement: Movement; invoice?: string; subscription?: string }
	/** A charge was refunded: read its refunds' current states at Stripe (a cumulative figure cannot tell a failed refund). */
	| { action: "refresh_refunds"; charge: string; payment: string; campaign: string | null };

export type RecordPlan = Extract<EventPlan, { action: "record" }>;

type Metadata = Stripe.Metadata | null | undefined;

// Signed events are still parsed JSON: check what the money path reads.
const isId = (value: unknown): value is string => typeof value === "string" && value.length > 0;
const isAmount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isCurrency = (value: unknown): value is string => typeof value === "string" && /^[a-z]{3}$/i.test(value);
export const idOf = (ref: unknown): string | null =>
	isId(ref) ? ref : isId((ref as { id?: unknown } | null)?.id) ? (ref as { id: string }).id : null;

const ignore = (reason: string): EventPlan => ({ action: "ignore", reason });

/**
 * What a session's donor gave, in the campaign's currency: `amount_total`
 * (after discounts) less any tax. Adaptive Pricing sessions from before
 * 2025-03-31 are in the donor's currency; the merchant's amount is under
 * `currency_conversion`.
 */
function sessionAmount(session: Stripe.Checkout.Session): { amount: number; currency: string } | null {
	const conversion = session.currency_conversion;
	if (conversion && isAmount(conversion.amount_total) && isCurrency(conversion.source_currency)) {
		return { amount: conversion.amount_total, currency: conversion.source_currency.toLowerCase() };
	}
	const tax = session.total_details?.amount_tax;
	if (!isAmount(session.amount_total) || !isCurrency(session.currency)) return null;
	return { amount: session.amount_total - (isAmount(tax) ? tax : 0), currency: session.currency.toLowerCase() };
}

/** A paid one-time Checkout Session as a gift; subscriptions count per invoice instead. */
export function donationFromSession(session: Stripe.Checkout.Session, occurredAt: number): Donation | null {
	const paid = sessionAmount(session);
	if (session.mode !== "payment" || !isId(session.id) || !paid || paid.amount <= 0) return null;
	return {
		kind: "donation",
		key: `session:${session.id}`,
		payment: idOf(session.payment_intent),
		...paid,
		feeCover: feeCoverOf(session.metadata, paid.amount),
		interval: "once",
		page: normalizePage(pageOf(session.metadata)),
		variant: variantOf(session.metadata),
		occurredAt,
	};
}

/** Invoice fields of API versions before 2025-03-31.basil, which moved or removed them. */
interface LegacyInvoiceFields {
	subscription?: unknown;
	subscription_details?: { metadata?: Metadata } | null;
	payment_intent?: unknown;
	tax?: unknown;
}

const legacy = (invoice: Stripe.Invoice) => invoice as Stripe.Invoice & LegacyInvoiceFields;

/**
 * Our metadata on an invoice, in any shape: the subscription's snapshot
 * (`parent.subscription_details` since basil, `subscription_details` before,
 * both only on invoices from 2023-06-29), else a subscription line's
 * (every version), else the invoice's own.
 */
export function invoiceMetadata(invoice: Stripe.Invoice): Metadata {
	const candidates: Metadata[] = [
		invoice.parent?.subscription_details?.metadata,
		legacy(invoice).subscription_details?.metadata,
		...(Array.isArray(invoice.lines?.data) ? invoice.lines.data.map((line) => line?.metadata) : []),
		invoice.metadata,
	];
	return candidates.find((metadata) => campaignOf(metadata) !== null) ?? null;
}

/** The subscription an invoice bills, in any shape. */
function invoiceSubscription(invoice: Stripe.Invoice): string | null {
	const line = Array.isArray(invoice.lines?.data) ? invoice.lines.data.find((l) => idOf(l?.subscription)) : undefined;
	return idOf(invoice.parent?.subscription_details?.subscription) ?? idOf(legacy(invoice).subscription) ?? idOf(line?.subscription);
}

/** The PaymentIntent among an invoice's payments (the list is only there when expanded or listed). */
export function paymentIntentOf(payments: unknown): string | null {
	if (!Array.isArray(payments)) return null;
	const paid = (payments as (Stripe.InvoicePayment | null)[]).find((p) => p?.payment?.type === "payment_intent");
	return idOf(paid?.payment.payment_intent);
}

function invoiceTax(invoice: Stripe.Invoice): number {
	if (Array.isArray(invoice.total_taxes)) return invoice.total_taxes.reduce((sum, t) => sum + (isAmount(t?.amount) ? t.amount : 0), 0);
	const tax = legacy(invoice).tax;
	return isAmount(tax) ? tax : 0;
}

export function donationFromInvoice(invoice: Stripe.Invoice, occurredAt: number): Donation | null {
	if (!isId(invoice.id) || !isAmount(invoice.amount_paid) || !isCurrency(invoice.currency)) return null;
	const amount = invoice.amount_paid - invoiceTax(invoice);
	if (amount <= 0) return null;
	return {
		kind: "donation",
		key: `invoice:${invoice.id}`,
		// Since basil under `payments` (when listed); before, `payment_intent`.
		payment: paymentIntentOf(invoice.payments?.data) ?? idOf(legacy(invoice).payment_intent),
		amount,
		feeCover: feeCoverOf(invoiceMetadata(invoice), amount),
		currency: invoice.currency.toLowerCase(),
		interval: "month",
		page: normalizePage(pageOf(invoiceMetadata(invoice))),
		variant: variantOf(invoiceMetadata(invoice)),
		occurredAt,
	};
}

function reversal(kind: Reversal["kind"], key: string, payment: string | null, amount: unknown, at: number, rank = 0): EventPlan {
	if (!payment) return ignore("no_payment_intent");
	if (!isAmount(amount)) return ignore("malformed");
	return { action: "record", campaign: null, movement: { kind, key, payment, amount, occurredAt: at, rank } };
}

/** A one-time gift from a completed session: counted when paid, never for a subscription's session. */
export function planSession(session: Stripe.Checkout.Session, at: number, paid: boolean): EventPlan {
	if (session.mode !== "payment") return ignore("counted_by_invoice");
	const campaign = campaignOf(session.metadata);
	if (!campaign) return ignore("not_ours");
	if (!paid) return ignore("payment_pending");
	const donation = donationFromSession(session, at);
	return donation ? { action: "record", campaign, movement: donation } : ignore("no_amount");
}

/** One paid invoice of a monthly gift. */
export function planInvoice(invoice: Stripe.Invoice, at: number): EventPlan {
	const donation = donationFromInvoice(invoice, at);
	if (!donation) return ignore("no_amount");
	const campaign = campaignOf(invoiceMetadata(invoice));
	const subscription = invoiceSubscription(invoice);
	if (!campaign && !subscription) return ignore("not_ours");
	return {
		action: "record",
		campaign,
		movement: donation,
		...(donation.payment ? {} : { invoice: invoice.id }),
		...(campaign || !subscription ? {} : { subscription }),
	};
}

/**
 * A Refund in its current state. Pending and requires_action refunds already
 * left the balance; failed and canceled ones did not (they weigh 0).
 */
export function planRefund(refund: Stripe.Refund, at: number): EventPlan {
	if (!isId(refund.id)) return ignore("malformed");
	const counts = refund.status === "succeeded" || refund.status === "pending" || refund.status === "requires_action";
	const rank = REFUND_RANK[refund.status ?? ""] ?? 0;
	const plan = reversal("refund", `refund:${refund.id}`, idOf(refund.payment_intent), counts ? refund.amount : 0, at, rank);
	return plan.action === "record" ? { ...plan, campaign: campaignOf(refund.metadata) } : plan;
}

function planDispute(dispute: Stripe.Dispute, withdrawn: boolean, at: number): EventPlan {
	if (!isId(dispute.id)) return ignore("malformed");
	const key = withdrawn ? `dispute:${dispute.id}` : `reinstated:${dispute.id}`;
	return reversal(withdrawn ? "dispute" : "reinstatement", key, idOf(dispute.payment_intent), dispute.amount, at);
}

export function planEvent(event: Stripe.Event): EventPlan {
	const at = event.created * 1000;
	switch (event.type) {
		case "checkout.session.completed":
			return planSession(event.data.object, at, event.data.object.payment_status === "paid");
		case "checkout.session.async_payment_succeeded":
			return planSession(event.data.object, at, true);
		case "checkout.session.async_payment_failed":
			return ignore("payment_failed");
		case "invoice.paid":
			return planInvoice(event.data.object, at);
		case "charge.refunded": {
			const charge = event.data.object;
			const payment = idOf(charge.payment_intent);
			if (!isId(charge.id)) return ignore("malformed");
			if (!payment) return ignore("no_payment_intent");
			return { action: "refresh_refunds", charge: charge.id, payment, campaign: campaignOf(charge.metadata) };
		}
		case "refund.created":
		case "refund.updated":
		case "refund.failed":
		case "charge.refund.updated":
			return planRefund(event.data.object, at);
		case "charge.dispute.funds_withdrawn":
		case "charge.dispute.funds_reinstated":
			return planDispute(event.data.object, event.type === "charge.dispute.funds_withdrawn", at);
		default:
			return ignore("irrelevant_type");
	}
}
