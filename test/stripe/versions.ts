// Stripe renders each object in an API version: the request's Stripe-Version,
// or for a webhook the endpoint's `api_version` (else the account default).
// The double keeps objects in the shape of the newest version it knows
// (2026-10-28.endive, what stripe@23 pins); renderObject turns one into the
// shape an older version sends. Only breaking changes that touch what a
// donation flow reads are modelled; fields a version merely added are left in.
// Runtime-neutral.
//
// Sources (docs.stripe.com/changelog/...):
// - 2022-08-01 updates-shipping-property-checkout-session: Checkout Session
//   `shipping` -> `shipping_details`, `shipping_rate` -> `shipping_cost`.
// - 2022-11-15 deprecates-charges-auto-expand: a Charge no longer carries its
//   `refunds` list; the same version replaced PaymentIntent `charges` with
//   `latest_charge`.
// - 2025-02-24.acacia checkout-sessions-collected-info: adds
//   `collected_information`; 2025-03-31.basil checkout-session-remove-shipping-
//   details removes the top-level `shipping_details`.
// - 2025-03-31.basil adds-new-parent-field-to-invoicing-objects: Invoice
//   `subscription`, `subscription_details`, `quote` move under `parent`; line
//   items' `type`, `subscription`, `subscription_item`, `invoice_item`,
//   `proration`, `proration_details` move under `line.parent`.
// - 2025-03-31.basil add-support-for-multiple-partial-payments-on-invoices:
//   removes Invoice `payment_intent`, `charge`, `paid`, `paid_out_of_band`,
//   `application_fee_amount`, `transfer_data`, and the `invoice` field of
//   PaymentIntent and Charge; adds `payments` (includable only).
// - stripe-node 18.0.0 (basil) changelog: also removes Invoice `discount`,
//   `tax`, `total_tax_amounts` (-> `total_taxes`), line `tax_amounts` (->
//   `taxes`), `price`/`plan` (-> `pricing`), Subscription
//   `current_period_start`/`_end` (-> its items).
// - 2025-03-31.basil add_presentment_details: Checkout Session (and Charge,
//   PaymentIntent, Refund) gain `presentment_details`.
// - 2026-03-25.dahlia updates-available-checkout-session-ui-modes: `ui_mode`
//   `hosted` -> `hosted_page`, `embedded` -> `embedded_page`, `custom` -> `elements`.
// - Invoice `subscription_details.metadata` is not tied to a version: it was
//   added in mid-2023 (stripe-node 12.17.0, 2023-08-03, still pinned to
//   2022-11-15), so every pre-basil version sends it, "populated only for
//   invoices created on or after June 29, 2023" (API reference).
import { API_VERSION, clone, type JsonObject } from "./objects.ts";
import { KNOWN_API_VERSIONS } from "./stripe-names.ts";

/** The account's default API version: what an endpoint without `api_version` receives. */
export const DEFAULT_API_VERSION = API_VERSION;

/** The versions whose shapes renderObject distinguishes, oldest first (each starts a change we model). */
export const RENDERED_API_VERSIONS = [
	"2020-08-27",
	"2022-08-01",
	"2022-11-15",
	"2024-06-20",
	"2025-02-24.acacia",
	"2025-03-31.basil",
	"2025-04-30.basil",
	"2026-03-25.dahlia",
	"2026-10-28.endive",
] as const;

export function isKnownApiVersion(version: string): boolean {
	return KNOWN_API_VERSIONS.includes(version);
}

/** True when `version` is older than `boundary` (versions order by their date). */
export function before(version: string, boundary: string): boolean {
	return version.slice(0, 10) < boundary.slice(0, 10);
}

/** What renderObject may need to look up for fields older versions inline. */
export interface RenderContext {
	/** The PaymentIntent and Charge that paid an invoice (pre-basil `invoice.payment_intent` / `charge`). */
	paymentOfInvoice?(invoice: string): { paymentIntent: string | null; charge: string | null } | undefined;
	/** The invoice a PaymentIntent paid (pre-basil `payment_intent.invoice`, `charge.invoice`). */
	invoiceOfPaymentIntent?(paymentIntent: string): string | null;
	/** A charge's refunds (pre-2022-11-15 `charge.refunds`). */
	refundsOfCharge?(charge: string): JsonObject[];
	/** A PaymentIntent's charges (pre-2022-11-15 `payment_intent.charges`). */
	chargesOfPaymentIntent?(paymentIntent: string): JsonObject[];
}

type Renderer = (object: JsonObject, version: string, ctx: RenderContext) => void;

const JUNE_29_2023 = Date.UTC(2023, 5, 29) / 1000;

function obj(value: unknown): JsonObject | undefined {
	return value && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function idOf(value: unknown): string | null {
	if (typeof value === "string") return value;
	const id = obj(value)?.id;
	return typeof id === "string" ? id : null;
}

function list(data: JsonObject[], url: string): JsonObject {
	return { object: "list", data, has_more: false, total_count: data.length, url };
}

function renderInvoiceLine(line: JsonObject): void {
	const parent = obj(line.parent);
	const item = obj(parent?.subscription_item_details) ?? obj(parent?.invoice_item_details);
	line.type = parent?.type === "subscription_item_details" ? "subscription" : "invoiceitem";
	line.subscription = idOf(item?.subscription) ?? idOf(line.subscription);
	line.subscription_item = idOf(obj(parent?.subscription_item_details)?.subscription_item);
	line.invoice_item = idOf(item?.invoice_item);
	line.proration = item?.proration ?? false;
	line.proration_details = item?.proration_details ?? { credited_items: null };
	const quantity = typeof line.quantity === "number" && line.quantity > 0 ? line.quantity : 1;
	const amount = typeof line.amount === "number" ? line.amount : 0;
	line.amount_excluding_tax = amount;
	line.unit_amount_excluding_tax = String(amount / quantity);
	line.tax_amounts = [];
	line.tax_rates = [];
	line.plan = null;
	line.price = null;
	delete line.parent;
	delete line.pricing;
	delete line.taxes;
}

const renderInvoice: Renderer = (inv, version, ctx) => {
	if (!before(version, "2025-03-31")) return;
	const parent = obj(inv.parent);
	const details = obj(parent?.subscription_details);
	const created = typeof inv.created === "number" ? inv.created : 0;
	inv.subscription = idOf(details?.subscription);
	inv.subscription_details = { metadata: created >= JUNE_29_2023 ? (details?.metadata ?? {}) : null };
	inv.quote = idOf(obj(parent?.quote_details)?.quote);
	const payment = typeof inv.id === "string" ? ctx.paymentOfInvoice?.(inv.id) : undefined;
	inv.payment_intent = payment?.paymentIntent ?? null;
	inv.charge = payment?.charge ?? null;
	inv.paid = inv.status === "paid";
	inv.paid_out_of_band = false;
	inv.application_fee_amount = null;
	inv.transfer_data = null;
	inv.discount = null;
	inv.tax = null;
	inv.total_tax_amounts = [];
	for (const key of ["parent", "payments", "total_taxes", "amount_overpaid", "confirmation_secret"]) delete inv[key];
	const lines = obj(inv.lines);
	if (Array.isArray(lines?.data)) for (const line of lines.data) if (obj(line)) renderInvoiceLine(line as JsonObject);
};

const LEGACY_UI_MODES: Record<string, string> = { hosted_page: "hosted", embedded_page: "embedded", elements: "custom" };

const renderCheckoutSession: Renderer = (s, version) => {
	if (before(version, "2026-03-25") && typeof s.ui_mode === "string") s.ui_mode = LEGACY_UI_MODES[s.ui_mode] ?? s.ui_mode;
	if (before(version, "2025-03-31")) {
		s.shipping_details = obj(s.collected_information)?.shipping_details ?? null;
		delete s.presentment_details;
	}
	if (before(version, "2025-02-24")) delete s.collected_information;
	if (before(version, "2022-08-01")) {
		s.shipping = s.shipping_details ?? null;
		s.shipping_rate = idOf(obj(s.shipping_cost)?.shipping_rate);
		delete s.shipping_details;
		delete s.shipping_cost;
	}
};

const renderCharge: Renderer = (ch, version, ctx) => {
	const pi = idOf(ch.payment_intent);
	if (before(version, "2025-03-31")) {
		ch.invoice = pi ? (ctx.invoiceOfPaymentIntent?.(pi) ?? null) : null;
		delete ch.presentment_details;
	}
	if (before(version, "2022-11-15") && typeof ch.id === "string") {
		const refunds = (ctx.refundsOfCharge?.(ch.id) ?? []).map((r) => renderObject("refund", r, version, ctx));
		ch.refunds = list(refunds, `/v1/charges/${ch.id}/refunds`);
	}
};

const renderPaymentIntent: Renderer = (pi, version, ctx) => {
	if (before(version, "2025-03-31")) {
		pi.invoice = typeof pi.id === "string" ? (ctx.invoiceOfPaymentIntent?.(pi.id) ?? null) : null;
		delete pi.presentment_details;
	}
	if (before(version, "2022-11-15") && typeof pi.id === "string") {
		const charges = (ctx.chargesOfPaymentIntent?.(pi.id) ?? []).map((c) => renderObject("charge", c, version, ctx));
		pi.charges = list(charges, `/v1/charges?payment_intent=${pi.id}`);
		delete pi.latest_charge;
	}
};

const renderRefund: Renderer = (re, version) => {
	if (before(version, "2025-03-31")) delete re.presentment_details;
	if (before(version, "2025-04-30")) delete re.pending_reason;
};

const renderSubscription: Renderer = (sub, version) => {
	if (!before(version, "2025-03-31")) return;
	const items = obj(sub.items);
	const first = Array.isArray(items?.data) ? obj(items.data[0]) : undefined;
	sub.current_period_start = first?.current_period_start ?? sub.start_date ?? null;
	sub.current_period_end = first?.current_period_end ?? null;
	sub.discount = null;
	if (Array.isArray(items?.data)) {
		for (const item of items.data) {
			delete (item as JsonObject).current_period_start;
			delete (item as JsonObject).current_period_end;
		}
	}
};

const RENDERERS: Record<string, Renderer> = {
	invoice: renderInvoice,
	"checkout.session": renderCheckoutSession,
	charge: renderCharge,
	payment_intent: renderPaymentIntent,
	refund: renderRefund,
	subscription: renderSubscription,
	// dispute, customer, invoice_payment: no breaking change since 2020-08-27 that a donation flow reads.
};

/**
 * `object` (of Stripe type `type`, in this double's current shape) as API
 * version `apiVersion` renders it. Returns a new object; unknown types and
 * versions at or after the current one come back as a plain copy.
 */
export function renderObject(type: string, object: JsonObject, apiVersion: string, ctx: RenderContext = {}): JsonObject {
	const copy = clone(object);
	RENDERERS[type]?.(copy, apiVersion, ctx);
	return copy;
}
