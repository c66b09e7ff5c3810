// Typed helpers over the Stripe double's control endpoints (/__double/*), for
// tests that reach the double over HTTP (from workerd or another process).
// Runtime-neutral: global fetch only.
import type { DoubleObjectType, FaultSpec, JsonObject, RecordedRequest, RequestFilter } from "./double.ts";

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
