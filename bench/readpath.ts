// The public totals read against the worker's cheapest route, with autocannon
// on loopback: same worker, same settings, rounds alternating which goes first.
import autocannon from "autocannon";
import { median, round } from "./env.ts";

export interface CannonFigures {
	rps: number;
	p50: number;
	p99: number;
	requests: number;
	errors: number;
	non2xx: number;
}

export interface ReadPathResult {
	connections: number;
	seconds: number;
	rounds: { totals: CannonFigures; healthz: CannonFigures }[];
	totals: CannonFigures;
	healthz: CannonFigures;
	/** Median of the rounds' ratios (each round pairs two back-to-back measurements). */
	ratio: number;
	/** Median totals req/s over median healthz req/s. */
	ratioOfMedians: number;
	/** The ratio within each round (same moment, same machine state). */
	roundRatios: number[];
}

async function cannon(url: string, connections: number, seconds: number): Promise<CannonFigures> {
	const r = await autocannon({ url, connections, duration: seconds });
	return {
		rps: round(r.requests.average),
		p50: r.latency.p50,
		p99: r.latency.p99,
		requests: r.requests.total,
		errors: r.errors + r.timeouts,
		non2xx: r.non2xx,
	};
}

const medianOf = (list: CannonFigures[], pick: (f: CannonFigures) => number) => median(list.map(pick));

export async function measureReadPath(
	workerUrl: string,
	options: {
		rounds?: number;
		seconds?: number;
		warmupSeconds?: number;
		connections?: number;
		campaign?: string;
		log?: (line: string) => void;
	} = {},
): Promise<ReadPathResult> {
	const rounds = options.rounds ?? 6;
	const seconds = options.seconds ?? 5;
	const connections = options.connections ?? 50;
	const log = options.log ?? (() => {});
	const totalsUrl = `${workerUrl}/api/campaigns/${options.campaign ?? "main"}`;
	const healthUrl = `${workerUrl}/healthz`;
	// Warm both routes (module, edge cache, connections) before measuring.
	const warmup = options.warmupSeconds ?? 2;
	await cannon(totalsUrl, connections, warmup);
	await cannon(healthUrl, connections, warmup);
	const results: ReadPathResult["rounds"] = [];
	for (let i = 0; i < rounds; i++) {
		const totalsFirst = i % 2 === 0;
		const a = await cannon(totalsFirst ? totalsUrl : healthUrl, connections, seconds);
		const b = await cannon(totalsFirst ? healthUrl : totalsUrl, connections, seconds);
		const round_ = totalsFirst ? { totals: a, healthz: b } : { totals: b, healthz: a };
		results.push(round_);
		log(
			`read path round ${i + 1}: totals ${round_.totals.rps} req/s (p50 ${round_.totals.p50} ms, p99 ${round_.totals.p99} ms), ` +
				`healthz ${round_.healthz.rps} req/s (p50 ${round_.healthz.p50} ms, p99 ${round_.healthz.p99} ms)`,
		);
	}
	const pick = (which: "totals" | "healthz"): CannonFigures => {
		const list = results.map((r) => r[which]);
		return {
			rps: round(medianOf(list, (f) => f.rps)),
			p50: medianOf(list, (f) => f.p50),
			p99: medianOf(list, (f) => f.p99),
			requests: list.reduce((a, f) => a + f.requests, 0),
			errors: list.reduce((a, f) => a + f.errors, 0),
			non2xx: list.reduce((a, f) => a + f.non2xx, 0),
		};
	};
	const totals = pick("totals");
	const healthz = pick("healthz");
	const roundRatios = results.map((r) => round(r.totals.rps / r.healthz.rps, 3));
	return {
		connections,
		seconds,
		rounds: results,
		totals,
		healthz,
		ratio: round(median(roundRatios), 3),
		ratioOfMedians: round(totals.rps / healthz.rps, 3),
		roundRatios,
	};
}
