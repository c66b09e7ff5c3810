// CORS and security headers: public routes open to any origin without
// credentials, admin and webhook closed to browsers from elsewhere, nosniff
// everywhere, a strict CSP on the worker's own pages. The static assets
// (widget.js, admin.js, site.css) never reach the worker, nor this test's
// exports.default.fetch: test/deploy/assets.test.ts checks their headers
// against `wrangler dev`.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createCampaign, fetchWorker, uniqueCampaign } from "./support/campaigns";
import { ADMIN_AUTH } from "./support/fuzz";

/** A publisher's page (in ALLOWED_ORIGINS): readers' browsers call the API from there. */
const READER = "https://publisher.example";
const ADMIN_PATHS: [string, string][] = [
	["GET", "/api/admin/campaigns"],
	["PUT", "/api/admin/campaigns/main"],
	["POST", "/api/admin/campaigns/main/reset"],
	["GET", "/api/admin/campaigns/main/periods"],
	["GET", "/api/admin/campaigns/main/pages"],
	["GET", "/api/admin/campaigns/main/audit"],
	["GET", "/api/admin/campaigns/main/donations?format=csv"],
	["POST", "/api/admin/campaigns/main/resync"],
];
const PAGES = ["/", "/thanks", "/donate/main", "/admin"];

const campaign = uniqueCampaign("hdr");
let ip = 0;
const freshIp = () => `192.0.2.${++ip}-${crypto.randomUUID()}`;

function checkout(body: BodyInit, type: string | null, extra: Record<string, string> = {}) {
	const headers: Record<string, string> = { Origin: READER, "cf-connecting-ip": freshIp(), ...extra };
	if (type) headers["Content-Type"] = type;
	return fetchWorker(`/api/campaigns/${campaign}/checkout`, { method: "POST", headers, body, redirect: "manual" });
}

function preflight(path: string, method: string, requestHeaders = "content-type") {
	return fetchWorker(path, {
		method: "OPTIONS",
		headers: { Origin: READER, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": requestHeaders },
	});
}

function corsOf(res: Response) {
	return {
		allowOrigin: res.headers.get("Access-Control-Allow-Origin"),
		allowCredentials: res.headers.get("Access-Control-Allow-Credentials"),
		allowMethods: res.headers.get("Access-Control-Allow-Methods"),
		allowHeaders: res.headers.get("Access-Control-Allow-Headers"),
	};
}

/** Parses a CSP header into directive -> sources. */
function parseCsp(header: string): Map<string, string[]> {
	const directives = new Map<string, string[]>();
	for (const part of header.split(";")) {
		const [name, ...sources] = part.trim().split(/\s+/);
		if (name) directives.set(name.toLowerCase(), sources);
	}
	return directives;
}

beforeAll(async () => {
	await createCampaign(campaign);
});

describe("CORS on the public routes", () => {
	it("allows any origin, without credentials, on answers and errors alike", async () => {
		const answers: [string, Response][] = [
			["GET totals", await fetchWorker(`/api/campaigns/${campaign}`, { headers: { Origin: READER } })],
			["GET totals of main", await fetchWorker("/api/campaigns/main", { headers: { Origin: READER } })],
			["GET unknown campaign", await fetchWorker(`/api/campaigns/${uniqueCampaign("nope")}`, { headers: { Origin: READER } })],
			["GET bad id", await fetchWorker("/api/campaigns/Bad%20Id", { headers: { Origin: READER } })],
			["checkout", await checkout(JSON.stringify({ amount: 500 }), "application/json")],
			["checkout form", await checkout("amount=500", "application/x-www-form-urlencoded")],
			["checkout 400", await checkout(JSON.stringify({ amount: -1 }), "application/json")],
			["checkout 413", await checkout(JSON.stringify({ amount: 500, page: "x".repeat(9_000) }), "application/json")],
			["checkout 415", await checkout("amount=500", "text/plain")],
			[
				"checkout 404",
				await fetchWorker(`/api/campaigns/${uniqueCampaign("nope")}/checkout`, {
					method: "POST",
					headers: { Origin: READER, "Content-Type": "application/json" },
					body: '{"amount":500}',
				}),
			],
		];
		const statuses = answers.map(([name, res]) => [name, res.status]);
		expect(statuses).toEqual([
			["GET totals", 200],
			["GET totals of main", 200],
			["GET unknown campaign", 404],
			["GET bad id", 400],
			["checkout", 200],
			["checkout form", 303],
			["checkout 400", 400],
			["checkout 413", 413],
			["checkout 415", 415],
			["checkout 404", 404],
		]);
		for (const [name, res] of answers) {
			expect([name, corsOf(res).allowOrigin, corsOf(res).allowCredentials]).toEqual([name, "*", null]);
		}
	});

	it("answers preflights for the totals and checkout from any origin, without credentials", async () => {
		for (const [path, method] of [
			[`/api/campaigns/${campaign}`, "GET"],
			[`/api/campaigns/${campaign}/checkout`, "POST"],
		] as const) {
			const res = await preflight(path, method, "content-type,idempotency-key");
			expect([path, res.status]).toEqual([path, 204]);
			const cors = corsOf(res);
			expect(cors.allowOrigin).toBe("*");
			expect(cors.allowCredentials).toBeNull();
			expect(cors.allowMethods?.split(",").map((m) => m.trim())).toContain(method);
			expect(cors.allowHeaders?.toLowerCase()).toContain("content-type");
			// Nothing that would make an admin call possible from a page.
			expect(cors.allowHeaders?.toLowerCase()).not.toContain("authorization");
		}
	});
});

describe("no CORS on the admin API and the webhook", () => {
	it("grants nothing to a preflight from another origin", async () => {
		for (const [method, path] of [...ADMIN_PATHS, ["POST", "/api/stripe/webhook"] as [string, string]]) {
			const res = await preflight(path, method, "authorization,content-type,stripe-signature");
			expect([path, res.status]).not.toEqual([path, 204]);
			expect([path, corsOf(res)]).toEqual([path, { allowOrigin: null, allowCredentials: null, allowMethods: null, allowHeaders: null }]);
		}
	});

	it("grants nothing on the real requests either, authorized or not", async () => {
		for (const [method, path] of ADMIN_PATHS.filter(([m]) => m === "GET")) {
			for (const headers of [{ Origin: READER, ...ADMIN_AUTH }, { Origin: READER }]) {
				const res = await fetchWorker(path, { method, headers });
				expect([path, corsOf(res).allowOrigin, corsOf(res).allowCredentials]).toEqual([path, null, null]);
			}
		}
		const webhook = await fetchWorker("/api/stripe/webhook", {
			method: "POST",
			headers: { Origin: READER, "Stripe-Signature": "t=1,v1=00", "Content-Type": "application/json" },
			body: "{}",
		});
		expect(webhook.status).toBe(400);
		expect(corsOf(webhook).allowOrigin).toBeNull();
		const page = await fetchWorker("/admin", { headers: { Origin: READER } });
		expect(corsOf(page).allowOrigin).toBeNull();
	});
});

describe("security headers", () => {
	it("sends X-Content-Type-Options: nosniff on every kind of answer", async () => {
		const requests: [string, RequestInit?][] = [
			["/"],
			["/thanks"],
			["/donate/main"],
			[`/donate/${uniqueCampaign("nope")}`],
			["/admin"],
			["/healthz"],
			["/api/campaigns/main"],
			["/api/campaigns/main"],
			["/api/campaigns/BAD"],
			[`/api/campaigns/${campaign}/checkout`, { method: "OPTIONS", headers: { Origin: READER, "Access-Control-Request-Method": "POST" } }],
			[`/api/campaigns/${campaign}/checkout`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "x" }],
			[`/api/campaigns/${campaign}/checkout`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "x".repeat(9_000) }],
			["/api/stripe/webhook", { method: "POST", body: "{}" }],
			["/api/admin/campaigns"],
			["/api/admin/campaigns", { headers: ADMIN_AUTH }],
			["/api/admin/campaigns/main/donations?format=csv", { headers: ADMIN_AUTH }],
			["/api/admin/campaigns/main", { method: "PUT", headers: { ...ADMIN_AUTH, "Content-Type": "text/plain" }, body: "x" }],
			["/no/such/route"],
		];
		const missing: string[] = [];
		for (const [path, init] of requests) {
			const res = await fetchWorker(path, { redirect: "manual", ...init });
			await res.arrayBuffer();
			if (res.headers.get("X-Content-Type-Options") !== "nosniff") missing.push(`${init?.method ?? "GET"} ${path} ${res.status}`);
		}
		expect(missing).toEqual([]);
	});

	it("serves the worker's own pages under a strict CSP that they actually keep", async () => {
		expect(env.ADMIN_TOKEN).toBeTruthy();
		for (const path of PAGES) {
			const res = await fetchWorker(path);
			expect([path, res.status]).toEqual([path, 200]);
			expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
			const header = res.headers.get("Content-Security-Policy") ?? "";
			const csp = parseCsp(header);
			expect(header).not.toMatch(/'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'|'wasm-unsafe-eval'/);
			expect([path, csp.get("frame-ancestors")]).toEqual([path, ["'none'"]]);
			expect(csp.get("default-src")).toEqual(["'none'"]);
			const scripts = csp.get("script-src") ?? [];
			expect(scripts.filter((s) => s === "*" || s.endsWith(":") || s.includes("*"))).toEqual([]);
			expect(csp.get("object-src") ?? csp.get("default-src")).toEqual(["'none'"]);
			expect(csp.get("base-uri")).toEqual(["'none'"]);
			expect(res.headers.get("X-Frame-Options")).toBe("DENY");
			// The pages keep their own policy: no inline script, style or handler.
			const html = await res.text();
			const inlineScripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].filter(
				([, attrs, body]) => !/\bsrc=/.test(attrs ?? "") || (body ?? "").trim() !== "",
			);
			expect([path, inlineScripts.map(([tag]) => tag)]).toEqual([path, []]);
			expect([path, html.match(/<style\b|\sstyle=|\son[a-z]+=|javascript:/gi)]).toEqual([path, null]);
		}
	});
});
