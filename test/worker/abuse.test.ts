// Webhook abuse: replays, forged and tampered signatures, events about
// campaigns that do not exist or do not say, odd signature schemes. None may
// change a total; each is answered as the design says (400 for a signature
// problem, 200 for an event we acknowledge and ignore).
import { beforeAll, describe, expect, it } from "vitest";
import { chargeRefunded, checkoutSessionCompleted, invoicePaid, refundEvent, signPayload } from "../stripe/events";
import { CAMPAIGN_KEY } from "../stripe/objects";
import { createCampaign, fetchWorker, ledgerOf, uniqueCampaign } from "./support/campaigns";
import { ADMIN_AUTH, campaignState, errorCode } from "./support/fuzz";
import { deliverOk, WEBHOOK_SECRET } from "./support/webhooks";

const TOLERANCE = 300;
const campaign = uniqueCampaign("abuse");
const other = uniqueCampaign("abuse-other");
const now = () => Math.floor(Date.now() / 1000);

function post(body: string, signature: string | null) {
	const headers: Record<string, string> = { "Content-Type": "application/json" };
	if (signature !== null) headers["Stripe-Signature"] = signature;
	return fetchWorker("/api/stripe/webhook", { method: "POST", headers, body });
}

async function hmac(payload: string, secret = WEBHOOK_SECRET): Promise<string> {
	const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
	const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(payload)));
	return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Expects a 400 with the given error code. */
async function expectRejected(res: Response, code: string, context: string) {
	const text = await res.text();
	expect([context, res.status]).toEqual([context, 400]);
	expect([context, errorCode(res, text, context)]).toEqual([context, code]);
}

async function totals(id: string) {
	const snapshot = await ledgerOf(id).snapshot(id);
	return { total: snapshot?.total, donations: snapshot?.donations };
}

/** Runs `attack` and proves that neither campaign changed in any observable way. */
async function withoutChange(attack: () => Promise<void>) {
	const before = [await campaignState(campaign), await campaignState(other)];
	await attack();
	expect([await campaignState(campaign), await campaignState(other)]).toEqual(before);
}

beforeAll(async () => {
	await createCampaign(campaign);
	await createCampaign(other);
	await deliverOk(checkoutSessionCompleted({ campaign, amount: 1_000 }));
	await deliverOk(checkoutSessionCompleted({ campaign: other, amount: 700 }));
});

describe("webhook abuse", () => {
	it("rejects deliveries replayed after the 300 s tolerance, whatever their signature", async () => {
		const event = checkoutSessionCompleted({ campaign, amount: 2_500 });
		const body = JSON.stringify(event);
		await withoutChange(async () => {
			for (const age of [TOLERANCE + 1, TOLERANCE + 60, 3_600, 86_400 * 30]) {
				await expectRejected(await post(body, await signPayload(body, WEBHOOK_SECRET, now() - age)), "invalid_signature", `age ${age}`);
			}
		});
		// The same event, freshly signed within the window, counts, and only once.
		const fresh = await signPayload(body, WEBHOOK_SECRET, now() - (TOLERANCE - 30));
		expect((await post(body, fresh)).status).toBe(200);
		const replay = await post(body, fresh);
		expect(replay.status).toBe(200);
		expect(((await replay.json()) as { outcome: string }).outcome).toBe("duplicate_event");
		expect(await totals(campaign)).toEqual({ total: 3_500, donations: 2 });
		// The captured header, replayed after the window, is refused.
		const stale = await signPayload(body, WEBHOOK_SECRET, now() - TOLERANCE - 5);
		await expectRejected(await post(body, stale), "invalid_signature", "stale replay");
		expect(await totals(campaign)).toEqual({ total: 3_500, donations: 2 });
	});

	it("rejects signatures made with any other secret", async () => {
		const body = JSON.stringify(checkoutSessionCompleted({ campaign, amount: 4_000 }));
		await withoutChange(async () => {
			for (const secret of [
				"whsec_other",
				`${WEBHOOK_SECRET}x`,
				WEBHOOK_SECRET.slice(0, -1),
				WEBHOOK_SECRET.toUpperCase(),
				"sk_test_double",
			]) {
				await expectRejected(await post(body, await signPayload(body, secret)), "invalid_signature", secret);
			}
		});
	});

	it("rejects a valid signature over a body changed afterwards (amount, campaign, anything)", async () => {
		const event = checkoutSessionCompleted({ campaign, amount: 1_500 });
		const body = JSON.stringify(event, null, 2);
		const signature = await signPayload(body, WEBHOOK_SECRET);
		const tampered: [string, string][] = [
			["amount", body.replace('"amount_total": 1500', '"amount_total": 150000')],
			["campaign", body.replaceAll(`"${CAMPAIGN_KEY}": "${campaign}"`, `"${CAMPAIGN_KEY}": "${other}"`)],
			["event id", body.replace(`"id": "${event.id}"`, `"id": "evt_${crypto.randomUUID()}"`)],
			["whitespace", `${body}\n`],
			["truncated", body.slice(0, -1)],
		];
		await withoutChange(async () => {
			for (const [what, changed] of tampered) {
				expect([what, changed === body]).toEqual([what, false]);
				await expectRejected(await post(changed, signature), "invalid_signature", what);
			}
		});
		// The untouched body with its signature is fine.
		expect((await post(body, signature)).status).toBe(200);
		expect(await totals(campaign)).toMatchObject({ total: 5_000 });
	});

	it("keeps events of ours for campaigns that do not exist where admins see them, counting nothing anywhere", async () => {
		const ghost = uniqueCampaign("ghost");
		const kept: string[] = [];
		await withoutChange(async () => {
			const gift = checkoutSessionCompleted({ campaign: ghost, amount: 9_000 });
			expect(await deliverOk(gift)).toMatchObject({ outcome: "unplaced", reason: "unknown_campaign", campaign: ghost });
			const monthly = invoicePaid({ campaign: ghost, amount: 9_000 });
			expect(await deliverOk(monthly)).toMatchObject({ outcome: "unplaced", reason: "unknown_campaign" });
			kept.push(gift.id, monthly.id);
			for (const bad of ["Bad Id!", "../main", "x".repeat(65), "MAIN"]) {
				const event = checkoutSessionCompleted({ campaign: bad, amount: 9_000 });
				const answer = await deliverOk(event);
				expect([bad, answer]).toEqual([bad, expect.objectContaining({ outcome: "unplaced", reason: "invalid_campaign" })]);
				kept.push(event.id);
			}
		});
		expect(await ledgerOf(ghost).snapshot(ghost)).toBeNull();
		const res = await fetchWorker("/api/admin/unplaced", { headers: ADMIN_AUTH });
		const { unplaced } = (await res.json()) as { unplaced: { eventId: string; amount: number }[] };
		const listed = unplaced.filter((entry) => kept.includes(entry.eventId));
		expect(listed.map((entry) => entry.amount)).toEqual(kept.map(() => 9_000));
	});

	it("acknowledges events that are not ours (no campaign in our metadata), counting nothing", async () => {
		const orphanPayment = `pi_${crypto.randomUUID().replaceAll("-", "")}`;
		await withoutChange(async () => {
			const gift = await deliverOk(checkoutSessionCompleted({ amount: 9_000, paymentIntent: orphanPayment }));
			expect(gift).toMatchObject({ outcome: "ignored", reason: "not_ours" });
			// An invoice without our metadata: its subscription, asked at Stripe, is not ours either.
			const monthly = await deliverOk(invoicePaid({ amount: 9_000 }));
			expect(monthly).toMatchObject({ outcome: "ignored", reason: "unattributed" });
			// A refund of a payment nobody recorded, with no campaign either.
			const refund = await deliverOk(refundEvent("refund.created", { paymentIntent: orphanPayment, amount: 9_000 }));
			expect(refund).toMatchObject({ outcome: "ignored", reason: "unattributed" });
			const refunded = await deliverOk(chargeRefunded({ paymentIntent: orphanPayment, amount: 9_000, amountRefunded: 9_000 }));
			expect(refunded).toMatchObject({ outcome: "ignored", reason: "no_refunds_listed" });
			const noMetadata = checkoutSessionCompleted({ amount: 9_000 }) as unknown as { data: { object: Record<string, unknown> } };
			delete noMetadata.data.object.metadata;
			expect(await deliverOk(noMetadata)).toMatchObject({ outcome: "ignored" });
			// Another integration's session on the same account, with the generic key.
			const theirs = checkoutSessionCompleted({ amount: 9_000 }) as unknown as { data: { object: { metadata: Record<string, string> } } };
			theirs.data.object.metadata = { campaign };
			expect(await deliverOk(theirs)).toMatchObject({ outcome: "ignored", reason: "not_ours" });
		});
	});

	it("rejects headers with only a v0 signature, an unknown scheme, or no timestamp", async () => {
		const body = JSON.stringify(checkoutSessionCompleted({ campaign, amount: 6_000 }));
		const t = now();
		const mac = await hmac(`${t}.${body}`);
		await withoutChange(async () => {
			for (const header of [
				`t=${t},v0=${mac}`,
				`t=${t},v2=${mac}`,
				`t=${t},s1=${mac}`,
				`t=${t}`,
				`v1=${mac}`,
				`t=${t},V1=${mac}`,
				mac,
				"",
			]) {
				const code = header === "" ? "missing_signature" : "invalid_signature";
				await expectRejected(await post(body, header), code, header.slice(0, 40));
			}
		});
	});

	it("accepts several v1 signatures when one is valid (as Stripe does during secret rolls), counted once", async () => {
		const event = checkoutSessionCompleted({ campaign: other, amount: 3_300 });
		const body = JSON.stringify(event);
		const t = now();
		const valid = await hmac(`${t}.${body}`);
		const rolled = await hmac(`${t}.${body}`, "whsec_previous_secret");
		const junk = "0".repeat(64);
		const before = await totals(other);

		await withoutChange(async () => {
			await expectRejected(await post(body, `t=${t},v1=${rolled},v1=${junk}`), "invalid_signature", "no valid v1");
		});
		const first = await post(body, `t=${t},v1=${rolled},v1=${valid},v0=${junk}`);
		expect(first.status).toBe(200);
		expect(((await first.json()) as { outcome: string }).outcome).toBe("recorded");
		const again = await post(body, `t=${t},v1=${valid},v1=${junk},v1=${rolled}`);
		expect(again.status).toBe(200);
		expect(((await again.json()) as { outcome: string }).outcome).toBe("duplicate_event");
		expect(await totals(other)).toEqual({ total: (before.total ?? 0) + 3_300, donations: (before.donations ?? 0) + 1 });
	});
});
