// Where one webhook delivery's time goes, from the worker's own Server-Timing
// header (src/http/server-timing.ts): per phase, the median and p99 over many
// deliveries, and each phase's share of the handler's time. Measured alone
// (one delivery at a time: the cost of each step) on a fresh worker, with the
// CPU time the worker's processes spent per delivery and per ceiling request
// (`POST /healthz` with the same bodies), the two costs behind the throughput ratio.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { RunningWorker } from "../test/support/worker.ts";
import { createCampaign, median, percentile, round, type StripeDouble, startBenchWorker, workerdPids } from "./env.ts";
import { type CeilingStats, type DeliveryStats, deliverAll, type Phases, planGifts, postCeiling } from "./load.ts";

/** Phases inside the ledger object (returned in its RPC result); the rest are timed in the worker. */
export const LEDGER_INNER = ["ensure", "transaction", "index", "publish", "version"];

/**
 * The rows of a profile, in the order of the write path. Derived rows:
 * `ledger-call` is the ledger round trip minus the work inside the object (RPC,
 * the object's queue); `handler-other` is the handler's time outside the named
 * phases; `outside` is the client's latency minus the handler's (HTTP, routing,
 * middleware, waiting for the isolate).
 */
export const PROFILE_ROWS: { key: string; label: string; derived?: boolean }[] = [
	{ key: "body", label: "body read" },
	{ key: "signature", label: "signature check (Stripe SDK, HMAC) and shape check" },
	{ key: "plan", label: "event planning" },
	{ key: "attribution", label: "attribution (campaign, PaymentIntent)" },
	{ key: "registry", label: "registry check (campaign exists)" },
	{ key: "ledger", label: "ledger (Durable Object call, as the worker sees it)" },
	{ key: "ensure", label: "… in the object: campaign row and settings" },
	{ key: "transaction", label: "… in the object: SQLite transaction" },
	{ key: "index", label: "… in the object: payment-index KV writes, awaited before the answer (after: started, not awaited)" },
	{ key: "publish", label: "… in the object: snapshot publishing (KV)" },
	{ key: "version", label: "… in the object: reading the version" },
	{ key: "ledger-call", label: "… the call itself (RPC, the object's queue)", derived: true },
	{ key: "purge", label: "cache purge (edge cache, memo)" },
	{ key: "handler-other", label: "rest of the handler", derived: true },
	{ key: "total", label: "**the handler, in all**" },
	{ key: "outside", label: "outside the handler (HTTP, routing, middleware, queueing)", derived: true },
	{ key: "client", label: "**latency seen by the client**" },
];

const TOP_LEVEL = ["body", "signature", "plan", "attribution", "registry", "ledger", "purge"];

/** Adds the derived rows to one delivery's phases (`client`, when there, is its latency seen by the bench). */
export function withDerived(phases: Phases): Phases {
	const sum = (keys: string[]) => keys.reduce((a, k) => a + (phases[k] ?? 0), 0);
	const out: Phases = { ...phases };
	if (phases.ledger !== undefined) out["ledger-call"] = phases.ledger - sum(LEDGER_INNER);
	if (phases.total !== undefined) out["handler-other"] = phases.total - sum(TOP_LEVEL);
	if (phases.client !== undefined && phases.total !== undefined) out.outside = phases.client - phases.total;
	return out;
}

export interface PhaseSummary {
	/** Deliveries whose header named the phase. */
	n: number;
	/** Over all deliveries (0 where a delivery did not name the phase). workerd's clock ticks in whole ms: the mean resolves below that, p50 and p99 do not. */
	mean: number;
	p50: number;
	p99: number;
	/** Mean over deliveries, as a share of the mean handler time. */
	share: number;
}

/** Per row: median, p99 and share of the handler's time, over deliveries that recorded it. */
export function summarizePhases(list: Phases[]): Record<string, PhaseSummary> {
	const out: Record<string, PhaseSummary> = {};
	const meanOf = (key: string) => list.reduce((a, p) => a + (p[key] ?? 0), 0) / Math.max(1, list.length);
	const totalMean = meanOf("total");
	const keys = new Set(list.flatMap((p) => Object.keys(p)));
	for (const key of keys) {
		const values = list
			.map((p) => p[key])
			.filter((v): v is number => v !== undefined)
			.sort((a, b) => a - b);
		out[key] = {
			n: values.length,
			mean: round(meanOf(key), 2),
			p50: round(median(values), 2),
			p99: round(percentile(values, 99), 2),
			share: totalMean > 0 ? round((meanOf(key) / totalMean) * 100, 1) : Number.NaN,
		};
	}
	return out;
}

// ------------------------------------------------------------------ CPU

const ticksPerSecond = (() => {
	try {
		return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
	} catch {
		return 100;
	}
})();

/** CPU time (user + system, ms) the worker's workerd processes have used so far; null where /proc is missing. */
function workerCpuMs(pids: number[]): number | null {
	let ticks = 0;
	for (const pid of pids) {
		try {
			const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
			const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
			// After the command: state(0) ... utime(11) stime(12).
			ticks += Number(fields[11]) + Number(fields[12]);
		} catch {
			return null;
		}
	}
	return pids.length ? (ticks / ticksPerSecond) * 1000 : null;
}

async function withCpu<T>(worker: RunningWorker, work: () => Promise<T>): Promise<{ result: T; cpuMs: number | null }> {
	const pids = workerdPids(worker.port);
	const before = workerCpuMs(pids);
	const result = await work();
	const after = workerCpuMs(pids);
	return { result, cpuMs: before !== null && after !== null ? after - before : null };
}

// ------------------------------------------------------------------ the measurement

export interface ProfileResult {
	label: string;
	deliveries: number;
	/** Per row, over deliveries at concurrency 1. */
	phases: Record<string, PhaseSummary>;
	delivery: DeliveryStats;
	ceiling: CeilingStats;
	/** Worker-side CPU (both workerd processes of `wrangler dev`) per request, ms. */
	cpuPerDelivery: number | null;
	cpuPerCeiling: number | null;
	/** At concurrency 50, no readers: deliveries/s, ceiling/s (two rounds each, alternating), and the ratio of the sums. */
	saturated: {
		deliveriesPerSecond: number;
		ceilingPerSecond: number;
		ratio: number;
		cpuPerDelivery: number | null;
		cpuPerCeiling: number | null;
	};
}

/**
 * On a fresh worker (of `root`, default this checkout): `count` deliveries of
 * new gifts into one campaign one at a time, and as many ceiling requests with
 * the same bodies, each after a warm-up; then both at concurrency 50.
 */
export async function profileWritePath(
	double: StripeDouble,
	options: { label: string; root?: string; count?: number; saturatedCount?: number; seed?: number; log?: (line: string) => void },
): Promise<ProfileResult> {
	const log = options.log ?? (() => {});
	const count = options.count ?? 200;
	const saturatedCount = options.saturatedCount ?? 400;
	const campaign = "profile-1";
	const worker = await startBenchWorker(double, undefined, options.root);
	try {
		await createCampaign(worker.url, campaign);
		const seed = options.seed ?? 7;
		const warm = planGifts(20, [campaign], 0, seed).deliveries;
		await deliverAll(worker.url, warm, 1);
		await postCeiling(worker.url, warm, 1);
		const alone = planGifts(count, [campaign], 0, seed + 1).deliveries;
		const delivered = await withCpu(worker, () => deliverAll(worker.url, alone, 1));
		const ceiling = await withCpu(worker, () => postCeiling(worker.url, alone, 1));
		const rows = delivered.result.phases.map(withDerived);
		const perRequest = (cpu: number | null, n: number) => (cpu === null ? null : round(cpu / n, 2));
		const saturatedPlan = planGifts(saturatedCount, [campaign], 0, seed + 2).deliveries;
		const halfway = Math.ceil(saturatedPlan.length / 2);
		const rounds: {
			deliveries: number;
			deliverySeconds: number;
			ceiling: number;
			ceilingSeconds: number;
			cpuD: number | null;
			cpuC: number | null;
		} = {
			deliveries: 0,
			deliverySeconds: 0,
			ceiling: 0,
			ceilingSeconds: 0,
			cpuD: 0,
			cpuC: 0,
		};
		for (const [i, chunk] of [saturatedPlan.slice(0, halfway), saturatedPlan.slice(halfway)].entries()) {
			const deliver = async () => {
				const { result, cpuMs } = await withCpu(worker, () => deliverAll(worker.url, chunk, 50));
				rounds.deliveries += result.sent;
				rounds.deliverySeconds += result.seconds;
				rounds.cpuD = rounds.cpuD === null || cpuMs === null ? null : rounds.cpuD + cpuMs;
			};
			const post = async () => {
				const { result, cpuMs } = await withCpu(worker, () => postCeiling(worker.url, chunk, 50));
				rounds.ceiling += result.sent;
				rounds.ceilingSeconds += result.seconds;
				rounds.cpuC = rounds.cpuC === null || cpuMs === null ? null : rounds.cpuC + cpuMs;
			};
			if (i % 2 === 0) {
				await post();
				await deliver();
			} else {
				await deliver();
				await post();
			}
		}
		const deliveriesPerSecond = round(rounds.deliveries / rounds.deliverySeconds);
		const ceilingPerSecond = round(rounds.ceiling / rounds.ceilingSeconds);
		const result: ProfileResult = {
			label: options.label,
			deliveries: count,
			phases: summarizePhases(rows),
			delivery: delivered.result,
			ceiling: ceiling.result,
			cpuPerDelivery: perRequest(delivered.cpuMs, count),
			cpuPerCeiling: perRequest(ceiling.cpuMs, count),
			saturated: {
				deliveriesPerSecond,
				ceilingPerSecond,
				ratio: round(deliveriesPerSecond / ceilingPerSecond, 3),
				cpuPerDelivery: perRequest(rounds.cpuD, rounds.deliveries),
				cpuPerCeiling: perRequest(rounds.cpuC, rounds.ceiling),
			},
		};
		log(
			`profile ${options.label}: one at a time: delivery p50 ${result.delivery.latencyMs.p50} ms (handler ${result.phases.total?.p50} ms), ` +
				`ceiling p50 ${result.ceiling.latencyMs.p50} ms; worker CPU per delivery ${result.cpuPerDelivery} ms, per ceiling request ${result.cpuPerCeiling} ms; ` +
				`at 50: ${deliveriesPerSecond}/s vs ${ceilingPerSecond}/s (ratio ${result.saturated.ratio}; CPU ${result.saturated.cpuPerDelivery} vs ${result.saturated.cpuPerCeiling} ms)`,
		);
		log(`profile ${options.label} phases (p50 ms): ${PROFILE_ROWS.map((r) => `${r.key} ${result.phases[r.key]?.p50 ?? "-"}`).join(", ")}`);
		return result;
	} finally {
		await worker.stop();
	}
}

// ------------------------------------------------------------------ CLI: node bench/profile.ts [deliveries]

if (import.meta.main) {
	const { startStripeDouble } = await import("./env.ts");
	const double = await startStripeDouble();
	try {
		const result = await profileWritePath(double, { label: "this checkout", count: Number(process.argv[2] ?? 200), log: console.log });
		for (const row of PROFILE_ROWS) {
			const s = result.phases[row.key];
			if (s) console.log(`${row.key.padEnd(14)} p50 ${String(s.p50).padStart(8)}  p99 ${String(s.p99).padStart(8)}  share ${s.share} %`);
		}
	} finally {
		await double.close();
	}
}
