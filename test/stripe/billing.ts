// Builders of the objects a monthly gift and the customer portal involve:
// customer, subscription, PaymentIntent, webhook endpoint and portal objects.
// Each starts from Stripe's fixture (fixtures.ts), like objects.ts.
// Runtime-neutral.
import {
	customerFixture,
	paymentIntentFixture,
	portalConfigurationFixture,
	portalSessionFixture,
	subscriptionFixture,
	webhookEndpointFixture,
} from "./fixtures.ts";
import { type BillingObjectType, clone, type JsonObject, nowSeconds, randomId } from "./objects.ts";

export function customerObject(opts: { customerId?: string; email?: string; name?: string; created?: number } = {}): JsonObject {
	const c = clone(customerFixture) as JsonObject;
	return Object.assign(c, {
		id: opts.customerId ?? randomId("cus_"),
		object: "customer",
		created: opts.created ?? nowSeconds(),
		discount: null,
		email: opts.email ?? "donor@example.com",
		name: opts.name ?? "Jenny Rosen",
		invoice_prefix: randomId("").slice(0, 8).toUpperCase(),
		livemode: false,
		metadata: {},
		shipping: null,
	});
}

export interface SubscriptionOptions {
	subscriptionId?: string;
	customer: string;
	amount: number;
	currency?: string;
	interval?: "day" | "week" | "month" | "year";
	metadata?: Record<string, string>;
	latestInvoice?: string | null;
	created?: number;
}

const PERIOD_SECONDS = { day: 86_400, week: 7 * 86_400, month: 30 * 86_400, year: 365 * 86_400 };

/** An active subscription with one item; its billing period lives on the item (basil and later). */
export function subscriptionObject(opts: SubscriptionOptions): JsonObject {
	const sub = clone(subscriptionFixture) as JsonObject;
	const id = opts.subscriptionId ?? randomId("sub_");
	const created = opts.created ?? nowSeconds();
	const currency = (opts.currency ?? "usd").toLowerCase();
	const interval = opts.interval ?? "month";
	const item = clone(subscriptionFixture.items.data[0]) as JsonObject;
	const price = item.price as JsonObject;
	Object.assign(price, {
		id: randomId("price_"),
		created,
		currency,
		livemode: false,
		product: randomId("prod_"),
		recurring: { interval, interval_count: 1, meter: null, usage_type: "licensed", trial_period_days: null },
		transform_quantity: null,
		unit_amount: opts.amount,
		unit_amount_decimal: String(opts.amount),
	});
	Object.assign(item, {
		id: randomId("si_"),
		created,
		current_period_start: created,
		current_period_end: created + PERIOD_SECONDS[interval],
		metadata: {},
		plan: null,
		quantity: 1,
		subscription: id,
	});
	return Object.assign(sub, {
		id,
		object: "subscription",
		billing_cycle_anchor: created,
		cancel_at: null,
		cancel_at_period_end: false,
		canceled_at: null,
		cancellation_details: { comment: null, feedback: null, reason: null },
		collection_method: "charge_automatically",
		created,
		currency,
		customer: opts.customer,
		discounts: [],
		ended_at: null,
		items: { object: "list", data: [item], has_more: false, total_count: 1, url: `/v1/subscription_items?subscription=${id}` },
		latest_invoice: opts.latestInvoice ?? null,
		livemode: false,
		metadata: opts.metadata ?? {},
		pending_update: null,
		schedule: null,
		start_date: created,
		status: "active",
		test_clock: null,
		trial_end: null,
		trial_start: null,
	});
}

export interface PaymentIntentOptions {
	paymentIntentId?: string;
	amount: number;
	currency?: string;
	customer?: string | null;
	metadata?: Record<string, string>;
	latestCharge?: string | null;
	created?: number;
}

/** A succeeded card PaymentIntent (its charge is `latest_charge`). */
export function succeededPaymentIntent(opts: PaymentIntentOptions): JsonObject {
	const pi = clone(paymentIntentFixture) as JsonObject;
	const id = opts.paymentIntentId ?? randomId("pi_");
	return Object.assign(pi, {
		id,
		object: "payment_intent",
		amount: opts.amount,
		amount_capturable: 0,
		amount_received: opts.amount,
		canceled_at: null,
		cancellation_reason: null,
		client_secret: `${id}_secret_${randomId("").slice(0, 24)}`,
		created: opts.created ?? nowSeconds(),
		currency: (opts.currency ?? "usd").toLowerCase(),
		customer: opts.customer ?? null,
		description: null,
		last_payment_error: null,
		latest_charge: opts.latestCharge ?? null,
		livemode: false,
		metadata: opts.metadata ?? {},
		next_action: null,
		payment_method: randomId("pm_"),
		payment_method_types: ["card"],
		status: "succeeded",
	});
}

/** A webhook endpoint as Stripe returns it (the secret is added to the create response only). */
export function webhookEndpointObject(fields: {
	url: string;
	enabledEvents: string[];
	apiVersion: string | null;
	description: string | null;
	metadata: Record<string, string>;
}): JsonObject {
	const we = clone(webhookEndpointFixture) as JsonObject;
	return Object.assign(we, {
		id: randomId("we_"),
		object: "webhook_endpoint",
		api_version: fields.apiVersion,
		application: null,
		created: nowSeconds(),
		description: fields.description,
		enabled_events: fields.enabledEvents,
		livemode: false,
		metadata: fields.metadata,
		status: "enabled",
		url: fields.url,
	});
}

export function portalConfigurationBase(): JsonObject {
	const c = clone(portalConfigurationFixture) as JsonObject;
	const now = nowSeconds();
	return Object.assign(c, {
		id: randomId("bpc_"),
		object: "billing_portal.configuration",
		business_profile: { headline: null, privacy_policy_url: null, terms_of_service_url: null },
		created: now,
		is_default: false,
		livemode: false,
		metadata: {},
		updated: now,
	});
}

export function portalSessionBase(): JsonObject {
	const s = clone(portalSessionFixture) as JsonObject;
	return Object.assign(s, { id: randomId("bps_"), object: "billing_portal.session", created: nowSeconds(), flow: null, livemode: false });
}

/** Seed bases for the billing types (`POST /__double/objects`). */
export function billingSeedBase(type: BillingObjectType): JsonObject {
	switch (type) {
		case "customer":
			return customerObject();
		case "subscription":
			return subscriptionObject({ customer: randomId("cus_"), amount: 1000 });
		case "webhook_endpoint":
			return webhookEndpointObject({
				url: "https://example.com/webhook",
				enabledEvents: ["*"],
				apiVersion: null,
				description: null,
				metadata: {},
			});
		case "event":
			return { object: "event", type: "ping", data: { object: {} }, api_version: null };
		case "billing_portal.configuration":
			return portalConfigurationBase();
		case "billing_portal.session":
			return portalSessionBase();
	}
}
