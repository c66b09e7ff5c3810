// The funnel end to end inside workerd: loads counted from the totals request
// (?page=), checkouts from the checkout route, gifts from signed webhooks, and
// the admin API's per-article view. Counting is best-effort and bounded, and
// never changes or fails the totals read.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_PAGES_PER_PERIOD } from "../../src/campaigns/ledger/funnel";
import { METADATA_KEYS } from "../../src/domain/metadata";
import { recordedRequests } from "../stripe/control";
import { checkoutSessionCompleted } from "../stripe/events";
import { createCampaign, fetchWorker, ledgerOf, uniqueCampaign } from "./support/campaigns";
import { adminFetch, pagesOf, settled, startCheckout, widgetLoad } from "./support/funnel";
import { deliverOk } from "./support/webhooks";

const A = "https://publisher.example/news/a";
const B = "https://publisher.example/news/b";

/** A paid one-time gift from `page` (and `variant`), as the webhook delivers it. */
async function gift(campaign: string, amount: number, page: string | undefined, variant?: string) {
	const event = checkoutSessionCompleted({ campaign, amount, page });
	const session = event.data.object as { metadata: Record<string, string> };
	if (variant) session.metadata[METADATA_KEYS.variant] = variant;
	await deliverOk(event);
}

describe("the funnel per article", () => {
	it("counts loads from ?page=, checkouts and gifts per article, with conversion = gifts / loads", async () => {
		const id = uniqueCampaign("fun");
		await createCampaign(id);
		for (let i = 0; i < 8; i++) await widgetLoad(id, `${A}?utm_source=x&i=${i}#top`);
		for (let i = 0; i < 4; i++) await widgetLoad(id, B);
		await widgetLoad(id, null); // no article named: not a widget load, not counted
		expect((await startCheckout(id, { page: A })).status).toBe(200);
		expect((await startCheckout(id, { page: A })).status).toBe(200);
		expect((await startCheckout(id, { page: B })).status).toBe(200);
		const { pages, totals } = await settled(id, 12, 3);
		await gift(id, 2_500, A);
		await gift(id, 1_000, B);
		await gift(id, 500, B);
		const after = await pagesOf(id);
		// Best total first, as the list always was.
		expect(after.pages).toEqual([
			{ page: A, loads: 8, checkouts: 2, donations: 1, total: 2_500, conversion: 0.125 },
			{ page: B, loads: 4, checkouts: 1, donations: 2, total: 1_500, conversion: 0.5 },
		]);
		expect(after.totals).toEqual({ loads: 12, checkouts: 3, donations: 3, total: 4_000, conversion: 0.25 });
		expect(pages.map((p) => p.donations)).toEqual([0, 0]);
		expect(totals.donations).toBe(0);
	});

	it("keeps the totals response as it was: same body, same cache key for every article", async () => {
		const id = uniqueCampaign("fun");
		await createCampaign(id);
		const plain = await fetchWorker(`/api/campaigns/${id}`);
		const withPage = await fetchWorker(`/api/campaigns/${id}?page=${encodeURIComponent(A)}`);
		expect(await withPage.text()).toBe(await plain.text());
		expect(withPage.headers.get("Cache-Control")).toBe(plain.headers.get("Cache-Control"));
		expect(withPage.headers.get("Donation-Variant")).toBeNull();
		expect(withPage.headers.get("Access-Control-Expose-Headers")).toContain("Donation-Variant");
	});

	it("counts nothing for a campaign that does not exist, and leaves no storage for it", async () => {
		const id = uniqueCampaign("nobody");
		const res = await fetchWorker(`/api/campaigns/${id}?page=${encodeURIComponent(A)}`);
		expect(res.status).toBe(404);
		await new Promise((ok) => setTimeout(ok, 100));
		expect(await ledgerOf(id).snapshot(id)).toBeNull();
	});

	it("puts a forged, non-URL or 10 KB page under 'other', and never fails the read", async () => {
		const id = uniqueCampaign("fun");
		await createCampaign(id);
		const bad = ["javascript:alert(1)", "/relative/path", `https://publisher.example/${"x".repeat(10_240)}`, "%%%", "' OR 1=1 --"];
		for (const page of bad) expect(await widgetLoad(id, page)).toBeNull();
		const res = await fetchWorker(`/api/campaigns/${id}?page=${"y".repeat(10_240)}`);
		expect(res.status).toBe(200);
		const { pages } = await settled(id, bad.length + 1);
		expect(pages).toEqual([{ page: "other", loads: bad.length + 1, checkouts: 0, donations: 0, total: 0, conversion: 0 }]);
	});

	it(`bounds a flood of random pages to ${MAX_PAGES_PER_PERIOD} articles per period; the rest fall into 'other'`, async () => {
		const id = uniqueCampaign("flood");
		await createCampaign(id);
		const flood = 600;
		// Straight to the ledger in batches, as isolates flush them (600 requests would only be slower).
		const batch = Array.from({ length: flood }, (_, i) => ({
			page: `https://publisher.example/r/${i}`,
			variant: "",
			loads: 1,
			checkouts: 0,
		}));
		await ledgerOf(id).addFunnel(id, batch.slice(0, 250));
		await ledgerOf(id).addFunnel(id, batch.slice(250));
		await ledgerOf(id).addFunnel(id, [{ page: "https://publisher.example/r/3", variant: "zz", loads: 2, checkouts: 1 }]);
		const { pages, totals } = await pagesOf(id);
		expect(pages).toHaveLength(MAX_PAGES_PER_PERIOD + 1);
		expect(pages.find((p) => p.page === "other")?.loads).toBe(flood - MAX_PAGES_PER_PERIOD);
		expect(pages.find((p) => p.page === "https://publisher.example/r/3")?.loads).toBe(3);
		expect(totals.loads).toBe(flood + 2);
		// An unknown variant id counted as none: no cell for it.
		const variants = (await (await adminFetch(`/campaigns/${id}/funnel`)).json()) as { variants: unknown[] };
		expect(variants.variants).toEqual([]);
	});

	it("exports the period's funnel as CSV, one row per article and variant", async () => {
		const id = uniqueCampaign("csv");
		await createCampaign(id);
		await widgetLoad(id, A);
		await widgetLoad(id, "=HYPERLINK(1)");
		await settled(id, 2);
		await gift(id, 700, A);
		const res = await adminFetch(`/campaigns/${id}/pages?format=csv&period=1`);
		expect(res.headers.get("Content-Type")).toContain("text/csv");
		expect(res.headers.get("Content-Disposition")).toContain(`funnel-${id}-period-1.csv`);
		expect((await res.text()).split("\r\n")).toEqual([
			"period,page,variant,loads,checkouts,gifts,amount,currency,conversion",
			`1,${A},,1,0,1,700,usd,1`,
			"1,other,,1,0,0,0,usd,0",
			"",
		]);
		expect((await adminFetch(`/campaigns/${id}/pages?period=9`)).status).toBe(404);
		expect((await adminFetch(`/campaigns/${id}/pages?format=xml`)).status).toBe(400);
		// The JSON names the period it answers for, also when the query names none.
		expect(await (await adminFetch(`/campaigns/${id}/pages`)).json()).toMatchObject({ period: 1 });
		// Only plain digits name a period; /funnel answers JSON only.
		for (const query of ["period=0x1", "period=1e0", "period=01", "period=0", "period=-1"]) {
			expect([query, (await adminFetch(`/campaigns/${id}/pages?${query}`)).status]).toEqual([query, 400]);
		}
		expect((await adminFetch(`/campaigns/${id}/funnel?format=csv`)).status).toBe(400);
	});
});

describe("checkouts and variants", () => {
	it("sends a known variant in the Checkout metadata, drops an unknown one, and counts both checkouts", async () => {
		const id = uniqueCampaign("var");
		await createCampaign(id, { test: { variants: [{ id: "a" }, { id: "b", title: "Keep us going" }], mode: "even", epsilon: 0.1 } });
		expect((await startCheckout(id, { page: A, variant: "b" })).status).toBe(200);
		expect((await startCheckout(id, { page: A, variant: "nope" })).status).toBe(200);
		const sent = await recordedRequests(env.STRIPE_API_URL, { path: "/v1/checkout/sessions", method: "POST", campaign: id });
		const metadata = sent.map((r) => (r.params as { metadata: Record<string, string> }).metadata[METADATA_KEYS.variant] ?? null);
		expect(metadata.sort()).toEqual(["b", null].sort());
		await settled(id, 0, 2);
		const funnel = (await (await adminFetch(`/campaigns/${id}/funnel`)).json()) as { variants: { variant: string; checkouts: number }[] };
		expect(funnel.variants.map((v) => [v.variant, v.checkouts])).toEqual([
			["a", 0],
			["b", 1],
		]);
	});
});
