// Donors in control: cover the fees, goals and deadlines that behave, a
// sponsor's match, the thank-you with the gift already on the bar, and the
// portal for a monthly gift. Against the Stripe double; webhooks signed.
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { amountStep } from "../../src/domain/currency";
import { grossUp } from "../../src/domain/gift";
import app from "../../src/index";
import { completeSession, recordedRequests, seedObject } from "../stripe/control";
import { checkoutSessionCompleted, makeEvent } from "../stripe/events";
import { CAMPAIGN_KEY } from "../stripe/objects";
import { createCampaign, fetchWorker, ledgerOf, ORIGIN, publicTotals, uniqueCampaign } from "./support/campaigns";
import { ADMIN_AUTH } from "./support/fuzz";
import { deliverOk, refundAtStripe } from "./support/webhooks";

const DOUBLE = env.STRIPE_API_URL;
let ip = 0;
const freshIp = () => `198.51.100.${++ip % 250}-${crypto.randomUUID()}`;

function admin(path: string, method = "GET", json?: unknown) {
	const headers = { ...ADMIN_AUTH, ...(method === "GET" ? {} : { "Content-Type": "application/json" }) };
	return fetchWorker(`/api/admin${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
}

function checkout(id: string, body: object) {
	return fetchWorker(`/api/campaigns/${id}/checkout`, {
		method: "POST",
		headers: { "Content-Type": "application/json", "CF-Connecting-IP": freshIp() },
		body: JSON.stringify(body),
	});
}

const sessionsSent = async (id: string) => recordedRequests(DOUBLE, { path: "/v1/checkout/sessions", method: "POST", campaign: id });

describe("covering the card fees", () => {
	it.each([
		// gift, percent, fixed, currency, charge: (gift + fixed) / (1 - percent), rounded up (and to what the currency can charge)
		[1_000, 2.9, 30, "usd", 1_061], // "Add 0.61 $ so all 10 $ reach us"
		[2_500, 2.9, 30, "usd", 2_606],
		[1_000, 1.5, 25, "eur", 1_041],
		[1_000, 1.5, 20, "gbp", 1_036],
		[1_000, 3.6, 0, "jpy", 1_038],
		[50_000, 2.9, 0, "isk", 51_500], // whole krónur: 514.93 kr -> 515 kr
		[5_120, 2.9, 100, "kwd", 5_380], // tens of fils: 5.3759 -> 5.380 KWD
		[100, 0, 0, "usd", 100],
	])("grosses %i up to a charge that leaves it whole (%s %% + %i, %s): %i", (gift, percent, fixed, currency, charge) => {
		expect(grossUp(gift, { percent, fixed }, amountStep(currency))).toBe(charge);
	});

	it("never charges less than leaves the gift whole, nor a minor unit more than it must", () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 5_000_000 }),
				fc.integer({ min: 0, max: 9_900 }),
				fc.integer({ min: 0, max: 500 }),
				(gift, bp, fixed) => {
					const percent = bp / 100;
					const charge = grossUp(gift, { percent, fixed });
					const arrives = (c: number) => c - (c * bp) / 10_000 - fixed;
					return arrives(charge) >= gift - 1e-9 && arrives(charge - 1) < gift;
				},
			),
			{ numRuns: 2_000 },
		);
	});

	it("sends the gift and the fee cover to Checkout as two lines, and the bar counts only the gift, even after a refund", async () => {
		const id = uniqueCampaign("fee");
		await createCampaign(id, { feeCover: { enabled: true, percent: 2.9, fixed: 30 } });
		expect((await publicTotals(id)).feeCover).toEqual({ percent: 2.9, fixed: 30 });
		const res = await checkout(id, { amount: 1_000, coverFees: true });
		expect(res.status).toBe(200);
		const [sent] = await sessionsSent(id);
		expect(sent?.params.line_items).toEqual([
			expect.objectContaining({ price_data: expect.objectContaining({ unit_amount: "1000" }) }),
			expect.objectContaining({
				price_data: expect.objectContaining({ unit_amount: "61", product_data: { name: "Covering the card fees" } }),
			}),
		]);
		expect(sent?.params.metadata).toMatchObject({ donation_widget_fee_cover: "61" });
		// Stripe completes it; its webhook counts the gift, not the fee cover.
		const { id: sessionId } = (await res.json()) as { id: string };
		const session = await completeSession(DOUBLE, sessionId);
		await deliverOk(makeEvent("checkout.session.completed", session));
		expect(await publicTotals(id)).toMatchObject({ total: 1_000, gifts: 1_000, donations: 1 });
		const [row] = (await ledgerOf(id).donations(id, null, 0, 10)) ?? [];
		expect(row).toMatchObject({ amount: 1_061, feeCover: 61, gift: 1_000, giftNet: 1_000 });
		// A partial refund of the charge takes the gift back in proportion: 530 of 1,061 is 500 of the gift.
		const refund = await refundAtStripe({ paymentIntent: String(session.payment_intent), amount: 530, chargeAmount: 1_061 });
		await deliverOk(refund.chargeRefunded);
		expect((await publicTotals(id)).total).toBe(500);
	});

	it("refuses fee cover where it is not offered, and fee rules that make no sense", async () => {
		const id = uniqueCampaign("fee");
		await createCampaign(id);
		const res = await checkout(id, { amount: 1_000, coverFees: true });
		expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([400, "fee_cover_not_offered"]);
		for (const feeCover of [
			{ enabled: true, percent: 100, fixed: 0 },
			{ enabled: true, percent: -1, fixed: 0 },
			{ enabled: true, percent: 2.9, fixed: -30 },
			{ enabled: true, percent: 2.9, fixed: 0.5 },
		]) {
			expect([feeCover, (await admin(`/campaigns/${id}`, "PUT", { feeCover })).status]).toEqual([feeCover, 400]);
		}
		expect((await publicTotals(id)).feeCover).toBeNull();
	});
});

describe("goals that behave", () => {
	it("keeps asking past the last goal by default; closes when asked to, with its own words", async () => {
		const id = uniqueCampaign("goal");
		await createCampaign(id, { goals: [1_000] });
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 1_500 }));
		expect(await publicTotals(id)).toMatchObject({
			total: 1_500,
			status: "open",
			afterGoal: "ask",
			goalReachedText: "Goal reached — thank you!",
		});
		expect((await checkout(id, { amount: 500 })).status).toBe(200);
		const closed = await admin(`/campaigns/${id}`, "PUT", { afterGoal: "close", goalReachedText: "We made it. Thank you!" });
		expect(await closed.json()).toMatchObject({ status: "closed", goalReachedText: "We made it. Thank you!" });
		const refused = await checkout(id, { amount: 500 });
		expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([409, "campaign_closed"]);
		// The donate page says it once, in the ask's place.
		expect((await (await fetchWorker(`/donate/${id}`)).text()).split("We made it. Thank you!")).toHaveLength(2);
		// A stretch goal opens it again, no re-embedding needed.
		expect(await (await admin(`/campaigns/${id}`, "PUT", { goals: [1_000, 5_000] })).json()).toMatchObject({ status: "open" });
		expect((await checkout(id, { amount: 500 })).status).toBe(200);
	});
});

describe("deadlines", () => {
	it("takes an endsAt in the future, refuses one in the past, and after it refuses gifts (409)", async () => {
		const id = uniqueCampaign("end");
		await createCampaign(id);
		const endsAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
		expect(await (await admin(`/campaigns/${id}`, "PUT", { endsAt })).json()).toMatchObject({ status: "open", period: { endsAt } });
		const past = await admin(`/campaigns/${id}`, "PUT", { endsAt: new Date(Date.now() - 1_000).toISOString() });
		expect([past.status, ((await past.json()) as { error: { message: string } }).error.message]).toEqual([
			400,
			"endsAt: endsAt must lie in the future",
		]);
		expect((await admin(`/campaigns/${id}`, "PUT", { endsAt: "next tuesday" })).status).toBe(400);
		expect((await admin(`/campaigns/${id}/reset`, "POST", { endsAt: "2020-01-01T00:00:00Z" })).status).toBe(400);
		expect((await checkout(id, { amount: 500 })).status).toBe(200);
		// The clock, controlled: the period's end is now behind us.
		await runInDurableObject(ledgerOf(id), (_, state) => {
			state.storage.sql.exec("UPDATE periods SET ends_at = ? WHERE ended_at IS NULL", Date.now() - 1_000);
		});
		const late = await checkout(id, { amount: 500 });
		expect([late.status, ((await late.json()) as { error: { code: string } }).error.code]).toEqual([409, "campaign_ended"]);
		expect((await ledgerOf(id).snapshot(id))?.status).toBe("ended");
		const page = await (await fetchWorker(`/donate/${id}`)).text();
		expect(page).toContain("This campaign has ended");
		expect(page).toContain("Ended ");
		expect(page).not.toContain("Raised so far");
		expect(page).not.toMatch(/Ends /);
		// A reset starts a new period without a deadline, unless it sets one.
		const next = new Date(Date.now() + 86_400_000).toISOString();
		expect(await (await admin(`/campaigns/${id}/reset`, "POST", { endsAt: next })).json()).toMatchObject({
			status: "open",
			period: { id: 2, endsAt: next },
		});
	});
});

describe("a sponsor's match", () => {
	it("adds the match to the bar up to its cap, apart from the gifts; a refund takes back its share", async () => {
		const id = uniqueCampaign("match");
		await createCampaign(id);
		const match = { sponsor: "The Riverside Foundation", percent: 100, cap: 1_000 };
		expect((await admin(`/campaigns/${id}`, "PUT", { match })).status).toBe(200);
		const paymentIntent = `pi_${crypto.randomUUID().replaceAll("-", "")}`;
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 600 }));
		expect(await publicTotals(id)).toMatchObject({ gifts: 600, total: 1_200, match: { ...match, matched: 600 } });
		await deliverOk(checkoutSessionCompleted({ campaign: id, amount: 700, paymentIntent }));
		expect(await publicTotals(id)).toMatchObject({ gifts: 1_300, total: 2_300, match: { matched: 1_000 } });
		const refund = await refundAtStripe({ paymentIntent, amount: 700, chargeAmount: 700 });
		await deliverOk(refund.chargeRefunded);
		expect(await publicTotals(id)).toMatchObject({ gifts: 600, total: 1_200, match: { matched: 600 } });
		const exported = (await (await admin(`/campaigns/${id}/donations`)).json()) as { donations: { amount: number; match: number }[] };
		expect(exported.donations.map((d) => [d.amount, d.match])).toEqual([
			[600, 600],
			[700, 0],
		]);
		for (const bad of [
			{ ...match, cap: -1 },
			{ ...match, percent: 0 },
			{ ...match, sponsor: "" },
		]) {
			expect((await admin(`/campaigns/${id}`, "PUT", { match: bad })).status).toBe(400);
		}
		const audit = (await (await admin(`/campaigns/${id}/audit`)).json()) as { entries: { after: { match?: unknown } }[] };
		expect(audit.entries[0]?.after.match).toEqual(match);
	});
});

describe("back from Checkout", () => {
	async function startedSession(id: string, body: object) {
		const res = await checkout(id, { returnUrl: "https://publisher.example/story", ...body });
		expect(res.status).toBe(200);
		return ((await res.json()) as { id: string }).id;
	}
	const back = (id: string, sessionId: string) =>
		fetchWorker(`/api/campaigns/${id}/return?session_id=${sessionId}`, { headers: { "CF-Connecting-IP": freshIp() } });

	it("counts the gift at once from the session the donor just completed, and its webhook later adds nothing", async () => {
		const id = uniqueCampaign("back");
		await createCampaign(id);
		const sessionId = await startedSession(id, { amount: 2_500 });
		const session = await completeSession(DOUBLE, sessionId);
		expect((await publicTotals(id)).total).toBe(0);
		const res = await back(id, sessionId);
		expect(res.headers.get("Cache-Control")).toBe("no-store");
		expect(await res.json()).toMatchObject({ campaign: { total: 2_500 }, gift: { amount: 2_500, interval: "once" }, manage: false });
		expect((await publicTotals(id)).total).toBe(2_500);
		expect(await deliverOk(makeEvent("checkout.session.completed", session))).toMatchObject({ outcome: "duplicate_movement" });
		expect((await publicTotals(id)).total).toBe(2_500);
	});

	it("thanks on the worker's page, with a link back only to an article on the publisher's sites", async () => {
		const id = uniqueCampaign("back");
		await createCampaign(id);
		const thanks = async (page: string) => {
			const sessionId = await startedSession(id, { amount: 1_000, page });
			await completeSession(DOUBLE, sessionId);
			return (await fetchWorker(`/thanks?campaign=${id}&session_id=${sessionId}`)).text();
		};
		const ours = await thanks("https://publisher.example/story?utm_source=x");
		expect(ours).toContain('<a href="https://publisher.example/story">Back to the article</a>');
		expect(ours).toContain("is on the bar");
		const elsewhere = await thanks("https://elsewhere.example/story");
		expect(elsewhere).toContain("is on the bar");
		expect(elsewhere).not.toContain("Back to the article");
		expect(elsewhere).not.toContain("elsewhere.example");
	});

	it("refuses sessions that are not this campaign's, not complete, older than a day or not ids at all", async () => {
		const id = uniqueCampaign("back");
		await createCampaign(id);
		const open = await startedSession(id, { amount: 500 });
		expect((await back(id, open)).status).toBe(404);
		const other = uniqueCampaign("back");
		await createCampaign(other);
		const theirs = await startedSession(other, { amount: 500 });
		await completeSession(DOUBLE, theirs);
		expect((await back(id, theirs)).status).toBe(404);
		const old = await seedObject<{ id: string }>(DOUBLE, "checkout.session", {
			...checkoutSessionCompleted({ campaign: id, amount: 500 }).data.object,
			id: `cs_test_${crypto.randomUUID().replaceAll("-", "")}`,
			created: Math.floor(Date.now() / 1000) - 25 * 3_600,
			metadata: { [CAMPAIGN_KEY]: id },
		});
		expect((await back(id, old.id)).status).toBe(410);
		expect((await back(id, `cs_test_${"a".repeat(40)}`)).status).toBe(404);
		expect((await fetchWorker(`/api/campaigns/${id}/return?session_id=../../admin`)).status).toBe(400);
		expect((await publicTotals(id)).total).toBe(0);
	});

	it("is one fresh read per return, rate-limited per client", async () => {
		const id = uniqueCampaign("back");
		await createCampaign(id);
		const sessionId = await startedSession(id, { amount: 500 });
		await completeSession(DOUBLE, sessionId);
		const statuses: number[] = [];
		for (let i = 0; i < 11; i++) {
			statuses.push(
				(await fetchWorker(`/api/campaigns/${id}/return?session_id=${sessionId}`, { headers: { "CF-Connecting-IP": "192.0.2.99" } }))
					.status,
			);
		}
		expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
	});

	it("lets a monthly donor into the Stripe customer portal from the thank-you, and a cancelled gift subtracts nothing", async () => {
		const id = uniqueCampaign("portal");
		await createCampaign(id);
		// The configuration `npm run stripe:setup` makes, found by its mark (not the account's default).
		const ours = await seedObject<{ id: string }>(DOUBLE, "billing_portal.configuration", { metadata: { donation_widget_portal: "1" } });
		const sessionId = await startedSession(id, { amount: 1_000, interval: "month" });
		const done = await completeSession(DOUBLE, sessionId);
		const answer = (await (await back(id, sessionId)).json()) as { manage: boolean; gift: object; campaign: { total: number } };
		expect(answer).toMatchObject({ manage: true, gift: { amount: 1_000, interval: "month" }, campaign: { total: 1_000 } });
		const portal = await fetchWorker(`/api/campaigns/${id}/portal`, {
			method: "POST",
			headers: { "Content-Type": "application/json", Origin: "https://publisher.example", "CF-Connecting-IP": freshIp() },
			body: JSON.stringify({ sessionId, returnUrl: "https://publisher.example/story?donation=success" }),
		});
		expect(portal.status).toBe(200);
		const { url } = (await portal.json()) as { url: string };
		expect(url).toMatch(/\/p\/session\//);
		const [created] = await recordedRequests(DOUBLE, { path: "/v1/billing_portal/sessions", method: "POST" }).then((all) =>
			all.filter((r) => r.params.customer === done.customer),
		);
		expect(created?.params).toMatchObject({
			customer: done.customer,
			return_url: "https://publisher.example/story",
			configuration: ours.id,
		});
		// The donor cancels in the portal: Stripe says so; the total keeps the gift already made.
		const subscription = await seedObject(DOUBLE, "subscription", {
			id: String(done.subscription),
			status: "canceled",
			metadata: { [CAMPAIGN_KEY]: id },
		});
		expect(await deliverOk(makeEvent("customer.subscription.deleted", subscription))).toMatchObject({ outcome: "ignored" });
		expect((await publicTotals(id)).total).toBe(1_000);
		// A one-time gift has nothing to manage; a stranger's page cannot open the portal.
		const once = await startedSession(id, { amount: 500 });
		await completeSession(DOUBLE, once);
		const refused = await fetchWorker(`/api/campaigns/${id}/portal`, {
			method: "POST",
			headers: { "Content-Type": "application/json", "CF-Connecting-IP": freshIp() },
			body: JSON.stringify({ sessionId: once }),
		});
		expect(refused.status).toBe(409);
		const foreign = await fetchWorker(`/api/campaigns/${id}/portal`, {
			method: "POST",
			headers: { "Content-Type": "application/json", Origin: "https://evil.example" },
			body: JSON.stringify({ sessionId }),
		});
		expect(foreign.status).toBe(403);
	});

	it("links the donate page to Stripe's portal login when one is configured, and not otherwise", async () => {
		const id = uniqueCampaign("login");
		await createCampaign(id);
		const login = "https://billing.stripe.com/p/login/test_abc123";
		const page = async (vars: Partial<Cloudflare.Env>) => {
			const ctx = createExecutionContext();
			const res = await app.fetch(new Request(`${ORIGIN}/donate/${id}`), { ...env, ...vars }, ctx);
			await waitOnExecutionContext(ctx);
			return res.text();
		};
		expect(await page({ STRIPE_PORTAL_LOGIN_URL: login })).toContain(`href="${login}"`);
		expect(await page({})).not.toContain("Manage my monthly gift");
	});
});
