// GET /api/admin/config: which secrets and vars are set (never their values),
// what the worker needs from its Stripe webhook endpoint, and Stripe's
// endpoints for this worker held against it. Each test asks from its own host,
// so endpoints that other test files make in the shared Stripe double never
// match this worker's webhook URL.
import { env, exports } from "cloudflare:workers";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import type { ConfigReport } from "../../src/routes/admin-config";
import { HANDLED_EVENTS } from "../../src/stripe/handled-events";
import { injectFault } from "../stripe/control.ts";
import { ADMIN_AUTH } from "./support/fuzz";

const stripe = (() => {
	const url = new URL(env.STRIPE_API_URL);
	return new Stripe("sk_test_double", {
		httpClient: Stripe.createFetchHttpClient(),
		protocol: url.protocol === "http:" ? "http" : "https",
		host: url.hostname,
		port: Number(url.port),
	});
})();

const freshOrigin = () => `https://config-${crypto.randomUUID().slice(0, 8)}.example`;

async function config(origin: string, headers: Record<string, string> = ADMIN_AUTH): Promise<{ status: number; text: string }> {
	const res = await exports.default.fetch(new Request(`${origin}/api/admin/config`, { headers }));
	return { status: res.status, text: await res.text() };
}

async function report(origin: string): Promise<ConfigReport> {
	const { status, text } = await config(origin);
	expect(status, text).toBe(200);
	return JSON.parse(text) as ConfigReport;
}

describe("GET /api/admin/config", () => {
	it("is closed without the admin token, in our error shape", async () => {
		for (const headers of [{}, { Authorization: "Bearer wrong-token" }] as Record<string, string>[]) {
			const { status, text } = await config(freshOrigin(), headers);
			expect(status).toBe(401);
			expect(JSON.parse(text)).toMatchObject({ error: { code: "unauthorized", message: expect.any(String) } });
		}
	});

	it("says which secrets and vars are set, never their values", async () => {
		const origin = freshOrigin();
		const { status, text } = await config(origin);
		expect(status).toBe(200);
		for (const value of [env.STRIPE_SECRET_KEY, env.STRIPE_WEBHOOK_SECRET, env.ADMIN_TOKEN, env.ALLOWED_ORIGINS, env.STRIPE_API_URL]) {
			expect(value && text.includes(value)).toBeFalsy();
		}
		const body = JSON.parse(text) as ConfigReport;
		expect(body.webhook).toEqual({ url: `${origin}/api/stripe/webhook`, events: [...HANDLED_EVENTS], apiVersion: Stripe.API_VERSION });
		expect(body.webhook.apiVersion).toBe("2026-10-28.endive");
		expect(body.secrets).toEqual({
			STRIPE_SECRET_KEY: { set: true, example: false, mode: "test" },
			STRIPE_WEBHOOK_SECRET: { set: true, example: false, looksLikeSigningSecret: true },
			ADMIN_TOKEN: { set: true, example: false, safe: true },
		});
		expect(body.vars).toEqual({
			ALLOWED_ORIGINS: { set: true, localOnly: false },
			DEFAULT_CAMPAIGN: { set: true },
			STRIPE_API_URL: { set: true },
			ACCESS_TEAM: { set: true },
			ACCESS_AUD: { set: true },
			STRIPE_PORTAL_LOGIN_URL: { set: false },
		});
		expect(body.stripe).toEqual({ checked: true, endpoints: [], elsewhere: expect.any(Array), portal: expect.any(Array) });
	});

	it("holds each Stripe endpoint for this worker's webhook URL against what the worker handles", async () => {
		const origin = freshOrigin();
		const url = `${origin}/api/stripe/webhook`;
		const right = await stripe.webhookEndpoints.create({ url, enabled_events: [...HANDLED_EVENTS], api_version: Stripe.API_VERSION });
		const wrong = await stripe.webhookEndpoints.create({
			url,
			enabled_events: ["checkout.session.completed", "customer.created"],
			api_version: "2025-03-31.basil",
		});
		const everything = await stripe.webhookEndpoints.create({ url, enabled_events: ["*"], api_version: Stripe.API_VERSION });
		await stripe.webhookEndpoints.update(everything.id, { disabled: true });
		const elsewhere = await stripe.webhookEndpoints.create({
			url: `${freshOrigin()}/api/stripe/webhook`,
			enabled_events: [...HANDLED_EVENTS],
			api_version: Stripe.API_VERSION,
		});
		try {
			const body = await report(origin);
			if (!body.stripe.checked) throw new Error(JSON.stringify(body.stripe));
			const byId = new Map(body.stripe.endpoints.map((e) => [e.id, e]));
			expect(byId.size).toBe(3);
			expect(byId.get(right.id)).toEqual({
				id: right.id,
				url,
				status: "enabled",
				apiVersion: Stripe.API_VERSION,
				urlMatches: true,
				enabled: true,
				missingEvents: [],
				extraEvents: [],
				eventsMatch: true,
				apiVersionMatches: true,
				ok: true,
			});
			expect(byId.get(wrong.id)).toMatchObject({
				apiVersion: "2025-03-31.basil",
				missingEvents: HANDLED_EVENTS.filter((type) => type !== "checkout.session.completed"),
				extraEvents: ["customer.created"],
				eventsMatch: false,
				apiVersionMatches: false,
				ok: false,
			});
			expect(byId.get(everything.id)).toMatchObject({
				status: "disabled",
				enabled: false,
				missingEvents: [],
				extraEvents: ["*"],
				ok: false,
			});
			expect(body.stripe.elsewhere).toContainEqual({ id: elsewhere.id, url: elsewhere.url, status: "enabled" });
			expect(body.stripe.elsewhere.map((e) => e.id)).not.toContain(right.id);
		} finally {
			for (const endpoint of [right, wrong, everything, elsewhere]) await stripe.webhookEndpoints.del(endpoint.id);
		}
	});

	it("reports a key Stripe refuses in our error shape, without the key", async () => {
		await injectFault(env.STRIPE_API_URL, { method: "GET", path: "/v1/billing_portal/configurations", status: 401, times: 1 });
		const { status, text } = await config(freshOrigin());
		expect(status).toBe(200);
		expect(text).not.toContain(env.STRIPE_SECRET_KEY ?? "");
		const body = JSON.parse(text) as ConfigReport;
		expect(body.stripe).toEqual({
			checked: false,
			error: { code: "stripe_key_rejected", message: "Stripe refused STRIPE_SECRET_KEY (authentication failed)." },
		});
		expect(body.secrets.STRIPE_SECRET_KEY.set).toBe(true);
	});
});
