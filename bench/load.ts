// Load run against the real worker (`wrangler dev`, persisted state): signed
// Stripe webhook deliveries of one-time gifts across several campaigns, with
// duplicates (exact redeliveries and second events about the same payment) in
// shuffled order at a fixed concurrency, while readers poll the public totals.
// The worker is stopped and started again on the same --persist-to directory
// between the two halves. Afterwards every total must be exact, through the
// public API and the admin export. Each half runs in rounds that alternate with
// rounds of the same signed bodies POSTed to `/healthz` (the ceiling: the same
// middleware and body read, nothing else), so the write path is measured
// against the cheapest route taking the same requests, at the same moment.
//
//   node bench/load.ts [deliveries] [campaigns] [concurrency] [readers]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkoutAsyncPaymentSucceeded, checkoutSessionCompleted, signedDelivery } from "../test/stripe/events.ts";
import type { RunningWorker } from "../test/support/worker.ts";
import {
	createCampaign,
	exportSummary,
	median,
	percentile,
	publicTotals,
	random,
	round,
	SECRET,
	type StripeDouble,
	shuffle,
	sleep,
	startBenchWorker,
	startStripeDouble,
} from "./env.ts";

// ------------------------------------------------------------------ deliveries

/** Milliseconds per phase, as the worker's Server-Timing header names them. */
export type Phases = Record<string, number>;

/** One webhook delivery, built and signed only when sent (bodies are ~5 KB). */
export interface Delivery {
	campaign: string;
	amount: number;
	sessionId: string;
	paymentIntent: string;
	eventId: string;
	/** original: first event of a gift; redelivery: the same event again; second: another event about the same payment. */
	kind: "original" | "redelivery" | "second";
}

export interface GiftPlan {
	deliveries: Delivery[];
	/** Unique gifts per campaign: count, total and natural keys. */
	expected: Map<string, { count: number; total: number; keys: Set<string> }>;
	duplicates: number;
}

let serial = 0;
const uid = (rand: () => number) => `${Date.now().toString(36)}${(serial++).toString(36)}${Math.floor(rand() * 2 ** 32).toString(36)}`;

/**
 * `total` deliveries over `campaigns`, of which about `duplicateRate` are
 * duplicates of another delivery in the plan (two thirds exact redeliveries of
 * the same event, one third a second event about the same Checkout Session);
 * the whole list shuffled.
 */
export function planGifts(total: number, campaigns: string[], duplicateRate: number, seed = 1): GiftPlan {
	const rand = random(seed);
	const duplicates = Math.round(total * duplicateRate);
	const unique = total - duplicates;
	const deliveries: Delivery[] = [];
	const expected: GiftPlan["expected"] = new Map(campaigns.map((id) => [id, { count: 0, total: 0, keys: new Set<string>() }]));
	for (let i = 0; i < unique; i++) {
		const campaign = campaigns[i % campaigns.length] as string;
		const amount = 100 + Math.floor(rand() * 99_900);
		const id = uid(rand);
		const gift: Delivery = {
			campaign,
			amount,
			sessionId: `cs_test_load_${id}`,
			paymentIntent: `pi_load_${id}`,
			eventId: `evt_load_${id}`,
			kind: "original",
		};
		deliveries.push(gift);
		const sum = expected.get(campaign);
		if (sum) {
			sum.count += 1;
			sum.total += amount;
			sum.keys.add(`session:${gift.sessionId}`);
		}
	}
	for (let i = 0; i < duplicates; i++) {
		const of = deliveries[Math.floor(rand() * unique)] as Delivery;
		deliveries.push(rand() < 2 / 3 ? { ...of, kind: "redelivery" } : { ...of, kind: "second", eventId: `evt_load_second_${uid(rand)}` });
	}
	shuffle(deliveries, rand);
	return { deliveries, expected, duplicates };
}

export function eventOf(d: Delivery): object {
	const opts = { campaign: d.campaign, amount: d.amount, sessionId: d.sessionId, paymentIntent: d.paymentIntent, eventId: d.eventId };
	return d.kind === "second" ? checkoutAsyncPaymentSucceeded(opts) : checkoutSessionCompleted(opts);
}

export interface DeliveryStats {
	sent: number;
	seconds: number;
	perSecond: number;
	outcomes: Record<string, number>;
	/** Attempts that were not answered 2xx (retried, as Stripe would, up to 3 times). */
	failedAttempts: number;
	/** Deliveries that never got a 2xx. */
	lost: number;
	/** What the non-2xx attempts were: "HTTP 503: <start of body>" or "network: <message>", counted. */
	failures: Record<string, number>;
	latencyMs: { p50: number; p99: number };
	/** Every answered attempt's latency (ms), sorted. */
	latencies: number[];
	/** Per delivery answered 2xx: the worker's Server-Timing phases and the latency the client saw (`client`), ms. */
	phases: Phases[];
}

/** The phases of a `Server-Timing` header (`name;dur=1.2, ...`), in ms. */
export function parseServerTiming(header: string | null): Phases | null {
	if (!header) return null;
	const phases: Phases = {};
	for (const part of header.split(",")) {
		const [name, ...params] = part.trim().split(";");
		const dur = params.map((p) => p.trim()).find((p) => p.startsWith("dur="));
		if (name && dur) phases[name] = Number(dur.slice(4));
	}
	return phases;
}

/**
 * POSTs every delivery to the webhook endpoint with `concurrency` in flight.
 * Each is signed just before it is sent (Stripe signs each attempt anew).
 * A non-2xx answer is retried at most 3 times; `lost` counts the rest.
 */
export async function deliverAll(url: string, deliveries: Delivery[], concurrency: number, timeLimitMs = 600_000): Promise<DeliveryStats> {
	const outcomes: Record<string, number> = {};
	const failures: Record<string, number> = {};
	const fail = (what: string) => {
		failures[what] = (failures[what] ?? 0) + 1;
	};
	const latencies: number[] = [];
	const phases: Phases[] = [];
	let next = 0;
	let failedAttempts = 0;
	let lost = 0;
	const deadline = Date.now() + timeLimitMs;
	const lane = async () => {
		while (next < deliveries.length) {
			if (Date.now() > deadline) throw new Error(`deliveries did not finish within ${timeLimitMs / 1000} s`);
			const d = deliveries[next++] as Delivery;
			const event = eventOf(d);
			let ok = false;
			for (let attempt = 0; attempt < 4 && !ok; attempt++) {
				if (attempt > 0) await sleep(100 * attempt);
				const { body, headers } = await signedDelivery(event, SECRET);
				const t0 = performance.now();
				try {
					const res = await fetch(`${url}/api/stripe/webhook`, { method: "POST", body, headers });
					const text = await res.text();
					const ms = performance.now() - t0;
					latencies.push(ms);
					if (res.ok) {
						const timing = parseServerTiming(res.headers.get("Server-Timing"));
						if (timing) phases.push({ ...timing, client: ms });
						const outcome = (JSON.parse(text) as { outcome?: string }).outcome ?? "?";
						outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
						ok = true;
					} else {
						failedAttempts += 1;
						fail(`HTTP ${res.status}: ${text.slice(0, 100).replace(/\s+/g, " ")}`);
					}
				} catch (err) {
					failedAttempts += 1;
					fail(
						`network: ${err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? "")}`.trim() : String(err)}`,
					);
				}
			}
			if (!ok) lost += 1;
		}
	};
	const seconds = await inLanes(deliveries.length, concurrency, lane);
	return {
		...roundFigures(deliveries.length, seconds, latencies),
		outcomes,
		failedAttempts,
		lost,
		failures,
		latencies,
		phases,
	};
}

/** Several rounds of deliveries as one: counts added, rate over their summed time. */
export function mergeDeliveryStats(list: DeliveryStats[]): DeliveryStats {
	const sum = (pick: (s: DeliveryStats) => number) => list.reduce((a, s) => a + pick(s), 0);
	const add = (pick: (s: DeliveryStats) => Record<string, number>) => {
		const out: Record<string, number> = {};
		for (const s of list) for (const [k, v] of Object.entries(pick(s))) out[k] = (out[k] ?? 0) + v;
		return out;
	};
	const latencies = list.flatMap((s) => s.latencies).sort((a, b) => a - b);
	const seconds = sum((s) => s.seconds);
	return {
		sent: sum((s) => s.sent),
		seconds: round(seconds, 2),
		perSecond: round(sum((s) => s.sent) / seconds),
		outcomes: add((s) => s.outcomes),
		failedAttempts: sum((s) => s.failedAttempts),
		lost: sum((s) => s.lost),
		failures: add((s) => s.failures),
		latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) },
		latencies,
		phases: list.flatMap((s) => s.phases),
	};
}

// ------------------------------------------------------------------ the ceiling

export interface CeilingStats {
	sent: number;
	seconds: number;
	perSecond: number;
	/** Requests not answered 200 (or not at all). */
	failed: number;
	latencyMs: { p50: number; p99: number };
}

/**
 * The same signed bodies and headers as `deliveries`, POSTed to `/healthz` with
 * `concurrency` in flight: a route behind the webhook's middleware that reads
 * the body and answers, the most a delivery could cost at the least.
 */
export async function postCeiling(url: string, deliveries: Delivery[], concurrency: number): Promise<CeilingStats> {
	const latencies: number[] = [];
	let next = 0;
	let failed = 0;
	const lane = async () => {
		while (next < deliveries.length) {
			const { body, headers } = await signedDelivery(eventOf(deliveries[next++] as Delivery), SECRET);
			const t0 = performance.now();
			try {
				const res = await fetch(`${url}/healthz`, { method: "POST", body, headers });
				await res.text();
				if (res.status === 200) latencies.push(performance.now() - t0);
				else failed += 1;
			} catch {
				failed += 1;
			}
		}
	};
	const seconds = await inLanes(deliveries.length, concurrency, lane);
	return { ...roundFigures(deliveries.length, seconds, latencies), failed };
}

/** Runs `lane` `concurrency` times at once (no more lanes than requests); the seconds until all ended. */
async function inLanes(requests: number, concurrency: number, lane: () => Promise<void>): Promise<number> {
	const started = performance.now();
	await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, lane));
	return (performance.now() - started) / 1000;
}

/** A round's count, duration, rate and latency percentiles (sorts `latencies`). */
function roundFigures(sent: number, seconds: number, latencies: number[]) {
	latencies.sort((a, b) => a - b);
	return {
		sent,
		seconds: round(seconds, 2),
		perSecond: round(sent / seconds),
		latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) },
	};
}

// ------------------------------------------------------------------ readers

export interface ReadStats {
	reads: number;
	errors: number;
	perSecond: number;
	latencyMs: { p50: number; p99: number };
	/** Reads that showed a lower total than this reader saw before for that campaign. */
	wentBack: number;
	/** What the errors were, counted. */
	failures: Record<string, number>;
	/** Every successful read: when it started (performance.now()) and how long it took (ms). */
	samples: ReadSample[];
}

export interface ReadSample {
	at: number;
	ms: number;
	/** What answered, from the route's Server-Timing: the ledger if it was asked, else KV, else a cache (memory or edge). */
	source: ReadSource;
}

/** cache: memory or edge cache; shared: joined another reader's load; kv; ledger (asked, whatever else was). */
export type ReadSource = "cache" | "shared" | "kv" | "ledger" | "unknown";

export function readSource(serverTiming: string | null): ReadSource {
	const phases = parseServerTiming(serverTiming);
	if (!phases) return "unknown";
	return "ledger" in phases ? "ledger" : "kv" in phases ? "kv" : "shared" in phases ? "shared" : "cache";
}

export interface WindowReads {
	reads: number;
	p50: number;
	p99: number;
	/** How many of them each source answered. */
	sources: Record<ReadSource, number>;
}

/** The reads that started within any of `windows` ([start, end) in performance.now() ms): latency and sources. */
export function readsWithin(reads: ReadStats[], windows: [number, number][]): WindowReads {
	const within = reads.flatMap((r) => r.samples).filter((s) => windows.some(([start, end]) => s.at >= start && s.at < end));
	const ms = within.map((s) => s.ms).sort((a, b) => a - b);
	const sources: Record<ReadSource, number> = { cache: 0, shared: 0, kv: 0, ledger: 0, unknown: 0 };
	for (const s of within) sources[s.source] += 1;
	return { reads: ms.length, p50: round(percentile(ms, 50)), p99: round(percentile(ms, 99)), sources };
}

/** `count` clients, each reading GET /api/campaigns/:id in a loop (round robin over `ids`) until stopped. */
export function startReaders(url: string, ids: string[], count: number, timeLimitMs = 600_000) {
	const samples: ReadSample[] = [];
	let reads = 0;
	let errors = 0;
	let wentBack = 0;
	const failures: Record<string, number> = {};
	let running = true;
	const started = performance.now();
	const deadline = Date.now() + timeLimitMs;
	const reader = async (n: number) => {
		const seen = new Map<string, number>();
		for (let i = n; running && Date.now() < deadline; i++) {
			const id = ids[i % ids.length] as string;
			const t0 = performance.now();
			try {
				const res = await fetch(`${url}/api/campaigns/${id}`);
				const text = await res.text();
				let body: { total?: number } = {};
				try {
					body = JSON.parse(text) as { total?: number };
				} catch {}
				if (!res.ok || typeof body.total !== "number") throw new Error(`HTTP ${res.status}: ${text.slice(0, 80).replace(/\s+/g, " ")}`);
				samples.push({ at: t0, ms: performance.now() - t0, source: readSource(res.headers.get("Server-Timing")) });
				reads += 1;
				if (body.total < (seen.get(id) ?? 0)) wentBack += 1;
				seen.set(id, body.total);
			} catch (err) {
				errors += 1;
				const what = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? "")}`.trim() : String(err);
				failures[what.slice(0, 120)] = (failures[what.slice(0, 120)] ?? 0) + 1;
				await sleep(50);
			}
		}
	};
	const all = Promise.all(Array.from({ length: count }, (_, n) => reader(n)));
	return {
		async stop(): Promise<ReadStats> {
			running = false;
			await all;
			const seconds = (performance.now() - started) / 1000;
			const latencies = samples.map((s) => s.ms).sort((a, b) => a - b);
			return {
				reads,
				errors,
				perSecond: round(reads / seconds),
				latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) },
				wentBack,
				failures,
				samples,
			};
		},
	};
}

// ------------------------------------------------------------------ checks

export interface CampaignCheck {
	id: string;
	expectedTotal: number;
	expectedCount: number;
	publicTotal: number;
	publicCount: number;
	exportNet: number;
	exportRows: number;
	missing: number;
	extra: number;
	/** How long the public API took to show the exact total after the last delivery (ms). */
	publicSettleMs: number;
}

/**
 * Compares each campaign with the plan: the admin export must hold exactly the
 * expected gifts, and the public API must show the exact total (polled up to
 * `settleMs`, since a read racing the last write can leave an older copy in
 * the edge cache for up to its s-maxage).
 */
export async function checkTotals(url: string, expected: GiftPlan["expected"], settleMs = 40_000): Promise<CampaignCheck[]> {
	const checks: CampaignCheck[] = [];
	for (const [id, want] of expected) {
		const exported = await exportSummary(url, id);
		let missing = 0;
		for (const key of want.keys) if (!exported.keys.has(key)) missing += 1;
		const extra = [...exported.keys].filter((key) => !want.keys.has(key)).length;
		const t0 = Date.now();
		let shown = await publicTotals(url, id);
		while ((shown.total !== want.total || shown.donations !== want.count) && Date.now() - t0 < settleMs) {
			await sleep(250);
			shown = await publicTotals(url, id);
		}
		checks.push({
			id,
			expectedTotal: want.total,
			expectedCount: want.count,
			publicTotal: shown.total,
			publicCount: shown.donations,
			exportNet: exported.net,
			exportRows: exported.rows,
			missing,
			extra,
			publicSettleMs: Date.now() - t0,
		});
	}
	return checks;
}

export const exact = (c: CampaignCheck) =>
	c.publicTotal === c.expectedTotal &&
	c.publicCount === c.expectedCount &&
	c.exportNet === c.expectedTotal &&
	c.exportRows === c.expectedCount &&
	c.missing === 0 &&
	c.extra === 0;

// ------------------------------------------------------------------ the run

export interface LoadOptions {
	deliveries: number;
	campaigns: number;
	duplicateRate: number;
	concurrency: number;
	readers: number;
	/** Stop and start the worker on the same state directory between the two halves (default true). */
	restart?: boolean;
	/** Pair each round of deliveries with a ceiling round of the same bodies (default true). */
	ceiling?: boolean;
	/** Campaign ids are `${prefix}-1` ... (created through the admin API). */
	prefix?: string;
	seed?: number;
	/** A running Stripe double to use (else one is started and closed). */
	double?: StripeDouble;
	/** The checkout whose worker runs (default: this one); the bench points it at a baseline commit. */
	root?: string;
	log?: (line: string) => void;
}

/** A round of deliveries and its ceiling round (same bodies, `/healthz`), back to back. */
export interface RoundPair {
	half: number;
	/** Whether the readers polled the totals during both rounds. */
	readers: boolean;
	ceilingFirst: boolean;
	deliveries: DeliveryStats;
	ceiling: CeilingStats;
	/** Deliveries/s over ceiling requests/s in this pair. */
	ratio: number;
	/** performance.now() spans, for telling the reads of one kind of round from the other's. */
	deliveriesWindow: [number, number];
	ceilingWindow: [number, number];
}

export interface LoadResult {
	deliveries: number;
	unique: number;
	duplicates: number;
	campaigns: string[];
	halves: DeliveryStats[];
	/** All deliveries over the time spent delivering (restart and ceiling rounds excluded). */
	deliveriesPerSecond: number;
	pairs: RoundPair[];
	/** The rounds without readers: deliveries/s, the ceiling's requests/s, and deliveries/s over that (null without a ceiling). */
	alone: { deliveriesPerSecond: number; ceilingPerSecond: number; ratio: number } | null;
	/** The same for the rounds with readers. */
	withReaders: { deliveriesPerSecond: number; ceilingPerSecond: number; ratio: number } | null;
	restartSeconds: number | null;
	/** After the restart, before the second half: the ledger held every gift acknowledged before the stop. */
	survivedRestart: boolean | null;
	reads: ReadStats[];
	readP50: number;
	readP99: number;
	/** Reads that started while deliveries ran, and while the ceiling's POSTs ran. */
	readsDuringDeliveries: WindowReads;
	readsDuringCeiling: WindowReads | null;
	checks: CampaignCheck[];
	exact: boolean;
}

function chunks<T>(items: T[], count: number): T[][] {
	const size = Math.ceil(items.length / count);
	return Array.from({ length: count }, (_, i) => items.slice(i * size, (i + 1) * size)).filter((c) => c.length > 0);
}

/** Deliveries of `chunk`, and the same bodies to `/healthz`, back to back in the order given. */
async function roundPair(
	url: string,
	chunk: Delivery[],
	concurrency: number,
	ceilingFirst: boolean,
): Promise<Omit<RoundPair, "half" | "readers">> {
	const timed = async <T>(work: () => Promise<T>): Promise<[T, [number, number]]> => {
		const t0 = performance.now();
		const result = await work();
		return [result, [t0, performance.now()]];
	};
	const ceilingRound = () => timed(() => postCeiling(url, chunk, concurrency));
	const deliveryRound = () => timed(() => deliverAll(url, chunk, concurrency));
	let ceiling: [CeilingStats, [number, number]];
	let deliveries: [DeliveryStats, [number, number]];
	if (ceilingFirst) {
		ceiling = await ceilingRound();
		deliveries = await deliveryRound();
	} else {
		deliveries = await deliveryRound();
		ceiling = await ceilingRound();
	}
	return {
		ceilingFirst,
		deliveries: deliveries[0],
		ceiling: ceiling[0],
		ratio: round(deliveries[0].perSecond / ceiling[0].perSecond, 3),
		deliveriesWindow: deliveries[1],
		ceilingWindow: ceiling[1],
	};
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
	const log = options.log ?? (() => {});
	const restart = options.restart ?? true;
	const ceiling = options.ceiling ?? true;
	const prefix = options.prefix ?? "load";
	const ids = Array.from({ length: options.campaigns }, (_, i) => `${prefix}-${i + 1}`);
	const plan = planGifts(options.deliveries, ids, options.duplicateRate, options.seed ?? 1);
	const persistDir = mkdtempSync(join(tmpdir(), "donation-widget-load-"));
	const double = options.double ?? (await startStripeDouble());
	const start = () => startBenchWorker(double, persistDir, options.root);
	let worker: RunningWorker | null = null;
	try {
		worker = await start();
		for (const id of ids) await createCampaign(worker.url, id);
		const parts = restart
			? [plan.deliveries.slice(0, Math.ceil(plan.deliveries.length / 2)), plan.deliveries.slice(Math.ceil(plan.deliveries.length / 2))]
			: [plan.deliveries];
		const halves: DeliveryStats[] = [];
		const pairs: RoundPair[] = [];
		const reads: ReadStats[] = [];
		let restartSeconds: number | null = null;
		let survivedRestart: boolean | null = null;
		for (const [index, part] of parts.entries()) {
			if (index > 0 && worker) {
				const before = await ledgerKeys(worker.url, ids);
				const t0 = performance.now();
				await worker.stop();
				worker = await start();
				restartSeconds = round((performance.now() - t0) / 1000, 2);
				const after = await ledgerKeys(worker.url, ids);
				// Every gift of the first half was acknowledged (2xx) before the stop: all must be there, before and after.
				const firstHalf = new Set((parts[0] ?? []).map((d) => `session:${d.sessionId}`));
				survivedRestart =
					before.size === firstHalf.size &&
					after.size === firstHalf.size &&
					[...firstHalf].every((key) => before.has(key) && after.has(key));
				log(`restart: ${restartSeconds} s; ledger before ${before.size} gifts, after ${after.size}; nothing lost: ${survivedRestart}`);
			}
			const url = (worker as RunningWorker).url;
			// Each half in two rounds: the first alone (the ratio to the ceiling), the second while readers poll
			// the totals (reads under a write storm, and a check that no reader sees a total go back).
			const rounds: DeliveryStats[] = [];
			for (const [i, chunk] of chunks(part, 2).entries()) {
				const withReaders = i === 1 && options.readers > 0;
				const readers = withReaders ? startReaders(url, ids, options.readers) : null;
				if (!ceiling) {
					rounds.push(await deliverAll(url, chunk, options.concurrency));
				} else {
					// Which goes first alternates, so a drift in the machine's load hits both kinds alike.
					const pair = await roundPair(url, chunk, options.concurrency, (index + i) % 2 === 0);
					pairs.push({ half: index + 1, readers: withReaders, ...pair });
					rounds.push(pair.deliveries);
					log(
						`  ${withReaders ? `with ${options.readers} readers` : "alone"}: ${pair.deliveries.sent} deliveries ${pair.deliveries.perSecond}/s ` +
							`(p50 ${pair.deliveries.latencyMs.p50} ms), ceiling ${pair.ceiling.perSecond}/s (p50 ${pair.ceiling.latencyMs.p50} ms` +
							`${pair.ceiling.failed ? `, ${pair.ceiling.failed} failed` : ""}): ratio ${pair.ratio}`,
					);
				}
				if (readers) reads.push(await readers.stop());
			}
			const stats = mergeDeliveryStats(rounds);
			halves.push(stats);
			log(
				`part ${index + 1}: ${stats.sent} deliveries in ${stats.seconds} s = ${stats.perSecond}/s ` +
					`(p50 ${stats.latencyMs.p50} ms, p99 ${stats.latencyMs.p99} ms) ${JSON.stringify(stats.outcomes)}` +
					(stats.failedAttempts
						? `, ${stats.failedAttempts} non-2xx attempts (${JSON.stringify(stats.failures)}), ${stats.lost} never acknowledged`
						: ""),
			);
		}
		const checks = await checkTotals((worker as RunningWorker).url, plan.expected);
		const allReads = reads.reduce((a, r) => a + r.reads, 0);
		const deliverySeconds = halves.reduce((a, h) => a + h.seconds, 0);
		const deliveriesPerSecond = round(plan.deliveries.length / deliverySeconds);
		const ratioOf = (list: RoundPair[]) => {
			if (list.length === 0) return null;
			const rate = (sent: number, seconds: number) => round(sent / seconds);
			const deliveriesPerSecond = rate(
				list.reduce((a, p) => a + p.deliveries.sent, 0),
				list.reduce((a, p) => a + p.deliveries.seconds, 0),
			);
			const ceilingPerSecond = rate(
				list.reduce((a, p) => a + p.ceiling.sent, 0),
				list.reduce((a, p) => a + p.ceiling.seconds, 0),
			);
			return { deliveriesPerSecond, ceilingPerSecond, ratio: round(deliveriesPerSecond / ceilingPerSecond, 3) };
		};
		const withReaders = pairs.filter((p) => p.readers);
		const result: LoadResult = {
			deliveries: plan.deliveries.length,
			unique: plan.deliveries.length - plan.duplicates,
			duplicates: plan.duplicates,
			campaigns: ids,
			halves,
			deliveriesPerSecond,
			pairs,
			alone: ratioOf(pairs.filter((p) => !p.readers)),
			withReaders: ratioOf(withReaders),
			restartSeconds,
			survivedRestart,
			reads,
			// The halves' p50s averaged, and the larger p99 (conservative).
			readP50: allReads ? round(median(reads.map((r) => r.latencyMs.p50))) : Number.NaN,
			readP99: allReads ? Math.max(...reads.map((r) => r.latencyMs.p99)) : Number.NaN,
			readsDuringDeliveries: withReaders.length
				? readsWithin(
						reads,
						withReaders.map((p) => p.deliveriesWindow),
					)
				: readsWithin(reads, [[0, Number.POSITIVE_INFINITY]]),
			readsDuringCeiling: withReaders.length
				? readsWithin(
						reads,
						withReaders.map((p) => p.ceilingWindow),
					)
				: null,
			checks,
			exact: checks.every(exact) && halves.every((h) => h.lost === 0) && survivedRestart !== false,
		};
		for (const c of checks) {
			log(
				`${c.id}: expected ${c.expectedCount} gifts / ${c.expectedTotal}; public ${c.publicCount} / ${c.publicTotal} ` +
					`(settled after ${c.publicSettleMs} ms); export ${c.exportRows} rows / ${c.exportNet}; missing ${c.missing}, extra ${c.extra}`,
			);
		}
		const during = result.readsDuringDeliveries;
		log(
			`${result.deliveries} deliveries (${result.unique} unique, ${result.duplicates} duplicates) into ${ids.length} campaigns: ` +
				`${result.deliveriesPerSecond}/s` +
				(result.alone
					? `; alone ${result.alone.deliveriesPerSecond}/s, ceiling ${result.alone.ceilingPerSecond}/s, ratio ${result.alone.ratio}`
					: "") +
				`; reads while delivering p50 ${during.p50} ms, p99 ${during.p99} ms, sources ${JSON.stringify(during.sources)}` +
				(result.readsDuringCeiling
					? ` (during the ceiling: p50 ${result.readsDuringCeiling.p50}, p99 ${result.readsDuringCeiling.p99})`
					: "") +
				` (${allReads} reads, ${reads.reduce((a, r) => a + r.errors, 0)} errors); exact: ${result.exact}`,
		);
		return result;
	} finally {
		await worker?.stop();
		if (!options.double) await double.close();
		rmSync(persistDir, { recursive: true, force: true });
	}
}

/** Every gift key in the ledgers of `ids` (admin export). */
async function ledgerKeys(url: string, ids: string[]): Promise<Set<string>> {
	const keys = new Set<string>();
	for (const id of ids) for (const key of (await exportSummary(url, id)).keys) keys.add(key);
	return keys;
}

// ------------------------------------------------------------------ CLI

if (import.meta.main) {
	const [deliveries = 2000, campaigns = 3, concurrency = 50, readers = 50] = process.argv.slice(2).map(Number);
	const result = await runLoad({ deliveries, campaigns, duplicateRate: 0.2, concurrency, readers, log: console.log });
	process.exit(result.exact ? 0 : 1);
}
