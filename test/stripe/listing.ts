// What the list endpoints (GET /v1/<resource>) serve: each resource's path,
// type and list filters, the `created` range filter, and Stripe's order
// (newest first). Runtime-neutral.
import type { DoubleObjectType, JsonObject } from "./objects.ts";
import { asObject, idOf, invalid, parseInteger, rejectUnknown } from "./wire.ts";

export interface Entry {
	type: DoubleObjectType;
	object: JsonObject;
	seq: number;
}

export type FilterFn = (object: JsonObject, value: string) => boolean;

export function fieldIs(field: string): FilterFn {
	return (object, value) => idOf(object[field]) === value || object[field] === value;
}

export function invoiceSubscription(object: JsonObject): string | undefined {
	const details = asObject(asObject(object.parent)?.subscription_details);
	return idOf(details?.subscription) ?? idOf(object.subscription);
}

export interface ResourceSpec {
	type: DoubleObjectType;
	path: string;
	filters: Record<string, FilterFn>;
}

export const RESOURCES: ResourceSpec[] = [
	{
		type: "checkout.session",
		path: "/v1/checkout/sessions",
		filters: {
			status: fieldIs("status"),
			payment_intent: fieldIs("payment_intent"),
			subscription: fieldIs("subscription"),
			customer: fieldIs("customer"),
		},
	},
	{
		type: "invoice",
		path: "/v1/invoices",
		filters: {
			status: fieldIs("status"),
			subscription: (o, v) => invoiceSubscription(o) === v,
			customer: fieldIs("customer"),
		},
	},
	{
		type: "invoice_payment",
		path: "/v1/invoice_payments",
		filters: {
			invoice: fieldIs("invoice"),
			status: fieldIs("status"),
			"payment[type]": (o, v) => asObject(o.payment)?.type === v,
			"payment[payment_intent]": (o, v) => asObject(o.payment)?.payment_intent === v,
		},
	},
	{
		type: "refund",
		path: "/v1/refunds",
		filters: {
			charge: fieldIs("charge"),
			payment_intent: fieldIs("payment_intent"),
		},
	},
	{
		type: "dispute",
		path: "/v1/disputes",
		filters: {
			charge: fieldIs("charge"),
			payment_intent: fieldIs("payment_intent"),
		},
	},
	{
		type: "payment_intent",
		path: "/v1/payment_intents",
		filters: {
			customer: fieldIs("customer"),
		},
	},
	{
		type: "charge",
		path: "/v1/charges",
		filters: {
			payment_intent: fieldIs("payment_intent"),
			customer: fieldIs("customer"),
		},
	},
	{ type: "subscription", path: "/v1/subscriptions", filters: { customer: fieldIs("customer"), status: fieldIs("status") } },
	{ type: "customer", path: "/v1/customers", filters: { email: fieldIs("email") } },
	{ type: "webhook_endpoint", path: "/v1/webhook_endpoints", filters: {} },
	{ type: "event", path: "/v1/events", filters: { type: fieldIs("type") } },
	{
		type: "billing_portal.configuration",
		path: "/v1/billing_portal/configurations",
		filters: { active: (o, v) => String(o.active) === v, is_default: (o, v) => String(o.is_default) === v },
	},
];

export function createdFilter(value: unknown): (created: number) => boolean {
	if (value === undefined) return () => true;
	if (typeof value === "string") {
		const exact = parseInteger("created", value);
		return (c) => c === exact;
	}
	const range = asObject(value);
	if (!range) invalid("created", "Invalid timestamp");
	rejectUnknown("created", range, ["gt", "gte", "lt", "lte"]);
	const bound = (k: string) => (range[k] === undefined ? undefined : parseInteger(`created[${k}]`, range[k]));
	const gt = bound("gt");
	const gte = bound("gte");
	const lt = bound("lt");
	const lte = bound("lte");
	return (c) =>
		(gt === undefined || c > gt) && (gte === undefined || c >= gte) && (lt === undefined || c < lt) && (lte === undefined || c <= lte);
}

/** Newest first: by `created`, then by insertion. Positive when a is older. */
export function newestFirst(a: Entry, b: Entry): number {
	const ca = Number(a.object.created ?? 0);
	const cb = Number(b.object.created ?? 0);
	return cb - ca || b.seq - a.seq;
}
