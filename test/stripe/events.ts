// Builders of Stripe webhook events (full `event` objects from Stripe's
// fixture, API version 2026-10-28.endive unless `apiVersion` names another:
// the object is then rendered as that version sends it, see versions.ts) and
// of signed deliveries, for tests
// that POST to the worker's webhook endpoint. Runtime-neutral: signing uses
// Web Crypto through Stripe's SubtleCryptoProvider (the sync signing helpers
// throw in workerd).
import Stripe from "stripe";
import {
	type CompletedSessionOptions,
	capturedCharge,
	completedCheckoutSession,
	disputeObject,
	eventObject,
	type JsonObject,
	paidInvoice,
	refundObject,
} from "./objects.ts";
import { type RenderContext, renderObject } from "./versions.ts";

/** Every builder's options: the API version the event (and its object) is rendered in. */
export interface VersionOption {
	/** Default 2026-10-28.endive (stripe@23's). */
	apiVersion?: string;
}

/** Amounts that differ from the total: discounts, tax, Adaptive Pricing (see CompletedSessionOptions). */
export type SessionAmountOptions = Pick<
	CompletedSessionOptions,
	"amountSubtotal" | "discount" | "tax" | "presentment" | "currencyConversion"
>;

export interface CheckoutEventOptions extends VersionOption, SessionAmountOptions {
	campaign?: string;
	page?: string;
	amount: number;
	/** Default "usd". */
	currency?: string;
	/** Default "payment". */
	mode?: "payment" | "subscription";
	paymentStatus?: "paid" | "unpaid" | "no_payment_required";
	sessionId?: string;
	/** Payment mode: "pi_" + random unless given (null allowed). */
	paymentIntent?: string | null;
	/** Subscription mode: "sub_" + random unless given (null allowed). */
	subscription?: string | null;
	/** The session's `created` (the event's is now). */
	created?: number;
	eventId?: string;
}

export interface InvoicePaidOptions extends VersionOption {
	campaign?: string;
	page?: string;
	amount: number;
	currency?: string;
	invoiceId?: string;
	subscription?: string;
	billingReason?: "subscription_create" | "subscription_cycle";
	eventId?: string;
	/** The PaymentIntent (and charge) that paid it: pre-basil versions inline them. */
	paymentIntent?: string;
	charge?: string;
}

export interface ChargeRefundedOptions extends VersionOption {
	paymentIntent: string;
	chargeId?: string;
	amount: number;
	amountRefunded: number;
	campaign?: string;
	currency?: string;
}

export interface RefundEventOptions extends VersionOption {
	refundId?: string;
	amount: number;
	paymentIntent: string;
	chargeId?: string;
	status?: "succeeded" | "pending" | "failed" | "canceled";
	campaign?: string;
}

export interface DisputeEventOptions extends VersionOption {
	disputeId?: string;
	paymentIntent: string;
	chargeId?: string;
	amount: number;
}

export interface MakeEventOptions extends VersionOption {
	id?: string;
	created?: number;
	/** `data.previous_attributes`, for `*.updated` events. */
	previousAttributes?: Record<string, unknown>;
	/** Lookups for fields older versions inline (an invoice's PaymentIntent, a charge's refunds). */
	context?: RenderContext;
}

/**
 * Any event: Stripe's fixture `event` with `type` and `data.object` set, the
 * object rendered in `opts.apiVersion` when given.
 */
export function makeEvent(type: string, object: object, opts: MakeEventOptions = {}): Stripe.Event {
	const source = object as JsonObject;
	const rendered =
		opts.apiVersion && typeof source.object === "string" ? renderObject(source.object, source, opts.apiVersion, opts.context) : object;
	return eventObject(type, rendered, opts) as unknown as Stripe.Event;
}

function checkoutEvent(
	type: string,
	opts: CheckoutEventOptions,
	status: "open" | "complete",
	defaultPaymentStatus: "paid" | "unpaid",
): Stripe.Event {
	const session = completedCheckoutSession({
		...opts,
		status,
		paymentStatus: opts.paymentStatus ?? defaultPaymentStatus,
	});
	return makeEvent(type, session, { id: opts.eventId, apiVersion: opts.apiVersion });
}

/** `checkout.session.completed`: status complete, payment_status paid by default. */
export function checkoutSessionCompleted(opts: CheckoutEventOptions): Stripe.Event {
	return checkoutEvent("checkout.session.completed", opts, "complete", "paid");
}

/** `checkout.session.async_payment_succeeded`: payment_status paid. */
export function checkoutAsyncPaymentSucceeded(opts: CheckoutEventOptions): Stripe.Event {
	return checkoutEvent("checkout.session.async_payment_succeeded", opts, "complete", "paid");
}

/** `checkout.session.async_payment_failed`: payment_status unpaid. */
export function checkoutAsyncPaymentFailed(opts: CheckoutEventOptions): Stripe.Event {
	return checkoutEvent("checkout.session.async_payment_failed", opts, "complete", "unpaid");
}

/** `invoice.paid` for a subscription invoice (subscription under `parent`). */
export function invoicePaid(opts: InvoicePaidOptions): Stripe.Event {
	const paid = { paymentIntent: opts.paymentIntent ?? null, charge: opts.charge ?? null };
	return makeEvent("invoice.paid", paidInvoice(opts), {
		id: opts.eventId,
		apiVersion: opts.apiVersion,
		context: { paymentOfInvoice: () => paid },
	});
}

/** `charge.refunded`: `refunded` is true once amountRefunded >= amount. */
export function chargeRefunded(opts: ChargeRefundedOptions): Stripe.Event {
	return makeEvent("charge.refunded", capturedCharge(opts), { apiVersion: opts.apiVersion });
}

export function refundEvent(type: "refund.created" | "refund.updated" | "refund.failed", opts: RefundEventOptions): Stripe.Event {
	const status = opts.status ?? (type === "refund.failed" ? "failed" : "succeeded");
	return makeEvent(type, refundObject({ ...opts, status }), { apiVersion: opts.apiVersion });
}

/** `charge.dispute.funds_withdrawn`: dispute status needs_response. */
export function disputeFundsWithdrawn(opts: DisputeEventOptions): Stripe.Event {
	return makeEvent("charge.dispute.funds_withdrawn", disputeObject(opts, "funds_withdrawn"), { apiVersion: opts.apiVersion });
}

/** `charge.dispute.funds_reinstated`: dispute status won. */
export function disputeFundsReinstated(opts: DisputeEventOptions): Stripe.Event {
	return makeEvent("charge.dispute.funds_reinstated", disputeObject(opts, "funds_reinstated"), { apiVersion: opts.apiVersion });
}

/** The `Stripe-Signature` header value for `payload`, as Stripe computes it. */
export async function signPayload(payload: string, secret: string, timestamp?: number): Promise<string> {
	return Stripe.webhooks.generateTestHeaderStringAsync({
		payload,
		secret,
		timestamp,
		cryptoProvider: Stripe.createSubtleCryptoProvider(),
	});
}

/** A webhook delivery: the JSON body and the headers Stripe sends with it. */
export async function signedDelivery(
	event: object | string,
	secret: string,
	opts: { timestamp?: number } = {},
): Promise<{ body: string; headers: Record<string, string> }> {
	const body = typeof event === "string" ? event : JSON.stringify(event, null, 2);
	const signature = await signPayload(body, secret, opts.timestamp);
	return {
		body,
		headers: {
			"content-type": "application/json",
			"stripe-signature": signature,
		},
	};
}
