// Faults: KV that fails to read or write, and a Stripe that errors or hangs.
// KV faults are injected by handing the worker (or the ledger object) a
// wrapper over the real binding that throws; our code runs unchanged.
import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { snapshotKey } from "../../src/campaigns/keys";
import { purgeTotals } from "../../src/campaigns/public-cache";
import type { Bindings } from "../../src/config";
import app from "../../src/index";
import { injectFault, recordedRequests, seedObject } from "../stripe/control";
import { checkoutSessionCompleted, invoicePaid, refundEvent, signedDelivery } from "../stripe/events";
import { CAMPAIGN_KEY, invoicePayment } from "../stripe/objects";
import { createCampaign, kvSnapshot, ledgerOf, ORIGIN, uniqueCampaign } from "./support/campaigns";
import { errorCode, since } from "./support/fuzz";
import { deliverOk, seedMonthlyGift, WEBHOOK_SECRET } from "./support/webhooks";

const DOUBLE = env.STRIPE_API_URL;

type KvOp = "get" | "getWithMetadata" | "put" | "list" | "delete";

/** The real KV binding, except that `failing` operations reject (as KV does when it is down). */
function failingKv(failing: KvOp[], calls: Partial<Record<KvOp, number>> = {}): KVNamespace {
	const real = env.TOTALS;
	return new Proxy(real, {
		get(target, prop) {
			const value = Reflect.get(target, prop);
			if (typeof value !== "function") return value;
			return async (...args: unknown[]) => {
				const op = prop as KvOp;
				calls[op] = (calls[op] ?? 0) + 1;
				if (failing.includes(op)) throw new Error(`KV ${op} failed (injected)`);
				return value.apply(target, args);
			};
		},
	});
}

/** The worker with some bindings replaced. */
async function callWorker(request: Request, overrides: Partial<Bindings>): Promise<Response> {
	const ctx = createExecutionContext();
	const res = await app.fetch(request, { ...env, ...overrides }, ctx);
	await waitOnExecutionContext(ctx);
	return res;
}

const get = (path: string) => new Request(`${ORIGIN}${path}`);
const freshIp = () => `198.18.0.${crypto.randomUUID()}`;

function checkoutRequest(campaign: string, body: unknown = { amount: 500 }) {
	return new Request(`${ORIGIN}/api/campaigns/${campaign}/checkout`, {
		method: "POST",
		headers: { "Content-Type": "application/json", "cf-connecting-ip": freshIp() },
		body: JSON.stringify(body),
	});
}

async function webhookRequest(event: object): Promise<Request> {
	const { body, headers } = await signedDelivery(event, WEBHOOK_SECRET);
	return new Request(`${ORIGIN}/api/stripe/webhook`, { method: "POST", headers, body });
}

async function ledgerTotal(id: string) {
	return (await ledgerOf(id).snapshot(id))?.total;
}

const purgeEdgeCopy = (id: string) => purgeTotals(ORIGIN, id);

describe("KV read failures", () => {
	it("serve the public totals from the ledger, which then rebuilds the snapshot", async () => {
		const id = uniqueCampaign("kvr");
		await createCampaign(id);
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 4_200 }));
		// A KV that would answer something wrong, were it read.
		await env.TOTALS.put(snapshotKey(id), JSON.stringify({ ...(await kvSnapshot(id)), total: 1 }));
		await purgeEdgeCopy(id);

		const calls: Partial<Record<KvOp, number>> = {};
		const res = await callWorker(get(`/api/campaigns/${id}`), { TOTALS: failingKv(["get", "getWithMetadata"], calls) });
		expect(res.status).toBe(200);
		expect(((await res.json()) as { total: number }).total).toBe(4_200);
		expect(calls.get).toBe(1);
		// The ledger republished through its own binding: KV is right again.
		expect((await kvSnapshot(id))?.total).toBe(4_200);
	});

	it("let checkout, the donate page and the admin list carry on", async () => {
		const id = uniqueCampaign("kvr");
		await createCampaign(id, { title: "Read fault campaign" });
		const broken = { TOTALS: failingKv(["get", "getWithMetadata"]) };

		const checkout = await callWorker(checkoutRequest(id), broken);
		expect(checkout.status).toBe(200);
		expect(((await checkout.json()) as { url: string }).url).toContain("/c/pay/cs_test_");

		const page = await callWorker(get(`/donate/${id}`), broken);
		expect(page.status).toBe(200);
		expect(await page.text()).toContain("Read fault campaign");

		const list = await callWorker(
			new Request(`${ORIGIN}/api/admin/campaigns`, { headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` } }),
			broken,
		);
		expect(list.status).toBe(200);
		const ids = ((await list.json()) as { campaigns: { id: string }[] }).campaigns.map((c) => c.id);
		expect(ids).toContain(id);
	});

	it("still attribute a refund without campaign metadata, through Stripe's record of the payment", async () => {
		const id = uniqueCampaign("kvr");
		await createCampaign(id);
		const payment = `pi_${crypto.randomUUID().replaceAll("-", "")}`;
		await seedObject(DOUBLE, "payment_intent", { id: payment, amount: 5_000, metadata: { [CAMPAIGN_KEY]: id } });
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 5_000, paymentIntent: payment }));

		const res = await callWorker(await webhookRequest(refundEvent("refund.created", { paymentIntent: payment, amount: 2_000 })), {
			TOTALS: failingKv(["get", "getWithMetadata"]),
		});
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ outcome: "recorded", campaign: id });
		expect(await ledgerTotal(id)).toBe(3_000);
	});

	it("place a monthly gift's refund through Stripe: the invoice its PaymentIntent paid", async () => {
		// A monthly gift's PaymentIntent carries no campaign; with the payment index
		// unreadable, the invoice that the PaymentIntent paid still names it.
		const id = uniqueCampaign("kvm");
		await createCampaign(id);
		const { invoice, paymentIntent: payment } = await seedMonthlyGift(id, 2_000);
		await deliverOk(invoicePaid({ campaign: id, amount: 2_000, invoiceId: invoice }));
		expect(await ledgerTotal(id)).toBe(2_000);

		const refund = refundEvent("refund.created", { paymentIntent: payment, amount: 2_000 });
		const res = await callWorker(await webhookRequest(refund), { TOTALS: failingKv(["get", "getWithMetadata"]) });
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ outcome: "recorded", campaign: id });
		expect(await ledgerTotal(id)).toBe(0);
	});

	it("never acknowledge a refund they could not attribute (Stripe would not send it again)", async () => {
		// A gift whose PaymentIntent names no campaign at Stripe (and paid no invoice):
		// only our payment index (in KV) knows where a refund of it belongs.
		const id = uniqueCampaign("kvr");
		await createCampaign(id);
		const payment = `pi_${crypto.randomUUID().replaceAll("-", "")}`;
		await seedObject(DOUBLE, "payment_intent", { id: payment, amount: 2_000, metadata: {} });
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 2_000, paymentIntent: payment }));
		expect(await ledgerTotal(id)).toBe(2_000);

		const refund = refundEvent("refund.created", { paymentIntent: payment, amount: 2_000 });
		const res = await callWorker(await webhookRequest(refund), { TOTALS: failingKv(["get", "getWithMetadata"]) });
		expect(res.status).toBe(503);
		expect(errorCode(res, await res.text(), "refund during a KV outage")).toBe("payment_index_unavailable");
		expect(await ledgerTotal(id)).toBe(2_000);
		// Stripe's retry, with KV back, counts it.
		expect(await deliverOk(refund)).toMatchObject({ outcome: "recorded", campaign: id });
		expect(await ledgerTotal(id)).toBe(0);
	});
});

describe("KV write failures", () => {
	it("in the worker do not fail the webhook; the total is right in the ledger and for readers", async () => {
		const id = uniqueCampaign("kvw");
		await createCampaign(id);
		const broken = { TOTALS: failingKv(["get", "getWithMetadata", "put", "list", "delete"]) };
		const res = await callWorker(await webhookRequest(checkoutSessionCompleted({ campaign: id, amount: 3_100 })), broken);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ outcome: "recorded" });
		expect(await ledgerTotal(id)).toBe(3_100);
		await purgeEdgeCopy(id);
		const read = await callWorker(get(`/api/campaigns/${id}`), broken);
		expect(((await read.json()) as { total: number }).total).toBe(3_100);
	});

	it("in the ledger object do not fail the webhook; the snapshot is republished by the alarm or the next change", async () => {
		const id = uniqueCampaign("kvw");
		await createCampaign(id);
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 1_000 }));
		const stub = ledgerOf(id);
		// The object writes snapshots through its own binding: break that one.
		type WithEnv = { env: Bindings };
		await runInDurableObject(stub, (instance) => {
			const object = instance as unknown as WithEnv;
			object.env = { ...object.env, TOTALS: failingKv(["put"]) };
		});

		const start = performance.now();
		expect(await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 2_000 }))).toMatchObject({ outcome: "recorded" });
		const webhookMs = since(start);
		expect(await ledgerTotal(id)).toBe(3_000);
		// KV still holds the last snapshot that could be written (readers see it
		// until the retry); a retry is scheduled.
		expect((await kvSnapshot(id))?.total).toBe(1_000);
		expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).not.toBeNull();

		// Still broken when the alarm fires: it schedules another try.
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect((await kvSnapshot(id))?.total).toBe(1_000);
		expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).not.toBeNull();

		// KV back: the alarm republishes.
		await runInDurableObject(stub, (instance) => {
			(instance as unknown as WithEnv).env = env;
		});
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect((await kvSnapshot(id))?.total).toBe(3_000);
		await purgeEdgeCopy(id);
		const read = await callWorker(get(`/api/campaigns/${id}`), {});
		expect(((await read.json()) as { total: number }).total).toBe(3_000);
		console.log(`webhook with a failing KV write in the ledger: ${webhookMs} ms`);
	});

	it("in the ledger object are repaired by the next change, without waiting for the alarm", async () => {
		const id = uniqueCampaign("kvw");
		await createCampaign(id);
		const stub = ledgerOf(id);
		type WithEnv = { env: Bindings };
		await runInDurableObject(stub, (instance) => {
			const object = instance as unknown as WithEnv;
			object.env = { ...object.env, TOTALS: failingKv(["put"]) };
		});
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 700 }));
		expect((await kvSnapshot(id))?.total).toBe(0);
		await runInDurableObject(stub, (instance) => {
			(instance as unknown as WithEnv).env = env;
		});
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 800 }));
		expect((await kvSnapshot(id))?.total).toBe(1_500);
	});
});

describe("Stripe faults on checkout", () => {
	async function checkoutWithFault(status: number, extra: { delayMs?: number; times?: number; body?: unknown } = {}) {
		const id = uniqueCampaign("stf");
		await createCampaign(id);
		await injectFault(DOUBLE, { path: "/v1/checkout/sessions", method: "POST", status, campaign: id, times: extra.times ?? 3, ...extra });
		const start = performance.now();
		const res = await callWorker(checkoutRequest(id), {});
		const ms = since(start);
		const text = await res.text();
		return { id, res, text, ms };
	}

	it.each([500, 502, 503, 429])("answer 502 quickly when Stripe answers %i", async (status) => {
		const { res, text, ms } = await checkoutWithFault(status);
		expect(res.status).toBe(502);
		expect(JSON.parse(text)).toMatchObject({ error: { code: "stripe_error" } });
		expect(text).not.toMatch(/sk_test|whsec_|stack|at \w+ \(/);
		expect(ms).toBeLessThan(10_000);
	});

	it("answer 502 when Stripe answers 200 without a Checkout URL", async () => {
		const { res, text } = await checkoutWithFault(200, { body: { id: "cs_test_no_url", object: "checkout.session", url: null } });
		expect(res.status).toBe(502);
		expect(JSON.parse(text)).toMatchObject({ error: { code: "stripe_error" } });
	});

	it("answer 502 within a bounded time when Stripe hangs (8 s timeout, one retry)", { timeout: 90_000 }, async () => {
		// 12 s is a hang to a client that gives up after 8 s, and leaves the
		// double no response pending for long after the test.
		const { id, res, text, ms } = await checkoutWithFault(0, { delayMs: 12_000, times: 3 });
		console.log(`Stripe hang -> ${res.status} after ${ms} ms`);
		expect(res.status).toBe(502);
		expect(JSON.parse(text)).toMatchObject({ error: { code: "stripe_error" } });
		// Two attempts of 8 s plus a short back-off; generous for a loaded CI.
		expect(ms).toBeGreaterThanOrEqual(15_000);
		expect(ms).toBeLessThan(30_000);
		const attempts = await recordedRequests(DOUBLE, { path: "/v1/checkout/sessions", method: "POST", campaign: id });
		expect(attempts).toHaveLength(2);
		expect(new Set(attempts.map((a) => a.headers.idempotencyKey)).size).toBe(1);
	});
});

describe("Stripe faults while linking a monthly gift to its payment", () => {
	it("are not acknowledged and count nothing; Stripe's retry counts the gift, linked", async () => {
		const id = uniqueCampaign("sti");
		await createCampaign(id);
		const payment = `pi_${crypto.randomUUID().replaceAll("-", "")}`;
		const invoice = `in_${crypto.randomUUID().replaceAll("-", "")}`;
		await seedObject(DOUBLE, "invoice_payment", invoicePayment({ invoice, paymentIntent: payment, amount: 3_000 }));
		// Both attempts of the SDK (one retry) fail.
		await injectFault(DOUBLE, { path: "/v1/invoice_payments", method: "GET", status: 500, times: 2, query: { invoice } });

		const paid = invoicePaid({ campaign: id, amount: 3_000, invoiceId: invoice });
		const res = await callWorker(await webhookRequest(paid), {});
		expect(res.status).toBe(502);
		expect(errorCode(res, await res.text(), "invoice.paid while Stripe fails")).toBe("stripe_error");
		expect(await ledgerTotal(id)).toBe(0);

		expect(await deliverOk(paid)).toMatchObject({ outcome: "recorded", campaign: id });
		expect(await ledgerTotal(id)).toBe(3_000);
		const rows = await ledgerOf(id).donations(id, null, 0, 10);
		expect(rows?.map((r) => r.payment)).toEqual([payment]);
	});
});

describe("Stripe faults while attributing a refund", () => {
	it("are not acknowledged, so Stripe's retry counts the refund", async () => {
		// The refund arrives before its gift (so no payment index yet) while Stripe's API fails.
		const id = uniqueCampaign("stf");
		await createCampaign(id);
		const payment = `pi_${crypto.randomUUID().replaceAll("-", "")}`;
		await seedObject(DOUBLE, "payment_intent", { id: payment, amount: 4_000, metadata: { [CAMPAIGN_KEY]: id } });
		await injectFault(DOUBLE, { path: `/v1/payment_intents/${payment}`, method: "GET", status: 500, times: 2 });

		const refund = refundEvent("refund.created", { paymentIntent: payment, amount: 4_000 });
		const res = await callWorker(await webhookRequest(refund), {});
		if (res.status === 200) {
			expect(await res.json()).toMatchObject({ outcome: "recorded", campaign: id });
		} else {
			expect([502, 503]).toContain(res.status);
			errorCode(res, await res.text(), "refund while Stripe fails");
			expect(await deliverOk(refund)).toMatchObject({ outcome: "recorded", campaign: id });
		}
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 4_000, paymentIntent: payment }));
		expect(await ledgerTotal(id)).toBe(0);
	});
});
