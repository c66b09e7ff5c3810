// Stripe's wire format shared by the double's modules: the error bodies it
// answers, bracket-notation form decoding, and small readers over parsed
// params. Runtime-neutral (Web APIs only).
import { CAMPAIGN_KEY, type JsonObject } from "./objects.ts";

export interface StripeErrorBody {
	type: string;
	message: string;
	code?: string;
	param?: string;
	decline_code?: string;
	doc_url?: string;
}

export class StripeErrorResponse extends Error {
	readonly status: number;
	readonly error: StripeErrorBody;
	constructor(status: number, error: StripeErrorBody) {
		super(error.message);
		this.status = status;
		this.error = error;
	}
}

export function fail(status: number, error: StripeErrorBody): never {
	throw new StripeErrorResponse(status, error);
}

export function missing(param: string): never {
	fail(400, {
		type: "invalid_request_error",
		code: "parameter_missing",
		param,
		message: `Missing required param: ${param}.`,
	});
}

export function invalid(param: string, message: string, code?: string): never {
	fail(400, {
		type: "invalid_request_error",
		param,
		message,
		...(code ? { code } : {}),
	});
}

// ---------------------------------------------------------------------------
// Bracket-notation form decoding

export const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);
export const MAX_INDEX = 10_000;

/** Splits `a[b][0][]` into ["a", "b", "0", ""]. */
export function keySegments(key: string): string[] {
	const open = key.indexOf("[");
	if (open <= 0 || !key.endsWith("]")) return [key];
	const segments = [key.slice(0, open)];
	const rest = key.slice(open);
	const re = /\[([^[\]]*)\]/g;
	let consumed = 0;
	for (let m = re.exec(rest); m; m = re.exec(rest)) {
		if (m.index !== consumed) return [key];
		segments.push(m[1] ?? "");
		consumed = m.index + m[0].length;
	}
	return consumed === rest.length ? segments : [key];
}

export function isIndex(segment: string): boolean {
	return segment === "" || (/^\d+$/.test(segment) && Number(segment) <= MAX_INDEX);
}

/**
 * Decodes Stripe's bracket notation into nested objects: numeric (or empty)
 * segments make arrays, values stay strings, as Stripe receives them.
 */
export function decodeStripeForm(pairs: Iterable<[string, string]>): JsonObject {
	const root: JsonObject = {};
	for (const [key, value] of pairs) {
		const segments = keySegments(key);
		if (segments.some((s) => UNSAFE_KEYS.has(s))) continue;
		let node: Record<string, unknown> | unknown[] = root;
		for (let i = 0; i < segments.length; i++) {
			let segment = segments[i] ?? "";
			if (Array.isArray(node) && segment === "") segment = String(node.length);
			const container = node as Record<string, unknown>;
			if (i === segments.length - 1) {
				container[segment] = value;
				break;
			}
			const next = segments[i + 1] ?? "";
			let child = container[segment];
			if (child === null || typeof child !== "object") {
				child = isIndex(next) ? [] : {};
				container[segment] = child;
			}
			node = child as Record<string, unknown> | unknown[];
		}
	}
	return compactArrays(root) as JsonObject;
}

/** Sparse arrays (e.g. only `[1]` sent) become dense, like Stripe's parser. */
export function compactArrays(value: unknown): unknown {
	if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compactArrays);
	if (value && typeof value === "object") {
		const out: JsonObject = {};
		for (const [k, v] of Object.entries(value)) out[k] = compactArrays(v);
		return out;
	}
	return value;
}

export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
	if (value && typeof value === "object") {
		const entries = Object.entries(value)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
		return `{${entries.join(",")}}`;
	}
	return JSON.stringify(value);
}

// ---------------------------------------------------------------------------
// Small readers over parsed params

export function asObject(value: unknown): JsonObject | undefined {
	return value && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function str(value: unknown): string | undefined {
	return typeof value === "string" ? value : undefined;
}

export function campaignOf(params: JsonObject): string | undefined {
	const direct = str(asObject(params.metadata)?.[CAMPAIGN_KEY]);
	if (direct !== undefined) return direct;
	for (const key of ["payment_intent_data", "subscription_data"]) {
		const nested = str(asObject(asObject(params[key])?.metadata)?.[CAMPAIGN_KEY]);
		if (nested !== undefined) return nested;
	}
	return undefined;
}

export function pathMatches(pattern: string | undefined, path: string): boolean {
	if (!pattern) return true;
	return pattern.endsWith("*") ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}

export function parseInteger(param: string, value: unknown): number {
	if (typeof value !== "string" || !/^-?\d+$/.test(value.trim())) {
		invalid(param, `Invalid integer: ${String(value)}`, "parameter_invalid_integer");
	}
	return Number.parseInt(value, 10);
}

export function parseMetadata(param: string, value: unknown): Record<string, string> {
	if (value === undefined || value === "") return {};
	const obj = asObject(value);
	if (!obj) invalid(param, `Invalid object`, "parameter_invalid_empty");
	const entries = Object.entries(obj);
	if (entries.length > 50) invalid(param, "Metadata can have at most 50 keys.");
	const out: Record<string, string> = {};
	for (const [key, v] of entries) {
		if (typeof v !== "string") invalid(`${param}[${key}]`, `Invalid string: ${JSON.stringify(v)}`);
		if (key.length > 40) {
			invalid(`${param}[${key}]`, "Metadata keys can have up to 40 characters.");
		}
		if (v.length > 500) {
			invalid(`${param}[${key}]`, "Metadata values can have up to 500 characters.");
		}
		if (v !== "") out[key] = v;
	}
	return out;
}

export function rejectUnknown(prefix: string, obj: JsonObject, allowed: readonly string[]): void {
	for (const key of Object.keys(obj)) {
		if (!allowed.includes(key)) {
			const param = prefix ? `${prefix}[${key}]` : key;
			fail(400, {
				type: "invalid_request_error",
				code: "parameter_unknown",
				param,
				message: `Received unknown parameter: ${param}`,
			});
		}
	}
}

// Accepted top-level params of POST /v1/checkout/sessions (from stripe@23's

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
	return new Response(JSON.stringify(body, null, 2), {
		status,
		headers: { "content-type": "application/json", ...headers },
	});
}

export function escapeHtml(text: string): string {
	return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function readJson(request: Request): Promise<JsonObject> {
	const text = await request.text();
	if (!text) return {};
	const parsed: unknown = JSON.parse(text);
	const obj = asObject(parsed);
	if (!obj) throw new Error("Expected a JSON object");
	return obj;
}

export function idOf(value: unknown): string | undefined {
	if (typeof value === "string") return value;
	return str(asObject(value)?.id);
}

export function checkUrl(param: string, value: string | null): void {
	if (value === null) return;
	let ok = false;
	try {
		const u = new URL(value.replaceAll("{CHECKOUT_SESSION_ID}", "x"));
		ok = u.protocol === "http:" || u.protocol === "https:";
	} catch {
		ok = false;
	}
	if (!ok) invalid(param, "Not a valid URL", "url_invalid");
}
