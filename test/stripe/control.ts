// Typed helpers over the Stripe double's control endpoints (/__double/*), for
// tests that reach the double over HTTP (from workerd or another process).
// Runtime-neutral: global fetch only.
import type { DoubleObjectType, FaultSpec, JsonObject, RecordedRequest, RequestFilter } from "./double.ts";
import type { EmittedEvent } from "./webhooks.ts";

export type {
	DoubleObjectType,
	FaultSpec,
	RecordedRequest,
	RequestFilter,
} from "./double.ts";

function controlUrl(doubleUrl: string, path: string): URL {
	return new URL(path, doubleUrl.endsWith("/") ? doubleUrl : `${doubleUrl}/`);
}

async function call<T>(doubleUrl: string, path: string, init?: RequestInit): Promise<T> {
	const response = await fetch(controlUrl(doubleUrl, path), init);
	const text = await response.text();
	if (!response.ok) {
		throw new Error(`Stripe double ${init?.method ?? "GET"} ${path}: ${response.status} ${text}`);
	}
	return JSON.parse(text) as T;
}

function postJson<T>(doubleUrl: string, path: string, body: unknown): Promise<T> {
	return call<T>(doubleUrl, path, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify(body),
	});
}

/** The /v1 requests the double received, oldest first, filtered. */
export async function recordedRequests(doubleUrl: string, filter: RequestFilter = {}): Promise<RecordedRequest[]> {
	const query = new URLSearchParams();
	if (filter.path) query.set("path", filter.path);
	if (filter.method) query.set("method", filter.method);
	if (filter.campaign !== undefined) query.set("campaign", filter.campaign);
	if (filter.idempotencyKey !== undefined) query.set("idempotencyKey", filter.idempotencyKey);
	const qs = query.toString();
	const suffix = qs ? `?${qs}` : "";
	const { requests } = await call<{ requests: RecordedRequest[] }>(doubleUrl, `__double/requests${suffix}`);
	return requests;
}

/**
 * Stores an object the double will list and retrieve: Stripe's fixture for
 * `type` with `overrides` replacing top-level fields (fresh id and
 * created = now unless given). Returns the stored object.
 */
export function seedObject<T = JsonObject>(doubleUrl: string, type: DoubleObjectType, overrides: JsonObject = {}): Promise<T> {
	return postJson<T>(doubleUrl, "__double/objects", {
		type,
		object: overrides,
	});
}

/**
 * Makes the next `times` (default 1) matching /v1 requests answer `status`
 * with a Stripe-style error after `delayMs` (status 0: only the delay).
 * Scope it with `campaign` (params.metadata[CAMPAIGN_KEY]) or a unique path so
 * parallel test files don't take each other's faults.
 */
export async function injectFault(doubleUrl: string, fault: FaultSpec): Promise<void> {
	await postJson(doubleUrl, "__double/faults", fault);
}

/** A stored object and, for sessions created through the API, the create params. */
export function storedObject(doubleUrl: string, id: string): Promise<{ object: JsonObject; createParams: JsonObject | null }> {
	return call(doubleUrl, `__double/objects/${encodeURIComponent(id)}`);
}

/**
 * Marks a Checkout Session complete as if the donor paid (payment_intent or
 * subscription filled in), so a re-sync finds it. Returns the session.
 */
export function completeSession(
	doubleUrl: string,
	id: string,
	paymentStatus?: "paid" | "unpaid" | "no_payment_required",
): Promise<JsonObject> {
	return postJson(doubleUrl, `__double/checkout/sessions/${encodeURIComponent(id)}/complete`, {
		paymentStatus,
	});
}

// ---------------------------------------------------------------------------
// Events, deliveries and money lifecycles (control-routes.ts)

export type { Delivery, EmittedEvent } from "./webhooks.ts";

/** Lifecycle routes' delivery switch: `deliver` emits the events and waits for their deliveries. */
export interface DeliverOptions {
	deliver?: boolean;
	/** Deliver only to these webhook endpoints (Stripe sends to every enabled one; tests share the double). */
	endpoints?: string[];
}

export interface Outcome<T = JsonObject> {
	object: T;
	events: EmittedEvent[];
}

/**
 * Creates an `evt_` for `object` (current API shape, `object.object` set) and
 * delivers it, rendered in each endpoint's API version and signed with its
 * secret, to every enabled endpoint that wants `type`.
 */
export function emitEvent(doubleUrl: string, type: string, object: object, endpoints?: string[]): Promise<EmittedEvent> {
	return postJson(doubleUrl, "__double/events", { type, object, endpoints });
}

/** Events the double emitted (also those API calls emit in the background), once delivered. */
export async function emittedEvents(doubleUrl: string, filter: { object?: string; type?: string }): Promise<EmittedEvent[]> {
	const query = new URLSearchParams();
	if (filter.object) query.set("object", filter.object);
	if (filter.type) query.set("type", filter.type);
	const { events } = await call<{ events: EmittedEvent[] }>(doubleUrl, `__double/events?${query}`);
	return events;
}

/**
 * Completes a session like completeSession and delivers its events:
 * `checkout.session.completed`, and for a subscription (customer, subscription,
 * paid invoice, invoice payment, PaymentIntent and charge created) `invoice.paid`.
 */
export function completeSessionAndDeliver(
	doubleUrl: string,
	id: string,
	opts: { paymentStatus?: "paid" | "unpaid" | "no_payment_required"; endpoints?: string[] } = {},
): Promise<Outcome> {
	return postJson(doubleUrl, `__double/checkout/sessions/${encodeURIComponent(id)}/complete`, { ...opts, deliver: true });
}

/** Another billing period: a new paid invoice (and PaymentIntent, charge), `invoice.paid`. Returns the invoice. */
export function renewSubscription(doubleUrl: string, id: string, opts: DeliverOptions = {}): Promise<Outcome> {
	return postJson(doubleUrl, `__double/subscriptions/${encodeURIComponent(id)}/renew`, opts);
}

/** The refund fails: its amount goes back on the charge; `refund.updated`, `refund.failed`, `charge.refund.updated`. */
export function failRefund(doubleUrl: string, id: string, opts: DeliverOptions & { reason?: string } = {}): Promise<Outcome> {
	return postJson(doubleUrl, `__double/refunds/${encodeURIComponent(id)}/fail`, opts);
}

/** The refund is canceled: its amount goes back on the charge; `refund.updated`, `charge.refund.updated`. */
export function cancelRefund(doubleUrl: string, id: string, opts: DeliverOptions = {}): Promise<Outcome> {
	return postJson(doubleUrl, `__double/refunds/${encodeURIComponent(id)}/cancel`, opts);
}

/** The donor's bank disputes a charge: `charge.dispute.created`, `charge.dispute.funds_withdrawn`. */
export function openDispute(
	doubleUrl: string,
	target: { payment_intent?: string; charge?: string; amount?: number; reason?: string },
	opts: DeliverOptions = {},
): Promise<Outcome> {
	return postJson(doubleUrl, "__double/disputes", { ...target, ...opts });
}

/** Won: `charge.dispute.funds_reinstated`, `charge.dispute.closed`; lost: `charge.dispute.closed`. */
export function closeDispute(doubleUrl: string, id: string, outcome: "won" | "lost", opts: DeliverOptions = {}): Promise<Outcome> {
	return postJson(doubleUrl, `__double/disputes/${encodeURIComponent(id)}/close`, { outcome, ...opts });
}

/** As if saved in the Dashboard: portal sessions without `configuration` use this one. */
export function makeDefaultPortalConfiguration(doubleUrl: string, id: string): Promise<JsonObject> {
	return postJson(doubleUrl, `__double/billing_portal/configurations/${encodeURIComponent(id)}/default`, {});
}

/** A URL on the double that records what is POSTed to it (a webhook endpoint for tests). */
export function sinkUrl(doubleUrl: string, name: string): string {
	return controlUrl(doubleUrl, `__double/sink/${encodeURIComponent(name)}`).toString();
}

export async function sinkRequests(doubleUrl: string, name: string): Promise<{ headers: Record<string, string>; body: string }[]> {
	const { requests } = await call<{ requests: { headers: Record<string, string>; body: string }[] }>(
		doubleUrl,
		`__double/sink/${encodeURIComponent(name)}`,
	);
	return requests;
}
