// Bursts of changes and of reads: the work they share (KV snapshot writes,
// edge-cache deletes, loads of the totals) is done once for many callers, and
// every caller still gets what it is promised.
import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type LedgerResult, recordTogether } from "../../src/campaigns/group-commit";
import { paymentKey, publicCacheKey, snapshotKey } from "../../src/campaigns/keys";
import { PUBLISH_INTERVAL_MS, SnapshotPublisher } from "../../src/campaigns/ledger/publisher";
import { purgeTotals } from "../../src/campaigns/public-cache";
import type { Bindings } from "../../src/config";
import type { LedgerEntry } from "../../src/domain/movements";
import app from "../../src/index";
import { createCampaign, donation, entry, kvSnapshot, ledgerOf, ORIGIN, uniqueCampaign } from "./support/campaigns";

type WithEnv = { env: Bindings };

/** A KV binding whose `put` is replaced (it gets the key and the real binding); the rest is `real`'s. */
function kvWithPut(real: KVNamespace, put: (key: string, real: KVNamespace, args: unknown[]) => Promise<void>): KVNamespace {
	return new Proxy(real, {
		get(target, prop) {
			const value = Reflect.get(target, prop);
			if (prop === "put") return (key: string, ...args: unknown[]) => put(key, real, args);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

/** Gives the ledger object a KV binding whose `put` is `put` (the object reads its binding at each write). */
function replaceKvPut(stub: DurableObjectStub, put: (key: string, real: KVNamespace, args: unknown[]) => Promise<void>) {
	return runInDurableObject(stub, (instance) => {
		const object = instance as unknown as WithEnv;
		object.env = { ...object.env, TOTALS: kvWithPut(object.env.TOTALS, put) };
	});
}

/** Gives the ledger object its real bindings back. */
function restoreEnv(stub: DurableObjectStub) {
	return runInDurableObject(stub, (instance) => {
		(instance as unknown as WithEnv).env = env;
	});
}

const alarmOf = (id: string) => runInDurableObject(ledgerOf(id), (_, state) => state.storage.getAlarm());

describe("KV snapshot writes under a burst of changes", () => {
	it("acknowledge a change made during a write without waiting for KV, after setting an alarm; the next write carries it", async () => {
		const id = uniqueCampaign("pub");
		await createCampaign(id);
		const stub = ledgerOf(id);
		// The campaign's creation set an alarm; run it now (it finds KV current).
		await runDurableObjectAlarm(stub);
		// A flag, not a promise: a promise settled inside the object would carry the test into the object's context.
		let writing = false;
		// The object's snapshot writes take a second (the payment index is written at once).
		await replaceKvPut(stub, async (key, real, args) => {
			if (key === snapshotKey(id)) {
				writing = true;
				await new Promise((resolve) => setTimeout(resolve, 1_000));
			}
			await real.put(key, ...(args as [string]));
		});
		expect(await alarmOf(id)).toBeNull();

		const first = stub.record(id, entry(donation(1_000)));
		while (!writing) await new Promise((resolve) => setTimeout(resolve, 5));
		// A write is under way: the second change is acknowledged while that write still hangs.
		expect(await stub.record(id, entry(donation(2_000)))).toBe("recorded");
		// Set by the first change, in its own transaction, before its write began.
		expect(await alarmOf(id)).not.toBeNull();
		expect((await kvSnapshot(id))?.total).toBe(0);

		expect(await first).toBe("recorded");
		// Backfilling waits for the write that follows, which holds both gifts.
		expect((await stub.snapshot(id))?.total).toBe(3_000);
		expect((await kvSnapshot(id))?.total).toBe(3_000);
		await restoreEnv(stub);
	});

	it("set the alarm with every change, before its answer; the alarm writes nothing when KV already holds the change", async () => {
		const id = uniqueCampaign("pub");
		await createCampaign(id);
		const stub = ledgerOf(id);
		await runDurableObjectAlarm(stub);
		expect(await alarmOf(id)).toBeNull();
		let writes = 0;
		await replaceKvPut(stub, async (key, real, args) => {
			if (key === snapshotKey(id)) writes += 1;
			await real.put(key, ...(args as [string]));
		});
		// One gift at rest: written before the answer, with an alarm behind it should the object restart.
		expect(await stub.record(id, entry(donation(1_200)))).toBe("recorded");
		expect(await alarmOf(id)).not.toBeNull();
		expect(writes).toBe(1);
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect(writes).toBe(1);
		expect((await kvSnapshot(id))?.total).toBe(1_200);
		await restoreEnv(stub);
	});

	it("keep publishing after a snapshot could not be built once", async () => {
		const id = uniqueCampaign("pub");
		await createCampaign(id);
		const snapshot = await ledgerOf(id).snapshot(id);
		if (!snapshot) throw new Error("no snapshot");
		let builds = 0;
		const alarms: number[] = [];
		const publisher = new SnapshotPublisher(
			() => env.TOTALS,
			() => {
				builds += 1;
				if (builds === 1) throw new Error("SQLite busy (injected)");
				return { ...snapshot, total: 4_200 };
			},
			async (delayMs) => {
				alarms.push(delayMs);
			},
		);
		// The failure is answered with a retry set, not thrown at the caller or left as a stuck write.
		await publisher.publish();
		expect(alarms.length).toBeGreaterThan(0);
		await publisher.publish();
		expect(builds).toBe(2);
		expect((await kvSnapshot(id))?.total).toBe(4_200);
		await publisher.flush();
	});

	it("write a snapshot at most once per interval while changes keep coming, and end exact", async () => {
		const id = uniqueCampaign("pub");
		await createCampaign(id);
		const stub = ledgerOf(id);
		let writes = 0;
		await replaceKvPut(stub, async (key, real, args) => {
			if (key === snapshotKey(id)) writes += 1;
			await real.put(key, ...(args as [string]));
		});
		const amounts = Array.from({ length: 150 }, (_, i) => 100 + i);
		const start = Date.now();
		const outcomes = await Promise.all(amounts.map((amount) => stub.record(id, entry(donation(amount)))));
		const elapsed = Date.now() - start;
		expect(outcomes.every((o) => o === "recorded")).toBe(true);
		// The first write at once, then one per interval at most.
		expect(writes).toBeLessThanOrEqual(1 + Math.ceil(elapsed / PUBLISH_INTERVAL_MS));
		expect(writes).toBeLessThan(amounts.length / 10);
		const expected = amounts.reduce((a, b) => a + b, 0);
		expect((await stub.snapshot(id))?.total).toBe(expected);
		expect((await kvSnapshot(id))?.total).toBe(expected);
		await restoreEnv(stub);
	});
});

describe("the payment index", () => {
	it("is written after the answer: a gift is acknowledged while its index write still hangs, and the index lands", async () => {
		const id = uniqueCampaign("idx");
		await createCampaign(id);
		const stub = ledgerOf(id);
		let release = () => {};
		const hanging = new Promise<void>((resolve) => {
			release = resolve;
		});
		await replaceKvPut(stub, async (key, real, args) => {
			if (key.startsWith(paymentKey(""))) await hanging;
			await real.put(key, ...(args as [string]));
		});
		const gift = donation(1_500);
		// Before the change the answer waited for this write, which never ends until released.
		const answered = await Promise.race([
			stub.record(id, entry(gift)),
			new Promise((resolve) => setTimeout(() => resolve("still waiting"), 2_000)),
		]);
		expect(answered).toBe("recorded");
		expect(await env.TOTALS.get(paymentKey(gift.payment as string))).toBeNull();
		release();
		let indexed: string | null = null;
		for (let i = 0; i < 50 && !indexed; i++) {
			indexed = await env.TOTALS.get(paymentKey(gift.payment as string));
			if (!indexed) await new Promise((resolve) => setTimeout(resolve, 20));
		}
		expect(indexed).toBe(id);
		await restoreEnv(stub);
	});
});

describe("the read path under a burst", () => {
	it("folds the webhooks' edge-cache purges asked for during a delete into one more delete", async () => {
		const id = uniqueCampaign("brs");
		const key = publicCacheKey(ORIGIN, id);
		await caches.default.put(new Request(key), new Response("{}", { headers: { "Cache-Control": "public, max-age=60" } }));
		const cache = caches.default;
		const realDelete = cache.delete.bind(cache);
		let deletes = 0;
		cache.delete = (...args: Parameters<Cache["delete"]>) => {
			deletes += 1;
			return realDelete(...args);
		};
		try {
			// The first starts a delete; the 19 asked for while it runs share one more round of it.
			const first = purgeTotals(ORIGIN, id, 1, { coalesce: true });
			const during = Array.from({ length: 19 }, (_, i) => purgeTotals(ORIGIN, id, i + 2, { coalesce: true }));
			await Promise.all([first, ...during]);
		} finally {
			cache.delete = realDelete;
		}
		expect(deletes).toBe(2);
		expect(await caches.default.match(new Request(key))).toBeUndefined();
	});

	it("lets many readers missing memory share one load, and all see the same total", async () => {
		const id = uniqueCampaign("brs");
		await createCampaign(id);
		await ledgerOf(id).record(id, entry(donation(4_500)));
		await ledgerOf(id).snapshot(id);
		await purgeTotals(ORIGIN, id);
		let gets = 0;
		const real = env.TOTALS;
		const counting = new Proxy(real, {
			get(target, prop) {
				const value = Reflect.get(target, prop);
				if (prop === "get") {
					return (...args: unknown[]) => {
						gets += 1;
						return (value as (...a: unknown[]) => unknown).apply(target, args);
					};
				}
				return typeof value === "function" ? value.bind(target) : value;
			},
		});
		const read = async () => {
			const ctx = createExecutionContext();
			const res = await app.fetch(new Request(`${ORIGIN}/api/campaigns/${id}`), { ...env, TOTALS: counting }, ctx);
			const body = (await res.json()) as { total: number };
			await waitOnExecutionContext(ctx);
			return body.total;
		};
		const totals = await Promise.all(Array.from({ length: 20 }, read));
		expect(totals).toEqual(Array.from({ length: 20 }, () => 4_500));
		expect(gets).toBe(1);
	});
});

describe("group commit: deliveries that arrive while a ledger call is under way", () => {
	/** The real ledger call, counted: how many calls, with how many entries each. */
	function countedCall(id: string, calls: number[]) {
		return (list: LedgerEntry[]) => {
			calls.push(list.length);
			return ledgerOf(id).recordMany(id, list);
		};
	}

	it("go together in one call and one transaction, each caller answered with its own outcome", async () => {
		const id = uniqueCampaign("grp");
		await createCampaign(id);
		const gifts = Array.from({ length: 25 }, (_, i) => entry(donation(100 + i)));
		// Five exact redeliveries among them: the same event id again.
		const deliveries = [...gifts, ...gifts.slice(0, 5)];
		const calls: number[] = [];
		const background: Promise<unknown>[] = [];
		const results = await Promise.all(
			deliveries.map((e) => recordTogether(id, [e], countedCall(id, calls), (work) => background.push(work))),
		);
		await Promise.all(background);
		expect(calls).toEqual([30]);
		expect(results.slice(0, 25).map((r) => r.outcomes)).toEqual(Array.from({ length: 25 }, () => ["recorded"]));
		expect(results.slice(25).map((r) => r.outcomes)).toEqual(Array.from({ length: 5 }, () => ["duplicate_event"]));
		const expected = gifts.reduce((sum, g) => sum + g.movement.amount, 0);
		expect((await ledgerOf(id).snapshot(id))?.total).toBe(expected);
	});

	it("keep at most two calls under way per campaign: a third batch waits for the first to end", async () => {
		const id = uniqueCampaign("grp");
		const calls: { size: number; finish: () => void }[] = [];
		const call = (list: LedgerEntry[]) =>
			new Promise<LedgerResult>((resolve) => {
				calls.push({ size: list.length, finish: () => resolve({ outcomes: list.map(() => "recorded"), version: 1, phases: {} }) });
			});
		const tick = () => new Promise((resolve) => setTimeout(resolve, 10));
		const background: Promise<unknown>[] = [];
		const deliver = () => recordTogether(id, [entry(donation(100))], call, (work) => background.push(work));
		const first = deliver();
		await tick();
		const second = deliver();
		await tick();
		const thirdAndFourth = [deliver(), deliver()];
		await tick();
		// The first two each went at once; the next two wait together for the first call to end.
		expect(calls.map((c) => c.size)).toEqual([1, 1]);
		calls[0]?.finish();
		await first;
		await tick();
		expect(calls.map((c) => c.size)).toEqual([1, 1, 2]);
		calls[1]?.finish();
		calls[2]?.finish();
		const results = await Promise.all([second, ...thirdAndFourth]);
		expect(results.map((r) => r.outcomes)).toEqual([["recorded"], ["recorded"], ["recorded"]]);
		await Promise.all(background);
	});

	it("record alone when the shared transaction fails, so one bad entry fails only its own delivery", async () => {
		const id = uniqueCampaign("grp");
		await createCampaign(id);
		const good = Array.from({ length: 9 }, (_, i) => entry(donation(200 + i)));
		// An amount of 0 breaks the ledger's CHECK constraint: the whole transaction rolls back.
		const bad = entry(donation(1_000, { amount: 0 }));
		const calls: number[] = [];
		const background: Promise<unknown>[] = [];
		const settled = await Promise.allSettled(
			[...good.slice(0, 4), bad, ...good.slice(4)].map((e) =>
				recordTogether(id, [e], countedCall(id, calls), (work) => background.push(work)),
			),
		);
		await Promise.allSettled(background);
		expect(calls[0]).toBe(10);
		expect(settled.filter((r) => r.status === "rejected")).toHaveLength(1);
		expect(settled[4]?.status).toBe("rejected");
		const expected = good.reduce((sum, g) => sum + g.movement.amount, 0);
		expect((await ledgerOf(id).snapshot(id))?.total).toBe(expected);
	});
});
