// A/B tests of the ask: settings validation, the variant header on every
// totals read, gifts per variant from Checkout metadata, the admin's report
// with 95 % intervals and a verdict, and ending the test keeping the winner.
import { describe, expect, it } from "vitest";
import { METADATA_KEYS } from "../../src/domain/metadata";
import { checkoutSessionCompleted } from "../stripe/events";
import { createCampaign, fetchWorker, ledgerOf, publicTotals, uniqueCampaign } from "./support/campaigns";
import { adminFetch, settled, widgetLoad } from "./support/funnel";
import { deliverOk } from "./support/webhooks";

const TEST = {
	variants: [
		{ id: "a", title: "Support independent news" },
		{ id: "b", title: "Keep this newsroom open", amounts: [300, 700, 1_500], interval: "month" as const },
	],
	mode: "even" as const,
	epsilon: 0.1,
};

interface VariantLine {
	variant: string;
	loads: number;
	donations: number;
	conversion: number | null;
	interval: { low: number; high: number };
}
interface Funnel {
	variants: VariantLine[];
	verdict: { state: string; leader: string | null; message: string } | null;
}

const put = (id: string, json: unknown) => adminFetch(`/campaigns/${id}`, { method: "PUT", json });

describe("A/B test settings", () => {
	it("accepts 2 to 4 variants and refuses anything else, without changing the campaign", async () => {
		const id = uniqueCampaign("ab");
		await createCampaign(id, { currency: "isk", amounts: [50_000], minAmount: 10_000, maxAmount: 10_000_000 });
		const bad = [
			{ variants: [{ id: "a" }] },
			{ variants: [{ id: "a" }, { id: "b" }, { id: "c" }, { id: "d" }, { id: "e" }] },
			{ variants: [{ id: "a" }, { id: "a" }] },
			{ variants: [{ id: "A" }, { id: "b" }] },
			{ variants: [{ id: "a" }, { id: "b", amounts: [15_050] }] }, // ISK: whole krónur only
			{ variants: [{ id: "a" }, { id: "b", interval: "year" }] },
			{ variants: [{ id: "a" }, { id: "b", colour: "red" }] },
			{ variants: [{ id: "a" }, { id: "b" }], mode: "bandit" },
		];
		for (const test of bad) {
			const res = await put(id, { test });
			expect([JSON.stringify(test), res.status]).toEqual([JSON.stringify(test), 400]);
		}
		expect((await publicTotals(id)).test).toBeUndefined();
		expect((await put(id, { test: { variants: [{ id: "a" }, { id: "b", amounts: [20_000] }] } })).status).toBe(200);
		expect((await publicTotals(id)).test).toEqual({ variants: [{ id: "a" }, { id: "b", amounts: [20_000] }], mode: "even", epsilon: 0.1 });
		expect((await put(id, { test: null })).status).toBe(200);
		expect((await publicTotals(id)).test).toBeUndefined();
	});
});

describe("the variant of each view", () => {
	it("names one of the test's variants on every totals read, and counts loads per variant", async () => {
		const id = uniqueCampaign("ab");
		await createCampaign(id, { test: TEST });
		const seen: Record<string, number> = {};
		for (let i = 0; i < 60; i++) {
			const variant = (await widgetLoad(id, "https://publisher.example/story")) ?? "none";
			seen[variant] = (seen[variant] ?? 0) + 1;
		}
		expect(Object.keys(seen).sort()).toEqual(["a", "b"]);
		await settled(id, 60);
		const funnel = (await (await adminFetch(`/campaigns/${id}/funnel`)).json()) as Funnel;
		expect(funnel.variants.map((v) => [v.variant, v.loads])).toEqual([
			["a", seen.a],
			["b", seen.b],
		]);
		// The body stays the shared one: the variants' definitions, not the choice.
		const res = await fetchWorker(`/api/campaigns/${id}`);
		expect(((await res.json()) as { test: unknown }).test).toMatchObject(TEST);
	});
});

describe("the admin's report and ending a test", () => {
	it("shows each variant's conversion with a 95 % Wilson interval and calls a clear winner", async () => {
		const id = uniqueCampaign("ab");
		await createCampaign(id, { test: TEST });
		const page = "https://publisher.example/story";
		await ledgerOf(id).addFunnel(id, [
			{ page, variant: "a", loads: 400, checkouts: 10 },
			{ page, variant: "b", loads: 400, checkouts: 40 },
		]);
		const early = (await (await adminFetch(`/campaigns/${id}/funnel`)).json()) as Funnel;
		expect(early.verdict?.state).toBe("too_early");
		for (let i = 0; i < 4; i++) await gift(id, "a");
		for (let i = 0; i < 24; i++) await gift(id, "b");
		const funnel = (await (await adminFetch(`/campaigns/${id}/funnel`)).json()) as Funnel;
		const b = funnel.variants.find((v) => v.variant === "b");
		expect(b).toMatchObject({ loads: 400, donations: 24, conversion: 0.06 });
		// Wilson 95 % for 24 of 400: 0.0406 to 0.0879.
		expect(b?.interval.low).toBeCloseTo(0.0406, 3);
		expect(b?.interval.high).toBeCloseTo(0.0879, 3);
		expect(funnel.verdict).toMatchObject({ state: "ahead", leader: "b" });
	});

	it("ends the test keeping the winner's title, amounts and interval, in the audit log", async () => {
		const id = uniqueCampaign("ab");
		await createCampaign(id, { test: TEST });
		expect((await adminFetch(`/campaigns/${id}/test/end`, { method: "POST", json: { keep: "zz" } })).status).toBe(400);
		const res = await adminFetch(`/campaigns/${id}/test/end`, { method: "POST", json: { keep: "b" } });
		expect(res.status).toBe(200);
		const totals = await publicTotals(id);
		expect(totals).toMatchObject({ title: "Keep this newsroom open", amounts: [300, 700, 1_500], interval: "month" });
		expect(totals.test).toBeUndefined();
		expect(await widgetLoad(id, "https://publisher.example/story")).toBeNull();
		const audit = (await (await adminFetch(`/campaigns/${id}/audit`)).json()) as { entries: { action: string; after: unknown }[] };
		expect(audit.entries[0]).toMatchObject({ action: "end_test", after: { kept: "b", title: "Keep this newsroom open" } });
		const again = await adminFetch(`/campaigns/${id}/test/end`, { method: "POST", json: { keep: "b" } });
		expect([again.status, ((await again.json()) as { error: { code: string } }).error.code]).toEqual([409, "no_test"]);
	});
});

async function gift(campaign: string, variant: string) {
	const event = checkoutSessionCompleted({ campaign, amount: 1_000, page: "https://publisher.example/story" });
	(event.data.object as { metadata: Record<string, string> }).metadata[METADATA_KEYS.variant] = variant;
	await deliverOk(event);
}
