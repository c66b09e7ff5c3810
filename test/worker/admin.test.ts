// The admin API: auth, settings, resets that lose nothing, exports, per-article
// totals, audit and re-sync from the Stripe double.

import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { csvField } from "../../src/admin/export";
import app from "../../src/index";
import { seedObject } from "../stripe/control";
import { checkoutSessionCompleted, invoicePaid } from "../stripe/events";
import { CAMPAIGN_KEY, invoicePayment } from "../stripe/objects";
import { createCampaign, fetchWorker, ledgerOf, ORIGIN, publicTotals, uniqueCampaign } from "./support/campaigns";
import { deliverOk, refundAtStripe } from "./support/webhooks";

const TOKEN = env.ADMIN_TOKEN ?? "";
const DOUBLE = env.STRIPE_API_URL;

function adminFetch(path: string, init: RequestInit & { json?: unknown } = {}, token: string | null = TOKEN) {
	const headers = new Headers(init.headers);
	if (token !== null) headers.set("Authorization", `Bearer ${token}`);
	let body = init.body;
	if (init.json !== undefined) body = JSON.stringify(init.json);
	// Admin changes are JSON, even without a body (a cross-site form cannot send that).
	if (!headers.has("Content-Type") && (init.json !== undefined || (init.method ?? "GET") !== "GET")) {
		headers.set("Content-Type", "application/json");
	}
	return fetchWorker(`/api/admin${path}`, { ...init, headers, body });
}

const ROUTES: [string, string][] = [
	["GET", "/campaigns"],
	["PUT", "/campaigns/main"],
	["POST", "/campaigns/main/reset"],
	["GET", "/campaigns/main/periods"],
	["GET", "/campaigns/main/pages"],
	["GET", "/campaigns/main/donations?format=csv"],
	["POST", "/campaigns/main/resync"],
	["GET", "/campaigns/main/audit"],
];

describe("admin auth", () => {
	it("answers 401 without a token or with a wrong one, on every route", async () => {
		for (const [method, path] of ROUTES) {
			for (const token of [null, "wrong-token", `${TOKEN}x`, ""]) {
				const res = await adminFetch(path, { method, json: method === "GET" ? undefined : { title: "hacked" } }, token);
				expect([method, path, token, res.status]).toEqual([method, path, token, 401]);
				expect(await res.json()).toMatchObject({ error: { code: "unauthorized" } });
			}
		}
		expect((await publicTotals("main")).title).not.toBe("hacked");
	});

	it("answers 503 on every route when no token is configured", async () => {
		for (const [method, path] of ROUTES) {
			const ctx = createExecutionContext();
			const res = await app.fetch(
				new Request(`${ORIGIN}/api/admin${path}`, { method, headers: { Authorization: "Bearer anything" } }),
				{ ...env, ADMIN_TOKEN: undefined, ACCESS_TEAM: undefined },
				ctx,
			);
			await waitOnExecutionContext(ctx);
			expect([path, res.status]).toEqual([path, 503]);
			expect(await res.json()).toMatchObject({ error: { code: "admin_not_configured" } });
		}
	});

	it("sends no CORS allowance on admin routes", async () => {
		const res = await adminFetch("/campaigns", { headers: { Origin: "https://evil.example" } });
		expect(res.status).toBe(200);
		expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
	});
});

describe("campaign settings", () => {
	it("creates and updates a campaign, and the public totals show it at once", async () => {
		const id = uniqueCampaign();
		const created = await adminFetch(`/campaigns/${id}`, { method: "PUT", json: { title: "Keep the lights on", goals: [100_000] } });
		expect(created.status).toBe(200);
		expect(await publicTotals(id)).toMatchObject({ title: "Keep the lights on", goals: [100_000], amounts: [500, 1_000, 2_500, 5_000] });
		const updated = await adminFetch(`/campaigns/${id}`, {
			method: "PUT",
			json: { goals: [50_000, 150_000, 300_000], amounts: [300, 700] },
		});
		expect(updated.status).toBe(200);
		expect(await publicTotals(id)).toMatchObject({ title: "Keep the lights on", goals: [50_000, 150_000, 300_000], amounts: [300, 700] });
		const list = (await (await adminFetch("/campaigns")).json()) as { campaigns: { id: string }[] };
		expect(list.campaigns.map((c) => c.id)).toEqual(expect.arrayContaining(["main", id]));
	});

	it("takes any language and emoji in the words readers see", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const title = "Gardez-nous en vie 💙 — 独立した報道を";
		const res = await adminFetch(`/campaigns/${id}`, { method: "PUT", json: { title, goalReachedText: "Danke! 🎉" } });
		expect(res.status).toBe(200);
		expect(await publicTotals(id)).toMatchObject({ title, goalReachedText: "Danke! 🎉" });
	});

	it("validates goals, amounts and limits with clear 400s and changes nothing", async () => {
		const id = uniqueCampaign();
		await createCampaign(id, { goals: [10_000] });
		const bad: unknown[] = [
			{ goals: [] },
			{ goals: [5_000, 3_000] },
			{ goals: [1_000, 1_000] },
			{ goals: [0] },
			{ goals: [-5] },
			{ goals: [1, 2, 3, 4, 5, 6] },
			{ goals: [10.5] },
			{ goals: "5000" },
			{ amounts: [] },
			{ amounts: [0] },
			{ minAmount: 5_000, maxAmount: 100 },
			{ currency: "dollars" },
			{ title: "" },
			{ title: "x".repeat(500) },
			// Text readers see: a lone surrogate (Stripe could not be sent it), control characters, a direction override.
			{ title: "Lone \ud800 here" },
			{ title: "Null \u0000 byte" },
			{ title: "Line\nbreak" },
			{ goalReachedText: "\u202Eevil" },
			{ match: { sponsor: "Spon\udfffsor", percent: 100, cap: 1_000 } },
			{ test: { variants: [{ id: "a" }, { id: "b", title: "\u0007bell" }] } },
			// Presets outside the campaign's own range would be buttons that always fail.
			{ amounts: [100, 2_000_000] },
			{ amounts: [500], minAmount: 1_000 },
			{ test: { variants: [{ id: "a" }, { id: "b", amounts: [1] }] } },
			{ surprise: true },
			[],
			null,
		];
		for (const json of bad) {
			const res = await adminFetch(`/campaigns/${id}`, { method: "PUT", json });
			expect([JSON.stringify(json), res.status]).toEqual([JSON.stringify(json), 400]);
			expect(await res.json()).toMatchObject({ error: { code: expect.stringMatching(/invalid/), message: expect.any(String) } });
		}
		const malformed = await adminFetch(`/campaigns/${id}`, {
			method: "PUT",
			body: "{goals:",
			headers: { "Content-Type": "application/json" },
		});
		expect(malformed.status).toBe(400);
		const wrongType = await adminFetch(`/campaigns/${id}`, { method: "PUT", body: "goals=1", headers: { "Content-Type": "text/plain" } });
		expect(wrongType.status).toBe(415);
		expect((await publicTotals(id)).goals).toEqual([10_000]);
	});
});

describe("periods", () => {
	it("resets to a new period at zero and keeps the old period exact; a late refund hits the old period", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const paymentIntent = `pi_${crypto.randomUUID()}`;
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 6_000, paymentIntent }));
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 4_000 }));
		const reset = await adminFetch(`/campaigns/${id}/reset`, { method: "POST", json: { goals: [20_000, 40_000] } });
		expect(reset.status).toBe(200);
		expect(await publicTotals(id)).toMatchObject({ total: 0, donations: 0, goals: [20_000, 40_000], period: { id: 2 } });
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 1_000 }));
		// The refund of a first-period gift arrives after the reset.
		await deliverOk((await refundAtStripe({ paymentIntent, amount: 2_500, chargeAmount: 6_000 })).chargeRefunded);
		expect((await publicTotals(id)).total).toBe(1_000);
		const periods = (await (await adminFetch(`/campaigns/${id}/periods`)).json()) as {
			periods: { id: number; total: number; donations: number; goals: number[] }[];
		};
		expect(periods.periods.map(({ id, total, donations, goals }) => ({ id, total, donations, goals }))).toEqual([
			{ id: 1, total: 7_500, donations: 2, goals: [250_000, 500_000] },
			{ id: 2, total: 1_000, donations: 1, goals: [20_000, 40_000] },
		]);
		const old = (await (await adminFetch(`/campaigns/${id}/donations?period=1`)).json()) as {
			donations: { amount: number; net: number }[];
		};
		expect(old.donations.map((d) => [d.amount, d.net])).toEqual([
			[6_000, 3_500],
			[4_000, 4_000],
		]);
		const audit = (await (await adminFetch(`/campaigns/${id}/audit`)).json()) as { entries: { action: string; actor: string }[] };
		expect(audit.entries[0]).toMatchObject({ action: "reset", actor: "admin-token" });
		expect((await adminFetch(`/campaigns/${id}/reset`, { method: "POST", json: { goals: [3, 1] } })).status).toBe(400);
		expect((await adminFetch(`/campaigns/${uniqueCampaign("ghost")}/reset`, { method: "POST" })).status).toBe(404);
	});
});

describe("exports and per-article totals", () => {
	it("exports CSV that a spreadsheet opens safely, and JSON, per period", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 1_234, page: "https://news.example/a,b/story" }));
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 500 }));
		const res = await adminFetch(`/campaigns/${id}/donations?format=csv`);
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/text\/csv/);
		expect(res.headers.get("Content-Disposition")).toContain(`donations-${id}-period-1.csv`);
		const lines = (await res.text()).split("\r\n");
		expect(lines[0]).toBe(
			"period,key,payment,amount,reversed,net,currency,interval,page,event_id,occurred_at,fee_cover,gift,gift_net,match",
		);
		expect(lines[1]).toMatch(
			/^1,session:cs_test_\w+,pi_\w+,1234,0,1234,usd,once,"https:\/\/news\.example\/a,b\/story",evt_\w+,\d{4}-.*,0,1234,1234,0$/,
		);
		expect(lines[2]).toMatch(/^1,session:\w+,pi_\w+,500,0,500,usd,once,,evt_.*,0,500,500,0$/);
		expect(lines).toHaveLength(4); // header, two rows, final CRLF
		const json = (await (await adminFetch(`/campaigns/${id}/donations`)).json()) as { donations: unknown[] };
		expect(json.donations).toHaveLength(2);
		expect((await adminFetch(`/campaigns/${id}/donations?format=xml`)).status).toBe(400);
		expect((await adminFetch(`/campaigns/${id}/donations?period=abc`)).status).toBe(400);
		expect((await adminFetch(`/campaigns/${id}/donations?period=9`)).status).toBe(404);
	});

	it("quotes per RFC 4180 and defuses spreadsheet formulas", () => {
		expect(csvField('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
		expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
		expect(csvField("+1")).toBe("'+1");
		expect(csvField("-2")).toBe("'-2");
		expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
		expect(csvField("\tx")).toBe("'\tx");
		expect(csvField("plain")).toBe("plain");
		expect(csvField(-500)).toBe("-500");
		expect(csvField(null)).toBe("");
	});

	it("streams a large ledger in pages", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const gifts = Array.from({ length: 1_203 }, (_, i) => ({
			eventId: `evt_bulk_${i}`,
			eventType: "test",
			movement: {
				kind: "donation" as const,
				key: `session:bulk_${i}`,
				payment: null,
				amount: 100 + i,
				feeCover: 0,
				currency: "usd",
				interval: "once" as const,
				page: null,
				occurredAt: Date.now(),
			},
		}));
		for (const gift of gifts) await ledgerOf(id).record(id, gift);
		const text = await (await adminFetch(`/campaigns/${id}/donations?format=csv`)).text();
		const rows = text.trim().split("\r\n").slice(1);
		expect(rows).toHaveLength(1_203);
		expect(rows.reduce((sum, row) => sum + Number(row.split(",")[3]), 0)).toBe(gifts.reduce((sum, g) => sum + g.movement.amount, 0));
	});

	it("totals gifts per article, with query strings and fragments removed", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 1_000, page: "https://news.example/library?utm_source=x" }));
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 2_000, page: "https://news.example/library#comments" }));
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 500, page: "https://news.example/bridge" }));
		await deliverOk(invoicePaid({ campaign: id, amount: 700, page: "https://news.example/bridge" }));
		const res = (await (await adminFetch(`/campaigns/${id}/pages`)).json()) as { pages: unknown[] };
		// No widget loads counted here (see funnel.test.ts): conversion has no denominator.
		const funnel = { loads: 0, checkouts: 0, conversion: null };
		expect(res.pages).toEqual([
			{ page: "https://news.example/library", donations: 2, total: 3_000, ...funnel },
			{ page: "https://news.example/bridge", donations: 2, total: 1_200, ...funnel },
		]);
	});
});

describe("re-sync from Stripe", () => {
	it("adds exactly the gifts the ledger missed, and is idempotent", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const session = (amount: number) => ({
			mode: "payment",
			status: "complete",
			payment_status: "paid",
			amount_total: amount,
			currency: "usd",
			metadata: { [CAMPAIGN_KEY]: id },
			payment_intent: `pi_${crypto.randomUUID().replace(/-/g, "")}`,
		});
		const seen = await seedObject<{ id: string; payment_intent: string }>(DOUBLE, "checkout.session", session(1_000));
		await seedObject(DOUBLE, "checkout.session", session(2_000));
		await seedObject(DOUBLE, "checkout.session", session(3_000));
		await seedObject(DOUBLE, "checkout.session", { ...session(9_999), metadata: { [CAMPAIGN_KEY]: "someone-else" } });
		// Another integration on the same account, with the generic key: not ours.
		await seedObject(DOUBLE, "checkout.session", { ...session(7_777), metadata: { campaign: id } });
		await seedObject(DOUBLE, "checkout.session", { ...session(8_888), payment_status: "unpaid", status: "open" });
		const monthly = await seedObject<{ id: string }>(DOUBLE, "invoice", {
			status: "paid",
			amount_paid: 1_500,
			currency: "usd",
			parent: {
				type: "subscription_details",
				quote_details: null,
				subscription_details: { subscription: "sub_resync", metadata: { [CAMPAIGN_KEY]: id } },
			},
		});
		const monthlyPayment = `pi_${crypto.randomUUID().replace(/-/g, "")}`;
		await seedObject(DOUBLE, "invoice_payment", invoicePayment({ invoice: monthly.id, paymentIntent: monthlyPayment, amount: 1_500 }));
		// One gift already arrived by webhook.
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 1_000, sessionId: seen.id, paymentIntent: seen.payment_intent }));
		expect((await publicTotals(id)).total).toBe(1_000);

		const first = (await (await adminFetch(`/campaigns/${id}/resync`, { method: "POST" })).json()) as {
			added: { amount: number }[];
			alreadyRecorded: number;
			totalBefore: number;
			totalAfter: number;
			notInStripe: string[];
		};
		expect(first.added.map((a) => a.amount).sort((a, b) => a - b)).toEqual([1_500, 2_000, 3_000]);
		expect(first.alreadyRecorded).toBe(1);
		expect([first.totalBefore, first.totalAfter]).toEqual([1_000, 7_500]);
		expect(first.notInStripe).toEqual([]);
		const second = (await (await adminFetch(`/campaigns/${id}/resync`, { method: "POST" })).json()) as typeof first;
		expect(second.added).toEqual([]);
		expect(second.totalAfter).toBe(7_500);
		expect((await publicTotals(id)).total).toBe(7_500);
		// The re-synced monthly gift knows its PaymentIntent: a refund of it comes off.
		const refund = await deliverOk(
			(await refundAtStripe({ paymentIntent: monthlyPayment, amount: 500, chargeAmount: 1_500 })).chargeRefunded,
		);
		expect(refund).toMatchObject({ outcome: "recorded", campaign: id });
		expect((await publicTotals(id)).total).toBe(7_000);
	});
});
