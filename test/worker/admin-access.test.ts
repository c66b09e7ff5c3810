// Cloudflare Access as the second way into the admin API: a JWT in the
// Cf-Access-Jwt-Assertion header, checked against the team's signing keys
// (served by the stand-in in test/support/access.ts) and the application's AUD.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import app from "../../src/index";
import { ACCESS_KID, accessJwt, generateAccessKeys } from "../support/access";
import { createCampaign, fetchWorker, ORIGIN, publicTotals, uniqueCampaign } from "./support/campaigns";

const KEY = inject("accessPrivateJwk");

function viaAccess(path: string, jwt: string, init: RequestInit = {}) {
	const headers = new Headers(init.headers);
	headers.set("Cf-Access-Jwt-Assertion", jwt);
	return fetchWorker(`/api/admin${path}`, { ...init, headers });
}

describe("admin auth through Cloudflare Access", () => {
	it("lets a valid Access JWT in, and writes its identity into the audit log", async () => {
		const id = uniqueCampaign("acc");
		await createCampaign(id);
		const jwt = await accessJwt(KEY, { email: "editor@news.example" });
		expect((await viaAccess("/campaigns", jwt)).status).toBe(200);
		const put = await viaAccess(`/campaigns/${id}`, jwt, {
			method: "PUT",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ title: "Help the newsroom" }),
		});
		expect(put.status).toBe(200);
		const audit = (await (await viaAccess(`/campaigns/${id}/audit`, jwt)).json()) as { entries: { action: string; actor: string }[] };
		expect(audit.entries[0]).toMatchObject({ action: "update", actor: "access:editor@news.example" });
	});

	it("answers 401 JSON and changes nothing for tokens Access did not issue for this application", async () => {
		const other = await generateAccessKeys();
		const now = Math.floor(Date.now() / 1000);
		const cases: [string, string][] = [
			["another audience", await accessJwt(KEY, { aud: ["someone-elses-app"] })],
			["another team", await accessJwt(KEY, { iss: "https://evil.cloudflareaccess.com" })],
			["expired", await accessJwt(KEY, { exp: now - 3600 })],
			["not yet valid", await accessJwt(KEY, { nbf: now + 3600 })],
			["signed by another key", await accessJwt(other.privateJwk)],
			["another key under our kid", await accessJwt(other.privateJwk, {}, { kid: ACCESS_KID })],
			[
				"alg none",
				`${btoa(JSON.stringify({ alg: "none", kid: ACCESS_KID })).replace(/=+$/, "")}.${btoa(JSON.stringify({ aud: ["x"] })).replace(/=+$/, "")}.`,
			],
			["garbage", "not-a-jwt"],
		];
		for (const [name, jwt] of cases) {
			const res = await viaAccess("/campaigns/main", jwt, {
				method: "PUT",
				headers: { "Content-Type": "application/json" },
				body: JSON.stringify({ title: "hacked" }),
			});
			expect([name, res.status, res.headers.get("Content-Type")]).toEqual([name, 401, "application/json"]);
			expect(await res.json()).toMatchObject({ error: { code: "unauthorized" } });
		}
		expect((await publicTotals("main")).title).not.toBe("hacked");
	});

	it("ignores the CF_Authorization cookie (a cookie rides along on cross-site requests)", async () => {
		const jwt = await accessJwt(KEY);
		const res = await fetchWorker("/api/admin/campaigns", { headers: { Cookie: `CF_Authorization=${jwt}` } });
		expect(res.status).toBe(401);
	});

	it("answers 503 JSON when Access's signing keys cannot be fetched", async () => {
		const ctx = createExecutionContext();
		const request = new Request(`${ORIGIN}/api/admin/campaigns`, { headers: { "Cf-Access-Jwt-Assertion": await accessJwt(KEY) } });
		const res = await app.fetch(request, { ...env, ACCESS_TEAM: "no-such-team" }, ctx);
		await waitOnExecutionContext(ctx);
		expect(res.status).toBe(503);
		expect(await res.json()).toMatchObject({ error: { code: "access_unavailable" } });
	});

	it("still takes the bearer token, and Access alone is enough when no token is set", async () => {
		expect((await fetchWorker("/api/admin/campaigns", { headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` } })).status).toBe(200);
		const ctx = createExecutionContext();
		const request = new Request(`${ORIGIN}/api/admin/campaigns`, { headers: { "Cf-Access-Jwt-Assertion": await accessJwt(KEY) } });
		const res = await app.fetch(request, { ...env, ADMIN_TOKEN: undefined }, ctx);
		await waitOnExecutionContext(ctx);
		expect(res.status).toBe(200);
		const ctx2 = createExecutionContext();
		const bearer = new Request(`${ORIGIN}/api/admin/campaigns`, { headers: { Authorization: "Bearer anything" } });
		const refused = await app.fetch(bearer, { ...env, ADMIN_TOKEN: undefined }, ctx2);
		await waitOnExecutionContext(ctx2);
		expect(refused.status).toBe(401);
		expect(await refused.json()).toMatchObject({ error: { code: "unauthorized", message: "Sign in through Cloudflare Access." } });
	});
});
