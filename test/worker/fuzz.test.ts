// Property-based fuzzing of every public and admin endpoint, inside workerd
// against the real worker, ledger, KV and Stripe double. For every generated
// request: never a 5xx; every error is {"error":{"code":snake_case,"message"}}
// with a fitting 4xx; and no rejected request changes anything observable
// about a pre-seeded campaign (compared once at the end of each property).
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { recordedRequests } from "../stripe/control";
import { chargeRefunded, checkoutSessionCompleted, disputeFundsWithdrawn, invoicePaid, refundEvent, signPayload } from "../stripe/events";
import { createCampaign, fetchWorker, ledgerOf, uniqueCampaign } from "./support/campaigns";
import {
	ADMIN_AUTH,
	ADMIN_TOKEN,
	anyJsonText,
	bigJson,
	campaignState,
	checkAnswer,
	encodeSegment,
	errorCode,
	headerSafe,
	hostileQuery,
	hostileSegment,
	hostileText,
	invalidIdSegment,
	LIMITS,
	nonObjectJsonText,
	notJsonText,
	overLimit,
	since,
	unknownId,
	VALID_ID,
	wellFormed,
	wrongContentType,
} from "./support/fuzz";
import { deliverOk, WEBHOOK_SECRET } from "./support/webhooks";

const RUNS = 1_000;
const DOUBLE = env.STRIPE_API_URL;

/** Rejected requests come from one address: they must never reach the rate limiter. */
const FUZZ_IP = "198.51.100.250";
const JSON_TYPE = "application/json";
const FORM_TYPE = "application/x-www-form-urlencoded";

// The campaigns: SEEDED is what every rejected request aims at, ADMIN_TARGET
// takes the authorized admin fuzzing, SINK the validly signed malformed
// events, VALID the valid checkouts.
const SEEDED = uniqueCampaign("fz-seeded");
const ADMIN_TARGET = uniqueCampaign("fz-admin");
const SINK = uniqueCampaign("fz-sink");
const VALID = uniqueCampaign("fz-valid");
const SINK_PAYMENT = `pi_fuzz_${crypto.randomUUID().replaceAll("-", "")}`;
/** Settings of SEEDED and ADMIN_TARGET (the defaults, spelled out). */
const MIN_AMOUNT = 100;
const MAX_AMOUNT = 1_000_000;

const byteLength = (body: string) => new TextEncoder().encode(body).length;

/** Two periods, gifts, a refund and a reset: something to lose. */
async function seed(id: string, payment?: string) {
	await createCampaign(id, { title: `Fuzz target ${id}`, minAmount: MIN_AMOUNT, maxAmount: MAX_AMOUNT });
	await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 2_500, page: "https://news.example/a" }));
	const refunded = `pi_${crypto.randomUUID().replaceAll("-", "")}`;
	await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 4_000, paymentIntent: refunded }));
	await deliverOk(chargeRefunded({ campaign: id, paymentIntent: refunded, amount: 4_000, amountRefunded: 1_000 }));
	const reset = await fetchWorker(`/api/admin/campaigns/${id}/reset`, {
		method: "POST",
		headers: { ...ADMIN_AUTH, "Content-Type": "application/json" },
	});
	if (reset.status !== 200) throw new Error(`reset ${id}: ${reset.status}`);
	await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 5_000, paymentIntent: payment, page: "https://news.example/b" }));
}

beforeAll(async () => {
	await Promise.all([seed(SEEDED), seed(ADMIN_TARGET), seed(SINK, SINK_PAYMENT), createCampaign(VALID)]);
});

/** Runs a property RUNS times and reports how long it took. */
async function fuzz<T>(name: string, arbitrary: fc.Arbitrary<T>, check: (input: T) => Promise<void>, runs = RUNS) {
	const start = performance.now();
	try {
		await fc.assert(fc.asyncProperty(arbitrary, check), { numRuns: runs });
	} catch (err) {
		// Counterexamples hold bodies of up to 1 MiB: collapse the runs of one character.
		const message = String((err as Error).message).replace(/(.)\1{40,}/gs, (run, ch) => `${ch}…(×${run.length})`);
		const cause = String(((err as Error).cause as Error | undefined)?.message ?? "").replace(
			/(.)\1{40,}/gs,
			(run, ch) => `${ch}…(×${run.length})`,
		);
		throw new Error(`${message}\n${cause}`.slice(0, 4_000));
	}
	console.log(`fuzz ${name}: ${runs} requests in ${since(start)} ms`);
}

describe("GET /api/campaigns/:id", () => {
	it("answers 200, 400 or 404 with the error shape, for any id and query", async () => {
		const before = await campaignState(SEEDED);
		const input = fc.record({
			segment: fc.oneof(
				{ arbitrary: fc.constant(SEEDED), weight: 2 },
				{ arbitrary: fc.constant("main"), weight: 1 },
				{ arbitrary: unknownId, weight: 1 },
				{ arbitrary: hostileSegment, weight: 6 },
			),
			query: hostileQuery,
			origin: fc.option(hostileText.filter(headerSafe)),
		});
		await fuzz("GET /api/campaigns/:id", input, async ({ segment, query, origin }) => {
			const path = `/api/campaigns/${segment}${query}`;
			const res = await fetchWorker(path, { headers: origin === null ? {} : { Origin: origin } });
			await checkAnswer(res, { ok: [200], errors: [400, 404] }, `GET ${path}`);
			if (res.status === 200) {
				const body = (await res.json()) as { id: string };
				if (body.id !== SEEDED && body.id !== "main") throw new Error(`GET ${path} answered campaign ${body.id}`);
			} else if (segment === SEEDED) {
				throw new Error(`GET ${path} answered ${res.status} for the seeded campaign`);
			}
		});
		expect(await campaignState(SEEDED)).toBe(before);
	});
});

// --- donors' return and portal ------------------------------------------------------

describe("GET /:id/return and POST /:id/portal", () => {
	const sessionLike = fc.oneof(
		hostileText,
		fc.stringMatching(/^cs_(test|live)_[A-Za-z0-9]{10,60}$/),
		fc.constant(`cs_test_${"a".repeat(300)}`),
	);
	it("answer hostile session ids with a 4xx in the error shape, never a 5xx, and change nothing", async () => {
		const before = await campaignState(SEEDED);
		const input = fc.record({ session: sessionLike, portal: fc.boolean(), origin: fc.option(hostileText.filter(headerSafe)) });
		let n = 0;
		await fuzz("return and portal", input, async ({ session, portal, origin }) => {
			const headers: Record<string, string> = { "CF-Connecting-IP": `192.0.2.${++n % 250}-${n}` };
			if (origin !== null) headers.Origin = origin;
			const res = portal
				? await fetchWorker(`/api/campaigns/${SEEDED}/portal`, {
						method: "POST",
						headers: { ...headers, "Content-Type": "application/json" },
						body: JSON.stringify({ sessionId: session }),
					})
				: await fetchWorker(`/api/campaigns/${SEEDED}/return?session_id=${encodeSegment(session)}`, { headers });
			await checkAnswer(res, { errors: [400, 403, 404, 410, 429] }, `${portal ? "portal" : "return"} ${session.slice(0, 80)}`);
		});
		expect(await campaignState(SEEDED)).toBe(before);
	});
});

// --- checkout --------------------------------------------------------------------

interface CheckoutCase {
	defect: string;
	method: string;
	segment: string;
	type: string | null;
	body: string | Record<string, string> | null;
	/** Send the body as a stream, without Content-Length. */
	stream?: boolean;
	expect: number[];
}

const validAmountValue = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= MIN_AMOUNT && v <= MAX_AMOUNT;
const optionalText = fc.oneof(
	fc.webUrl(),
	hostileText.map((s) => wellFormed(s).slice(0, 2_048)),
);
const validCheckoutBody = fc
	.record(
		{
			amount: fc.integer({ min: MIN_AMOUNT, max: MAX_AMOUNT }),
			interval: fc.constantFrom("once", "month"),
			returnUrl: optionalText,
			page: optionalText,
		},
		{ requiredKeys: ["amount"] },
	)
	.map((body) => body as Record<string, string | number>);

/** `{...body, [key]: raw}` as JSON text, with `raw` inserted verbatim (so 1e309 stays 1e309); OMIT drops the key. */
const OMIT = "\u0000omit";
function jsonWith(body: Record<string, unknown>, key: string, raw: string): string {
	const fields = Object.entries(body)
		.filter(([k]) => k !== key)
		.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
	if (raw !== OMIT) fields.push(`${JSON.stringify(key)}:${raw}`);
	return `{${fields.join(",")}}`;
}

const nonStringRaw = fc.oneof(
	fc.constantFrom("null", "true", "false", "0", "5", "[]", "{}", '["x"]', '{"x":1}', "1e309"),
	fc
		.jsonValue({ maxDepth: 2 })
		.filter((v) => typeof v !== "string")
		.map((v) => JSON.stringify(v)),
);
const deepRaw = fc.integer({ min: 1, max: 1_500 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`);

const badAmountRaw = fc
	.oneof(
		fc.constant(OMIT),
		fc.constantFrom(
			"null",
			"true",
			'"500"',
			'"1e3"',
			"[500]",
			'{"value":500}',
			"1e309",
			"-1e309",
			"0",
			"-0",
			"-500",
			"0.5",
			"500.5",
			"1e-7",
			"99",
			"1000001",
			"99999999",
			"100000000",
			"1e21",
			"9007199254740993",
			'"NaN"',
			'"Infinity"',
		),
		fc.integer({ min: -1_000_000_000, max: MIN_AMOUNT - 1 }).map(String),
		fc.integer({ min: MAX_AMOUNT + 1, max: Number.MAX_SAFE_INTEGER }).map(String),
		fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
		hostileText.map((s) => JSON.stringify(s)),
		deepRaw,
		nonStringRaw,
	)
	.filter((raw) => raw === OMIT || !validAmountValue(JSON.parse(raw)));

const badIntervalRaw = fc
	.oneof(
		fc.constantFrom('"Once"', '"MONTH"', '"monthly"', '"year"', '""', '" once"', '"once "', '["once"]', "null", "1"),
		hostileText.map((s) => JSON.stringify(s)),
		nonStringRaw,
	)
	.filter((raw) => !["once", "month"].includes(JSON.parse(raw)));

// A URL too long to return to is no longer refused (the donor goes to the worker's thank-you page instead):
// only values that are not text are.
const badUrlRaw = nonStringRaw;

/** A form amount that Number() does not turn into an allowed amount (z.coerce uses Number()). */
const badFormAmount = fc
	.oneof(
		hostileText,
		fc.constantFrom(
			"abc",
			"1.5",
			"-5",
			"0",
			"99",
			"1000001",
			"1e309",
			"NaN",
			"Infinity",
			"5e2.5",
			"500abc",
			"½",
			"٥٠٠",
			"５００",
			"500 500",
		),
		fc.double().map(String),
		fc.integer().map(String),
	)
	.map(wellFormed)
	.filter((s) => s === "" || !validAmountValue(Number(s)));

const formOptional = fc.record(
	{ interval: fc.constantFrom("once", "month"), returnUrl: optionalText, page: optionalText },
	{ requiredKeys: [] },
);

const asCase = (defect: string, expect: number[], parts: Partial<CheckoutCase>): CheckoutCase => ({
	defect,
	expect,
	method: "POST",
	segment: SEEDED,
	type: JSON_TYPE,
	body: null,
	...parts,
});

/** Checkout requests that are each invalid in one way, by construction. */
const invalidCheckout: fc.Arbitrary<CheckoutCase> = fc.oneof(
	fc
		.tuple(invalidIdSegment, validCheckoutBody)
		.map(([segment, body]) => asCase("bad_id", [400, 404], { segment, body: JSON.stringify(body) })),
	fc
		.tuple(unknownId, validCheckoutBody)
		.map(([segment, body]) => asCase("unknown_campaign", [404], { segment, body: JSON.stringify(body) })),
	fc
		.tuple(wrongContentType([JSON_TYPE, FORM_TYPE, "multipart/form-data"]), validCheckoutBody)
		.map(([type, body]) => asCase("content_type", [415], { type, body: JSON.stringify(body) })),
	fc
		.tuple(overLimit(LIMITS.checkout), fc.boolean(), fc.boolean())
		.map(([size, form, stream]) =>
			form
				? asCase("too_large", [413], { type: FORM_TYPE, body: `amount=500&page=${"x".repeat(size - 16)}`, stream })
				: asCase("too_large", [413], { body: bigJson(size), stream }),
		),
	notJsonText.map((body) => asCase("malformed_json", [400], { body })),
	nonObjectJsonText.map((body) => asCase("not_an_object", [400], { body })),
	fc.tuple(validCheckoutBody, badAmountRaw).map(([body, raw]) => asCase("amount", [400], { body: jsonWith(body, "amount", raw) })),
	fc.tuple(validCheckoutBody, badIntervalRaw).map(([body, raw]) => asCase("interval", [400], { body: jsonWith(body, "interval", raw) })),
	fc
		.tuple(validCheckoutBody, fc.constantFrom("returnUrl", "page"), badUrlRaw)
		.map(([body, key, raw]) => asCase("url_field", [400], { body: jsonWith(body, key, raw) })),
	fc
		.tuple(badFormAmount, formOptional, fc.boolean())
		.map(([amount, rest, multipart]) =>
			asCase("form_amount", [400], { type: multipart ? "multipart/form-data" : FORM_TYPE, body: { amount, ...rest } }),
		),
	fc.constantFrom("GET", "PUT", "PATCH", "DELETE").map((method) => asCase("method", [404, 405], { method })),
);

async function sendCheckout(c: CheckoutCase, ip: string): Promise<{ res: Response; size: number }> {
	const headers = new Headers({ "cf-connecting-ip": ip });
	let body: BodyInit | null = null;
	let size = 0;
	if (c.body !== null && typeof c.body === "object") {
		if (c.type === "multipart/form-data") {
			const form = new FormData();
			for (const [k, v] of Object.entries(c.body)) form.append(k, v);
			body = form;
		} else {
			body = new URLSearchParams(c.body).toString();
			size = byteLength(body);
			if (c.type) headers.set("Content-Type", c.type);
		}
	} else if (typeof c.body === "string") {
		const bytes = new TextEncoder().encode(c.body);
		size = bytes.length;
		// Bytes, so that no Content-Type is implied; a stream, so that no Content-Length is sent.
		body = c.stream ? new Blob([bytes]).stream() : bytes;
		if (c.type !== null) headers.set("Content-Type", c.type);
	}
	const path = `/api/campaigns/${c.segment}/checkout`;
	const res = await fetchWorker(path, { method: c.method, headers, body, redirect: "manual" });
	return { res, size };
}

describe("POST /api/campaigns/:id/checkout", () => {
	it("rejects every invalid request with the fitting 4xx, before Stripe and the rate limiter", async () => {
		const before = await campaignState(SEEDED);
		await fuzz("POST checkout (invalid)", invalidCheckout, async (c) => {
			const { res, size } = await sendCheckout(c, FUZZ_IP);
			const expected = size > LIMITS.checkout ? [413] : c.expect;
			await checkAnswer(res, { errors: expected }, `${c.defect}: ${c.method} ${c.segment} ${c.type} ${String(c.body).slice(0, 120)}`);
		});
		// Nothing reached Stripe for the seeded campaign, and nothing changed.
		expect(await recordedRequests(DOUBLE, { path: "/v1/checkout/sessions", campaign: SEEDED })).toEqual([]);
		expect(await campaignState(SEEDED)).toBe(before);
		// A thousand rejections did not use up the address's 10 checkouts a minute.
		const after = await sendCheckout(asCase("none", [], { segment: VALID, body: '{"amount":500}' }), FUZZ_IP);
		expect(after.res.status).toBe(200);
	});

	it("answers every valid request with a Checkout Session (one Stripe call each)", async () => {
		const sessions = () => recordedRequests(DOUBLE, { path: "/v1/checkout/sessions", method: "POST", campaign: VALID });
		const already = (await sessions()).length;
		let runs = 0;
		const valid = fc.oneof(
			validCheckoutBody.map((body) => asCase("none", [], { segment: VALID, body: JSON.stringify(body) })),
			fc.tuple(fc.integer({ min: MIN_AMOUNT, max: MAX_AMOUNT }), formOptional, fc.boolean()).map(([amount, rest, multipart]) =>
				asCase("none", [], {
					segment: VALID,
					type: multipart ? "multipart/form-data" : FORM_TYPE,
					body: { amount: String(amount), ...rest },
				}),
			),
		);
		await fuzz(
			"POST checkout (valid)",
			valid,
			async (c) => {
				runs += 1;
				const { res } = await sendCheckout(c, `203.0.113.${runs}-${crypto.randomUUID()}`);
				if (typeof c.body === "string") {
					expect(res.status).toBe(200);
					const session = (await res.json()) as { id: string; url: string };
					expect(session.url).toBe(`${DOUBLE}/c/pay/${session.id}`);
				} else {
					expect(res.status).toBe(303);
					expect(res.headers.get("Location")).toMatch(new RegExp(`^${DOUBLE}/c/pay/cs_test_`));
				}
			},
			50,
		);
		expect(await sessions()).toHaveLength(already + runs);
	});
});

// --- webhook ---------------------------------------------------------------------

async function hmac(secret: string, payload: string): Promise<string> {
	const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
	const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(payload));
	return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

type Forgery =
	| { kind: "missing" | "empty" | "other_body" | "v0" | "no_timestamp" | "shifted_timestamp" }
	| { kind: "raw"; value: string }
	| { kind: "random_v1"; hex: string }
	| { kind: "other_secret"; secret: string }
	| { kind: "stale"; age: number }
	| { kind: "scheme"; scheme: string };

const forgery: fc.Arbitrary<Forgery> = fc.oneof(
	fc.constantFrom<Forgery>(
		{ kind: "missing" },
		{ kind: "empty" },
		{ kind: "other_body" },
		{ kind: "v0" },
		{ kind: "no_timestamp" },
		{ kind: "shifted_timestamp" },
	),
	hostileText.filter((v) => v.trim() !== "" && headerSafe(v)).map((value): Forgery => ({ kind: "raw", value })),
	fc
		.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 })
		.map((hex): Forgery => ({ kind: "random_v1", hex })),
	fc
		.string({ minLength: 1, maxLength: 40 })
		.filter((s) => `whsec_${s}` !== WEBHOOK_SECRET)
		.map((s): Forgery => ({ kind: "other_secret", secret: `whsec_${s}` })),
	fc.integer({ min: 301, max: 400_000_000 }).map((age): Forgery => ({ kind: "stale", age })),
	fc
		.stringMatching(/^[a-z][a-z0-9]{0,3}$/)
		.filter((s) => s !== "v1" && s !== "t")
		.map((scheme): Forgery => ({ kind: "scheme", scheme })),
);

async function forge(f: Forgery, body: string): Promise<string | null> {
	const now = Math.floor(Date.now() / 1000);
	switch (f.kind) {
		case "missing":
			return null;
		case "empty":
			return "";
		case "raw":
			return f.value;
		case "random_v1":
			return `t=${now},v1=${f.hex}`;
		case "other_secret":
			return signPayload(body, f.secret);
		case "stale":
			return signPayload(body, WEBHOOK_SECRET, now - f.age);
		case "other_body":
			return signPayload(`${body} `, WEBHOOK_SECRET);
		case "v0":
			return `t=${now},v0=${await hmac(WEBHOOK_SECRET, `${now}.${body}`)}`;
		case "scheme":
			return `t=${now},${f.scheme}=${await hmac(WEBHOOK_SECRET, `${now}.${body}`)}`;
		case "no_timestamp":
			return `v1=${await hmac(WEBHOOK_SECRET, `${now}.${body}`)}`;
		case "shifted_timestamp":
			return `t=${now - 1},v1=${await hmac(WEBHOOK_SECRET, `${now}.${body}`)}`;
	}
}

const webhookBody = fc.oneof(
	{
		arbitrary: fc
			.integer({ min: 1, max: 99_999_999 })
			.map((amount) => JSON.stringify(checkoutSessionCompleted({ campaign: SEEDED, amount }))),
		weight: 4,
	},
	{ arbitrary: anyJsonText, weight: 2 },
	{ arbitrary: notJsonText, weight: 1 },
	{ arbitrary: hostileText.map(wellFormed), weight: 1 },
	{
		arbitrary: overLimit(LIMITS.webhook).map((size) => bigJson(size, `"id":"evt_big","type":"checkout.session.completed"`)),
		weight: 1,
	},
);

// Fields of a valid event that a malformed one breaks, as [path, raw JSON]. A
// path starting with "object" is inside data.object.
const NOT_A_STRING_ID = ["null", "5", "{}", "[]", '""', "true"];
const NOT_AN_AMOUNT = ['"1500"', '"abc"', "1.5", "1e300", "1e309", "true", "[]", "{}", '"NaN"', "-1e309"];
const NOT_A_CURRENCY = ["null", "5", '""', "{}", "[]", '"us dollars"'];
const NOT_A_PAYMENT = ["5", "{}", "[]", "true", '{"id":5}', '{"id":null}'];
const EVENT_CORRUPTIONS: [string, string[]][] = [
	["created", ["null", '"x"', "{}", "[]", "true"]],
	["data.object", ["null", "[]", '"x"', "5", "true"]],
	["data", ["null", '"x"', "[]", "{}"]],
	["id", ["null", "5", "{}"]],
	["type", ["null", "5", "{}"]],
];
type Kind = "session" | "invoice" | "charge_refunded" | "refund" | "dispute";
const OBJECT_CORRUPTIONS: Record<Kind, [string, string[]][]> = {
	session: [
		["object.id", NOT_A_STRING_ID],
		["object.amount_total", NOT_AN_AMOUNT],
		["object.currency", NOT_A_CURRENCY],
		["object.metadata", ["null", "5", '"x"', "[]", '{"campaign":5}', '{"campaign":{}}', '{"campaign":""}']],
	],
	invoice: [
		["object.id", NOT_A_STRING_ID],
		["object.amount_paid", NOT_AN_AMOUNT],
		["object.currency", NOT_A_CURRENCY],
	],
	charge_refunded: [
		["object.id", NOT_A_STRING_ID],
		["object.amount_refunded", [...NOT_AN_AMOUNT, "null"]],
		["object.payment_intent", NOT_A_PAYMENT],
	],
	refund: [
		["object.id", NOT_A_STRING_ID],
		["object.amount", [...NOT_AN_AMOUNT, "null"]],
		["object.payment_intent", NOT_A_PAYMENT],
	],
	dispute: [
		["object.id", NOT_A_STRING_ID],
		["object.amount", [...NOT_AN_AMOUNT, "null"]],
		["object.payment_intent", NOT_A_PAYMENT],
	],
};

function validEventFor(kind: Kind): object {
	const fresh = () => `pi_${crypto.randomUUID().replaceAll("-", "")}`;
	switch (kind) {
		case "session":
			return checkoutSessionCompleted({ campaign: SINK, amount: 1_500, paymentIntent: fresh() });
		case "invoice":
			return invoicePaid({ campaign: SINK, amount: 1_500 });
		case "charge_refunded":
			return chargeRefunded({ campaign: SINK, paymentIntent: SINK_PAYMENT, amount: 5_000, amountRefunded: 1_000 });
		case "refund":
			return refundEvent("refund.created", { paymentIntent: SINK_PAYMENT, amount: 1_000 });
		case "dispute":
			return disputeFundsWithdrawn({ paymentIntent: SINK_PAYMENT, amount: 1_000 });
	}
}

/** Sets `path` (dotted; "object." = "data.object.") to the raw JSON text `raw`. */
function corrupt(event: object, path: string, raw: string): string {
	const marker = `__raw_${crypto.randomUUID()}__`;
	const keys = path.replace(/^object\./, "data.object.").split(".");
	let node = event as Record<string, unknown>;
	for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
	node[keys.at(-1) as string] = marker;
	return JSON.stringify(event).replace(`"${marker}"`, raw);
}

const malformedEvent = fc
	.constantFrom<Kind>("session", "invoice", "charge_refunded", "refund", "dispute")
	.chain((kind) =>
		fc
			.constantFrom(...EVENT_CORRUPTIONS, ...OBJECT_CORRUPTIONS[kind])
			.chain(([path, raws]) => fc.constantFrom(...raws).map((raw) => ({ kind, path, raw }))),
	);

describe("POST /api/stripe/webhook", () => {
	it("answers 400 (or 413) to anything not signed by Stripe just now, and counts nothing", async () => {
		const before = await campaignState(SEEDED);
		const input = fc.record({ body: webhookBody, forgery, type: fc.option(fc.constantFrom(JSON_TYPE, "text/plain", FORM_TYPE)) });
		await fuzz("POST webhook (unsigned)", input, async ({ body, forgery: f, type }) => {
			const headers = new Headers();
			const signature = await forge(f, body);
			if (signature !== null) headers.set("Stripe-Signature", signature);
			if (type !== null) headers.set("Content-Type", type);
			const res = await fetchWorker("/api/stripe/webhook", { method: "POST", headers, body: new TextEncoder().encode(body) });
			const expected = byteLength(body) > LIMITS.webhook ? [413] : [400];
			await checkAnswer(res, { errors: expected }, `${f.kind} ${JSON.stringify(signature)} ${body.slice(0, 100)}`);
		});
		expect(await campaignState(SEEDED)).toBe(before);
	});

	it("never fails or counts money for a validly signed but malformed event", async () => {
		const before = await campaignState(SINK);
		await fuzz("POST webhook (signed, malformed)", malformedEvent, async ({ kind, path, raw }) => {
			const body = corrupt(validEventFor(kind), path, raw);
			const res = await fetchWorker("/api/stripe/webhook", {
				method: "POST",
				headers: { "Content-Type": JSON_TYPE, "Stripe-Signature": await signPayload(body, WEBHOOK_SECRET) },
				body,
			});
			const context = `${kind} with ${path} = ${raw}`;
			await checkAnswer(res, { ok: [200], errors: [400] }, context);
			if (res.status === 200) {
				const answer = (await res.json()) as { outcome: string };
				if (answer.outcome === "recorded") throw new Error(`${context}: counted (${JSON.stringify(answer)})`);
			}
		});
		expect(await campaignState(SINK)).toBe(before);
	});
});

// --- admin -----------------------------------------------------------------------

type AdminRoute = "list" | "put" | "reset" | "periods" | "pages" | "audit" | "donations" | "resync";
const ADMIN_ROUTES: Record<AdminRoute, { method: string; path: (segment: string) => string }> = {
	list: { method: "GET", path: () => "/campaigns" },
	put: { method: "PUT", path: (s) => `/campaigns/${s}` },
	reset: { method: "POST", path: (s) => `/campaigns/${s}/reset` },
	periods: { method: "GET", path: (s) => `/campaigns/${s}/periods` },
	pages: { method: "GET", path: (s) => `/campaigns/${s}/pages` },
	audit: { method: "GET", path: (s) => `/campaigns/${s}/audit` },
	donations: { method: "GET", path: (s) => `/campaigns/${s}/donations` },
	resync: { method: "POST", path: (s) => `/campaigns/${s}/resync` },
};

interface AdminCase {
	segment: string;
	query: string;
	type: string | null;
	body: string | null;
	/** Statuses that count as a pass without the error shape. */
	ok: number[];
	errors: number[];
	why: string;
}

async function sendAdmin(route: AdminRoute, c: AdminCase, auth: Record<string, string>): Promise<Response> {
	const { method, path } = ADMIN_ROUTES[route];
	const headers = new Headers(auth);
	if (c.type !== null) headers.set("Content-Type", c.type);
	const body = c.body === null || method === "GET" ? null : new TextEncoder().encode(c.body);
	return fetchWorker(`/api/admin${path(c.segment)}${c.query}`, { method, headers, body });
}

const TOKEN68 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";

/** What the worker accepts as the admin's credentials (scheme case-insensitive, one space, exact token). */
const isAdminAuth = (value: string) => value.trim().toLowerCase().startsWith("bearer ") && value.trim().slice(7) === ADMIN_TOKEN;

const nearMiss: fc.Arbitrary<string> = fc.oneof(
	fc.nat({ max: ADMIN_TOKEN.length - 1 }).map((i) => ADMIN_TOKEN.slice(0, i)),
	fc
		.tuple(fc.nat({ max: ADMIN_TOKEN.length - 1 }), fc.constantFrom(...TOKEN68))
		.map(([i, ch]) => `${ADMIN_TOKEN.slice(0, i)}${ch}${ADMIN_TOKEN.slice(i + 1)}`),
	fc.nat({ max: ADMIN_TOKEN.length - 1 }).map((i) => `${ADMIN_TOKEN.slice(0, i)}${ADMIN_TOKEN.slice(i + 1)}`),
	fc.string({ unit: fc.constantFrom(...TOKEN68), minLength: 1, maxLength: 8 }).map((s) => `${ADMIN_TOKEN}${s}`),
	fc.string({ unit: fc.constantFrom(...TOKEN68), minLength: 1, maxLength: 8 }).map((s) => `${s}${ADMIN_TOKEN}`),
	fc.constant(ADMIN_TOKEN.toUpperCase()),
);

/** Authorization values that must not let anyone in. */
const wrongAuthorization: fc.Arbitrary<string | null> = fc
	.oneof(
		fc.constant(null),
		nearMiss.map((t) => `Bearer ${t}`),
		fc.string({ unit: fc.constantFrom(...TOKEN68), minLength: 1, maxLength: 64 }).map((t) => `Bearer ${t}`),
		hostileText.map((t) => `Bearer ${t}`),
		hostileText,
		fc.constantFrom(
			"",
			"Bearer",
			"Bearer ",
			`Bearer${ADMIN_TOKEN}`,
			`Bearer  ${ADMIN_TOKEN}`,
			`Bearer\t${ADMIN_TOKEN}`,
			`Bearer ${ADMIN_TOKEN},`,
			`Bearer "${ADMIN_TOKEN}"`,
			`Bearer ${ADMIN_TOKEN} ${ADMIN_TOKEN}`,
			`Bearer ${ADMIN_TOKEN}=`,
			`Basic ${btoa(`admin:${ADMIN_TOKEN}`)}`,
			`Token ${ADMIN_TOKEN}`,
			`Bearer=${ADMIN_TOKEN}`,
			`Bearer ${btoa(ADMIN_TOKEN)}`,
			`Bearer ${encodeURIComponent(`${ADMIN_TOKEN} `)}`,
			ADMIN_TOKEN,
			`Bearer null`,
			`Bearer undefined`,
		),
	)
	.filter((value) => value === null || (headerSafe(value) && !isAdminAuth(value)));

/** The admin token offered anywhere but the Authorization header. */
const tokenElsewhere = fc.constantFrom<Record<string, string>>(
	{},
	{ "X-Admin-Token": ADMIN_TOKEN },
	{ Cookie: `token=${ADMIN_TOKEN}` },
	{ "X-Authorization": `Bearer ${ADMIN_TOKEN}` },
	{ "Proxy-Authorization": `Bearer ${ADMIN_TOKEN}` },
);

/** Bodies an attacker would send: valid changes included. */
const anyAdminBody = fc.oneof(
	fc.constantFrom('{"title":"pwned"}', '{"goals":[1]}', "{}", '{"minAmount":1,"maxAmount":1}', ""),
	anyJsonText,
	notJsonText,
	{ arbitrary: overLimit(LIMITS.admin).map((size) => bigJson(size, '"title":"pwned"')), weight: 1 },
);

const anyTarget = fc.oneof(fc.constant(ADMIN_TARGET), fc.constant(SEEDED), unknownId, hostileSegment);

// Valid settings fields (as raw JSON) and, per field, values no campaign may have.
const validTitle = fc
	.string({ minLength: 1, maxLength: 200 })
	.filter((t) => t.trim().length > 0)
	.map((t) => JSON.stringify(wellFormed(t)));
const validCurrency = fc.stringMatching(/^[A-Za-z]{3}$/).map((c) => JSON.stringify(c));
const validGoals = fc
	.uniqueArray(fc.integer({ min: 1, max: 1_000_000_000_000 }), { minLength: 1, maxLength: 5 })
	.map((g) => JSON.stringify([...g].sort((a, b) => a - b)));
const minor = fc.integer({ min: 1, max: 99_999_999 });
const validAmounts = fc.array(minor, { minLength: 1, maxLength: 6 }).map((a) => JSON.stringify(a));
const validFields: Record<string, fc.Arbitrary<string>> = {
	title: validTitle,
	currency: validCurrency,
	goals: validGoals,
	amounts: validAmounts,
	minAmount: fc.integer({ min: 1, max: MIN_AMOUNT }).map(String),
	maxAmount: fc.integer({ min: MAX_AMOUNT, max: 99_999_999 }).map(String),
};
const badMinor = fc.oneof(
	fc.constantFrom("0", "-1", "0.5", "100.5", "100000000", "1e309", "-0", '"500"', "null", "true", "[]", "{}", "[500]"),
	fc.integer({ max: 0 }).map(String),
	fc.integer({ min: 100_000_000 }).map(String),
);
const badGoal = fc.oneof(
	fc.constantFrom("0", "-1", "0.5", "1e13", "1e309", "-0", '"500"', "null", "true", "[]", "{}", "[500]"),
	fc.integer({ max: 0 }).map(String),
	fc.integer({ min: 1_000_000_000_001, max: Number.MAX_SAFE_INTEGER }).map(String),
);
/** Arrays that break a rule: not an array, empty, too long, or one element bad. */
const badNumberArray = (valid: fc.Arbitrary<number>, maxLength: number, bad: fc.Arbitrary<string>) =>
	fc.oneof(
		nonStringRaw.filter((raw) => !raw.startsWith("[") || raw === "[]"),
		fc.constant("[]"),
		fc.array(valid, { minLength: maxLength + 1, maxLength: maxLength + 4 }).map((a) => JSON.stringify(a.sort((x, y) => x - y))),
		fc.tuple(fc.array(valid, { maxLength: maxLength - 1 }), bad).map(([a, b]) => `[${[...a.map(String), b].join(",")}]`),
	);
const badFields: Record<string, fc.Arbitrary<string>> = {
	title: fc.oneof(
		nonStringRaw,
		fc.constantFrom('""', '" "', '"\\t\\n"', '"\\u00a0"', '"\\u3000"'),
		fc.integer({ min: 201, max: 2_000 }).map((n) => JSON.stringify("t".repeat(n))),
	),
	currency: fc.oneof(
		nonStringRaw,
		hostileText
			.map(wellFormed)
			.filter((s) => !/^[A-Za-z]{3}$/.test(s))
			.map((s) => JSON.stringify(s)),
	),
	goals: fc.oneof(
		badNumberArray(fc.integer({ min: 1, max: 1_000_000_000_000 }), 5, badGoal),
		fc.constantFrom("[1e13]", "[0]", "[1.5]", "[5,5]", "[10,5]", "[1e309]"),
		fc
			.array(fc.integer({ min: 1, max: 1_000_000_000_000 }), { minLength: 2, maxLength: 5 })
			.filter((g) => g.some((v, i) => i > 0 && v <= (g[i - 1] ?? 0)))
			.map((g) => JSON.stringify(g)),
	),
	amounts: badNumberArray(minor, 6, badMinor),
	minAmount: badMinor,
	maxAmount: badMinor,
};
const FIELD_NAMES = Object.keys(validFields);

/** A settings body with valid fields and exactly one defect. */
const settingsBodyWith = (defect: fc.Arbitrary<[string, string]>) =>
	fc
		.tuple(
			fc
				.subarray(FIELD_NAMES)
				.chain((names) =>
					fc
						.tuple(...names.map((n) => validFields[n] as fc.Arbitrary<string>))
						.map((values) => names.map((n, i) => [n, values[i] as string])),
				),
			defect,
		)
		.map(
			([fields, [key, raw]]) =>
				`{${[...fields.filter(([k]) => k !== key), [key, raw]].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`,
		);

const badField = fc
	.constantFrom(...FIELD_NAMES)
	.chain((key) => (badFields[key] as fc.Arbitrary<string>).map((raw): [string, string] => [key, raw]));
const unknownKey = fc
	.tuple(
		fc.oneof(
			fc.constantFrom("__proto__", "constructor", "id", "total", "donations", "period", "updatedAt", "Title", "goal", "amount"),
			hostileText.map(wellFormed),
		),
		anyJsonText,
	)
	.filter(([key]) => !FIELD_NAMES.includes(key))
	.map(([key, raw]): [string, string] => [key, raw]);
/** A valid PUT body (used only with an id that is invalid). */
const validPatch = settingsBodyWith(fc.constant<[string, string]>(["title", '"A valid title"']));

const jsonishType = fc.constantFrom(
	"application/jsonx",
	"application/json5",
	"application/json-seq",
	"application/jsonp",
	"application/json-patch",
);
/** Content types that are not JSON by any reading (JSON-like ones are tried separately). */
const notJsonType = wrongContentType([]).filter((t) => t === null || !t.toLowerCase().includes("json"));

/** The ids in `ids` that name an existing campaign. */
async function createdAmong(ids: Set<string>): Promise<string[]> {
	const created: string[] = [];
	for (const id of ids) if ((await ledgerOf(id).snapshot(id)) !== null) created.push(id);
	return created;
}

/** Remembers unknown ids that mutation attempts aimed at: none may exist afterwards. */
const aimedAt = new Set<string>();
const remember = (id: string) => {
	aimedAt.add(id);
	return id;
};

const adminCase = (why: string, parts: Partial<AdminCase>): AdminCase => ({
	segment: ADMIN_TARGET,
	query: "",
	type: JSON_TYPE,
	body: null,
	ok: [],
	errors: [400],
	why,
	...parts,
});

/** Mutations that are invalid by construction, shared by PUT and reset. */
const badMutationBody = fc.oneof(
	notJsonText.map((body) => adminCase("malformed JSON", { body })),
	nonObjectJsonText.map((body) => adminCase("not an object", { body })),
	fc
		.tuple(
			notJsonType,
			anyAdminBody.filter((b) => b !== ""),
		)
		.map(([type, body]) => adminCase("content type", { type, body, errors: [415] })),
	overLimit(LIMITS.admin).map((size) => adminCase("too large", { body: bigJson(size, '"title":"big"'), errors: [413] })),
	settingsBodyWith(unknownKey).map((body) => adminCase("unknown key", { body })),
);

const putCases: fc.Arbitrary<AdminCase> = fc.oneof(
	badMutationBody,
	settingsBodyWith(badField).map((body) => adminCase("bad field", { body })),
	fc
		.tuple(minor, minor)
		.filter(([a, b]) => a > b)
		.map(([a, b]) => adminCase("min above max", { body: `{"minAmount":${a},"maxAmount":${b}}` })),
	fc.integer({ min: MAX_AMOUNT + 1, max: 99_999_999 }).map((a) => adminCase("min above the stored max", { body: `{"minAmount":${a}}` })),
	fc.tuple(jsonishType, validPatch).map(([type, body]) => adminCase("JSON-like content type", { type, body, errors: [400, 415] })),
	fc.tuple(invalidIdSegment, validPatch).map(([segment, body]) => adminCase("bad id", { segment, body, errors: [400, 404] })),
	fc
		.tuple(unknownId, fc.oneof(settingsBodyWith(badField), notJsonText))
		.map(([id, body]) => adminCase("bad body for a new campaign", { segment: remember(id), body })),
);

const resetCases: fc.Arbitrary<AdminCase> = fc.oneof(
	badMutationBody,
	(badFields.goals as fc.Arbitrary<string>).map((raw) => adminCase("bad goals", { body: `{"goals":${raw}}` })),
	fc
		.tuple(unknownId, fc.constantFrom("", "{}", '{"goals":[100,200]}'))
		.map(([id, body]) => adminCase("unknown campaign", { segment: remember(id), body, errors: [404] })),
	fc
		.tuple(invalidIdSegment, fc.constantFrom("", "{}"))
		.map(([segment, body]) => adminCase("bad id", { segment, body, errors: [400, 404] })),
);

const resyncCases: fc.Arbitrary<AdminCase> = fc.oneof(
	fc.tuple(unknownId, fc.constantFrom("", "{}")).map(([segment, body]) => adminCase("unknown campaign", { segment, body, errors: [404] })),
	invalidIdSegment.map((segment) => adminCase("bad id", { segment, errors: [400, 404] })),
	fc
		.tuple(
			notJsonType,
			anyAdminBody.filter((b) => b !== ""),
		)
		.map(([type, body]) => adminCase("content type", { type, body, errors: [415] })),
	overLimit(LIMITS.admin).map((size) => adminCase("too large", { body: bigJson(size), errors: [413] })),
);

const readCases: fc.Arbitrary<AdminCase> = fc
	.record({ segment: anyTarget, query: hostileQuery })
	.map(({ segment, query }) => adminCase("read", { segment, query, type: null, ok: [200], errors: [400, 404] }));

const AUTHORIZED_CASES: Record<AdminRoute, fc.Arbitrary<AdminCase>> = {
	list: hostileQuery.map((query) => adminCase("list", { query, type: null, ok: [200], errors: [] })),
	put: putCases,
	reset: resetCases,
	periods: readCases,
	pages: readCases,
	audit: readCases,
	donations: readCases,
	resync: resyncCases,
};

/** Checks what a 200 from an admin read carries. */
async function checkAdminRead(route: AdminRoute, res: Response, context: string) {
	const text = await res.text();
	if (route === "donations" && /^text\/csv/.test(res.headers.get("Content-Type") ?? "")) {
		if (!text.startsWith("period,key,payment,amount")) throw new Error(`${context}: CSV export without its header`);
		return;
	}
	if (route === "pages" && /^text\/csv/.test(res.headers.get("Content-Type") ?? "")) {
		if (!text.startsWith("period,page,variant,loads")) throw new Error(`${context}: funnel CSV without its header`);
		return;
	}
	const body = JSON.parse(text) as Record<string, unknown>;
	const field = { list: "campaigns", donations: "donations", periods: "periods", pages: "pages", audit: "entries" }[route as string];
	if (field && !Array.isArray(body[field])) throw new Error(`${context}: 200 without ${field}: ${text.slice(0, 200)}`);
}

describe("admin API", () => {
	const routes = Object.keys(ADMIN_ROUTES) as AdminRoute[];

	it.each(routes)("%s: answers 401 to every request without the exact bearer token", async (route) => {
		const before = [await campaignState(ADMIN_TARGET), await campaignState(SEEDED)];
		const input = fc.record({
			authorization: wrongAuthorization,
			elsewhere: tokenElsewhere,
			segment: anyTarget,
			query: hostileQuery,
			body: anyAdminBody,
		});
		await fuzz(`${route} (unauthorized)`, input, async ({ authorization, elsewhere, segment, query, body }) => {
			const auth: Record<string, string> = { ...elsewhere };
			if (authorization !== null) auth.Authorization = authorization;
			if (route === "put" && VALID_ID.test(segment) && ![ADMIN_TARGET, SEEDED, "main"].includes(segment)) remember(segment);
			const res = await sendAdmin(route, adminCase("unauthorized", { segment, query, body }), auth);
			const context = `${route} with Authorization ${JSON.stringify(authorization)} ${JSON.stringify(elsewhere)}`;
			const code = await checkAnswer(res, { errors: [401] }, context);
			if (code !== "unauthorized") throw new Error(`${context}: code ${code}`);
			if (!res.headers.get("WWW-Authenticate")?.startsWith("Bearer")) throw new Error(`${context}: no WWW-Authenticate challenge`);
		});
		expect([await campaignState(ADMIN_TARGET), await campaignState(SEEDED)]).toEqual(before);
		expect(await createdAmong(aimedAt)).toEqual([]);
	});

	it.each(routes)("%s: rejects every invalid request with the fitting 4xx and changes nothing", async (route) => {
		const before = [await campaignState(ADMIN_TARGET), await campaignState(SEEDED)];
		await fuzz(`${route} (authorized)`, AUTHORIZED_CASES[route], async (c) => {
			const res = await sendAdmin(route, c, ADMIN_AUTH);
			const size = c.body === null || ADMIN_ROUTES[route].method === "GET" ? 0 : byteLength(c.body);
			const errors = size > LIMITS.admin ? [413] : c.errors;
			const context = `${c.why}: ${ADMIN_ROUTES[route].method} ${ADMIN_ROUTES[route].path(c.segment)}${c.query} ${c.type} ${String(c.body).slice(0, 120)}`;
			await checkAnswer(res, { ok: c.ok, errors }, context);
			if (res.status === 200) await checkAdminRead(route, res, context);
		});
		expect([await campaignState(ADMIN_TARGET), await campaignState(SEEDED)]).toEqual(before);
		expect(await createdAmong(aimedAt)).toEqual([]);
	});
});

// --- methods ---------------------------------------------------------------------

describe("every endpoint", () => {
	it("answers other methods with a JSON 401/404/405, never a 5xx", async () => {
		const before = await campaignState(SEEDED);
		const endpoints: { path: string; methods: string[] }[] = [
			{ path: `/api/campaigns/${SEEDED}`, methods: ["GET", "HEAD", "OPTIONS"] },
			{ path: `/api/campaigns/${SEEDED}/checkout`, methods: ["POST", "OPTIONS"] },
			{ path: `/api/campaigns/${SEEDED}/return`, methods: ["GET", "HEAD", "OPTIONS"] },
			{ path: `/api/campaigns/${SEEDED}/portal`, methods: ["POST", "OPTIONS"] },
			{ path: "/api/admin/unplaced", methods: ["GET", "HEAD"] },
			{ path: "/api/stripe/webhook", methods: ["POST"] },
			{ path: "/api/admin/campaigns", methods: ["GET", "HEAD"] },
			{ path: `/api/admin/campaigns/${SEEDED}`, methods: ["GET", "HEAD", "PUT"] },
			{ path: `/api/admin/campaigns/${SEEDED}/reset`, methods: ["POST"] },
			{ path: `/api/admin/campaigns/${SEEDED}/periods`, methods: ["GET", "HEAD"] },
			{ path: `/api/admin/campaigns/${SEEDED}/pages`, methods: ["GET", "HEAD"] },
			{ path: `/api/admin/campaigns/${SEEDED}/audit`, methods: ["GET", "HEAD"] },
			{ path: `/api/admin/campaigns/${SEEDED}/donations`, methods: ["GET", "HEAD"] },
			{ path: `/api/admin/campaigns/${SEEDED}/resync`, methods: ["POST"] },
		];
		// Every method workerd lets a Request carry.
		const METHODS = [
			"GET",
			"HEAD",
			"POST",
			"PUT",
			"PATCH",
			"DELETE",
			"OPTIONS",
			"PROPFIND",
			"MKCOL",
			"LINK",
			"QUERY",
			"SEARCH",
			"REPORT",
			"patch",
		].filter((method) => {
			try {
				return new Request("https://x.example/", { method }) !== null;
			} catch {
				return false;
			}
		});
		expect(METHODS.length).toBeGreaterThan(6);
		const input = fc
			.tuple(fc.constantFrom(...endpoints), fc.constantFrom(...METHODS), fc.boolean(), fc.option(anyJsonText))
			.filter(([endpoint, method]) => !endpoint.methods.includes(method.toUpperCase()));
		await fuzz("other methods", input, async ([endpoint, method, authorized, body]) => {
			const hasBody = body !== null && method !== "GET" && method !== "HEAD";
			const res = await fetchWorker(endpoint.path, {
				method,
				headers: { ...(authorized ? ADMIN_AUTH : {}), "Content-Type": JSON_TYPE },
				body: hasBody ? body : null,
			});
			const context = `${method} ${endpoint.path}`;
			if (res.status >= 500 || ![401, 404, 405].includes(res.status)) throw new Error(`${context}: ${res.status}`);
			if (res.status === 401 && (authorized || !endpoint.path.startsWith("/api/admin"))) throw new Error(`${context}: 401`);
			if (method !== "HEAD") errorCode(res, await res.text(), context);
		});
		expect(await campaignState(SEEDED)).toBe(before);
	});
});

// --- the bugs the properties found, pinned -----------------------------------------

describe("regressions found by fuzzing", () => {
	it("answers 401, not 400, to a bearer token with characters outside token68", async () => {
		for (const token of ["a!b", "===", "tok en?", "\u00e9t\u00e9"]) {
			const res = await fetchWorker("/api/admin/campaigns", { headers: { Authorization: `Bearer ${token}` } });
			expect([token, res.status]).toEqual([token, 401]);
		}
	});

	it("does not treat a PUT with a JSON-like but non-JSON content type as an empty change", async () => {
		const fresh = uniqueCampaign("fz-jsonx");
		const res = await fetchWorker(`/api/admin/campaigns/${fresh}`, {
			method: "PUT",
			headers: { ...ADMIN_AUTH, "Content-Type": "application/jsonx" },
			body: "this is not JSON",
		});
		expect([400, 415]).toContain(res.status);
		expect(await ledgerOf(fresh).snapshot(fresh)).toBeNull();
	});

	it("answers validly signed but malformed events without a 5xx", async () => {
		const id = uniqueCampaign("fz-shape");
		await createCampaign(id);
		const invoice = (payments: unknown) => ({ id: "in_x", amount_paid: 500, currency: "usd", payments, metadata: { campaign: id } });
		const cases: [string, object][] = [
			["data.object null", { type: "checkout.session.completed", data: { object: null } }],
			["data.object an array", { type: "invoice.paid", data: { object: [] } }],
			["invoice without currency", { type: "invoice.paid", data: { object: { id: "in_x", amount_paid: 5, metadata: { campaign: id } } } }],
			["invoice payments not an object", { type: "invoice.paid", data: { object: invoice("x") } }],
			["invoice payments without data", { type: "invoice.paid", data: { object: invoice({}) } }],
			["invoice payments holding null", { type: "invoice.paid", data: { object: invoice({ data: [null] }) } }],
			["created not a number", { type: "checkout.session.completed", created: "x", data: { object: {} } }],
		];
		for (const [name, event] of cases) {
			const body = JSON.stringify({ id: `evt_${crypto.randomUUID()}`, created: 1_700_000_000, ...event });
			const res = await fetchWorker("/api/stripe/webhook", {
				method: "POST",
				headers: { "Content-Type": JSON_TYPE, "Stripe-Signature": await signPayload(body, WEBHOOK_SECRET) },
				body,
			});
			expect([name, res.status < 500]).toEqual([name, true]);
			if (name.startsWith("data.object") || name.startsWith("created")) expect([name, res.status]).toEqual([name, 400]);
			else if (name === "invoice without currency")
				expect([name, ((await res.json()) as { outcome: string }).outcome]).toEqual([name, "ignored"]);
		}
	});

	it("does not count a validly signed gift whose amount is not an integer", async () => {
		const id = uniqueCampaign("fz-amount");
		await createCampaign(id);
		for (const amount of ['"abc"', "1.5"]) {
			const event = checkoutSessionCompleted({ campaign: id, amount: 1_500 });
			const body = corrupt(event, "object.amount_total", amount);
			const res = await fetchWorker("/api/stripe/webhook", {
				method: "POST",
				headers: { "Content-Type": JSON_TYPE, "Stripe-Signature": await signPayload(body, WEBHOOK_SECRET) },
				body,
			});
			expect(res.status).toBeLessThan(500);
		}
		const snapshot = await ledgerOf(id).snapshot(id);
		expect({ total: snapshot?.total, donations: snapshot?.donations }).toEqual({ total: 0, donations: 0 });
	});
});
