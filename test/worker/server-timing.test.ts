// What `npm run bench` reads to profile the write and read paths: the
// Server-Timing header of webhook deliveries and totals reads, and the ceiling
// route (POST /healthz) it compares deliveries with.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { snapshotKey } from "../../src/campaigns/keys";
import { purgeTotals } from "../../src/campaigns/public-cache";
import { checkoutSessionCompleted, signedDelivery } from "../stripe/events";
import { createCampaign, fetchWorker, ORIGIN, uniqueCampaign } from "./support/campaigns";
import { deliver, WEBHOOK_SECRET } from "./support/webhooks";

/** The phases of a Server-Timing header, in ms. */
function phasesOf(res: Response): Record<string, number> {
	const phases: Record<string, number> = {};
	for (const part of (res.headers.get("Server-Timing") ?? "").split(",")) {
		const match = /^\s*([\w-]+);dur=([\d.]+)\s*$/.exec(part);
		if (match) phases[match[1] as string] = Number(match[2]);
	}
	return phases;
}

describe("Server-Timing on webhook deliveries", () => {
	it("names every phase of a recorded gift, the ledger's own among them", async () => {
		const id = uniqueCampaign("st");
		await createCampaign(id);
		const res = await deliver(checkoutSessionCompleted({ campaign: id, amount: 1_500 }));
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ outcome: "recorded" });
		const phases = phasesOf(res);
		for (const phase of ["body", "signature", "plan", "attribution", "registry", "ledger", "ensure", "transaction", "purge", "total"]) {
			expect(phases[phase], phase).toBeGreaterThanOrEqual(0);
		}
		expect(phases.total).toBeGreaterThanOrEqual(phases.ledger ?? Number.NaN);
	});

	it("is not sent with a rejected delivery", async () => {
		const event = checkoutSessionCompleted({ campaign: "main", amount: 100 });
		const { body, headers } = await signedDelivery(event, `${WEBHOOK_SECRET}x`);
		const res = await fetchWorker("/api/stripe/webhook", { method: "POST", body, headers });
		expect(res.status).toBe(400);
		expect(res.headers.get("Server-Timing")).toBeNull();
	});
});

describe("Server-Timing on totals reads", () => {
	it("says which source answered: the ledger on a KV miss, then memory (memo)", async () => {
		const id = uniqueCampaign("st");
		await createCampaign(id);
		await env.TOTALS.delete(snapshotKey(id));
		await purgeTotals(ORIGIN, id);
		const first = await fetchWorker(`/api/campaigns/${id}`);
		expect(first.status).toBe(200);
		expect(Object.keys(phasesOf(first))).toEqual(expect.arrayContaining(["cache", "kv", "ledger", "total"]));
		const second = await fetchWorker(`/api/campaigns/${id}`);
		expect(Object.keys(phasesOf(second)).sort()).toEqual(["memo", "total"]);
	});
});

describe("POST /healthz (the bench's ceiling for deliveries)", () => {
	it("reads the body and answers its size, behind the webhook's body limit", async () => {
		const body = JSON.stringify({ text: "é".repeat(1_000) });
		const res = await fetchWorker("/healthz", { method: "POST", body, headers: { "Content-Type": "application/json" } });
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ ok: true, bytes: new TextEncoder().encode(body).byteLength });
		const tooLarge = await fetchWorker("/healthz", { method: "POST", body: "x".repeat(512 * 1024 + 1) });
		expect(tooLarge.status).toBe(413);
		expect(await tooLarge.json()).toMatchObject({ error: { code: "payload_too_large" } });
		expect(await (await fetchWorker("/healthz")).json()).toEqual({ ok: true });
	});
});
