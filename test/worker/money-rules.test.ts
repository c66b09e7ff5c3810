// Exact totals in real Stripe configurations: a campaign whose currency
// changes, endpoints on older API versions, refunds that fail after they were
// announced, Stripe's special currencies, other integrations on the same
// account, and sessions whose amounts differ. One describe per defect; each
// test failed on the code before the fix (see the issue note).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { snapshotKey } from "../../src/campaigns/keys";
import { SUPPORTED_CURRENCIES } from "../../src/domain/currency";
import { recordedRequests, seedObject } from "../stripe/control";
import { currencyFact } from "../stripe/currencies";
import { checkoutSessionCompleted, invoicePaid, makeEvent, refundEvent } from "../stripe/events";
import { CAMPAIGN_KEY, completedCheckoutSession, invoicePayment, paidInvoice, refundObject } from "../stripe/objects";
import { RENDERED_API_VERSIONS, renderObject } from "../stripe/versions";
import { createCampaign, fetchWorker, ledgerOf, publicTotals, uniqueCampaign } from "./support/campaigns";
import { ADMIN_AUTH } from "./support/fuzz";
import { deliverOk, refundAtStripe, shuffle } from "./support/webhooks";

const DOUBLE = env.STRIPE_API_URL;
const ledgerTotal = async (id: string) => (await ledgerOf(id).snapshot(id))?.total;
const newId = (prefix: string) => `${prefix}${crypto.randomUUID().replaceAll("-", "")}`;

function admin(path: string, init: { method?: string; json?: unknown } = {}) {
	return fetchWorker(`/api/admin${path}`, {
		method: init.method ?? "GET",
		headers: { ...ADMIN_AUTH, ...(init.method === undefined ? {} : { "Content-Type": "application/json" }) },
		body: init.json === undefined ? undefined : JSON.stringify(init.json),
	});
}

interface Period {
	id: number;
	currency: string;
	total: number;
	donations: number;
	foreign: { currency: string; donations: number; total: number }[];
}
const periods = async (id: string) => ((await (await admin(`/campaigns/${id}/periods`)).json()) as { periods: Period[] }).periods;

describe("a period adds up one currency", () => {
	it("keeps a gift in another currency apart: recorded, exported and shown to admins, never added", async () => {
		const id = uniqueCampaign("cur");
		await createCampaign(id);
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 1_000 }));
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 1_000, currency: "jpy" }));
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 2_500, currency: "eur" }));
		expect((await publicTotals(id)).total).toBe(1_000);
		expect((await publicTotals(id)).donations).toBe(1);
		const [period] = await periods(id);
		expect(period).toMatchObject({ currency: "usd", total: 1_000, donations: 1 });
		expect(period?.foreign).toEqual([
			{ currency: "eur", donations: 1, total: 2_500 },
			{ currency: "jpy", donations: 1, total: 1_000 },
		]);
		const csv = await (await admin(`/campaigns/${id}/donations?format=csv`)).text();
		expect(csv.split("\r\n").filter((line) => /,(usd|jpy|eur),/.test(line))).toHaveLength(3);
	});

	it("refuses to change the currency of a period that has gifts (409 currency_locked); a new period may", async () => {
		const id = uniqueCampaign("cur");
		await createCampaign(id);
		// Without gifts the currency may still change.
		expect((await admin(`/campaigns/${id}`, { method: "PUT", json: { currency: "EUR" } })).status).toBe(200);
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 1_000, currency: "eur" }));
		const refused = await admin(`/campaigns/${id}`, { method: "PUT", json: { currency: "jpy", amounts: [500, 1_000] } });
		expect(refused.status).toBe(409);
		expect(await refused.json()).toMatchObject({ error: { code: "currency_locked" } });
		// Saving other settings with the same currency is fine (the admin form sends it every time).
		expect((await admin(`/campaigns/${id}`, { method: "PUT", json: { currency: "eur", title: "Keep going" } })).status).toBe(200);
		const reset = await admin(`/campaigns/${id}/reset`, { method: "POST", json: { currency: "jpy" } });
		expect(reset.status).toBe(200);
		expect(await reset.json()).toMatchObject({ currency: "jpy", currencyExponent: 0, total: 0, period: { id: 2 } });
		expect((await periods(id)).map((p) => [p.id, p.currency, p.total])).toEqual([
			[1, "eur", 1_000],
			[2, "jpy", 0],
		]);
	});

	it("never counts a 10 $ monthly renewal as 1,000 ¥ after the campaign moved to JPY", async () => {
		const id = uniqueCampaign("cur");
		await createCampaign(id);
		const subscription = newId("sub_");
		await deliverOk(invoicePaid({ campaign: id, amount: 1_000, subscription }));
		expect(await ledgerTotal(id)).toBe(1_000);
		expect((await admin(`/campaigns/${id}/reset`, { method: "POST", json: { currency: "jpy", goals: [100_000] } })).status).toBe(200);
		await deliverOk(invoicePaid({ campaign: id, amount: 1_000, subscription, billingReason: "subscription_cycle" }));
		expect((await publicTotals(id)).total).toBe(0);
		const [, current] = await periods(id);
		expect(current).toMatchObject({ currency: "jpy", total: 0, donations: 0, foreign: [{ currency: "usd", donations: 1, total: 1_000 }] });
	});

	it("starts Checkout in the ledger's current currency, never a stale published copy", async () => {
		const id = uniqueCampaign("cur");
		await createCampaign(id);
		// KV can be a minute behind: say it still shows an older currency.
		const published = await publicTotals(id);
		await env.TOTALS.put(snapshotKey(id), JSON.stringify({ ...published, currency: "eur" }));
		const res = await fetchWorker(`/api/campaigns/${id}/checkout`, {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ amount: 1_000 }),
		});
		expect(res.status).toBe(200);
		const [sent] = await recordedRequests(DOUBLE, { path: "/v1/checkout/sessions", method: "POST", campaign: id });
		expect(sent?.params).toMatchObject({ line_items: [{ price_data: { currency: "usd", unit_amount: "1000" } }] });
	});
});

describe("monthly gifts from endpoints on any API version", () => {
	it.each(RENDERED_API_VERSIONS)(
		"counts an invoice.paid rendered in %s, linked to its PaymentIntent so a refund comes off",
		async (version) => {
			const id = uniqueCampaign("ver");
			await createCampaign(id);
			const paymentIntent = newId("pi_");
			const invoiceId = newId("in_");
			// From basil on, the payload has no PaymentIntent: Stripe lists it.
			await seedObject(DOUBLE, "invoice_payment", invoicePayment({ invoice: invoiceId, paymentIntent, amount: 2_400 }));
			const event = invoicePaid({ campaign: id, amount: 2_400, invoiceId, paymentIntent, apiVersion: version });
			expect(event.api_version).toBe(version);
			expect(await deliverOk(event)).toMatchObject({ outcome: "recorded", campaign: id });
			const [row] = (await ledgerOf(id).donations(id, null, 0, 10)) ?? [];
			expect([row?.amount, row?.payment, row?.interval]).toEqual([2_400, paymentIntent, "month"]);
			await deliverOk(refundEvent("refund.created", { paymentIntent, amount: 400, apiVersion: version }));
			expect(await ledgerTotal(id)).toBe(2_000);
		},
	);

	it("reads the campaign from the subscription at Stripe when an old invoice carries no metadata", async () => {
		const id = uniqueCampaign("ver");
		await createCampaign(id);
		const subscription = newId("sub_");
		await seedObject(DOUBLE, "subscription", { id: subscription, metadata: { [CAMPAIGN_KEY]: id } });
		// Created before 2023-06-29: no subscription_details; and its line carries no metadata either.
		const invoice = paidInvoice({ campaign: id, amount: 1_800, subscription, created: Date.UTC(2023, 0, 10) / 1000 });
		const rendered = renderObject("invoice", invoice, "2022-11-15");
		for (const line of (rendered.lines as { data: { metadata: object }[] }).data) line.metadata = {};
		expect((rendered.subscription_details as { metadata?: unknown } | null)?.metadata ?? null).toBeNull();
		expect(await deliverOk(makeEvent("invoice.paid", rendered, { apiVersion: "2022-11-15" }))).toMatchObject({
			outcome: "recorded",
			campaign: id,
		});
		expect(await ledgerTotal(id)).toBe(1_800);
	});

	it("keeps a gift of ours whose campaign does not exist where admins see it; re-sync places it once it does", async () => {
		const id = uniqueCampaign("late");
		const invoice = paidInvoice({ campaign: id, amount: 3_300 });
		await seedObject(DOUBLE, "invoice", invoice);
		const event = makeEvent("invoice.paid", invoice, { apiVersion: "2024-06-20" });
		expect(await deliverOk(event)).toMatchObject({ outcome: "unplaced", reason: "unknown_campaign", campaign: id });
		const listed = async () =>
			((await (await admin("/unplaced")).json()) as { unplaced: { eventId: string; key: string; amount: number }[] }).unplaced.filter(
				(entry) => entry.eventId === event.id,
			);
		expect(await listed()).toEqual([expect.objectContaining({ key: `invoice:${invoice.id}`, amount: 3_300 })]);
		await createCampaign(id);
		const report = (await (await admin(`/campaigns/${id}/resync`, { method: "POST" })).json()) as { added: unknown[]; settled: number };
		expect(report).toMatchObject({ added: [{ key: `invoice:${invoice.id}`, amount: 3_300 }], settled: 1 });
		expect(await ledgerTotal(id)).toBe(3_300);
		expect(await listed()).toEqual([]);
	});
});

describe("a refund that fails or is canceled after it was announced gives the money back", () => {
	async function giftWithRefund(status: "failed" | "canceled") {
		const id = uniqueCampaign("rf");
		await createCampaign(id);
		const paymentIntent = newId("pi_");
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 5_000, paymentIntent }));
		const chargeId = newId("ch_");
		const refundId = newId("re_");
		const t = Math.floor(Date.now() / 1000);
		const announced = makeEvent("refund.created", refundObject({ refundId, amount: 2_000, paymentIntent, chargeId, status: "pending" }), {
			created: t,
		});
		const ended = makeEvent(
			status === "failed" ? "refund.failed" : "refund.updated",
			refundObject({ refundId, amount: 2_000, paymentIntent, chargeId, status }),
			{ created: t + 30 },
		);
		return { id, paymentIntent, chargeId, refundId, announced, ended };
	}

	for (const status of ["failed", "canceled"] as const) {
		it(`in the order things happen (${status})`, async () => {
			const r = await giftWithRefund(status);
			// charge.refunded while the refund is pending at Stripe: 2,000 off.
			const pending = await refundAtStripe({ ...r, amount: 2_000, chargeAmount: 5_000, status: "pending" });
			await deliverOk(r.announced);
			await deliverOk(pending.chargeRefunded);
			expect(await ledgerTotal(r.id)).toBe(3_000);
			await seedObject(DOUBLE, "refund", refundObject({ ...r, amount: 2_000, status }));
			await deliverOk(r.ended);
			expect(await ledgerTotal(r.id)).toBe(5_000);
			// A late charge.refunded reads the refund as it is now: still nothing off.
			await deliverOk(pending.chargeRefunded);
			expect(await ledgerTotal(r.id)).toBe(5_000);
		});

		it(`in every delivery order (${status})`, async () => {
			for (let seed = 1; seed <= 6; seed++) {
				const r = await giftWithRefund(status);
				const { chargeRefunded } = await refundAtStripe({ ...r, amount: 2_000, chargeAmount: 5_000, status });
				for (const event of shuffle([r.announced, chargeRefunded, r.ended], seed)) await deliverOk(event);
				expect([seed, await ledgerTotal(r.id)]).toEqual([seed, 5_000]);
			}
		});
	}

	it("two states stamped in the same second: the later in a refund's life wins, in either order", async () => {
		for (const order of [0, 1]) {
			const r = await giftWithRefund("failed");
			const sameSecond = { ...r.ended, created: r.announced.created };
			for (const event of order ? [sameSecond, r.announced] : [r.announced, sameSecond]) await deliverOk(event);
			expect([order, await ledgerTotal(r.id)]).toEqual([order, 5_000]);
		}
	});

	it("re-sync repairs a missed refund.failed", async () => {
		const id = uniqueCampaign("rf");
		await createCampaign(id);
		const paymentIntent = newId("pi_");
		const session = completedCheckoutSession({ campaign: id, amount: 5_000, paymentIntent });
		await seedObject(DOUBLE, "checkout.session", session);
		await deliverOk(makeEvent("checkout.session.completed", session));
		const refundId = newId("re_");
		await seedObject(DOUBLE, "refund", refundObject({ refundId, amount: 2_000, paymentIntent, status: "pending" }));
		await deliverOk(refundEvent("refund.created", { refundId, amount: 2_000, paymentIntent, status: "pending" }));
		expect(await ledgerTotal(id)).toBe(3_000);
		// The refund fails at Stripe; its refund.failed never arrives.
		await seedObject(DOUBLE, "refund", refundObject({ refundId, amount: 2_000, paymentIntent, status: "failed" }));
		expect((await admin(`/campaigns/${id}/resync`, { method: "POST" })).status).toBe(200);
		expect(await ledgerTotal(id)).toBe(5_000);
	});
});

describe("Stripe's special currencies", () => {
	it("gives the widget Stripe's exponent and refuses amounts Stripe cannot charge, for every currency the settings accept", async () => {
		const id = uniqueCampaign("sc");
		await createCampaign(id);
		const problems: string[] = [];
		for (const currency of SUPPORTED_CURRENCIES) {
			const fact = currencyFact(currency);
			const unit = 10 ** fact.exponent; // one major unit, in Stripe's minor units
			const settings = { currency, amounts: [5 * unit, 10 * unit], minAmount: unit, maxAmount: 1_000 * unit, goals: [1_000 * unit] };
			const res = await admin(`/campaigns/${id}`, { method: "PUT", json: settings });
			const body = (await res.json()) as { currencyExponent?: number };
			if (res.status !== 200 || body.currencyExponent !== fact.exponent)
				problems.push(`${currency}: ${res.status} ${JSON.stringify(body)}`);
			if (fact.chargeDivisibleBy > 1) {
				const odd = await admin(`/campaigns/${id}`, { method: "PUT", json: { ...settings, amounts: [5 * unit + 1] } });
				if (odd.status !== 400) problems.push(`${currency}: an amount Stripe refuses was accepted (${odd.status})`);
			}
		}
		expect(problems).toEqual([]);
		expect((await admin(`/campaigns/${id}`, { method: "PUT", json: { currency: "xyz" } })).status).toBe(400);
	});

	it.each([
		["isk", 50_000, "500 kr"],
		["ugx", 50_000, "500 UGX"],
		["huf", 100_000, "1,000 Ft"],
		["twd", 15_000, "150 $"],
		["jpy", 500, "500 ¥"],
		["kwd", 5_120, "5.120 KWD"],
	])("shows %s %i as %s on the donate page and sends it to Checkout as is", async (currency, amount, shown) => {
		const id = uniqueCampaign("sc");
		await createCampaign(id, { currency, amounts: [amount], minAmount: amount, maxAmount: amount * 10, goals: [amount * 100] });
		const page = await (await fetchWorker(`/donate/${id}`)).text();
		expect(page.replace(/[\u00a0\u202f]/g, " ")).toContain(`Give ${shown}`);
		const res = await fetchWorker(`/api/campaigns/${id}/checkout`, {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ amount }),
		});
		expect(res.status).toBe(200);
		const [sent] = await recordedRequests(DOUBLE, { path: "/v1/checkout/sessions", method: "POST", campaign: id });
		expect(sent?.params).toMatchObject({ line_items: [{ price_data: { currency, unit_amount: String(amount) } }] });
	});
});

describe("only the worker's own payments count", () => {
	it("ignores another integration's sessions that use the generic campaign key, by webhook and by re-sync", async () => {
		const id = uniqueCampaign("own");
		await createCampaign(id);
		const theirs = completedCheckoutSession({ amount: 7_000, created: Math.floor(Date.now() / 1000) + 1 });
		theirs.metadata = { campaign: id };
		await seedObject(DOUBLE, "checkout.session", theirs);
		expect(await deliverOk(makeEvent("checkout.session.completed", theirs))).toMatchObject({ outcome: "ignored", reason: "not_ours" });
		const ours = completedCheckoutSession({ campaign: id, amount: 1_000, created: Math.floor(Date.now() / 1000) + 1 });
		await seedObject(DOUBLE, "checkout.session", ours);
		const report = (await (await admin(`/campaigns/${id}/resync`, { method: "POST" })).json()) as { added: { amount: number }[] };
		expect(report.added.map((a) => a.amount)).toEqual([1_000]);
		expect(await ledgerTotal(id)).toBe(1_000);
	});
});

describe("what a session's gift is", () => {
	it.each([
		["a discount (subtotal 5,000, total 4,000)", { amount: 4_000, discount: 1_000 }, "usd", 4_000],
		["tax on top (total 5,500 with 500 tax)", { amount: 5_500, tax: 500 }, "usd", 5_000],
		["Adaptive Pricing (the donor paid in EUR)", { amount: 5_000, presentment: { currency: "eur", amount: 4_650 } }, "usd", 5_000],
		[
			"legacy Adaptive Pricing (the session in EUR, ours in currency_conversion)",
			{ amount: 4_650, currency: "eur", currencyConversion: { sourceCurrency: "usd", amountTotal: 5_000, fxRate: "0.93" } },
			"usd",
			5_000,
		],
	])("counts amount_total less tax in the campaign's currency: %s", async (_, amounts, currency, counted) => {
		const id = uniqueCampaign("amt");
		await createCampaign(id);
		await deliverOk(checkoutSessionCompleted({ campaign: id, ...amounts }));
		const [row] = (await ledgerOf(id).donations(id, null, 0, 10)) ?? [];
		expect([row?.amount, row?.currency]).toEqual([counted, currency]);
		expect((await publicTotals(id)).total).toBe(counted);
	});
});
