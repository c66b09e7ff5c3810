// POST /api/campaigns/:id/checkout against the Stripe double: the exact
// parameters we send, validation, idempotency, redirects and failures.

import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import app from "../../src/index";
import { injectFault, recordedRequests } from "../stripe/control";
import { CAMPAIGN_KEY, PAGE_KEY } from "../stripe/objects";
import { createCampaign, fetchWorker, ORIGIN, uniqueCampaign } from "./support/campaigns";

const DOUBLE = env.STRIPE_API_URL;
// Each request from its own address, so the rate limiter only bites where a test wants it.
const clientIp = () => `198.51.100.${crypto.randomUUID()}`;

function checkout(campaign: string, body: unknown, headers: Record<string, string> = {}) {
	return fetchWorker(`/api/campaigns/${campaign}/checkout`, {
		method: "POST",
		body: typeof body === "string" ? body : JSON.stringify(body),
		headers: { "content-type": "application/json", "cf-connecting-ip": clientIp(), ...headers },
	});
}

describe("POST /api/campaigns/:id/checkout", () => {
	it("creates a one-time donation session with the exact parameters", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const res = await checkout(
			id,
			{
				amount: 2_500,
				interval: "once",
				returnUrl: "https://publisher.example/news/story?x=1#c",
				page: "https://publisher.example/news/story?utm=1",
			},
			{ "Idempotency-Key": "click-0001-abcdef" },
		);
		expect(res.status).toBe(200);
		expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
		const body = (await res.json()) as { id: string; url: string };
		expect(body.id).toMatch(/^cs_test_/);
		expect(body.url).toBe(`${DOUBLE}/c/pay/${body.id}`);
		const [sent, ...more] = await recordedRequests(DOUBLE, { path: "/v1/checkout/sessions", method: "POST", campaign: id });
		expect(more).toEqual([]);
		const page = "https://publisher.example/news/story";
		expect(sent?.params).toEqual({
			mode: "payment",
			submit_type: "donate",
			line_items: [
				{
					quantity: "1",
					price_data: { currency: "usd", unit_amount: "2500", product_data: { name: expect.stringContaining("Do you like") } },
				},
			],
			metadata: { [CAMPAIGN_KEY]: id, [PAGE_KEY]: page },
			payment_intent_data: { metadata: { [CAMPAIGN_KEY]: id, [PAGE_KEY]: page } },
			success_url: "https://publisher.example/news/story?x=1&donation=success&session_id={CHECKOUT_SESSION_ID}",
			cancel_url: "https://publisher.example/news/story?x=1&donation=cancelled",
		});
		expect(sent?.headers.idempotencyKey).toBe(`checkout:${id}:click-0001-abcdef`);
	});

	it("creates a monthly gift as a subscription with recurring price data", async () => {
		const id = uniqueCampaign();
		await createCampaign(id, { currency: "eur" });
		const res = await checkout(id, { amount: 1_000, interval: "month" });
		expect(res.status).toBe(200);
		const [sent] = await recordedRequests(DOUBLE, { path: "/v1/checkout/sessions", method: "POST", campaign: id });
		expect(sent?.params).toMatchObject({
			mode: "subscription",
			line_items: [{ price_data: { currency: "eur", unit_amount: "1000", recurring: { interval: "month" } } }],
			subscription_data: { metadata: { [CAMPAIGN_KEY]: id } },
		});
		expect(sent?.params).not.toHaveProperty("submit_type");
		expect(sent?.params).not.toHaveProperty("payment_intent_data");
		// No return URL given: the worker's own pages.
		expect(sent?.params.success_url).toBe(`${ORIGIN}/thanks?campaign=${id}&session_id={CHECKOUT_SESSION_ID}`);
		expect(sent?.headers.idempotencyKey).toMatch(new RegExp(`^checkout:${id}:[0-9a-f-]{36}$`));
	});

	it("makes one session for a double click with the same Idempotency-Key", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const headers = { "Idempotency-Key": `dbl-${crypto.randomUUID()}` };
		const [a, b] = await Promise.all([checkout(id, { amount: 500 }, headers), checkout(id, { amount: 500 }, headers)]);
		const [first, second] = [(await a.json()) as { id: string }, (await b.json()) as { id: string }];
		expect(first.id).toBe(second.id);
	});

	it("never redirects to an origin outside ALLOWED_ORIGINS", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		for (const returnUrl of ["https://evil.example/phish", "javascript:alert(1)", "//evil.example", "not a url"]) {
			expect((await checkout(id, { amount: 500, returnUrl })).status).toBe(200);
		}
		const sent = await recordedRequests(DOUBLE, { path: "/v1/checkout/sessions", method: "POST", campaign: id });
		expect(sent).toHaveLength(4);
		for (const request of sent) {
			expect(String(request.params.success_url).startsWith(`${ORIGIN}/thanks?`)).toBe(true);
			expect(String(request.params.cancel_url).startsWith(`${ORIGIN}/donate/${id}`)).toBe(true);
		}
	});

	it("answers a plain form post with 303 to Checkout", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const res = await fetchWorker(`/api/campaigns/${id}/checkout`, {
			method: "POST",
			body: new URLSearchParams({ amount: "1000", interval: "once" }),
			headers: { "cf-connecting-ip": clientIp() },
			redirect: "manual",
		});
		expect(res.status).toBe(303);
		expect(res.headers.get("Location")).toMatch(new RegExp(`^${DOUBLE}/c/pay/cs_test_`));
	});

	it("answers a donor's failed form post with a page to read (same status), and API clients with JSON", async () => {
		const id = uniqueCampaign();
		await createCampaign(id, { minAmount: 300, maxAmount: 50_000 });
		const post = (accept: string) =>
			fetchWorker(`/api/campaigns/${id}/checkout`, {
				method: "POST",
				body: new URLSearchParams({ amount: "100", interval: "once" }),
				headers: { "cf-connecting-ip": clientIp(), Accept: accept, Referer: `${ORIGIN}/donate/${id}` },
				redirect: "manual",
			});
		const page = await post("text/html,application/xhtml+xml,*/*;q=0.8");
		expect(page.status).toBe(400);
		expect(page.headers.get("Content-Type")).toMatch(/^text\/html/);
		const html = await page.text();
		expect(html).toContain("Your gift could not start");
		expect(html).toContain("amount_out_of_range");
		expect(html).toContain(`<a href="${ORIGIN}/donate/${id}">Back</a>`);
		const api = await post("application/json");
		expect([api.status, ((await api.json()) as { error: { code: string } }).error.code]).toEqual([400, "amount_out_of_range"]);
		expect(await recordedRequests(DOUBLE, { path: "/v1/checkout/sessions", method: "POST", campaign: id })).toHaveLength(0);
	});

	it("rejects bad input with a JSON error and sends nothing to Stripe", async () => {
		const id = uniqueCampaign();
		await createCampaign(id, { minAmount: 300, maxAmount: 50_000 });
		const cases: [unknown, number, string][] = [
			[{ amount: 299 }, 400, "amount_out_of_range"],
			[{ amount: 50_001 }, 400, "amount_out_of_range"],
			[{ amount: -500 }, 400, "invalid_request"],
			[{ amount: 12.5 }, 400, "invalid_request"],
			[{ amount: "1e400" }, 400, "invalid_request"],
			[{ amount: "500" }, 400, "invalid_request"],
			[{ amount: 1e308 * 10 }, 400, "invalid_request"],
			[{ amount: null }, 400, "invalid_request"],
			[{}, 400, "invalid_request"],
			[{ amount: 500, interval: "weekly" }, 400, "invalid_request"],
			[[500], 400, "invalid_request"],
			["{not json", 400, "invalid_json"],
		];
		for (const [body, status, code] of cases) {
			const res = await checkout(id, body);
			expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), status]);
			expect(await res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
		}
		const text = await checkout(id, "amount=500", { "content-type": "text/plain" });
		expect(text.status).toBe(415);
		const huge = await checkout(id, { amount: 500, page: "x".repeat(20_000) });
		expect(huge.status).toBe(413);
		const unknown = await checkout(uniqueCampaign("ghost"), { amount: 500 });
		expect(unknown.status).toBe(404);
		expect(await recordedRequests(DOUBLE, { path: "/v1/checkout/sessions", campaign: id })).toEqual([]);
	});

	it("answers 502 without leaking anything when Stripe fails", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		await injectFault(DOUBLE, { path: "/v1/checkout/sessions", method: "POST", status: 500, times: 5, campaign: id });
		const res = await checkout(id, { amount: 500 });
		expect(res.status).toBe(502);
		const text = await res.text();
		expect(JSON.parse(text)).toMatchObject({ error: { code: "stripe_error" } });
		expect(text).not.toMatch(/sk_test|stack|at \w+ \(/);
	});

	it("answers 503 saying what to set when no Stripe key is configured", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const ctx = createExecutionContext();
		const res = await app.fetch(
			new Request(`${ORIGIN}/api/campaigns/${id}/checkout`, {
				method: "POST",
				body: JSON.stringify({ amount: 500 }),
				headers: { "content-type": "application/json" },
			}),
			{ ...env, STRIPE_SECRET_KEY: undefined },
			ctx,
		);
		await waitOnExecutionContext(ctx);
		expect(res.status).toBe(503);
		expect(await res.json()).toMatchObject({
			error: { code: "stripe_not_configured", message: expect.stringContaining("STRIPE_SECRET_KEY") },
		});
	});

	it("rate limits session creation per client with 429", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const ip = `203.0.113.${Math.floor(Math.random() * 250)}-${crypto.randomUUID()}`;
		const statuses: number[] = [];
		for (let i = 0; i < 14; i++) statuses.push((await checkout(id, { amount: 500 }, { "cf-connecting-ip": ip })).status);
		expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
		expect(statuses).toContain(429);
		// Another reader is not affected.
		expect((await checkout(id, { amount: 500 })).status).toBe(200);
	});

	it("answers CORS preflights for any publisher origin", async () => {
		const res = await fetchWorker("/api/campaigns/main/checkout", {
			method: "OPTIONS",
			headers: {
				Origin: "https://any-publisher.example",
				"Access-Control-Request-Method": "POST",
				"Access-Control-Request-Headers": "content-type,idempotency-key",
			},
		});
		expect(res.status).toBe(204);
		expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
		expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
		expect(res.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("idempotency-key");
	});
});
