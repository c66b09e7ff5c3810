// A local double of the Stripe API that speaks Stripe's wire format
// (form-encoded bracket-notation requests, Stripe's JSON objects, list
// objects and error bodies, idempotency keys), as a fetch-style handler.
// Runtime-neutral (Request/Response/URL/crypto only): server.ts serves it over
// node:http for workerd tests, browser tests and benchmarks.
//
// Routes (modules in brackets):
//   POST /v1/checkout/sessions                 create (validated like Stripe) [checkout.ts]
//   GET  /v1/checkout/sessions[/:id]           list / retrieve
//   POST /v1/checkout/sessions/:id/expire      expire an open session
//   GET  /v1/{invoices,invoice_payments,refunds,disputes,charges,payment_intents,
//            subscriptions,customers,events,webhook_endpoints,billing_portal/configurations}[/:id]
//        (invoices leave out `payments` unless `expand[]=payments` / `data.payments`)
//   POST /v1/webhook_endpoints, POST|DELETE /v1/webhook_endpoints/:id     [webhooks.ts]
//   POST /v1/refunds, DELETE /v1/subscriptions/:id                         [money.ts]
//   POST /v1/billing_portal/configurations[/:id], POST /v1/billing_portal/sessions [portal.ts]
//   GET  /c/pay/:id                            a fake hosted Checkout page
//   GET|POST /p/session/:id                    a fake customer portal page [portal.ts]
//   GET  /__double/requests?path=&method=&campaign=&idempotencyKey=
//   POST /__double/objects   {type, object}    seed an object
//   GET  /__double/objects/:id                 {object, createParams}
//   POST /__double/checkout/sessions/:id/complete {paymentStatus?, deliver?, endpoints?}
//   POST /__double/faults    {method?, path?, status, delayMs?, times?, body?, headers?, campaign?, idempotencyKey?, query?}
//   events, renewals, refund failures, disputes, portal default, sinks   [control-routes.ts]
//
// State lives in the instance. Test files running in parallel share one
// double, so tests never reset it: they tag what they create with a unique
// campaign id and filter by it.

import { billingSeedBase } from "./billing.ts";
import { HOSTED_UI_MODES, validateSessionCreate } from "./checkout.ts";
import { hostedCheckoutPage } from "./checkout-page.ts";
import { endpointsOf, lifecycleControl } from "./control-routes.ts";
import { createdFilter, type Entry, newestFirst, RESOURCES, type ResourceSpec } from "./listing.ts";
import { createMoney } from "./money.ts";
import {
	type CoreObjectType,
	checkoutSessionBase,
	clone,
	type DoubleObjectType,
	ID_PREFIX,
	type JsonObject,
	nowSeconds,
	randomChars,
	randomId,
	seedBase,
} from "./objects.ts";
import { createPortal } from "./portal.ts";
import type { DoubleStore } from "./store.ts";
import { createWebhooks } from "./webhooks.ts";
import {
	asObject,
	campaignOf,
	canonicalJson,
	decodeStripeForm,
	fail,
	invalid,
	json,
	parseInteger,
	pathMatches,
	readJson,
	rejectUnknown,
	type StripeErrorBody,
	StripeErrorResponse,
	sleep,
	str,
} from "./wire.ts";

export type { DoubleObjectType, JsonObject } from "./objects.ts";
export { decodeStripeForm } from "./wire.ts";

export interface RecordedRequest {
	method: string;
	path: string;
	/** The query string, parsed like a body (bracket notation -> nesting). */
	query: JsonObject;
	/** The parsed form body (bracket notation -> nesting; values stay strings). */
	params: JsonObject;
	headers: {
		idempotencyKey: string | null;
		stripeVersion: string | null;
		authorized: boolean;
	};
	/** Date.now() when the request arrived. */
	at: number;
	/** The status the double answered (0 while still in flight). */
	status: number;
}

export interface RequestFilter {
	/** Exact path, or a prefix when it ends with `*`. */
	path?: string;
	method?: string;
	/** Matches params.metadata[CAMPAIGN_KEY] (or payment_intent_data/subscription_data metadata). */
	campaign?: string;
	idempotencyKey?: string;
}

export interface FaultSpec {
	/** Any method when omitted. */
	method?: string;
	/** Exact path, or a prefix when it ends with `*`; any /v1 path when omitted. */
	path?: string;
	/** HTTP status to answer; 0 = only delay, then answer normally. */
	status: number;
	delayMs?: number;
	/** How many matching requests this fault applies to (default 1). */
	times?: number;
	/** Response body; a Stripe-style error for the status when omitted. */
	body?: unknown;
	/** Extra response headers, e.g. {"stripe-should-retry": "false"}. */
	headers?: Record<string, string>;
	/** Only requests whose params.metadata[CAMPAIGN_KEY] is this. */
	campaign?: string;
	/** Only requests with this Idempotency-Key. */
	idempotencyKey?: string;
	/** Only requests whose query has these values (nested names in brackets: `payment[payment_intent]`). */
	query?: Record<string, string>;
}

export interface StoredSession {
	session: JsonObject;
	/** The create request's parsed params (line_items, payment_intent_data, ...). */
	createParams: JsonObject;
	paymentIntentMetadata: Record<string, string> | null;
	subscriptionMetadata: Record<string, string> | null;
}

export interface StripeDouble {
	handle(request: Request): Promise<Response>;
	/** Recorded /v1 requests, oldest first. */
	requests(filter?: RequestFilter): RecordedRequest[];
	/** Stores the fixture base for `type` merged (top level) with `overrides`. */
	seed(type: DoubleObjectType, overrides?: JsonObject): JsonObject;
	injectFault(fault: FaultSpec): void;
	/** A stored object by id (a copy), or undefined. */
	get(id: string): JsonObject | undefined;
	/** A session created through the API, with what the create request sent. */
	session(id: string): StoredSession | undefined;
}

export interface StripeDoubleOptions {
	/** Oldest records are dropped past this many (benchmarks). Default 100000. */
	maxRecordedRequests?: number;
}

// ---------------------------------------------------------------------------
// Responses

function defaultFaultError(status: number): StripeErrorBody {
	if (status >= 500) {
		return {
			type: "api_error",
			message: "An unknown error occurred while processing your request (injected by the Stripe double).",
		};
	}
	switch (status) {
		case 401:
			return {
				type: "invalid_request_error",
				message: "Invalid API Key provided: sk_test_****double (injected fault)",
			};
		case 402:
			return {
				type: "card_error",
				code: "card_declined",
				decline_code: "generic_decline",
				message: "Your card was declined.",
			};
		case 404:
			return {
				type: "invalid_request_error",
				code: "resource_missing",
				message: "No such object (injected fault)",
			};
		case 409:
			return {
				type: "invalid_request_error",
				code: "lock_timeout",
				message: "This object cannot be accessed right now because another API request or Stripe process is currently accessing it.",
			};
		case 429:
			return {
				type: "invalid_request_error",
				code: "rate_limit",
				message: "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
			};
		default:
			return {
				type: "invalid_request_error",
				message: `Injected ${status} fault`,
			};
	}
}

function maskKey(key: string): string {
	if (key.length <= 12) return `${key.slice(0, 3)}${"*".repeat(Math.max(0, key.length - 3))}`;
	return `${key.slice(0, 8)}${"*".repeat(key.length - 12)}${key.slice(-4)}`;
}

function apiKeyOf(request: Request): string | null {
	const header = request.headers.get("authorization");
	if (!header) return null;
	const [scheme, value = ""] = header.trim().split(/\s+/, 2);
	if (scheme?.toLowerCase() === "bearer") return value;
	if (scheme?.toLowerCase() === "basic") {
		try {
			return atob(value).split(":")[0] ?? "";
		} catch {
			return "";
		}
	}
	return "";
}

// ---------------------------------------------------------------------------
// The double

interface ActiveFault extends FaultSpec {
	remaining: number;
}

interface IdempotentResult {
	method: string;
	path: string;
	fingerprint: string;
	status: number;
	body: string;
	requestId: string;
}

const CORE_TYPES: Record<CoreObjectType, true> = {
	"checkout.session": true,
	invoice: true,
	invoice_payment: true,
	refund: true,
	dispute: true,
	charge: true,
	payment_intent: true,
};

export function createStripeDouble(options: StripeDoubleOptions = {}): StripeDouble {
	const maxRecorded = options.maxRecordedRequests ?? 100_000;
	const recorded: RecordedRequest[] = [];
	const faults: ActiveFault[] = [];
	const byId = new Map<string, Entry>();
	const byType = new Map<DoubleObjectType, Entry[]>();
	const sessions = new Map<string, StoredSession>();
	const idempotent = new Map<string, IdempotentResult>();
	let seq = 0;

	// Each type's entries newest first, rebuilt after a change (lists are read far more than written).
	const sorted = new Map<DoubleObjectType, Entry[]>();
	function sortedOf(type: DoubleObjectType): Entry[] {
		let list = sorted.get(type);
		if (!list) {
			list = [...(byType.get(type) ?? [])].sort(newestFirst);
			sorted.set(type, list);
		}
		return list;
	}

	function store(type: DoubleObjectType, object: JsonObject): JsonObject {
		const id = str(object.id) ?? randomId(ID_PREFIX[type]);
		object.id = id;
		const previous = byId.get(id);
		if (previous) {
			previous.object = object;
			sorted.delete(type);
			return object;
		}
		const entry: Entry = { type, object, seq: seq++ };
		byId.set(id, entry);
		sorted.delete(type);
		let list = byType.get(type);
		if (!list) {
			list = [];
			byType.set(type, list);
		}
		list.push(entry);
		return object;
	}

	function seed(type: DoubleObjectType, overrides: JsonObject = {}): JsonObject {
		if (!(type in ID_PREFIX)) throw new Error(`Unknown object type: ${String(type)}`);
		const base = type in CORE_TYPES ? seedBase(type as CoreObjectType) : billingSeedBase(type as Exclude<DoubleObjectType, CoreObjectType>);
		const object = { ...base, ...clone(overrides) };
		object.object = type;
		if (overrides.id === undefined) object.id = randomId(ID_PREFIX[type]);
		if (overrides.created === undefined) object.created = nowSeconds();
		return clone(store(type, object));
	}

	function remove(id: string): void {
		const entry = byId.get(id);
		if (!entry) return;
		byId.delete(id);
		byType.set(
			entry.type,
			(byType.get(entry.type) ?? []).filter((e) => e !== entry),
		);
		sorted.delete(entry.type);
	}

	const facade: DoubleStore = {
		get: (type, id) => {
			const entry = byId.get(id);
			return entry?.type === type ? entry.object : undefined;
		},
		put: store,
		all: (type) => sortedOf(type).map((e) => e.object),
	};
	const webhooks = createWebhooks(facade, remove);
	const money = createMoney(facade, webhooks);
	const portal = createPortal(facade, webhooks, (id) => money.cancelSubscription(id));
	const sinks = new Map<string, { headers: Record<string, string>; body: string }[]>();

	function requests(filter: RequestFilter = {}): RecordedRequest[] {
		return recorded
			.filter(
				(r) =>
					pathMatches(filter.path, r.path) &&
					(!filter.method || r.method === filter.method.toUpperCase()) &&
					(filter.campaign === undefined || campaignOf(r.params) === filter.campaign) &&
					(filter.idempotencyKey === undefined || r.headers.idempotencyKey === filter.idempotencyKey),
			)
			.map((r) => clone(r));
	}

	function injectFault(fault: FaultSpec): void {
		const status = Number(fault.status ?? 0);
		if (!Number.isInteger(status) || status < 0 || status > 599) {
			throw new Error(`Invalid fault status: ${String(fault.status)}`);
		}
		faults.push({ ...clone(fault), status, remaining: fault.times ?? 1 });
	}

	function takeFault(method: string, path: string, query: JsonObject, params: JsonObject, key: string | null) {
		const flat = flattenFilters(query);
		const index = faults.findIndex(
			(f) =>
				(!f.method || f.method.toUpperCase() === method) &&
				Object.entries(f.query ?? {}).every(([name, value]) => flat[name] === value) &&
				pathMatches(f.path, path) &&
				(f.campaign === undefined || campaignOf(params) === f.campaign) &&
				(f.idempotencyKey === undefined || f.idempotencyKey === key),
		);
		if (index < 0) return undefined;
		const fault = faults[index] as ActiveFault;
		fault.remaining -= 1;
		if (fault.remaining <= 0) faults.splice(index, 1);
		return fault;
	}

	/** Nested filters (`payment[type]=...`) under their bracketed names, as the specs declare them. */
	function flattenFilters(query: JsonObject): JsonObject {
		const flat: JsonObject = {};
		for (const [key, value] of Object.entries(query)) {
			const nested = key === "created" || key === "expand" ? undefined : asObject(value);
			if (nested && !Array.isArray(value)) for (const [inner, v] of Object.entries(nested)) flat[`${key}[${inner}]`] = v;
			else flat[key] = value;
		}
		return flat;
	}

	function expansions(query: JsonObject): string[] {
		const expand = query.expand;
		if (expand === undefined) return [];
		if (!Array.isArray(expand) || !expand.every((e) => typeof e === "string")) invalid("expand", "Invalid array");
		return expand as string[];
	}

	/** An invoice as the API returns it: `payments` only when asked for. */
	function presentInvoice(invoice: JsonObject, expand: boolean): JsonObject {
		if (!expand) {
			delete invoice.payments;
			return invoice;
		}
		const payments = sortedOf("invoice_payment")
			.filter((e) => e.object.invoice === invoice.id)
			.map((e) => clone(e.object));
		invoice.payments = { object: "list", data: payments, has_more: false, url: `/v1/invoice_payments?invoice=${String(invoice.id)}` };
		return invoice;
	}

	function list(spec: ResourceSpec, rawQuery: JsonObject): JsonObject {
		const query = flattenFilters(rawQuery);
		rejectUnknown("", query, ["limit", "starting_after", "ending_before", "created", "expand", ...Object.keys(spec.filters)]);
		const expandPayments = spec.type === "invoice" && expansions(query).includes("data.payments");
		const limit = query.limit === undefined ? 10 : parseInteger("limit", query.limit);
		if (limit < 1 || limit > 100) invalid("limit", "Invalid limit: must be between 1 and 100");
		const startingAfter = str(query.starting_after);
		const endingBefore = str(query.ending_before);
		if (startingAfter && endingBefore) {
			invalid("ending_before", "You may only specify one of these parameters: starting_after, ending_before.");
		}
		const inCreated = createdFilter(query.created);
		const filters = Object.entries(spec.filters).flatMap(([name, fn]) => {
			const value = query[name];
			if (value === undefined) return [];
			if (typeof value !== "string") invalid(name, `Invalid string: ${JSON.stringify(value)}`);
			return [(o: JsonObject) => fn(o, value)];
		});
		const matches = (e: Entry) => inCreated(Number(e.object.created ?? 0)) && filters.every((f) => f(e.object));
		const cursorOf = (param: string, id: string): Entry => {
			const entry = byId.get(id);
			if (!entry || entry.type !== spec.type) {
				fail(400, {
					type: "invalid_request_error",
					code: "resource_missing",
					param,
					message: `No such ${spec.type}: '${id}'`,
				});
			}
			return entry;
		};
		let page: Entry[];
		let hasMore: boolean;
		const ordered = sortedOf(spec.type);
		if (endingBefore) {
			const cursor = cursorOf("ending_before", endingBefore);
			const newer = ordered.filter((e) => newestFirst(e, cursor) < 0 && matches(e));
			page = newer.slice(Math.max(0, newer.length - limit));
			hasMore = newer.length > limit;
		} else {
			// Walk forward from the cursor and stop one past the page: a page
			// costs O(limit) however large the collection (benchmarks list 100k).
			let i = 0;
			if (startingAfter) {
				const cursor = cursorOf("starting_after", startingAfter);
				let lo = 0;
				let hi = ordered.length;
				while (lo < hi) {
					const mid = (lo + hi) >> 1;
					if (newestFirst(ordered[mid] as Entry, cursor) > 0) hi = mid;
					else lo = mid + 1;
				}
				i = lo;
			}
			page = [];
			for (; i < ordered.length && page.length <= limit; i++) {
				const entry = ordered[i] as Entry;
				if (matches(entry)) page.push(entry);
			}
			hasMore = page.length > limit;
			page = page.slice(0, limit);
		}
		return {
			object: "list",
			data: page.map((e) => (spec.type === "invoice" ? presentInvoice(clone(e.object), expandPayments) : clone(e.object))),
			has_more: hasMore,
			url: spec.path,
		};
	}

	function retrieve(spec: ResourceSpec, id: string, query: JsonObject): JsonObject {
		const entry = byId.get(id);
		if (!entry || entry.type !== spec.type) {
			fail(404, {
				type: "invalid_request_error",
				code: "resource_missing",
				param: "id",
				message: `No such ${spec.type}: '${id}'`,
			});
		}
		const object = clone(entry.object);
		return spec.type === "invoice" ? presentInvoice(object, expansions(query).includes("payments")) : object;
	}

	function createSession(params: JsonObject, origin: string): JsonObject {
		const v = validateSessionCreate(params);
		const created = nowSeconds();
		let expiresAt = created + 86_400;
		if (params.expires_at !== undefined) {
			expiresAt = parseInteger("expires_at", params.expires_at);
			if (expiresAt < created + 1800 || expiresAt > created + 86_400) {
				invalid("expires_at", "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.");
			}
		}
		const id = randomId("cs_test_");
		const s = checkoutSessionBase();
		Object.assign(s, {
			id,
			object: "checkout.session",
			amount_subtotal: v.amount,
			amount_total: v.amount,
			cancel_url: v.cancelUrl,
			client_reference_id: str(params.client_reference_id) ?? null,
			client_secret: HOSTED_UI_MODES.includes(v.uiMode) ? null : `${id}_secret_${randomChars(24)}`,
			created,
			currency: v.currency,
			customer: str(params.customer) ?? null,
			customer_creation: v.mode === "payment" ? (str(params.customer_creation) ?? "if_required") : null,
			customer_email: str(params.customer_email) ?? null,
			expires_at: expiresAt,
			invoice_creation:
				v.mode === "payment"
					? {
							enabled: false,
							invoice_data: {
								account_tax_ids: null,
								custom_fields: null,
								description: null,
								footer: null,
								issuer: null,
								metadata: {},
								rendering_options: null,
							},
						}
					: null,
			livemode: false,
			locale: str(params.locale) ?? null,
			metadata: v.metadata,
			mode: v.mode,
			payment_intent: null,
			payment_method_collection: v.mode === "subscription" ? "always" : null,
			payment_status: v.mode === "setup" ? "no_payment_required" : "unpaid",
			return_url: v.returnUrl ?? undefined,
			status: "open",
			submit_type: v.submitType,
			subscription: null,
			success_url: v.successUrl,
			ui_mode: v.uiMode,
			url: HOSTED_UI_MODES.includes(v.uiMode) ? `${origin}/c/pay/${id}` : null,
		});
		if (s.return_url === undefined) delete s.return_url;
		store("checkout.session", s);
		sessions.set(id, {
			session: s,
			createParams: clone(params),
			paymentIntentMetadata: v.paymentIntentMetadata,
			subscriptionMetadata: v.subscriptionMetadata,
		});
		return clone(s);
	}

	function expireSession(id: string): JsonObject {
		const entry = byId.get(id);
		if (entry?.type !== "checkout.session") {
			fail(404, {
				type: "invalid_request_error",
				code: "resource_missing",
				param: "session",
				message: `No such checkout.session: '${id}'`,
			});
		}
		if (entry.object.status !== "open") {
			fail(400, {
				type: "invalid_request_error",
				message: `Only Checkout Sessions with a status in ["open"] can be expired.`,
			});
		}
		entry.object.status = "expired";
		entry.object.url = null;
		return clone(entry.object);
	}

	async function handleApi(request: Request, url: URL): Promise<Response> {
		const method = request.method.toUpperCase();
		const path = url.pathname.replace(/\/+$/, "") || "/";
		const query = decodeStripeForm(url.searchParams.entries());
		const rawBody = method === "GET" || method === "HEAD" ? "" : await request.text();
		// The SDK sends a DELETE's params in the query string.
		const params = method === "DELETE" ? query : decodeStripeForm(new URLSearchParams(rawBody).entries());
		const idempotencyKey = request.headers.get("idempotency-key");
		const apiKey = apiKeyOf(request);
		const authorized = apiKey !== null && /^sk_test_[A-Za-z0-9_]+$/.test(apiKey);
		const record: RecordedRequest = {
			method,
			path,
			query,
			params,
			headers: {
				idempotencyKey,
				stripeVersion: request.headers.get("stripe-version"),
				authorized,
			},
			at: Date.now(),
			status: 0,
		};
		recorded.push(record);
		if (recorded.length > maxRecorded) recorded.splice(0, recorded.length - maxRecorded);

		const requestId = `req_${randomChars(14)}`;
		const baseHeaders: Record<string, string> = {
			"request-id": requestId,
			"stripe-version": request.headers.get("stripe-version") ?? "2026-10-28.endive",
		};
		if (idempotencyKey) baseHeaders["idempotency-key"] = idempotencyKey;
		const respond = (status: number, body: unknown, extra: Record<string, string> = {}) => {
			record.status = status;
			return json(status, body, { ...baseHeaders, ...extra });
		};

		if (!authorized) {
			return respond(401, {
				error: {
					type: "invalid_request_error",
					message:
						apiKey === null || apiKey === ""
							? "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."
							: `Invalid API Key provided: ${maskKey(apiKey)}`,
				},
			});
		}

		const fault = takeFault(method, path, query, params, idempotencyKey);
		if (fault) {
			if (fault.delayMs) await sleep(fault.delayMs);
			if (fault.status !== 0) {
				const body = fault.body ?? { error: defaultFaultError(fault.status) };
				return respond(fault.status, body, fault.headers ?? {});
			}
		}

		// Idempotency: POSTs with a key replay their first successful result.
		const fingerprint = canonicalJson(params);
		if (method === "POST" && idempotencyKey) {
			const previous = idempotent.get(idempotencyKey);
			if (previous) {
				if (previous.method !== method || previous.path !== path) {
					return respond(400, {
						error: {
							type: "idempotency_error",
							message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${previous.path}' vs '${path}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
						},
					});
				}
				if (previous.fingerprint !== fingerprint) {
					return respond(400, {
						error: {
							type: "idempotency_error",
							message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
						},
					});
				}
				record.status = previous.status;
				return new Response(previous.body, {
					status: previous.status,
					headers: {
						"content-type": "application/json",
						...baseHeaders,
						"idempotent-replayed": "true",
						"original-request": previous.requestId,
					},
				});
			}
		}

		try {
			const body = route(method, path, query, params, url.origin);
			if (method === "POST" && idempotencyKey) {
				idempotent.set(idempotencyKey, {
					method,
					path,
					fingerprint,
					status: 200,
					body: JSON.stringify(body, null, 2),
					requestId,
				});
			}
			return respond(200, body);
		} catch (error) {
			if (error instanceof StripeErrorResponse) {
				const doc = error.error.code
					? {
							doc_url: `https://stripe.com/docs/error-codes/${error.error.code.replaceAll("_", "-")}`,
						}
					: {};
				return respond(error.status, {
					error: {
						...error.error,
						...doc,
						request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}`,
					},
				});
			}
			return respond(500, {
				error: {
					type: "api_error",
					message: `Stripe double failed: ${error instanceof Error ? error.message : String(error)}`,
				},
			});
		}
	}

	function route(method: string, path: string, query: JsonObject, params: JsonObject, origin: string): JsonObject {
		if (method === "POST" && path === "/v1/checkout/sessions") return createSession(params, origin);
		const expire = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(path);
		if (method === "POST" && expire) return expireSession(decodeURIComponent(expire[1] ?? ""));
		const handled = webhooks.route(method, path, params) ?? money.route(method, path, params) ?? portal.route(method, path, params, origin);
		if (handled) return handled;
		if (method === "GET") {
			for (const spec of RESOURCES) {
				if (path === spec.path) return list(spec, query);
				if (path.startsWith(`${spec.path}/`)) {
					const id = path.slice(spec.path.length + 1);
					if (id && !id.includes("/")) return retrieve(spec, decodeURIComponent(id), query);
				}
			}
		}
		fail(404, {
			type: "invalid_request_error",
			message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
		});
	}

	function checkoutPage(id: string): Response {
		const entry = byId.get(id);
		return hostedCheckoutPage(id, entry?.type === "checkout.session" ? entry.object : undefined);
	}

	async function handleControl(request: Request, url: URL): Promise<Response> {
		const method = request.method.toUpperCase();
		const path = url.pathname;
		try {
			if (method === "GET" && path === "/__double/health") return json(200, { ok: true });
			if (method === "GET" && path === "/__double/requests") {
				const q = url.searchParams;
				return json(200, {
					requests: requests({
						path: q.get("path") ?? undefined,
						method: q.get("method") ?? undefined,
						campaign: q.get("campaign") ?? undefined,
						idempotencyKey: q.get("idempotencyKey") ?? undefined,
					}),
				});
			}
			if (method === "POST" && path === "/__double/objects") {
				const body = await readJson(request);
				const type = body.type as DoubleObjectType;
				if (typeof type !== "string" || !(type in ID_PREFIX)) {
					return json(400, { error: `Unknown type: ${String(body.type)}` });
				}
				const overrides = asObject(body.object) ?? {};
				return json(200, seed(type, overrides));
			}
			const objectMatch = /^\/__double\/objects\/([^/]+)$/.exec(path);
			if (method === "GET" && objectMatch) {
				const id = decodeURIComponent(objectMatch[1] ?? "");
				const entry = byId.get(id);
				if (!entry) return json(404, { error: `No such object: ${id}` });
				return json(200, {
					object: clone(entry.object),
					createParams: clone(sessions.get(id)?.createParams ?? null),
				});
			}
			const complete = /^\/__double\/checkout\/sessions\/([^/]+)\/complete$/.exec(path);
			if (method === "POST" && complete) {
				const body = await readJson(request);
				const id = decodeURIComponent(complete[1] ?? "");
				const entry = byId.get(id);
				if (entry?.type !== "checkout.session") return json(404, { error: "No such checkout.session" });
				const stored = sessions.get(id);
				const items = stored?.createParams.line_items;
				const first = Array.isArray(items) ? asObject(asObject(asObject(items[0])?.price_data)?.recurring) : undefined;
				const done = await money.completeSession(
					entry.object,
					{
						paymentIntentMetadata: stored?.paymentIntentMetadata ?? null,
						subscriptionMetadata: stored?.subscriptionMetadata ?? null,
						interval: str(first?.interval) as "day" | "week" | "month" | "year" | undefined,
					},
					{ paymentStatus: str(body.paymentStatus), deliver: body.deliver === true, endpoints: endpointsOf(body) },
				);
				// Without `deliver` the answer stays the session itself, as before.
				return json(200, body.deliver === true ? done : done.object);
			}
			const lifecycle = await lifecycleControl(method, path, url, request, { webhooks, money, portal, sinks });
			if (lifecycle) return lifecycle;
			if (method === "POST" && path === "/__double/faults") {
				const body = await readJson(request);
				injectFault(body as unknown as FaultSpec);
				return json(200, { ok: true, pending: faults.length });
			}
			return json(404, { error: `Unknown control route ${method} ${path}` });
		} catch (error) {
			return json(400, {
				error: error instanceof Error ? error.message : String(error),
			});
		}
	}

	async function handle(request: Request): Promise<Response> {
		const url = new URL(request.url);
		if (url.pathname === "/v1" || url.pathname.startsWith("/v1/")) return handleApi(request, url);
		if (url.pathname.startsWith("/__double/")) return handleControl(request, url);
		const portalPage = /^\/p\/session\/([^/]+)$/.exec(url.pathname);
		if (portalPage && (request.method === "GET" || request.method === "POST")) {
			const form = request.method === "POST" ? new URLSearchParams(await request.text()) : new URLSearchParams();
			return portal.page(decodeURIComponent(portalPage[1] ?? ""), request.method, form);
		}
		const pay = /^\/c\/pay\/([^/]+)$/.exec(url.pathname);
		if (pay && (request.method === "GET" || request.method === "HEAD")) {
			return checkoutPage(decodeURIComponent(pay[1] ?? ""));
		}
		return json(404, {
			error: {
				type: "invalid_request_error",
				message: `Unrecognized request URL (${request.method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
			},
		});
	}

	return {
		handle,
		requests,
		seed,
		injectFault,
		get: (id) => {
			const entry = byId.get(id);
			return entry ? clone(entry.object) : undefined;
		},
		session: (id) => {
			const stored = sessions.get(id);
			const entry = byId.get(id);
			return stored && entry ? clone({ ...stored, session: entry.object }) : undefined;
		},
	};
}
