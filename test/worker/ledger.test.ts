import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { snapshotKey } from "../../src/campaigns/keys";
import type { Movement } from "../../src/domain/movements";
import { createCampaign, donation, entry, kvSnapshot, ledgerOf, uniqueCampaign } from "./support/campaigns";

describe("CampaignLedger", () => {
	it("publishes the same total as SUM(net) over donation_net, whatever the gifts and reversals", async () => {
		// The snapshot's total is computed by a faster query than the view; both must always agree.
		const payments = ["pi_a", "pi_b", "pi_c", "pi_d", null];
		const kinds = ["refund", "refund_total", "dispute", "reinstatement"] as const;
		const step = fc.oneof(
			fc.record({ gift: fc.integer({ min: 1, max: 50_000 }), payment: fc.constantFrom(...payments) }),
			fc.record({
				kind: fc.constantFrom(...kinds),
				amount: fc.integer({ min: 0, max: 60_000 }),
				payment: fc.constantFrom("pi_a", "pi_b", "pi_c", "pi_e"),
			}),
			fc.constant({ reset: true as const }),
		);
		await fc.assert(
			fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
				const id = uniqueCampaign("net");
				await createCampaign(id);
				for (const [i, s] of steps.entries()) {
					if ("reset" in s) {
						await ledgerOf(id).reset(id, {}, "test");
						continue;
					}
					const movement: Movement =
						"gift" in s
							? donation(s.gift, { payment: s.payment })
							: { kind: s.kind, key: `${s.kind}:${i}`, payment: s.payment, amount: s.amount, occurredAt: Date.now() + i, rank: 0 };
					await ledgerOf(id).record(id, entry(movement));
				}
				const snapshot = await ledgerOf(id).snapshot(id);
				const stub = ledgerOf(id);
				const viewed = await runInDurableObject(stub, (_, state) =>
					state.storage.sql
						.exec("SELECT COALESCE(SUM(net), 0) AS total, COUNT(*) AS n FROM donation_net WHERE period_id = (SELECT MAX(id) FROM periods)")
						.one(),
				);
				expect(snapshot?.total).toBe(Number(viewed.total));
				expect(snapshot?.donations).toBe(Number(viewed.n));
			}),
			{ numRuns: 40 },
		);
	});

	it("counts 200 concurrent gifts on one campaign to the exact cent", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const amounts = Array.from({ length: 200 }, (_, i) => 100 + i * 37);
		const outcomes = await Promise.all(amounts.map((amount) => ledgerOf(id).record(id, entry(donation(amount)))));
		expect(outcomes.every((o) => o === "recorded")).toBe(true);
		const expected = amounts.reduce((a, b) => a + b, 0);
		const snapshot = await ledgerOf(id).snapshot(id);
		expect(snapshot?.total).toBe(expected);
		expect(snapshot?.donations).toBe(200);
		// The published snapshot caught up with the last change.
		expect((await kvSnapshot(id))?.total).toBe(expected);
	});

	it("counts one money movement once, whatever the event ids", async () => {
		const id = uniqueCampaign();
		await createCampaign(id);
		const gift = donation(2_500);
		expect(await ledgerOf(id).record(id, entry(gift))).toBe("recorded");
		expect(await ledgerOf(id).record(id, entry(gift))).toBe("duplicate_movement");
		const again = entry(donation(9_999), "evt_same");
		expect(await ledgerOf(id).record(id, again)).toBe("recorded");
		expect(await ledgerOf(id).record(id, { ...again, movement: donation(1) })).toBe("duplicate_event");
		expect((await ledgerOf(id).snapshot(id))?.total).toBe(2_500 + 9_999);
	});

	it("keeps the KV snapshot equal to the ledger after each change", async () => {
		const id = uniqueCampaign();
		const created = await createCampaign(id, { goals: [10_000] });
		expect(await kvSnapshot(id)).toEqual(created);
		let expected = 0;
		for (const amount of [1_000, 250, 4_000]) {
			await ledgerOf(id).record(id, entry(donation(amount)));
			expected += amount;
			const fromLedger = await ledgerOf(id).snapshot(id);
			expect(fromLedger?.total).toBe(expected);
			expect(await kvSnapshot(id)).toEqual(fromLedger);
		}
		const gift = donation(700);
		await ledgerOf(id).record(id, entry(gift));
		await ledgerOf(id).record(
			id,
			entry({ kind: "refund", key: "refund:re_1", payment: gift.payment ?? "", amount: 200, occurredAt: Date.now(), rank: 2 }),
		);
		expect((await kvSnapshot(id))?.total).toBe(expected + 500);
		expect(await kvSnapshot(id)).toEqual(await ledgerOf(id).snapshot(id));
	});

	it("does not know campaigns nobody created, and writes nothing for them", async () => {
		const id = uniqueCampaign("ghost");
		expect(await ledgerOf(id).snapshot(id)).toBeNull();
		expect(await ledgerOf(id).record(id, entry(donation(500)))).toBe("unknown_campaign");
		expect(await env.TOTALS.get(snapshotKey(id))).toBeNull();
	});

	it("creates the default campaign with the design's settings", async () => {
		const main = await ledgerOf("main").snapshot("main");
		expect(main).toMatchObject({
			id: "main",
			title: "Do you like this content? Consider helping us!",
			currency: "usd",
			goals: [250_000, 500_000],
			amounts: [500, 1_000, 2_500, 5_000],
			minAmount: 100,
			maxAmount: 1_000_000,
			period: { id: 1 },
		});
	});
});
