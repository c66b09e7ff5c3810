// Security, round 2: each way in that a careful read of the code found, with
// the test that closes it (SECURITY.md names them). The widget's part
// (prototype pollution) is in test/browser/widget.test.ts; storage left by
// unknown ids is counted on disk in test/browser/storage.test.ts.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { snapshotKey } from "../../src/campaigns/keys";
import { EXAMPLE_ADMIN_TOKEN } from "../../src/config";
import { clientKey } from "../../src/http/clients";
import app from "../../src/index";
import { recordedRequests } from "../stripe/control";
import { checkoutSessionCompleted } from "../stripe/events";
import { accessJwt } from "../support/access";
import { createCampaign, fetchWorker, ORIGIN, publicTotals, uniqueCampaign } from "./support/campaigns";
import { ADMIN_AUTH } from "./support/fuzz";
import { deliverOk, WEBHOOK_SECRET } from "./support/webhooks";

const DOUBLE = env.STRIPE_API_URL;
const KEY = inject("accessPrivateJwk");

/** The worker with some bindings replaced. */
async function callWorker(request: Request, overrides: Partial<Cloudflare.Env> = {}): Promise<Response> {
	const ctx = createExecutionContext();
	const res = await app.fetch(request, { ...env, ...overrides }, ctx);
	await waitOnExecutionContext(ctx);
	return res;
}

let ip = 0;
/** A fresh client address, so the per-address limiter never carries over between tests. */
const freshIp = () => `203.0.113.${++ip % 250}-${crypto.randomUUID()}`;

function checkout(id: string, headers: Record<string, string>, body: string | URLSearchParams = JSON.stringify({ amount: 500 })) {
	return fetchWorker(`/api/campaigns/${id}/checkout`, {
		method: "POST",
		headers: {
			"Content-Type": typeof body === "string" ? "application/json" : "application/x-www-form-urlencoded",
			"CF-Connecting-IP": freshIp(),
			...headers,
		},
		body,
	});
}

const sentToStripe = async (id: string) =>
	(await recordedRequests(DOUBLE, { path: "/v1/checkout/sessions", method: "POST", campaign: id })).length;

describe("admin writes behind Cloudflare Access cannot be forged cross-site", () => {
	// Access puts its JWT on every request that carries its CF_Authorization cookie, a cross-site form post included.
	const forged = async (id: string, headers: Record<string, string>, body: BodyInit | null = null) =>
		fetchWorker(`/api/admin/campaigns/${id}/reset`, {
			method: "POST",
			headers: { "Cf-Access-Jwt-Assertion": await accessJwt(KEY, { email: "editor@news.example" }), ...headers },
			body,
		});

	it("refuses an empty-body form post from a same-site page, and the period stays", async () => {
		const id = uniqueCampaign("csrf");
		await createCampaign(id);
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 4_200 }));
		const attempts: [string, Record<string, string>][] = [
			[
				"form post, same site",
				{ "Content-Type": "application/x-www-form-urlencoded", Origin: "https://www.donate.example", "Sec-Fetch-Site": "same-site" },
			],
			["text/plain form, cross site", { "Content-Type": "text/plain", Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" }],
			["no content type, no origin", {}],
			[
				"JSON from another origin",
				{ "Content-Type": "application/json", Origin: "https://www.donate.example", "Sec-Fetch-Site": "same-site" },
			],
			["JSON, null origin", { "Content-Type": "application/json", Origin: "null" }],
		];
		for (const [name, headers] of attempts) {
			const res = await forged(id, headers);
			expect([name, res.status]).toEqual([name, expect.toSatisfy((status: number) => status === 403 || status === 415)]);
		}
		expect(await publicTotals(id)).toMatchObject({ total: 4_200, period: { id: 1 } });
	});

	it("still takes the admin page's own requests and API clients'", async () => {
		const id = uniqueCampaign("csrf");
		await createCampaign(id);
		const page = await forged(id, { "Content-Type": "application/json", Origin: ORIGIN, "Sec-Fetch-Site": "same-origin" }, "{}");
		expect(page.status).toBe(200);
		const curl = await fetchWorker(`/api/admin/campaigns/${id}/reset`, {
			method: "POST",
			headers: { ...ADMIN_AUTH, "Content-Type": "application/json" },
		});
		expect(curl.status).toBe(200);
		expect((await publicTotals(id)).period.id).toBe(3);
	});
});

describe("checkout is driven only from the publisher's pages", () => {
	it("refuses browsers on other origins (403) and sends nothing to Stripe", async () => {
		const id = uniqueCampaign("orig");
		await createCampaign(id);
		for (const origin of ["https://evil.example", "null", "https://publisher.example.evil.example", "http://publisher.example"]) {
			const json = await checkout(id, { Origin: origin });
			expect([origin, json.status, ((await json.json()) as { error: { code: string } }).error.code]).toEqual([
				origin,
				403,
				"origin_not_allowed",
			]);
			const form = await checkout(id, { Origin: origin }, new URLSearchParams({ amount: "500" }));
			expect([origin, form.status]).toEqual([origin, 403]);
		}
		expect(await sentToStripe(id)).toBe(0);
	});

	it("takes the publisher's pages, the worker's own pages and clients without a browser", async () => {
		const id = uniqueCampaign("orig");
		await createCampaign(id);
		for (const headers of [{ Origin: "https://publisher.example" }, { Origin: ORIGIN }, {}] as Record<string, string>[]) {
			expect((await checkout(id, headers)).status).toBe(200);
		}
		expect(await sentToStripe(id)).toBe(3);
	});

	it("counts an IPv6 /64 as one client", async () => {
		expect(clientKey("2001:db8:1234:5678:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1234:5678::/64");
		expect(clientKey("2001:db8:1234:5678::1")).toBe(clientKey("2001:0db8:1234:5678:ffff::2"));
		expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
		expect(clientKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
		expect(clientKey("192.0.2.7")).toBe("192.0.2.7");
		const id = uniqueCampaign("v6");
		await createCampaign(id);
		const prefix = `2001:db8:${(Date.now() % 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;
		const statuses: number[] = [];
		for (let i = 1; i <= 11; i++) statuses.push((await checkout(id, { "CF-Connecting-IP": `${prefix}:${i.toString(16)}::${i}` })).status);
		expect(statuses).toEqual([...Array(10).fill(200), 429]);
	});

	it("caps checkouts per campaign whatever the addresses (card testing rotates them)", async () => {
		const id = uniqueCampaign("cap");
		await createCampaign(id);
		const statuses: number[] = [];
		for (let i = 0; i < 101; i++) statuses.push((await checkout(id, {})).status);
		expect(statuses.filter((s) => s === 200)).toHaveLength(100);
		const last = await checkout(id, {});
		expect(last.status).toBe(429);
		expect(await last.json()).toMatchObject({ error: { code: "campaign_rate_limited" } });
		expect(await sentToStripe(id)).toBe(100);
	});
});

describe("a long article URL never blocks the gift", () => {
	it("falls back to the worker's thank-you page and keeps the article's path for attribution", async () => {
		const id = uniqueCampaign("long");
		await createCampaign(id);
		const article = "https://publisher.example/2026/11/30/how-the-library-stayed-open";
		const tracking = `?${Array.from({ length: 120 }, (_, i) => `utm_param_${i}=${"x".repeat(20)}`).join("&")}`;
		const returnUrl = `${article}${tracking}`;
		expect(returnUrl.length).toBeGreaterThan(3_000);
		const res = await checkout(id, { Origin: "https://publisher.example" }, JSON.stringify({ amount: 500, returnUrl }));
		expect(res.status).toBe(200);
		const [sent] = await recordedRequests(DOUBLE, { path: "/v1/checkout/sessions", method: "POST", campaign: id });
		expect(sent?.params.success_url).toBe(`${ORIGIN}/thanks?campaign=${id}&session_id={CHECKOUT_SESSION_ID}`);
		expect(sent?.params.metadata).toMatchObject({ donation_widget_page: article });
	});
});

describe("example secrets never become production secrets", () => {
	const list = (token: string) =>
		callWorker(new Request(`${ORIGIN}/api/admin/campaigns`, { headers: { Authorization: `Bearer ${token}` } }), { ADMIN_TOKEN: token });

	it("closes the admin (503) with the example ADMIN_TOKEN or one shorter than 32 characters, even to that token", async () => {
		for (const token of [EXAMPLE_ADMIN_TOKEN, "short-token", "x".repeat(31)]) {
			const res = await list(token);
			expect([token, res.status]).toEqual([token, 503]);
			expect(await res.json()).toMatchObject({ error: { code: "admin_token_unsafe" } });
		}
		expect((await list("y".repeat(32))).status).toBe(200);
	});

	it("refuses to verify webhooks with a secret that is not a Stripe signing secret", async () => {
		for (const secret of ["whsec_replace_me", "sk_test_abc", "not-a-secret"]) {
			const res = await callWorker(
				new Request(`${ORIGIN}/api/stripe/webhook`, { method: "POST", headers: { "Stripe-Signature": "t=1,v1=00" }, body: "{}" }),
				{ STRIPE_WEBHOOK_SECRET: secret },
			);
			expect([secret, res.status]).toEqual([secret, 503]);
			expect(await res.json()).toMatchObject({ error: { code: "webhook_secret_invalid" } });
		}
		expect(WEBHOOK_SECRET).toMatch(/^whsec_/);
	});
});

describe("the public total never steps back", () => {
	it("does not cache a snapshot older than one this isolate has seen (a read racing a purge, with KV late)", async () => {
		const id = uniqueCampaign("ver");
		await createCampaign(id);
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 1_000 }));
		expect((await publicTotals(id)).total).toBe(1_000);
		const stale = await env.TOTALS.get(snapshotKey(id));
		// A KV read that answers with what KV held before, after a delay in which a gift lands.
		let release: () => void = () => {};
		const held = new Promise<void>((resolve) => {
			release = resolve;
		});
		const lateKv = new Proxy(env.TOTALS, {
			get(target, prop) {
				if (prop !== "get") return Reflect.get(target, prop);
				return async () => {
					await held;
					return JSON.parse(stale ?? "null");
				};
			},
		});
		// Clear the edge copy so the racing read goes to KV.
		await caches.default.delete(new Request(`${ORIGIN}/api/campaigns/${id}`));
		await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the in-memory copy's second
		const racing = callWorker(new Request(`${ORIGIN}/api/campaigns/${id}`), { TOTALS: lateKv as KVNamespace });
		await new Promise((resolve) => setTimeout(resolve, 50));
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 500 }));
		release();
		const raced = (await (await racing).json()) as { total: number };
		expect(raced.total).toBe(1_500);
		for (let i = 0; i < 3; i++) expect((await publicTotals(id)).total).toBe(1_500);
	});
});

describe("a garbage Access JWT is unauthorized, not an outage", () => {
	it("answers 401 for a token whose header decodes to null, a number or no key id", async () => {
		for (const header of ["null", "42", '"x"', '{"alg":"RS256"}', "[]"]) {
			const jwt = `${btoa(header).replace(/=+$/, "")}.e30.c2ln`;
			const res = await fetchWorker("/api/admin/campaigns", { headers: { "Cf-Access-Jwt-Assertion": jwt } });
			expect([header, res.status]).toEqual([header, 401]);
		}
	});
});
