// The promise "every gift counted once, refunds and lost disputes off" as a
// property: random histories of one-time and monthly gifts (some in a
// foreign currency, some from endpoints on older API versions), partial and
// full refunds that succeed, stay pending, fail or are canceled, disputes lost
// and reinstated, duplicates and retold events, shuffled delivery, late
// deliveries across resets, currency changes and resets. The test computes
// every gift's net itself from the history and compares the public total,
// each period's total and the export with it.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seedObject } from "../stripe/control";
import { checkoutSessionCompleted, disputeFundsReinstated, disputeFundsWithdrawn, invoicePaid, makeEvent } from "../stripe/events";
import { CAMPAIGN_KEY, invoicePayment, paidInvoice, refundObject } from "../stripe/objects";
import { createCampaign, fetchWorker, publicTotals, uniqueCampaign } from "./support/campaigns";
import { ADMIN_AUTH } from "./support/fuzz";
import { deliverOk, refundAtStripe, shuffle } from "./support/webhooks";

const DOUBLE = env.STRIPE_API_URL;
const newId = (prefix: string) => `${prefix}${crypto.randomUUID().replaceAll("-", "")}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

type RefundEnd = "succeeded" | "pending" | "failed" | "canceled";

interface GiftSpec {
	monthly: boolean;
	foreign: boolean;
	amount: number;
	/** Shares of the amount, in thousandths, each refunded and ending as given. */
	refunds: { share: number; end: RefundEnd }[];
	dispute: "none" | "lost" | "won";
	/** Deliver this gift's events again, or retold under new event ids. */
	duplicate: "none" | "again" | "retold";
	/** Hold this gift's events back and deliver them after the next admin action. */
	late: boolean;
	apiVersion: "2024-06-20" | "2026-10-28.endive";
	/** Card fees the donor covered on top of the gift (0: none); the charge is amount + feeCover. */
	feeCover: number;
}

/** An admin action: a reset (with a currency), a currency change, or a sponsor's match on the current period. */
type Step = { gifts: GiftSpec[] } | { reset: boolean; currency: "usd" | "eur" } | { match: { percent: number; cap: number } | null };

const refundArb = fc.record({
	share: fc.integer({ min: 1, max: 600 }),
	end: fc.constantFrom<RefundEnd>("succeeded", "pending", "failed", "canceled"),
});
const giftArb: fc.Arbitrary<GiftSpec> = fc.record({
	monthly: fc.boolean(),
	foreign: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
	amount: fc.integer({ min: 100, max: 50_000 }),
	refunds: fc.array(refundArb, { maxLength: 2 }).filter((list) => list.reduce((sum, r) => sum + r.share, 0) <= 1_000),
	dispute: fc.constantFrom("none", "none", "lost", "won"),
	duplicate: fc.constantFrom("none", "again", "retold"),
	late: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
	apiVersion: fc.constantFrom("2024-06-20", "2026-10-28.endive"),
	feeCover: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2_000 })),
});
const stepArb: fc.Arbitrary<Step> = fc.oneof(
	{ arbitrary: fc.record({ gifts: fc.array(giftArb, { minLength: 1, maxLength: 4 }) }), weight: 3 },
	{ arbitrary: fc.record({ reset: fc.boolean(), currency: fc.constantFrom<"usd" | "eur">("usd", "eur") }), weight: 1 },
	{
		arbitrary: fc.record({
			match: fc.option(fc.record({ percent: fc.constantFrom(50, 100, 200), cap: fc.integer({ min: 1, max: 60_000 }) }), { nil: null }),
		}),
		weight: 1,
	},
);

/** Marks an event's object (and, for an invoice, its subscription's metadata in every shape) with a fee cover. */
function withFeeCover(event: object, fee: number): object {
	if (fee === 0) return event;
	const object = (event as { data: { object: Record<string, unknown> } }).data.object;
	const mark = (metadata: unknown) => {
		if (metadata && typeof metadata === "object") (metadata as Record<string, string>).donation_widget_fee_cover = String(fee);
	};
	mark(object.metadata);
	const details = (object.parent as { subscription_details?: { metadata?: unknown } } | null)?.subscription_details;
	mark(details?.metadata);
	mark((object.subscription_details as { metadata?: unknown } | null)?.metadata);
	return event;
}

/** What the test itself expects of one gift. */
interface Expected {
	key: string;
	/** What was charged (gift and fee cover), and what is left of it. */
	amount: number;
	currency: string;
	net: number;
	/** What is left of the gift alone: what the bar counts. */
	giftNet: number;
}

/** The events of one gift, built now (Stripe's times: now), and what it should leave. */
async function eventsOf(campaign: string, currency: string, spec: GiftSpec): Promise<{ events: object[]; expected: Expected }> {
	const paymentIntent = newId("pi_");
	const chargeId = newId("ch_");
	const giftCurrency = spec.foreign ? (currency === "usd" ? "eur" : "usd") : currency;
	// What the donor was charged: the gift and the fee cover on top.
	const charged = spec.amount + spec.feeCover;
	const t = nowSeconds();
	const events: object[] = [];
	let key: string;
	// Stripe's own records, which a refund or dispute that arrives first is placed by.
	const metadata = spec.monthly ? {} : { [CAMPAIGN_KEY]: campaign };
	await seedObject(DOUBLE, "payment_intent", { id: paymentIntent, amount: charged, currency: giftCurrency, metadata });
	if (spec.monthly) {
		const invoiceId = newId("in_");
		key = `invoice:${invoiceId}`;
		await seedObject(DOUBLE, "invoice", paidInvoice({ invoiceId, campaign, amount: charged, currency: giftCurrency }));
		// The webhook looks the PaymentIntent up at Stripe when the payload (basil and later) leaves it out.
		await seedObject(
			DOUBLE,
			"invoice_payment",
			invoicePayment({ invoice: invoiceId, paymentIntent, amount: charged, currency: giftCurrency }),
		);
		const paid = invoicePaid({ campaign, amount: charged, currency: giftCurrency, invoiceId, paymentIntent, apiVersion: spec.apiVersion });
		events.push(withFeeCover(paid, spec.feeCover));
	} else {
		const sessionId = newId("cs_test_");
		key = `session:${sessionId}`;
		const options = { campaign, amount: charged, currency: giftCurrency, sessionId, paymentIntent, apiVersion: spec.apiVersion };
		events.push(withFeeCover(checkoutSessionCompleted(options), spec.feeCover));
	}
	let refunded = 0;
	let refundedSoFar = 0;
	for (const r of spec.refunds) {
		const amount = Math.max(1, Math.floor((charged * r.share) / 1_000));
		if (refundedSoFar + amount > charged) break;
		refundedSoFar += amount;
		const refundId = newId("re_");
		// Stripe holds the refund in its final state; the events tell its way there.
		const { chargeRefunded } = await refundAtStripe({
			paymentIntent,
			chargeId,
			refundId,
			amount,
			chargeAmount: charged,
			status: r.end,
		});
		const at = (status: RefundEnd, created: number) =>
			makeEvent(
				status === "failed" ? "refund.failed" : "refund.updated",
				refundObject({ refundId, amount, paymentIntent, chargeId, status }),
				{
					created,
				},
			);
		events.push(
			makeEvent("refund.created", refundObject({ refundId, amount, paymentIntent, chargeId, status: "pending" }), { created: t - 60 }),
		);
		if (r.end !== "pending") events.push(at(r.end, t - 30));
		events.push(chargeRefunded);
		if (r.end === "succeeded" || r.end === "pending") refunded += amount;
	}
	let disputed = 0;
	if (spec.dispute !== "none") {
		const disputeId = newId("dp_");
		events.push(disputeFundsWithdrawn({ disputeId, paymentIntent, chargeId, amount: charged }));
		if (spec.dispute === "won") events.push(disputeFundsReinstated({ disputeId, paymentIntent, chargeId, amount: charged }));
		else disputed = charged;
	}
	if (spec.duplicate === "again") events.push(...events.slice(0, 2));
	if (spec.duplicate === "retold") events.push(...events.slice(0, 2).map((e) => ({ ...e, id: newId("evt_") })));
	// Reversals come off the charge; the gift loses its share of them (rounded half up).
	const reversed = Math.min(charged, refunded + disputed);
	const net = charged - reversed;
	const giftNet = spec.amount - Math.floor((2 * reversed * spec.amount + charged) / (2 * charged));
	return { events, expected: { key, amount: charged, currency: giftCurrency, net, giftNet } };
}

async function admin(path: string, method = "GET", json?: unknown) {
	const headers = { ...ADMIN_AUTH, ...(method === "GET" ? {} : { "Content-Type": "application/json" }) };
	return fetchWorker(`/api/admin${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
}

interface PeriodRow {
	id: number;
	gifts: number;
	startedAt: string;
	endedAt: string | null;
	currency: string;
	total: number;
	donations: number;
}
interface ExportRow {
	key: string;
	giftNet: number;
	match: number;
	period: number;
	amount: number;
	net: number;
	currency: string;
	occurredAt: string;
}

describe("money, as a property over random histories", () => {
	it("public, period and exported totals equal the sum the test computes itself", async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 1_000 }), async (steps, seed) => {
				const id = uniqueCampaign("prop");
				await createCampaign(id);
				let currency = "usd";
				/** The sponsor's match set on each period (by period id), as the admin set it. */
				const matches = new Map<number, { percent: number; cap: number } | null>();
				let currentPeriodId = 1;
				const expected: Expected[] = [];
				let held: object[] = [];
				for (const step of steps) {
					if ("gifts" in step) {
						const now: object[] = [];
						for (const spec of step.gifts) {
							const built = await eventsOf(id, currency, spec);
							expected.push(built.expected);
							(spec.late ? held : now).push(...built.events);
						}
						for (const event of shuffle(now, seed)) await deliverOk(event);
						continue;
					}
					if ("match" in step) {
						const match = step.match && { sponsor: "A foundation", ...step.match };
						expect((await admin(`/campaigns/${id}`, "PUT", { match })).status).toBe(200);
						matches.set(currentPeriodId, step.match);
					} else {
						const res = step.reset
							? await admin(`/campaigns/${id}/reset`, "POST", { currency: step.currency })
							: await admin(`/campaigns/${id}`, "PUT", { currency: step.currency });
						expect([200, 409]).toContain(res.status);
						if (res.status === 200) currency = step.currency;
						if (step.reset) currentPeriodId += 1;
					}
					// Events held back arrive now, after the change: they count where their payment fell.
					for (const event of shuffle(held, seed + 1)) await deliverOk(event);
					held = [];
				}
				for (const event of shuffle(held, seed + 2)) await deliverOk(event);

				const { periods } = (await (await admin(`/campaigns/${id}/periods`)).json()) as { periods: PeriodRow[] };
				const rows: ExportRow[] = [];
				for (const period of periods) {
					const exported = (await (await admin(`/campaigns/${id}/donations?period=${period.id}`)).json()) as { donations: ExportRow[] };
					rows.push(...exported.donations);
				}
				// The export holds every gift, once, with the amount, currency and net the test expects.
				const byKey = new Map(rows.map((row) => [row.key, row]));
				const model = new Map(expected.map((gift) => [gift.key, gift]));
				expect(rows).toHaveLength(expected.length);
				for (const gift of expected) {
					expect([gift.key, byKey.get(gift.key)]).toEqual([
						gift.key,
						expect.objectContaining({ amount: gift.amount, currency: gift.currency, net: gift.net, giftNet: gift.giftNet }),
					]);
				}
				// Each period adds up its own currency only; each gift sits in the period its payment fell in.
				for (const period of periods) {
					const mine = rows.filter((row) => row.period === period.id);
					for (const row of mine) {
						// Stripe's times are whole seconds: a payment in the second of a reset may fall on either side.
						const occurred = Date.parse(row.occurredAt);
						const started = period.id === 1 || occurred + 999 >= Date.parse(period.startedAt);
						const notEnded = period.endedAt === null || occurred < Date.parse(period.endedAt);
						expect([row.key, started && notEnded]).toEqual([row.key, true]);
					}
					// The bar counts the gifts (fee cover left out) plus the sponsor's match, up to its cap;
					// each gift's share of the match in the export adds up to the period's.
					const counted = mine.filter((row) => row.currency === period.currency);
					const gifts = counted.reduce((sum, row) => sum + (model.get(row.key)?.giftNet ?? Number.NaN), 0);
					const match = matches.get(period.id);
					const matched = match ? Math.min(match.cap, Math.floor((gifts * match.percent) / 100)) : 0;
					expect([period.id, period.gifts, period.total, period.donations]).toEqual([period.id, gifts, gifts + matched, counted.length]);
					expect(mine.reduce((sum, row) => sum + row.match, 0)).toBe(matched);
				}
				const current = periods.at(-1);
				expect((await publicTotals(id)).total).toBe(current?.total);
				expect(current?.currency).toBe(currency);
			}),
			{ numRuns: 50 },
		);
	});
});
