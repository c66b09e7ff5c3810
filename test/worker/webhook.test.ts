// Stripe webhooks -> the ledger, per the money rules in the design. Every event
// is signed with the real scheme and delivered to the real worker.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { seedObject } from "../stripe/control";
import {
	checkoutAsyncPaymentFailed,
	checkoutAsyncPaymentSucceeded,
	checkoutSessionCompleted,
	disputeFundsReinstated,
	disputeFundsWithdrawn,
	invoicePaid,
	makeEvent,
	refundEvent,
	signPayload,
} from "../stripe/events";
import { CAMPAIGN_KEY } from "../stripe/objects";
import { createCampaign, fetchWorker, kvSnapshot, ledgerOf, publicTotals, uniqueCampaign } from "./support/campaigns";
import { deliver, deliverOk, refundAtStripe, seedMonthlyGift, shuffle, WEBHOOK_SECRET } from "./support/webhooks";

async function ledgerTotal(id: string): Promise<number> {
	return (await ledgerOf(id).snapshot(id))?.total ?? Number.NaN;
}

describe("POST /api/stripe/webhook", () => {
	it("counts a paid one-time gift once, however often Stripe delivers it", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const event = checkoutSessionCompleted({ campaign: id, amount: 2_500, page: "https://news.example/story?utm=x#top" });
		for (let i = 0; i < 3; i++) await deliverOk(event);
		// The same payment told again by another event id counts once too.
		const retold = { ...event, id: `evt_${crypto.randomUUID()}` };
		expect((await deliverOk(retold)).outcome).toBe("duplicate_movement");
		expect(await ledgerTotal(id)).toBe(2_500);
		expect((await publicTotals(id)).total).toBe(2_500);
		const rows = await ledgerOf(id).donations(id, null, 0, 10);
		expect(rows?.map((r) => r.page)).toEqual(["https://news.example/story"]);
	});

	it("counts a delayed payment on async_payment_succeeded, not on the unpaid completion", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const sessionId = `cs_test_${crypto.randomUUID()}`;
		const paymentIntent = `pi_${crypto.randomUUID()}`;
		const pending = checkoutSessionCompleted({ campaign: id, amount: 4_000, paymentStatus: "unpaid", sessionId, paymentIntent });
		expect((await deliverOk(pending)).reason).toBe("payment_pending");
		expect(await ledgerTotal(id)).toBe(0);
		await deliverOk(checkoutAsyncPaymentSucceeded({ campaign: id, amount: 4_000, sessionId, paymentIntent }));
		expect(await ledgerTotal(id)).toBe(4_000);
		// A paid completion of the same session (e.g. redelivered late) adds nothing.
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 4_000, sessionId, paymentIntent }));
		expect(await ledgerTotal(id)).toBe(4_000);
	});

	it("counts nothing for a failed delayed payment", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const sessionId = `cs_test_${crypto.randomUUID()}`;
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 3_000, paymentStatus: "unpaid", sessionId }));
		await deliverOk(checkoutAsyncPaymentFailed({ campaign: id, amount: 3_000, sessionId }));
		expect(await ledgerTotal(id)).toBe(0);
	});

	it("counts a monthly gift per paid invoice and never its subscription session", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const subscription = `sub_${crypto.randomUUID()}`;
		const session = checkoutSessionCompleted({ campaign: id, amount: 1_000, mode: "subscription", subscription, paymentIntent: null });
		expect((await deliverOk(session)).reason).toBe("counted_by_invoice");
		const invoices = [0, 1, 2].map((i) =>
			invoicePaid({ campaign: id, amount: 1_000, subscription, billingReason: i === 0 ? "subscription_create" : "subscription_cycle" }),
		);
		for (const invoice of invoices) await deliverOk(invoice);
		await deliverOk(invoices[1] as object); // a redelivery
		expect(await ledgerTotal(id)).toBe(3_000);
		const rows = await ledgerOf(id).donations(id, null, 0, 10);
		expect(rows?.map((r) => r.interval)).toEqual(["month", "month", "month"]);
	});

	it("takes partial and then full refunds off the total, once", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const paymentIntent = `pi_${crypto.randomUUID()}`;
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 5_000, paymentIntent }));
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 1_500 }));
		const partial = await refundAtStripe({ paymentIntent, amount: 2_000, chargeAmount: 5_000 });
		await deliverOk(partial.chargeRefunded);
		expect(await ledgerTotal(id)).toBe(4_500);
		// refund.* events describe the same money as charge.refunded: no double subtraction.
		const { chargeId } = partial;
		await deliverOk(
			refundEvent("refund.created", { refundId: partial.refundId, amount: 2_000, paymentIntent, chargeId, status: "succeeded" }),
		);
		expect(await ledgerTotal(id)).toBe(4_500);
		const rest = await refundAtStripe({ paymentIntent, chargeId, amount: 3_000, chargeAmount: 5_000, amountRefunded: 5_000 });
		await deliverOk(rest.chargeRefunded);
		expect(await ledgerTotal(id)).toBe(1_500);
		// A late copy of the partial refund's charge.refunded cannot give money back.
		await deliverOk(partial.chargeRefunded);
		expect(await ledgerTotal(id)).toBe(1_500);
		expect((await kvSnapshot(id))?.total).toBe(1_500);
	});

	it("takes a lost dispute off and puts a reinstated one back", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const paymentIntent = `pi_${crypto.randomUUID()}`;
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 7_500, paymentIntent }));
		const disputeId = `dp_${crypto.randomUUID()}`;
		await deliverOk(disputeFundsWithdrawn({ disputeId, paymentIntent, amount: 7_500 }));
		expect(await ledgerTotal(id)).toBe(0);
		await deliverOk(disputeFundsReinstated({ disputeId, paymentIntent, amount: 7_500 }));
		expect(await ledgerTotal(id)).toBe(7_500);
	});

	it("reaches the same total whatever the delivery order", async () => {
		const build = async (id: string) => {
			const pa = `pi_a_${id}`;
			const pb = `pi_b_${id}`;
			const sub = `sub_${id}`;
			// The first gift's PaymentIntent and two refunds of its charge, as Stripe holds them; each charge.refunded tells of both.
			await seedObject(env.STRIPE_API_URL, "payment_intent", { id: pa, amount: 10_000, metadata: { [CAMPAIGN_KEY]: id } });
			const first = await refundAtStripe({ paymentIntent: pa, chargeId: `ch_a_${id}`, amount: 3_000, chargeAmount: 10_000 });
			const second = await refundAtStripe({
				paymentIntent: pa,
				chargeId: `ch_a_${id}`,
				amount: 1_000,
				chargeAmount: 10_000,
				amountRefunded: 4_000,
			});
			const refunds = { first: first.chargeRefunded, second: second.chargeRefunded };
			return [
				checkoutSessionCompleted({ campaign: id, amount: 10_000, paymentIntent: pa, eventId: `evt_1_${id}` }),
				checkoutSessionCompleted({
					campaign: id,
					amount: 2_000,
					paymentIntent: pb,
					paymentStatus: "unpaid",
					sessionId: `cs_b_${id}`,
					eventId: `evt_2_${id}`,
				}),
				checkoutAsyncPaymentSucceeded({ campaign: id, amount: 2_000, paymentIntent: pb, sessionId: `cs_b_${id}`, eventId: `evt_3_${id}` }),
				refunds.first,
				refunds.second,
				invoicePaid({ campaign: id, amount: 1_500, subscription: sub, invoiceId: `in_1_${id}` }),
				invoicePaid({ campaign: id, amount: 1_500, subscription: sub, invoiceId: `in_2_${id}` }),
				checkoutSessionCompleted({ campaign: id, amount: 1_500, mode: "subscription", subscription: sub, paymentIntent: null }),
			];
		};
		// In order: 10,000 + 2,000 - 4,000 + 1,500 + 1,500
		const expected = 11_000;
		for (const seed of [1, 7, 42, 1234]) {
			const id = uniqueCampaign();
			await createCampaign(id);
			const events = await build(id);
			for (const event of shuffle([...events, ...events.slice(0, 3)], seed)) await deliverOk(event);
			expect(await ledgerTotal(id)).toBe(expected);
		}
	});

	it("places a refund or dispute that arrives before its gift, through the PaymentIntent at Stripe", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const intent = await seedObject<{ id: string }>(env.STRIPE_API_URL, "payment_intent", { metadata: { [CAMPAIGN_KEY]: id } });
		const paymentIntent = intent.id;
		// Neither event names the campaign; the gift is not in the ledger yet.
		expect((await deliverOk(refundEvent("refund.created", { amount: 1_000, paymentIntent, status: "succeeded" }))).campaign).toBe(id);
		expect((await deliverOk(disputeFundsWithdrawn({ paymentIntent, amount: 500 }))).campaign).toBe(id);
		expect(await ledgerTotal(id)).toBe(0);
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 6_000, paymentIntent }));
		expect(await ledgerTotal(id)).toBe(4_500);
		// A refund of a payment that is none of ours is answered 200 and counted nowhere.
		const stranger = await deliverOk(refundEvent("refund.created", { amount: 1_000, paymentIntent: "pi_not_ours", status: "succeeded" }));
		expect(stranger).toMatchObject({ outcome: "ignored", reason: "unattributed" });
	});

	it("takes a monthly gift's refund and dispute off: the invoice's PaymentIntent is looked up at Stripe", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const { invoice, paymentIntent } = await seedMonthlyGift(id, 3_000);
		// Like Stripe's, the event's invoice has no `payments`.
		const paid = invoicePaid({ campaign: id, amount: 3_000, invoiceId: invoice });
		expect((paid.data.object as { payments?: unknown }).payments).toBeUndefined();
		await deliverOk(paid);
		expect((await ledgerOf(id).donations(id, null, 0, 10))?.map((r) => r.payment)).toEqual([paymentIntent]);
		// Neither names the campaign: the payment index places them.
		const refund = await refundAtStripe({ paymentIntent, amount: 1_000, chargeAmount: 3_000 });
		expect((await deliverOk(refund.chargeRefunded)).campaign).toBe(id);
		expect(await ledgerTotal(id)).toBe(2_000);
		expect((await deliverOk(disputeFundsWithdrawn({ paymentIntent, amount: 2_000 }))).campaign).toBe(id);
		expect(await ledgerTotal(id)).toBe(0);
		expect((await publicTotals(id)).total).toBe(0);
	});

	it("places a monthly gift's refund that arrives before its invoice.paid, through the invoice it paid", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const { invoice, paymentIntent } = await seedMonthlyGift(id, 2_000);
		const early = await deliverOk(refundEvent("refund.created", { amount: 500, paymentIntent, status: "succeeded" }));
		expect(early).toMatchObject({ outcome: "recorded", campaign: id });
		expect(await ledgerTotal(id)).toBe(0);
		await deliverOk(invoicePaid({ campaign: id, amount: 2_000, invoiceId: invoice }));
		expect(await ledgerTotal(id)).toBe(1_500);
	});

	it("counts 500 concurrent deliveries (with duplicates) to the exact total", async () => {
		const id = uniqueCampaign();
		await createCampaign(id, { maxAmount: 1_000_000 });
		const gifts = Array.from({ length: 400 }, (_, i) => checkoutSessionCompleted({ campaign: id, amount: 100 + ((i * 7919) % 9_900) }));
		const expected = gifts.reduce((sum, e) => sum + (e.data.object as { amount_total: number }).amount_total, 0);
		const deliveries = shuffle([...gifts, ...gifts.slice(0, 100)], 99);
		const statuses = await Promise.all(deliveries.map(async (e) => (await deliver(e)).status));
		expect(statuses.filter((s) => s !== 200)).toEqual([]);
		expect(await ledgerTotal(id)).toBe(expected);
		expect((await ledgerOf(id).snapshot(id))?.donations).toBe(400);
		expect((await kvSnapshot(id))?.total).toBe(expected);
	});

	it("rejects a bad signature, another secret and a stale timestamp with 400 and no change", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const event = checkoutSessionCompleted({ campaign: id, amount: 9_000 });
		const otherSecret = await deliver(event, { secret: "whsec_someone_else" });
		expect(otherSecret.status).toBe(400);
		expect(await otherSecret.json()).toMatchObject({ error: { code: "invalid_signature" } });
		const stale = await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 3_600 });
		expect(stale.status).toBe(400);
		const garbage = await fetchWorker("/api/stripe/webhook", {
			method: "POST",
			body: JSON.stringify(event),
			headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=deadbeef" },
		});
		expect(garbage.status).toBe(400);
		const missing = await fetchWorker("/api/stripe/webhook", { method: "POST", body: JSON.stringify(event) });
		expect(missing.status).toBe(400);
		expect(await missing.json()).toMatchObject({ error: { code: "missing_signature" } });
		// A valid signature over a body that was then altered.
		const body = JSON.stringify(event);
		const header = await signPayload(body, WEBHOOK_SECRET);
		const tampered = await fetchWorker("/api/stripe/webhook", {
			method: "POST",
			body: body.replace('"amount_total":9000', '"amount_total":900000'),
			headers: { "content-type": "application/json", "stripe-signature": header },
		});
		expect(tampered.status).toBe(400);
		expect(await ledgerTotal(id)).toBe(0);
	});

	it("rejects a validly signed body that is not JSON", async () => {
		const body = '{"id": "evt_1", "type": ';
		const res = await fetchWorker("/api/stripe/webhook", {
			method: "POST",
			body,
			headers: { "content-type": "application/json", "stripe-signature": await signPayload(body, WEBHOOK_SECRET) },
		});
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ error: { code: "invalid_payload" } });
	});

	it("answers 200 and counts nothing for irrelevant types, unknown campaigns and missing metadata", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		expect(await deliverOk(makeEvent("customer.created", { id: "cus_1", object: "customer" }))).toMatchObject({ outcome: "ignored" });
		const ghost = uniqueCampaign("ghost");
		// Ours, for a campaign nobody created: kept for admins (GET /api/admin/unplaced), counted nowhere.
		expect((await deliverOk(checkoutSessionCompleted({ campaign: ghost, amount: 1_000 }))).outcome).toBe("unplaced");
		expect((await deliverOk(checkoutSessionCompleted({ amount: 1_000 }))).outcome).toBe("ignored");
		expect(await ledgerTotal(id)).toBe(0);
		expect(await ledgerOf(ghost).snapshot(ghost)).toBeNull();
	});
});
