import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { snapshotKey } from "../../src/campaigns/keys";
import { purgeTotals } from "../../src/campaigns/public-cache";
import { createCampaign, donation, entry, fetchWorker, ledgerOf, ORIGIN, publicTotals, uniqueCampaign } from "./support/campaigns";

describe("GET /api/campaigns/:id", () => {
	it("answers the default campaign with no admin action", async () => {
		const res = await fetchWorker("/api/campaigns/main");
		expect(res.status).toBe(200);
		expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
		expect(res.headers.get("Cache-Control")).toMatch(/public, max-age=\d+/);
		const body = await res.json();
		expect(body).toMatchObject({
			id: "main",
			title: "Do you like this content? Consider helping us!",
			currency: "usd",
			goals: [250_000, 500_000],
			total: 0,
			donations: 0,
			amounts: [500, 1_000, 2_500, 5_000],
			period: { id: 1 },
		});
		expect(Date.parse((body as { updatedAt: string }).updatedAt)).not.toBeNaN();
	});

	it("answers 404 with a JSON error for an unknown campaign", async () => {
		const res = await fetchWorker(`/api/campaigns/${uniqueCampaign("nope")}`);
		expect(res.status).toBe(404);
		expect(res.headers.get("Content-Type")).toMatch(/application\/json/);
		expect(await res.json()).toEqual({ error: { code: "campaign_not_found", message: expect.any(String) } });
	});

	it("rejects a malformed campaign id with 400", async () => {
		const res = await fetchWorker(`/api/campaigns/${encodeURIComponent("Bad Id!")}`);
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ error: { code: "invalid_campaign_id" } });
	});

	it("falls back to the ledger on a KV miss and backfills KV", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		await ledgerOf(id).record(id, entry(donation(4_200)));
		await env.TOTALS.delete(snapshotKey(id));
		await purgeTotals(ORIGIN, id);
		expect(await env.TOTALS.get(snapshotKey(id))).toBeNull();
		expect((await publicTotals(id)).total).toBe(4_200);
		const backfilled = await env.TOTALS.get<{ total: number }>(snapshotKey(id), "json");
		expect(backfilled?.total).toBe(4_200);
	});

	it("serves repeated reads from the edge cache, ignoring query strings", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		expect((await publicTotals(id)).total).toBe(0);
		// cache.put runs in waitUntil: wait until the copy has landed.
		const key = `${ORIGIN}/api/campaigns/${id}`;
		for (let i = 0; i < 40 && !(await caches.default.match(key)); i++) await new Promise((ok) => setTimeout(ok, 25));
		// Change KV behind the cache's back: a cached read must not see it.
		const changed = { ...(await env.TOTALS.get<object>(snapshotKey(id), "json")), total: 123 };
		await env.TOTALS.put(snapshotKey(id), JSON.stringify(changed));
		const res = await fetchWorker(`/api/campaigns/${id}?bust=${Math.random()}`);
		expect(((await res.json()) as { total: number }).total).toBe(0);
		await purgeTotals(ORIGIN, id);
		expect((await publicTotals(id)).total).toBe(123);
	});

	it("answers unknown routes with a JSON 404", async () => {
		const res = await fetchWorker("/no/such/route");
		expect(res.status).toBe(404);
		expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
	});
});
