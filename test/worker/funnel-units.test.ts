// The funnel's pure parts: statistics (Wilson interval, z-test, verdict),
// variant choice (even and epsilon-greedy), and the isolate's counter
// (batching, bounds, failures that drop a batch and nothing else).
import { describe, expect, it, vi } from "vitest";
import { OTHER_PAGE } from "../../src/campaigns/ledger/funnel";
import { abTestSchema } from "../../src/domain/ab-test";
import { chooseVariant } from "../../src/funnel/choose";
import { FunnelCounter, MAX_CELLS_PER_CAMPAIGN } from "../../src/funnel/counter";
import { pageKey } from "../../src/funnel/read";
import { normalCdf, twoProportionZ, verdict, wilson, zFor } from "../../src/funnel/stats";

/** A small seeded PRNG (mulberry32), so statistical checks are repeatable. */
function seeded(seed: number): () => number {
	let a = seed;
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

describe("statistics", () => {
	it("computes the normal quantiles and Wilson intervals of textbook examples", () => {
		expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
		expect(zFor(0.05)).toBeCloseTo(1.96, 2);
		expect(zFor(0.025)).toBeCloseTo(2.2414, 3);
		// Wilson 95 % for 0 of 10: [0, 0.2775]; 5 of 10: [0.2366, 0.7634].
		expect(wilson(0, 10).low).toBe(0);
		expect(wilson(0, 10).high).toBeCloseTo(0.2775, 4);
		expect(wilson(5, 10).low).toBeCloseTo(0.2366, 4);
		expect(wilson(5, 10).high).toBeCloseTo(0.7634, 4);
		expect(wilson(3, 0)).toEqual({ low: 0, high: 1 });
		// More gifts than counted loads (cached views): capped, never above 1.
		expect(wilson(12, 10).high).toBeCloseTo(1, 12);
		// Pooled p = 0.045, se = sqrt(0.045 * 0.955 * 2 / 1000) = 0.00927: z = 0.03 / 0.00927.
		expect(twoProportionZ(60, 1000, 30, 1000)).toBeCloseTo(3.236, 3);
	});

	it("says too early, no difference yet, or ahead", () => {
		expect(
			verdict([
				{ id: "a", loads: 20, donations: 5 },
				{ id: "b", loads: 20, donations: 1 },
			]).state,
		).toBe("too_early");
		expect(
			verdict([
				{ id: "a", loads: 500, donations: 3 },
				{ id: "b", loads: 500, donations: 1 },
			]).state,
		).toBe("too_early");
		expect(
			verdict([
				{ id: "a", loads: 500, donations: 12 },
				{ id: "b", loads: 500, donations: 9 },
			]),
		).toMatchObject({ state: "no_difference", leader: "a" });
		expect(
			verdict([
				{ id: "a", loads: 1000, donations: 30 },
				{ id: "b", loads: 1000, donations: 60 },
			]),
		).toMatchObject({ state: "ahead", leader: "b" });
		// Three variants: ahead only when the leader beats both (Bonferroni: z > 2.24 each).
		const arms = [
			{ id: "a", loads: 1000, donations: 30 },
			{ id: "b", loads: 1000, donations: 60 },
			{ id: "c", loads: 1000, donations: 45 },
		];
		expect(verdict(arms).state).toBe("no_difference");
	});

	it("names a winner in at most about 5 % of tests where every variant converts alike", () => {
		const random = seeded(7);
		const draw = (n: number, p: number) => Array.from({ length: n }, () => (random() < p ? 1 : 0) as number).reduce((a, b) => a + b, 0);
		let calls = 0;
		const runs = 1_000;
		for (let i = 0; i < runs; i++) {
			const arms = ["a", "b", "c"].map((id) => ({ id, loads: 800, donations: draw(800, 0.04) }));
			if (verdict(arms).state === "ahead") calls += 1;
		}
		// Expected at most 5 % (Bonferroni is conservative); 1,000 runs: 7 % is over 3 standard errors above.
		expect(calls / runs).toBeLessThan(0.07);
	});
});

describe("choosing a variant", () => {
	const test = abTestSchema.parse({ variants: [{ id: "a" }, { id: "b" }, { id: "c" }] });

	it("spreads views evenly in even mode", () => {
		const random = seeded(1);
		const seen: Record<string, number> = { a: 0, b: 0, c: 0 };
		for (let i = 0; i < 3_000; i++) {
			const id = chooseVariant(test, undefined, random);
			seen[id] = (seen[id] ?? 0) + 1;
		}
		for (const count of Object.values(seen)) expect(count).toBeGreaterThan(900);
	});

	it("sends about 1 - epsilon + epsilon / k of views to the leader in epsilon-greedy mode", () => {
		const greedy = abTestSchema.parse({ ...test, mode: "epsilon_greedy", epsilon: 0.3 });
		const standings = [
			{ variant: "a", loads: 100, donations: 2 },
			{ variant: "b", loads: 100, donations: 6 },
			{ variant: "c", loads: 100, donations: 1 },
		];
		const random = seeded(2);
		let b = 0;
		for (let i = 0; i < 3_000; i++) if (chooseVariant(greedy, standings, random) === "b") b += 1;
		// 0.7 + 0.3 / 3 = 0.8
		expect(b / 3_000).toBeGreaterThan(0.77);
		expect(b / 3_000).toBeLessThan(0.83);
		// Without standings yet (a new isolate): even.
		let cold = 0;
		for (let i = 0; i < 3_000; i++) if (chooseVariant(greedy, undefined, random) === "b") cold += 1;
		expect(cold / 3_000).toBeLessThan(0.4);
	});
});

describe("the isolate's counter", () => {
	const noWait = () => Promise.resolve();

	it("batches every count of a window into one flush per campaign", async () => {
		const counter = new FunnelCounter(noWait);
		const target = vi.fn(async () => []);
		const scheduled: Promise<unknown>[] = [];
		const flush = { target, ms: 5_000, waitUntil: (work: Promise<unknown>) => scheduled.push(work) };
		for (let i = 0; i < 100; i++) counter.add("c1", { page: "https://x.example/a", variant: "" }, "loads", flush);
		counter.add("c1", { page: "https://x.example/a", variant: "" }, "checkouts", flush);
		counter.add("c2", { page: "other", variant: "b" }, "loads", flush);
		expect(scheduled).toHaveLength(1);
		await Promise.all(scheduled);
		expect(target).toHaveBeenCalledTimes(2);
		expect(target).toHaveBeenCalledWith("c1", [{ page: "https://x.example/a", variant: "", loads: 100, checkouts: 1 }]);
		expect(counter.waiting("c1")).toEqual([]);
	});

	it(`keeps at most ${MAX_CELLS_PER_CAMPAIGN} cells per campaign in memory; the rest count under 'other'`, () => {
		const counter = new FunnelCounter(() => new Promise(() => {}));
		const flush = { target: async () => [], ms: 5_000, waitUntil: () => {} };
		for (let i = 0; i < MAX_CELLS_PER_CAMPAIGN + 200; i++)
			counter.add("c", { page: `https://x.example/${i}`, variant: "" }, "loads", flush);
		const cells = counter.waiting("c");
		expect(cells).toHaveLength(MAX_CELLS_PER_CAMPAIGN + 1);
		expect(cells.find((c) => c.page === OTHER_PAGE)?.loads).toBe(200);
	});

	it("drops a batch whose flush fails, logs it, and keeps counting", async () => {
		const counter = new FunnelCounter(noWait);
		const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
		const scheduled: Promise<unknown>[] = [];
		let fail = true;
		const target = vi.fn(async () => {
			if (fail) throw new Error("ledger unavailable");
			return [];
		});
		const flush = { target, ms: 0, waitUntil: (work: Promise<unknown>) => scheduled.push(work) };
		counter.add("c", { page: "https://x.example/a", variant: "" }, "loads", flush);
		await Promise.all(scheduled);
		expect(warn).toHaveBeenCalled();
		fail = false;
		counter.add("c", { page: "https://x.example/a", variant: "" }, "loads", flush);
		await Promise.all(scheduled);
		expect(target).toHaveBeenLastCalledWith("c", [{ page: "https://x.example/a", variant: "", loads: 1, checkouts: 0 }]);
		warn.mockRestore();
	});

	it("normalizes page parameters: origin and path only, anything else under 'other'", () => {
		expect(pageKey("https://x.example/a/b?utm=1#c")).toBe("https://x.example/a/b");
		expect(pageKey("javascript:alert(1)")).toBe(OTHER_PAGE);
		expect(pageKey(`https://x.example/${"a".repeat(600)}`)).toBe(OTHER_PAGE);
		expect(pageKey("x".repeat(20_000))).toBe(OTHER_PAGE);
	});
});
