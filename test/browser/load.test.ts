// The load run (bench/load.ts) at a reduced size, as a test: signed webhook
// deliveries with duplicates across three campaigns, readers polling the
// totals, a worker restart on the same persisted state midway, and every total
// exact afterwards through the public API and the admin export.
import { describe, expect, it } from "vitest";
import { exact, runLoad } from "../../bench/load.ts";

describe("load: webhooks under concurrency, with duplicates and a restart", () => {
	it("counts every gift exactly once and loses none across a restart", async () => {
		const result = await runLoad({
			deliveries: 300,
			campaigns: 3,
			duplicateRate: 0.2,
			concurrency: 20,
			readers: 10,
			restart: true,
			prefix: "loadtest",
			seed: 42,
		});
		expect(result.deliveries).toBe(300);
		expect(result.duplicates).toBe(60);
		expect(result.survivedRestart).toBe(true);
		for (const half of result.halves) expect(half.lost).toBe(0);
		const outcomes: Record<string, number> = {};
		for (const half of result.halves) for (const [k, v] of Object.entries(half.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
		expect(outcomes.recorded).toBe(result.unique);
		expect((outcomes.duplicate_event ?? 0) + (outcomes.duplicate_movement ?? 0)).toBe(result.duplicates);
		expect(result.checks).toHaveLength(3);
		for (const check of result.checks) {
			expect(check.missing, check.id).toBe(0);
			expect(check.extra, check.id).toBe(0);
			expect(check.exportRows, check.id).toBe(check.expectedCount);
			expect(check.exportNet, check.id).toBe(check.expectedTotal);
			expect(check.publicCount, check.id).toBe(check.expectedCount);
			expect(check.publicTotal, check.id).toBe(check.expectedTotal);
			expect(exact(check)).toBe(true);
		}
		expect(result.checks.reduce((a, c) => a + c.expectedCount, 0)).toBe(result.unique);
		expect(result.reads.reduce((a, r) => a + r.reads, 0)).toBeGreaterThan(0);
		expect(result.exact).toBe(true);
	}, 110_000);
});
