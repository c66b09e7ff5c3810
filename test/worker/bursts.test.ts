// Bursts of changes and of reads: the work they share (KV snapshot writes,
// edge-cache deletes, loads of the totals) is done once for many callers, and
// every caller still gets what it is promised.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { snapshotKey } from "../../src/campaigns/keys";
import { PUBLISH_INTERVAL_MS } from "../../src/campaigns/ledger/publisher";
import type { Bindings } from "../../src/config";
import { createCampaign, donation, entry, kvSnapshot, ledgerOf, uniqueCampaign } from "./support/campaigns";

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

const alarmOf = (id: string) => runInDurableObject(ledgerOf(id), (_, state) => state.storage.getAlarm());

describe("KV snapshot writes under a burst of changes", () => {
	it("acknowledge a change made during a write without waiting for KV, after setting an alarm; the next write carries it", async () => {
		const id = uniqueCampaign("pub");
		await createCampaign(id);
		const stub = ledgerOf(id);
		// A flag, not a promise: a promise settled inside the object would carry the test into the object's context.
		let writing = false;
		// The object's snapshot writes take a second (the payment index is written at once).
		await runInDurableObject(stub, (instance) => {
			const object = instance as unknown as WithEnv;
			object.env = {
				...object.env,
				TOTALS: kvWithPut(object.env.TOTALS, async (key, real, args) => {
					if (key === snapshotKey(id)) {
						writing = true;
						await new Promise((resolve) => setTimeout(resolve, 1_000));
					}
					await real.put(key, ...(args as [string]));
				}),
			};
		});
		expect(await alarmOf(id)).toBeNull();

		const first = stub.record(id, entry(donation(1_000)));
		while (!writing) await new Promise((resolve) => setTimeout(resolve, 5));
		// A write is under way: the second change is acknowledged while that write still hangs.
		expect(await stub.record(id, entry(donation(2_000)))).toBe("recorded");
		expect(await alarmOf(id)).not.toBeNull();
		expect((await kvSnapshot(id))?.total).toBe(0);

		expect(await first).toBe("recorded");
		// Backfilling waits for the write that follows, which holds both gifts.
		expect((await stub.snapshot(id))?.total).toBe(3_000);
		expect((await kvSnapshot(id))?.total).toBe(3_000);
		await runInDurableObject(stub, (instance) => {
			(instance as unknown as WithEnv).env = env;
		});
	});

	it("write a snapshot at most once per interval while changes keep coming, and end exact", async () => {
		const id = uniqueCampaign("pub");
		await createCampaign(id);
		const stub = ledgerOf(id);
		let writes = 0;
		await runInDurableObject(stub, (instance) => {
			const object = instance as unknown as WithEnv;
			object.env = {
				...object.env,
				TOTALS: kvWithPut(object.env.TOTALS, async (key, real, args) => {
					if (key === snapshotKey(id)) writes += 1;
					await real.put(key, ...(args as [string]));
				}),
			};
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
		await runInDurableObject(stub, (instance) => {
			(instance as unknown as WithEnv).env = env;
		});
	});
});
