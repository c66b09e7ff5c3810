// The funnel's cost on the read path: the totals request as the widget makes it
// (?page= naming the article, a campaign running a 2-variant A/B test, so each
// request draws a variant, sets its header and counts a load), against /healthz,
// on a worker that counts and on one started with FUNNEL=off, in the same run.

import autocannon from "autocannon";
import { startWorker } from "../test/support/worker.ts";
import { admin, median, round, type StripeDouble, workerVars } from "./env.ts";

export const FUNNEL_CAMPAIGN = "bench-funnel";
const QUERY = `?page=${encodeURIComponent("https://news.example/2026/11/a-long-read")}`;

export interface FunnelCost {
	rounds: number;
	seconds: number;
	/** Per round: req/s of each of the four measurements. */
	perRound: { onTotals: number; offTotals: number; onHealth: number; offHealth: number }[];
	/** Medians over rounds of totals / healthz on the same worker, and of totals on / totals off. */
	on: { totals: number; healthz: number; ratio: number; errors: number };
	off: { totals: number; healthz: number; ratio: number; errors: number };
	onOverOff: number;
	/** Loads the counting worker's ledger holds after its rounds (flushed batches), and its totals requests. */
	counted: number;
	requested: number;
}

async function prepare(url: string): Promise<void> {
	const res = await fetch(`${url}/api/admin/campaigns/${FUNNEL_CAMPAIGN}`, {
		method: "PUT",
		headers: { ...admin, "content-type": "application/json" },
		body: JSON.stringify({ title: "Funnel bench", test: { variants: [{ id: "a" }, { id: "b", title: "Variant b" }], mode: "even" } }),
	});
	if (!res.ok) throw new Error(`creating ${FUNNEL_CAMPAIGN}: ${res.status}`);
}

async function countedLoads(url: string): Promise<number> {
	const res = await fetch(`${url}/api/admin/campaigns/${FUNNEL_CAMPAIGN}/pages`, { headers: admin });
	return ((await res.json()) as { totals: { loads: number } }).totals.loads;
}

async function cannon(url: string, seconds: number) {
	const r = await autocannon({ url, connections: 50, duration: seconds });
	return { rps: round(r.requests.average), requests: r.requests.total, errors: r.errors + r.timeouts + r.non2xx };
}

/**
 * Two workers side by side (one counting, one with FUNNEL=off), measured in
 * interleaved rounds whose order rotates, so the machine's drift (other jobs
 * share its cores) hits all four measurements alike.
 */
export async function measureFunnelCost(double: StripeDouble, log: (line: string) => void, rounds = 8, seconds = 3): Promise<FunnelCost> {
	const on = await startWorker({ vars: workerVars(double.url) });
	const off = await startWorker({ vars: { ...workerVars(double.url), FUNNEL: "off" } });
	try {
		await prepare(on.url);
		await prepare(off.url);
		const urls = {
			onTotals: `${on.url}/api/campaigns/${FUNNEL_CAMPAIGN}${QUERY}`,
			offTotals: `${off.url}/api/campaigns/${FUNNEL_CAMPAIGN}${QUERY}`,
			onHealth: `${on.url}/healthz`,
			offHealth: `${off.url}/healthz`,
		};
		const names = Object.keys(urls) as (keyof typeof urls)[];
		for (const name of names) await cannon(urls[name], 2);
		const perRound: FunnelCost["perRound"] = [];
		const errors = { on: 0, off: 0 };
		let requested = 0;
		for (let i = 0; i < rounds; i++) {
			const figures = {} as FunnelCost["perRound"][number];
			for (let k = 0; k < names.length; k++) {
				const name = names[(i + k) % names.length] as keyof typeof urls;
				const r = await cannon(urls[name], seconds);
				figures[name] = r.rps;
				if (name === "onTotals") requested += r.requests;
				if (name === "onTotals") errors.on += r.errors;
				if (name === "offTotals") errors.off += r.errors;
			}
			perRound.push(figures);
			log(
				`funnel round ${i + 1}: counting on ${figures.onTotals} req/s (healthz ${figures.onHealth}), off ${figures.offTotals} req/s (healthz ${figures.offHealth})`,
			);
		}
		await new Promise((done) => setTimeout(done, 6_000)); // the last batch (5 s window)
		const counted = await countedLoads(on.url);
		const med = (pick: (f: FunnelCost["perRound"][number]) => number) => round(median(perRound.map(pick)), 3);
		return {
			rounds,
			seconds,
			perRound,
			on: {
				totals: med((f) => f.onTotals),
				healthz: med((f) => f.onHealth),
				ratio: med((f) => f.onTotals / f.onHealth),
				errors: errors.on,
			},
			off: {
				totals: med((f) => f.offTotals),
				healthz: med((f) => f.offHealth),
				ratio: med((f) => f.offTotals / f.offHealth),
				errors: errors.off,
			},
			onOverOff: med((f) => f.onTotals / f.offTotals),
			counted,
			requested,
		};
	} finally {
		await on.stop();
		await off.stop();
	}
}

const fmt = (n: number) => n.toLocaleString("en-US");

export function funnelSection(f: FunnelCost | null): string {
	if (!f) return "## Read path with and without counting\n\nNot measured in this run.\n";
	const rows = f.perRound.map((r, i) =>
		[
			i + 1,
			fmt(r.onTotals),
			fmt(r.onHealth),
			round(r.onTotals / r.onHealth, 3),
			fmt(r.offTotals),
			fmt(r.offHealth),
			round(r.offTotals / r.offHealth, 3),
		].join(" | "),
	);
	return `## Read path with and without counting

The totals request as the widget makes it: \`GET /api/campaigns/${FUNNEL_CAMPAIGN}${QUERY}\`, a campaign
running a two-variant A/B test (every request draws a variant and sets \`Donation-Variant\`), on two
workers running side by side: one counting (batches flushed every 5 s), one started with \`FUNNEL=off\`.
Each of ${f.rounds} rounds measures, for ${f.seconds} s each with 50 connections, the totals route and \`/healthz\` of
both, in an order that rotates from round to round.

| round | counting on: totals req/s | its healthz req/s | ratio | counting off: totals req/s | its healthz req/s | ratio |
|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r} |`).join("\n")}
| **median** | **${fmt(f.on.totals)}** | ${fmt(f.on.healthz)} | **${f.on.ratio}** | **${fmt(f.off.totals)}** | ${fmt(f.off.healthz)} | **${f.off.ratio}** |

Counting on / counting off, totals req/s (median of the rounds' ratios): **${f.onOverOff}**. Errors
and non-2xx: on ${f.on.errors}, off ${f.off.errors}.

Loads the counting worker's ledger held afterwards: ${fmt(f.counted)}, for ${fmt(f.requested)} totals requests
in the measured rounds plus the warm-up: counting adds no request, no KV read and no ledger call to the
read itself; one ledger RPC per isolate per 5 s carries the batch.
`;
}
