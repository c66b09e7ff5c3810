// Webhook endpoints (/v1/webhook_endpoints) and the delivery of events to
// them: each event is rendered in the endpoint's `api_version` (else the
// account default), signed with the endpoint's secret with Stripe's scheme
// (Stripe-Signature: t=...,v1=HMAC-SHA256) and POSTed to its URL.
// Runtime-neutral (fetch, Web Crypto).
import { webhookEndpointObject } from "./billing.ts";
import { signPayload } from "./events.ts";
import { eventObject, type JsonObject, randomChars } from "./objects.ts";
import { type DoubleStore, renderContext } from "./store.ts";
import { EVENT_TYPES } from "./stripe-names.ts";
import { DEFAULT_API_VERSION, isKnownApiVersion, renderObject } from "./versions.ts";
import { asObject, checkUrl, fail, invalid, missing, parseMetadata, rejectUnknown, str } from "./wire.ts";

export interface Delivery {
	endpoint: string;
	url: string;
	/** The version the event was rendered in. */
	apiVersion: string;
	/** The endpoint's HTTP status (0: no answer). */
	status: number;
	body: string;
	error?: string;
}

export interface EmittedEvent {
	id: string;
	type: string;
	/** The id of `data.object`. */
	object: string;
	created: number;
	deliveries: Delivery[];
}

export interface EmitOptions {
	/** Only these endpoints (test isolation; Stripe sends to every enabled endpoint). */
	endpoints?: string[];
	previousAttributes?: JsonObject;
}

export interface Webhooks {
	/** `/v1/webhook_endpoints` create, update and delete (list and retrieve are generic). */
	route(method: string, path: string, params: JsonObject): JsonObject | undefined;
	/** Creates an `evt_` for `object` and delivers it to every enabled endpoint that wants `type`. */
	emit(type: string, object: JsonObject, opts?: EmitOptions): Promise<EmittedEvent>;
	/** The same without waiting (what API calls do, like Stripe). */
	emitLater(type: string, object: JsonObject, opts?: EmitOptions): void;
	/** Emitted events about `object` (and/or of `type`), oldest first, once their deliveries ended. */
	events(filter: { object?: string; type?: string }): Promise<EmittedEvent[]>;
}

const CREATE_PARAMS = ["url", "enabled_events", "api_version", "connect", "description", "metadata", "expand"];
// No `api_version`: "You can't change this value after you create the endpoint" (WebhookEndpoint.api_version).
const UPDATE_PARAMS = ["url", "enabled_events", "description", "disabled", "metadata", "expand"];

function enabledEvents(value: unknown): string[] {
	if (value === undefined || value === "") missing("enabled_events");
	if (!Array.isArray(value) || value.length === 0) invalid("enabled_events", "Invalid array");
	return value.map((name, i) => {
		if (typeof name !== "string" || (name !== "*" && !EVENT_TYPES.has(name))) {
			invalid(
				`enabled_events[${i}]`,
				`Invalid enabled_events[${i}]: must be one of *, account.application.authorized, account.application.deauthorized, ... (${EVENT_TYPES.size + 1} values)`,
			);
		}
		return name;
	});
}

function description(value: unknown): string | null {
	if (value === undefined || value === "") return null;
	if (typeof value !== "string") invalid("description", "Invalid string");
	return value;
}

function bool(param: string, value: unknown): boolean {
	if (value === "true") return true;
	if (value === "false") return false;
	invalid(param, `Invalid boolean: ${String(value)}`);
}

/** Metadata update: "" unsets all, a key with "" unsets that key. */
function mergeMetadata(current: unknown, value: unknown): Record<string, string> {
	if (value === "") return {};
	const out: Record<string, string> = { ...(asObject(current) as Record<string, string> | undefined) };
	const raw = asObject(value) ?? {};
	for (const [key, v] of Object.entries(raw)) if (v === "") delete out[key];
	return { ...out, ...parseMetadata("metadata", value) };
}

function notFound(id: string): never {
	fail(404, { type: "invalid_request_error", code: "resource_missing", param: "id", message: `No such webhook_endpoint: '${id}'` });
}

export function createWebhooks(store: DoubleStore, remove: (id: string) => void): Webhooks {
	const secrets = new Map<string, string>();
	const emitted: Promise<EmittedEvent>[] = [];

	function create(params: JsonObject): JsonObject {
		rejectUnknown("", params, CREATE_PARAMS);
		const url = str(params.url);
		if (!url) missing("url");
		checkUrl("url", url);
		const events = enabledEvents(params.enabled_events);
		const apiVersion = str(params.api_version) ?? null;
		if (params.api_version !== undefined && (apiVersion === null || !isKnownApiVersion(apiVersion))) {
			invalid("api_version", `Invalid api_version: ${String(params.api_version)}`);
		}
		if (params.connect !== undefined) bool("connect", params.connect);
		const endpoint = webhookEndpointObject({
			url,
			enabledEvents: events,
			apiVersion,
			description: description(params.description),
			metadata: parseMetadata("metadata", params.metadata),
		});
		store.put("webhook_endpoint", endpoint);
		const secret = `whsec_${randomChars(32)}`;
		secrets.set(String(endpoint.id), secret);
		// "Only returned at creation."
		return { ...structuredClone(endpoint), secret };
	}

	function update(id: string, params: JsonObject): JsonObject {
		const endpoint = store.get("webhook_endpoint", id) ?? notFound(id);
		rejectUnknown("", params, UPDATE_PARAMS);
		if (params.url !== undefined) {
			const url = str(params.url) ?? invalid("url", "Invalid string");
			checkUrl("url", url);
			endpoint.url = url;
		}
		if (params.enabled_events !== undefined) endpoint.enabled_events = enabledEvents(params.enabled_events);
		if (params.description !== undefined) endpoint.description = description(params.description);
		if (params.disabled !== undefined) endpoint.status = bool("disabled", params.disabled) ? "disabled" : "enabled";
		if (params.metadata !== undefined) endpoint.metadata = mergeMetadata(endpoint.metadata, params.metadata);
		return structuredClone(store.put("webhook_endpoint", endpoint));
	}

	function route(method: string, path: string, params: JsonObject): JsonObject | undefined {
		if (path === "/v1/webhook_endpoints" && method === "POST") return create(params);
		const match = /^\/v1\/webhook_endpoints\/([^/]+)$/.exec(path);
		if (!match) return undefined;
		const id = decodeURIComponent(match[1] ?? "");
		if (method === "POST") return update(id, params);
		if (method === "DELETE") {
			if (!store.get("webhook_endpoint", id)) notFound(id);
			remove(id);
			secrets.delete(id);
			return { id, object: "webhook_endpoint", deleted: true };
		}
		return undefined;
	}

	async function deliver(endpoint: JsonObject, event: JsonObject, object: JsonObject, opts: EmitOptions): Promise<Delivery> {
		const apiVersion = str(endpoint.api_version) ?? DEFAULT_API_VERSION;
		const type = str(object.object) ?? "";
		const rendered = renderObject(type, object, apiVersion, renderContext(store));
		const data: JsonObject = { object: rendered };
		if (opts.previousAttributes) data.previous_attributes = opts.previousAttributes;
		const body = JSON.stringify({ ...event, api_version: apiVersion, data }, null, 2);
		const url = String(endpoint.url);
		const base = { endpoint: String(endpoint.id), url, apiVersion };
		try {
			const signature = await signPayload(body, secrets.get(String(endpoint.id)) ?? "");
			const response = await fetch(url, {
				method: "POST",
				headers: {
					"content-type": "application/json; charset=utf-8",
					"stripe-signature": signature,
					"user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
				},
				body,
				signal: AbortSignal.timeout(20_000),
			});
			return { ...base, status: response.status, body: (await response.text()).slice(0, 4000) };
		} catch (error) {
			return { ...base, status: 0, body: "", error: error instanceof Error ? error.message : String(error) };
		}
	}

	async function emit(type: string, object: JsonObject, opts: EmitOptions = {}): Promise<EmittedEvent> {
		const targets = store
			.all("webhook_endpoint")
			.filter((e) => e.status === "enabled")
			.filter((e) => !opts.endpoints || opts.endpoints.includes(String(e.id)))
			.filter((e) => Array.isArray(e.enabled_events) && (e.enabled_events.includes("*") || e.enabled_events.includes(type)))
			.reverse();
		const event = eventObject(type, structuredClone(object), { previousAttributes: opts.previousAttributes });
		event.pending_webhooks = targets.length;
		store.put("event", event);
		const deliveries = await Promise.all(targets.map((endpoint) => deliver(endpoint, event, object, opts)));
		return { id: String(event.id), type, object: String(object.id), created: Number(event.created), deliveries };
	}

	function track(type: string, object: JsonObject, opts?: EmitOptions): Promise<EmittedEvent> {
		const promise = emit(type, object, opts);
		emitted.push(promise);
		if (emitted.length > 10_000) emitted.splice(0, emitted.length - 10_000);
		return promise;
	}

	return {
		route,
		emit: track,
		emitLater: (type, object, opts) => void track(type, object, opts),
		async events(filter) {
			const all = await Promise.all(emitted);
			return all.filter((e) => (!filter.object || e.object === filter.object) && (!filter.type || e.type === filter.type));
		},
	};
}
