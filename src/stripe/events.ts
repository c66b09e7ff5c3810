// Stripe objects -> ledger movements, following the money rules in the
// design: one-time gifts count when paid, monthly gifts count per paid
// invoice, refunds and lost disputes come off, reinstated disputes come back.
// Webhooks (planEvent) and re-sync (the plan* functions) share these rules.
import type Stripe from "stripe";
import type { Donation, Movement, Reversal } from "../domain/movements";
import { normalizePage } from "../domain/page-url";

export type EventPlan =
	| { action: "ignore"; reason: string }
	/**
	 * `campaign` is null when the object does not say; the payment index resolves it.
	 * `invoice`: a monthly gift whose payload left out the paying PaymentIntent; it is looked up at Stripe.
	 */
	| { action: "record"; campaign: string | null; movement: Movement; invoice?: string };

export type RecordPlan = Extract<EventPlan, { action: "record" }>;

type Metadata = Stripe.Metadata | null | undefined;

// Signed events are still parsed JSON: check what the money path reads.
const isId = (value: unknown): value is string => typeof value === "string" && value.length > 0;
const isAmount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isCurrency = (value: unknown): value is string => typeof value === "string" && /^[a-z]{3}$/i.test(value);
export const idOf = (ref: unknown): string | null =>
	isId(ref) ? ref : isId((ref as { id?: unknown } | null)?.id) ? (ref as { id: string }).id : null;

const ignore = (reason: string): EventPlan => ({ action: "ignore", reason });

export function campaignOf(metadata: Metadata): string | null {
	const campaign = metadata?.campaign;
	return typeof campaign === "string" && campaign.length > 0 ? campaign : null;
}

/** A paid one-time Checkout Session as a gift; subscriptions count per invoice instead. */
export function donationFromSession(session: Stripe.Checkout.Session, occurredAt: number): Donation | null {
	if (session.mode !== "payment" || !isId(session.id) || !isAmount(session.amount_total) || session.amount_total <= 0) return null;
	if (!isCurrency(session.currency)) return null;
	return {
		kind: "donation",
		key: `session:${session.id}`,
		payment: idOf(session.payment_intent),
		amount: session.amount_total,
		currency: session.currency.toLowerCase(),
		interval: "once",
		page: normalizePage(session.metadata?.page),
		occurredAt,
	};
}

/** The subscription metadata of an invoice (API 2026: under parent.subscription_details). */
export function invoiceMetadata(invoice: Stripe.Invoice): Metadata {
	return invoice.parent?.subscription_details?.metadata ?? invoice.metadata;
}

/** The PaymentIntent among an invoice's payments (the list is only there when expanded or listed). */
export function paymentIntentOf(payments: unknown): string | null {
	if (!Array.isArray(payments)) return null;
	const paid = (payments as (Stripe.InvoicePayment | null)[]).find((p) => p?.payment?.type === "payment_intent");
	return idOf(paid?.payment.payment_intent);
}

export function donationFromInvoice(invoice: Stripe.Invoice, occurredAt: number): Donation | null {
	if (!isId(invoice.id) || !isAmount(invoice.amount_paid) || invoice.amount_paid <= 0 || !isCurrency(invoice.currency)) return null;
	return {
		kind: "donation",
		key: `invoice:${invoice.id}`,
		payment: paymentIntentOf(invoice.payments?.data),
		amount: invoice.amount_paid,
		currency: invoice.currency.toLowerCase(),
		interval: "month",
		page: normalizePage(invoiceMetadata(invoice)?.page),
		occurredAt,
	};
}

function reversal(kind: Reversal["kind"], prefix: string, id: unknown, payment: string | null, amount: unknown, at: number): EventPlan {
	if (!payment) return ignore("no_payment_intent");
	if (!isId(id) || !isAmount(amount)) return ignore("malformed");
	return { action: "record", campaign: null, movement: { kind, key: `${prefix}:${id}`, payment, amount, occurredAt: at } };
}

/** A one-time gift from a completed session: counted when paid, never for a subscription's session. */
export function planSession(session: Stripe.Checkout.Session, at: number, paid: boolean): EventPlan {
	if (session.mode !== "payment") return ignore("counted_by_invoice");
	if (!paid) return ignore("payment_pending");
	const donation = donationFromSession(session, at);
	return donation ? { action: "record", campaign: campaignOf(session.metadata), movement: donation } : ignore("no_amount");
}

/** One paid invoice of a monthly gift. */
export function planInvoice(invoice: Stripe.Invoice, at: number): EventPlan {
	const donation = donationFromInvoice(invoice, at);
	if (!donation) return ignore("no_amount");
	const campaign = campaignOf(invoiceMetadata(invoice));
	return donation.payment
		? { action: "record", campaign, movement: donation }
		: { action: "record", campaign, movement: donation, invoice: invoice.id };
}

/**
 * A Refund in its current state. Pending and requires_action refunds already
 * left the balance; failed and canceled ones did not (they weigh 0).
 */
export function planRefund(refund: Stripe.Refund, at: number): EventPlan {
	const counts = refund.status === "succeeded" || refund.status === "pending" || refund.status === "requires_action";
	const plan = reversal("refund", "refund", refund.id, idOf(refund.payment_intent), counts ? refund.amount : 0, at);
	return plan.action === "record" ? { ...plan, campaign: campaignOf(refund.metadata) } : plan;
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
			const plan = reversal("refund_total", "charge", charge.id, idOf(charge.payment_intent), charge.amount_refunded, at);
			return plan.action === "record" ? { ...plan, campaign: campaignOf(charge.metadata) } : plan;
		}
		case "refund.created":
		case "refund.updated":
		case "refund.failed":
			return planRefund(event.data.object, at);
		case "charge.dispute.funds_withdrawn":
		case "charge.dispute.funds_reinstated": {
			const dispute = event.data.object;
			const withdrawn = event.type === "charge.dispute.funds_withdrawn";
			const kind = withdrawn ? "dispute" : "reinstatement";
			return reversal(kind, withdrawn ? "dispute" : "reinstated", dispute.id, idOf(dispute.payment_intent), dispute.amount, at);
		}
		default:
			return ignore("irrelevant_type");
	}
}
