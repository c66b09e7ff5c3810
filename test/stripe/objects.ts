// Builders of realistic Stripe API objects, shared by the Stripe double
// (double.ts) and the webhook event builders (events.ts). Each one starts from
// a deep copy of Stripe's own fixture object (fixtures.ts) and overrides the
// fields a donation flow depends on. Runtime-neutral: Web APIs only.
import { METADATA_KEYS } from "../../src/domain/metadata.ts";
import {
	balanceTransactionFixture,
	chargeFixture,
	checkoutSessionFixture,
	disputeFixture,
	eventFixture,
	invoiceFixture,
	invoicePaymentFixture,
	paymentIntentFixture,
	refundFixture,
} from "./fixtures.ts";

export type JsonObject = Record<string, unknown>;

/** Object types the double stores and lists. */
export type CoreObjectType = "checkout.session" | "invoice" | "invoice_payment" | "refund" | "dispute" | "charge" | "payment_intent";
/** Types added with webhook delivery, subscriptions and the customer portal (builders in billing.ts). */
export type BillingObjectType =
	| "customer"
	| "subscription"
	| "webhook_endpoint"
	| "event"
	| "billing_portal.configuration"
	| "billing_portal.session";
export type DoubleObjectType = CoreObjectType | BillingObjectType;

/**
 * The metadata key that names a gift's campaign, on Checkout Sessions, their
 * PaymentIntent / subscription data, invoices' subscription metadata, charges
 * and refunds. The builders write it and the double's filters (request log,
 * faults, hosted page) read it: switch the worker's key here, in one line.
 */
export const CAMPAIGN_KEY = METADATA_KEYS.campaign;
/** The metadata key for the page a gift came from. */
export const PAGE_KEY = METADATA_KEYS.page;

/** The API version that stripe@23 pins and our events carry. */
export const API_VERSION = "2026-10-28.endive";

/** Id prefixes Stripe uses for each stored type. */
export const ID_PREFIX: Record<DoubleObjectType, string> = {
	"checkout.session": "cs_test_",
	invoice: "in_",
	invoice_payment: "inpay_",
	refund: "re_",
	dispute: "dp_",
	charge: "ch_",
	payment_intent: "pi_",
	customer: "cus_",
	subscription: "sub_",
	webhook_endpoint: "we_",
	event: "evt_",
	"billing_portal.configuration": "bpc_",
	"billing_portal.session": "bps_",
};

export function clone<T>(value: T): T {
	return structuredClone(value);
}

/** `length` random alphanumerics (hex), from crypto.randomUUID(). */
export function randomChars(length: number): string {
	let out = "";
	while (out.length < length) out += crypto.randomUUID().replaceAll("-", "");
	return out.slice(0, length);
}

/**
 * A fresh Stripe-looking id: `cs_test_a1` + 56 characters for Checkout
 * Sessions (like Stripe's), otherwise the prefix + 24 characters.
 */
export function randomId(prefix: string): string {
	if (prefix === "cs_test_") return `cs_test_a1${randomChars(56)}`;
	return `${prefix}${randomChars(24)}`;
}

export function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

function metadataOf(fields: Record<string, string | undefined>): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
	return out;
}

export function donationMetadata(campaign?: string, page?: string): Record<string, string> {
	return metadataOf({ [CAMPAIGN_KEY]: campaign, [PAGE_KEY]: page });
}

/**
 * The fixture `checkout.session` with the fixture's placeholder amounts,
 * shipping, currency conversion and texts replaced by what a plain donation
 * session carries, and no id/amount/status yet (callers set those).
 */
export function checkoutSessionBase(): JsonObject {
	const s = clone(checkoutSessionFixture) as JsonObject;
	s.after_expiration = null;
	s.amount_subtotal = null;
	s.amount_total = null;
	s.client_secret = null;
	s.collected_information = null;
	s.consent = null;
	s.consent_collection = null;
	s.currency_conversion = null;
	s.custom_text = {
		after_submit: null,
		shipping_address: null,
		submit: null,
		terms_of_service_acceptance: null,
	};
	s.customer_details = null;
	s.discounts = [];
	s.invoice_creation = null;
	s.livemode = false;
	s.metadata = {};
	s.payment_intent = null;
	s.recovered_from = null;
	s.shipping_address_collection = null;
	s.shipping_cost = null;
	s.subscription = null;
	s.total_details = { amount_discount: 0, amount_shipping: 0, amount_tax: 0 };
	s.ui_mode = "hosted_page";
	return s;
}

/** What Checkout collected from a donor who completed a session. */
export function donorDetails(): JsonObject {
	const details = clone(checkoutSessionFixture.customer_details) as JsonObject;
	details.email = "donor@example.com";
	details.name = "Jenny Rosen";
	details.tax_ids = [];
	details.address = {
		city: null,
		country: "US",
		line1: null,
		line2: null,
		postal_code: "94103",
		state: null,
	};
	return details;
}

export interface CompletedSessionOptions {
	sessionId?: string;
	amount: number;
	currency?: string;
	mode?: "payment" | "subscription";
	status?: "open" | "complete" | "expired";
	paymentStatus?: "paid" | "unpaid" | "no_payment_required";
	paymentIntent?: string | null;
	subscription?: string | null;
	campaign?: string;
	page?: string;
	created?: number;
	/**
	 * Before discounts and tax (default `amount`). `amount` stays the total:
	 * amount_total = amount_subtotal - discount + tax (tax exclusive).
	 */
	amountSubtotal?: number;
	discount?: number;
	tax?: number;
	/**
	 * Adaptive Pricing (sessions created since 2025-03-31): `amount`/`currency`
	 * stay in the merchant's (integration) currency and the donor's currency
	 * and amount are in `presentment_details` (changelog basil 2025-03-31
	 * add_presentment_details).
	 */
	presentment?: { currency: string; amount: number };
	/**
	 * Legacy Adaptive Pricing (sessions created before 2025-03-31): `amount`/
	 * `currency` are the donor's (presentment) currency and `currency_conversion`
	 * holds the merchant's: `source_currency`, and `amount_subtotal`/`amount_total`
	 * "in source currency"; `fx_rate` converts source to customer amounts.
	 */
	currencyConversion?: { sourceCurrency: string; amountSubtotal?: number; amountTotal: number; fxRate: string };
}

/** A Checkout Session as Stripe sends it once the donor finished Checkout. */
export function completedCheckoutSession(opts: CompletedSessionOptions): JsonObject {
	const mode = opts.mode ?? "payment";
	const created = opts.created ?? nowSeconds() - 60;
	const s = checkoutSessionBase();
	const id = opts.sessionId ?? randomId("cs_test_");
	s.id = id;
	s.object = "checkout.session";
	s.mode = mode;
	const discount = opts.discount ?? 0;
	const tax = opts.tax ?? 0;
	s.amount_subtotal = opts.amountSubtotal ?? opts.amount + discount - tax;
	s.amount_total = opts.amount;
	s.total_details = { amount_discount: discount, amount_shipping: 0, amount_tax: tax };
	s.currency = (opts.currency ?? "usd").toLowerCase();
	if (opts.presentment) {
		s.presentment_details = { presentment_amount: opts.presentment.amount, presentment_currency: opts.presentment.currency.toLowerCase() };
	}
	if (opts.currencyConversion) {
		const c = opts.currencyConversion;
		s.currency_conversion = {
			amount_subtotal: c.amountSubtotal ?? c.amountTotal,
			amount_total: c.amountTotal,
			fx_rate: c.fxRate,
			source_currency: c.sourceCurrency.toLowerCase(),
		};
	}
	s.metadata = donationMetadata(opts.campaign, opts.page);
	s.status = opts.status ?? "complete";
	s.payment_status = opts.paymentStatus ?? "paid";
	s.created = created;
	s.expires_at = created + 86_400;
	s.customer_details = donorDetails();
	s.url = null;
	s.success_url = "https://publisher.example/thanks?session_id={CHECKOUT_SESSION_ID}";
	s.cancel_url = "https://publisher.example/donate";
	if (mode === "subscription") {
		s.payment_intent = null;
		s.subscription = opts.subscription === undefined ? randomId("sub_") : opts.subscription;
		s.customer = randomId("cus_");
		s.customer_creation = "always";
		s.invoice = randomId("in_");
		s.submit_type = null;
	} else {
		s.payment_intent = opts.paymentIntent === undefined ? randomId("pi_") : opts.paymentIntent;
		s.subscription = opts.subscription ?? null;
		s.customer = null;
		s.customer_creation = "if_required";
		s.invoice = null;
		s.submit_type = "donate";
	}
	return s;
}

export interface InvoiceOptions {
	invoiceId?: string;
	amount: number;
	currency?: string;
	campaign?: string;
	page?: string;
	subscription?: string;
	billingReason?: "subscription_create" | "subscription_cycle";
	customer?: string;
	created?: number;
}

/**
 * A paid subscription invoice in this API version's shape: the subscription
 * and its metadata live under `parent.subscription_details` (there is no
 * top-level `invoice.subscription` any more). Like Stripe's webhooks it has
 * no `payments`: that field is only there when expanded (see invoicePayment).
 */
export function paidInvoice(opts: InvoiceOptions): JsonObject {
	const inv = clone(invoiceFixture) as JsonObject;
	const id = opts.invoiceId ?? randomId("in_");
	const currency = (opts.currency ?? "usd").toLowerCase();
	const subscription = opts.subscription ?? randomId("sub_");
	const created = opts.created ?? nowSeconds() - 60;
	const metadata = donationMetadata(opts.campaign, opts.page);
	delete inv.subscription;
	inv.id = id;
	inv.object = "invoice";
	inv.amount_due = opts.amount;
	inv.amount_paid = opts.amount;
	inv.amount_remaining = 0;
	inv.amount_overpaid = 0;
	inv.attempt_count = 1;
	inv.attempted = true;
	inv.billing_reason = opts.billingReason ?? "subscription_create";
	inv.created = created;
	inv.currency = currency;
	inv.customer = opts.customer ?? randomId("cus_");
	inv.customer_email = "donor@example.com";
	inv.customer_name = "Jenny Rosen";
	inv.due_date = null;
	inv.effective_at = created;
	inv.ending_balance = 0;
	inv.from_invoice = null;
	inv.hosted_invoice_url = `https://invoice.stripe.com/i/acct_test/${id}`;
	inv.invoice_pdf = `https://pay.stripe.com/invoice/acct_test/${id}/pdf`;
	inv.last_finalization_error = null;
	inv.livemode = false;
	inv.metadata = {};
	inv.next_payment_attempt = null;
	inv.number = `DON-${randomChars(8).toUpperCase()}`;
	inv.period_end = created;
	inv.period_start = created;
	inv.shipping_cost = null;
	inv.shipping_details = null;
	inv.status = "paid";
	inv.status_transitions = {
		finalized_at: created,
		marked_uncollectible_at: null,
		paid_at: created,
		voided_at: null,
	};
	inv.subtotal = opts.amount;
	inv.subtotal_excluding_tax = opts.amount;
	inv.total = opts.amount;
	inv.total_excluding_tax = opts.amount;
	inv.webhooks_delivered_at = null;
	inv.parent = {
		type: "subscription_details",
		quote_details: null,
		subscription_details: { subscription, metadata },
	};
	const line = clone(invoiceFixture.lines.data[0]) as JsonObject;
	const lineId = randomId("il_");
	Object.assign(line, {
		id: lineId,
		amount: opts.amount,
		currency,
		description: "1 × Donation (at $ / month)",
		invoice: id,
		metadata,
		period: { start: created, end: created + 30 * 86_400 },
		quantity: 1,
		subscription,
		subtotal: opts.amount,
		parent: {
			type: "subscription_item_details",
			invoice_item_details: null,
			subscription_item_details: {
				invoice_item: null,
				proration: false,
				proration_details: { credited_items: null },
				subscription,
				subscription_item: randomId("si_"),
			},
		},
	});
	inv.lines = {
		object: "list",
		data: [line],
		has_more: false,
		url: `/v1/invoices/${id}/lines`,
	};
	return inv;
}

export interface InvoicePaymentOptions {
	invoice: string;
	paymentIntent: string;
	amount: number;
	currency?: string;
	created?: number;
}

/** The link between an invoice and the PaymentIntent that paid it (`/v1/invoice_payments`). */
export function invoicePayment(opts: InvoicePaymentOptions): JsonObject {
	const payment = clone(invoicePaymentFixture) as JsonObject;
	const created = opts.created ?? nowSeconds() - 60;
	return Object.assign(payment, {
		id: randomId("inpay_"),
		object: "invoice_payment",
		amount_paid: opts.amount,
		amount_requested: opts.amount,
		created,
		currency: (opts.currency ?? "usd").toLowerCase(),
		invoice: opts.invoice,
		is_default: true,
		livemode: false,
		payment: { type: "payment_intent", payment_intent: opts.paymentIntent },
		status: "paid",
		status_transitions: { canceled_at: null, paid_at: created },
	});
}

export interface ChargeOptions {
	chargeId?: string;
	paymentIntent: string;
	amount: number;
	amountRefunded?: number;
	campaign?: string;
	currency?: string;
	created?: number;
}

/**
 * A captured card charge. Like Stripe's webhooks in current API versions it
 * has no `refunds` list (that is only there when expanded): use
 * `amount_refunded` / `refunded`.
 */
export function capturedCharge(opts: ChargeOptions): JsonObject {
	const ch = clone(chargeFixture) as JsonObject;
	const amountRefunded = opts.amountRefunded ?? 0;
	delete ch.refunds;
	Object.assign(ch, {
		id: opts.chargeId ?? randomId("ch_"),
		object: "charge",
		amount: opts.amount,
		amount_captured: opts.amount,
		amount_refunded: amountRefunded,
		balance_transaction: randomId("txn_"),
		captured: true,
		created: opts.created ?? nowSeconds() - 60,
		currency: (opts.currency ?? "usd").toLowerCase(),
		description: null,
		livemode: false,
		metadata: donationMetadata(opts.campaign),
		outcome: {
			advice_code: null,
			network_advice_code: null,
			network_decline_code: null,
			network_status: "approved_by_network",
			reason: null,
			risk_level: "normal",
			seller_message: "Payment complete.",
			type: "authorized",
		},
		paid: true,
		payment_intent: opts.paymentIntent,
		payment_method: randomId("pm_"),
		receipt_url: null,
		refunded: amountRefunded >= opts.amount,
		source: null,
		status: "succeeded",
		transfer_data: null,
	});
	return ch;
}

export interface RefundOptions {
	refundId?: string;
	amount: number;
	paymentIntent: string;
	chargeId?: string;
	status?: "succeeded" | "pending" | "failed" | "canceled";
	campaign?: string;
	currency?: string;
	created?: number;
}

export function refundObject(opts: RefundOptions): JsonObject {
	const re = clone(refundFixture) as JsonObject;
	const status = opts.status ?? "succeeded";
	Object.assign(re, {
		id: opts.refundId ?? randomId("re_"),
		object: "refund",
		amount: opts.amount,
		balance_transaction: status === "succeeded" ? randomId("txn_") : null,
		charge: opts.chargeId ?? randomId("ch_"),
		created: opts.created ?? nowSeconds(),
		currency: (opts.currency ?? "usd").toLowerCase(),
		metadata: donationMetadata(opts.campaign),
		payment_intent: opts.paymentIntent,
		reason: "requested_by_customer",
		status,
	});
	if (status === "failed") {
		re.failure_reason = "expired_or_canceled_card";
		re.failure_balance_transaction = randomId("txn_");
	}
	return re;
}

export interface DisputeOptions {
	disputeId?: string;
	paymentIntent: string;
	chargeId?: string;
	amount: number;
	currency?: string;
	created?: number;
}

function disputeBalanceTransaction(
	disputeId: string,
	amount: number,
	currency: string,
	kind: "dispute" | "dispute_reversal",
	created: number,
): JsonObject {
	const txn = clone(balanceTransactionFixture) as JsonObject;
	const fee = kind === "dispute" ? 1500 : -1500;
	const signed = kind === "dispute" ? -amount : amount;
	Object.assign(txn, {
		id: randomId("txn_"),
		object: "balance_transaction",
		amount: signed,
		available_on: created,
		created,
		currency,
		description: kind === "dispute" ? `Chargeback withdrawal for ${disputeId}` : `Chargeback reversal for ${disputeId}`,
		fee,
		fee_details: [
			{
				amount: fee,
				application: null,
				currency,
				description: "Dispute fee",
				type: "stripe_fee",
			},
		],
		net: signed - fee,
		reporting_category: kind,
		source: disputeId,
		status: "available",
		type: "adjustment",
	});
	return txn;
}

/**
 * A lost-funds dispute (`charge.dispute.funds_withdrawn`: status
 * needs_response, one withdrawal) or a reinstated one
 * (`charge.dispute.funds_reinstated`: status won, withdrawal + reversal).
 */
export function disputeObject(opts: DisputeOptions, stage: "funds_withdrawn" | "funds_reinstated"): JsonObject {
	const dp = clone(disputeFixture) as JsonObject;
	const id = opts.disputeId ?? randomId("dp_");
	const currency = (opts.currency ?? "usd").toLowerCase();
	const created = opts.created ?? nowSeconds() - 60;
	const withdrawal = disputeBalanceTransaction(id, opts.amount, currency, "dispute", created);
	const transactions =
		stage === "funds_withdrawn"
			? [withdrawal]
			: [withdrawal, disputeBalanceTransaction(id, opts.amount, currency, "dispute_reversal", nowSeconds())];
	Object.assign(dp, {
		id,
		object: "dispute",
		amount: opts.amount,
		balance_transactions: transactions,
		charge: opts.chargeId ?? randomId("ch_"),
		created,
		currency,
		is_charge_refundable: false,
		livemode: false,
		payment_intent: opts.paymentIntent,
		reason: "fraudulent",
		status: stage === "funds_withdrawn" ? "needs_response" : "won",
	});
	const details = dp.payment_method_details as { card?: JsonObject };
	if (details.card) details.card.case_type = "chargeback";
	return dp;
}

/** Stripe's fixture `event`, re-shaped around `object`. */
export function eventObject(
	type: string,
	object: object,
	opts: { id?: string; created?: number; previousAttributes?: JsonObject; apiVersion?: string } = {},
): JsonObject {
	const ev = clone(eventFixture) as JsonObject;
	ev.id = opts.id ?? randomId("evt_");
	ev.object = "event";
	ev.api_version = opts.apiVersion ?? API_VERSION;
	ev.created = opts.created ?? nowSeconds();
	ev.livemode = false;
	ev.pending_webhooks = 1;
	ev.request = { id: null, idempotency_key: null };
	ev.type = type;
	ev.data = opts.previousAttributes ? { object, previous_attributes: opts.previousAttributes } : { object };
	return ev;
}

/**
 * The base object `POST /__double/objects` merges overrides into: the fixture
 * with its placeholder values replaced, as a fresh copy.
 */
export function seedBase(type: CoreObjectType): JsonObject {
	switch (type) {
		case "checkout.session": {
			const s = checkoutSessionBase();
			s.status = "open";
			s.payment_status = "unpaid";
			return s;
		}
		case "invoice":
			return paidInvoice({ amount: 1000, subscription: randomId("sub_") });
		case "invoice_payment":
			return invoicePayment({ invoice: randomId("in_"), paymentIntent: randomId("pi_"), amount: 1000 });
		case "charge":
			return capturedCharge({ amount: 1000, paymentIntent: randomId("pi_") });
		case "refund":
			return refundObject({ amount: 1000, paymentIntent: randomId("pi_") });
		case "dispute":
			return disputeObject({ amount: 1000, paymentIntent: randomId("pi_") }, "funds_withdrawn");
		case "payment_intent":
			// Refund and dispute events carry no campaign; the worker reads it here.
			return { ...clone(paymentIntentFixture), status: "succeeded", amount: 1000, amount_received: 1000, currency: "usd", metadata: {} };
	}
}
