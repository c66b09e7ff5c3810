// How the worker behaves as one campaign's ledger grows: the ledger is filled
// with signed webhook deliveries through the real worker (the double of Stripe
// gets the same Checkout Sessions, so a re-sync finds Stripe and the ledger in
// agreement), and at each size the write path, the totals read (warm: edge
// cache; cold: right after a write purged it), the CSV export and a re-sync are
// timed, with the workerd processes' memory.

import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { METADATA_KEYS } from "../src/domain/metadata.ts";
import type { RunningWorker } from "../test/support/worker.ts";
import {
	admin,
	createCampaign,
	exportSummary,
	median,
	percentile,
	publicTotals,
	round,
	type StripeDouble,
	startBenchWorker,
	workerdRssMiB,
} from "./env.ts";
import { type Delivery, type DeliveryStats, deliverAll, planGifts } from "./load.ts";
import { measureReadPath } from "./readpath.ts";

export interface GrowthStage {
	size: number;
	/** Filling the ledger up to this size (deliveries/s while it grew). */
	fill: DeliveryStats;
	/** 200 deliveries at concurrency 20 into the ledger at (nearly) this size. */
	write: DeliveryStats;
	/** GET /api/campaigns/:id (edge-cache hits) vs GET /healthz: autocannon, 50 connections, 6 alternating rounds of 2 s (medians). */
	warmRead: { rps: number; p50: number; p99: number };
	/** GET /healthz in the same rounds; ratio = median of the rounds' totals/healthz. */
	healthz: { rps: number; p50: number; p99: number; ratio: number; ratioOfMedians: number; roundRatios: number[] };
	/** 20 reads each right after a delivery (cache purged: KV read). */
	coldRead: { p50: number; max: number };
	/** workerd RSS just before the export. */
	rssBeforeMiB: number | null;
	exportCsv: { seconds: number; rows: number; bytes: number; peakRssMiB: number | null };
	resync: { seconds: number; alreadyRecorded: number; added: number; peakRssMiB: number | null };
	rssMiB: number | null;
	exact: boolean;
}

export interface GrowthResult {
	stages: GrowthStage[];
	skipped: { size: number; reason: string }[];
}

const CAMPAIGN = "grow";

/** tmpfs when the machine has one: 100k gifts leave 100k small KV files, and disk speed is not what this measures. */
function stateRoot(): string {
	try {
		accessSync("/dev/shm", constants.W_OK);
		return "/dev/shm";
	} catch {
		return tmpdir();
	}
}

/** Samples the workerd RSS every 100 ms while `work` runs; returns its result and the peak. */
async function withPeakRss<T>(worker: RunningWorker, work: () => Promise<T>): Promise<{ value: T; peak: number | null }> {
	let peak: number | null = workerdRssMiB(worker);
	const timer = setInterval(() => {
		const now = workerdRssMiB(worker);
		if (now !== null && (peak === null || now > peak)) peak = now;
	}, 100);
	try {
		return { value: await work(), peak };
	} finally {
		clearInterval(timer);
	}
}

/** Gives the double the same paid Checkout Session a delivery describes (for re-sync). */
function mirror(double: StripeDouble, d: Delivery, created: number): void {
	double.double.seed("checkout.session", {
		id: d.sessionId,
		mode: "payment",
		status: "complete",
		payment_status: "paid",
		amount_total: d.amount,
		currency: "usd",
		metadata: { [METADATA_KEYS.campaign]: d.campaign },
		payment_intent: d.paymentIntent,
		created,
	});
}

export async function measureGrowth(
	double: StripeDouble,
	sizes: number[],
	options: { deadline: number; log?: (line: string) => void },
): Promise<GrowthResult> {
	const log = options.log ?? (() => {});
	const persistDir = mkdtempSync(join(stateRoot(), "donation-widget-growth-"));
	const worker = await startBenchWorker(double, persistDir);
	const stages: GrowthStage[] = [];
	const skipped: GrowthResult["skipped"] = [];
	let expectedTotal = 0;
	let count = 0;
	let fillRate = 0;
	let seed = 100;
	try {
		await createCampaign(worker.url, CAMPAIGN);
		const created = Math.floor(Date.now() / 1000) + 1;
		const send = async (n: number, concurrency: number) => {
			const plan = planGifts(n, [CAMPAIGN], 0, seed++);
			for (const d of plan.deliveries) {
				mirror(double, d, created);
				expectedTotal += d.amount;
			}
			count += n;
			return deliverAll(worker.url, plan.deliveries, concurrency);
		};
		// Later stages fill through re-sync: the Stripe double holds the paid sessions and
		// one admin request records them, 500 per ledger transaction (the faster honest path).
		const fillByResync = async (n: number): Promise<DeliveryStats> => {
			const plan = planGifts(n, [CAMPAIGN], 0, seed++);
			for (const d of plan.deliveries) {
				mirror(double, d, created);
				expectedTotal += d.amount;
			}
			count += n;
			const t0 = performance.now();
			const res = await fetch(`${worker.url}/api/admin/campaigns/${CAMPAIGN}/resync`, {
				method: "POST",
				// Admin changes must be JSON, even without a body (SECURITY.md).
				headers: { ...admin, "content-type": "application/json" },
			});
			const body = (await res.json()) as { added?: unknown[] };
			if (!res.ok) throw new Error(`resync fill: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
			const seconds = (performance.now() - t0) / 1000;
			const added = body.added?.length ?? 0;
			const ms = round(seconds * 1000);
			return {
				sent: n,
				seconds: round(seconds, 2),
				perSecond: round(added / seconds, 1),
				outcomes: { recorded: added },
				failedAttempts: 0,
				lost: n - added,
				failures: {},
				latencyMs: { p50: ms, p99: ms },
				latencies: [ms],
				phases: [],
			};
		};
		let resyncRate = 0;
		for (const size of sizes) {
			const fillCount = size - count - 220;
			if (fillCount < 0) {
				skipped.push({ size, reason: "smaller than the previous stage" });
				continue;
			}
			// Filling, the measurements at this size and a re-sync of everything.
			const left = (options.deadline - Date.now()) / 1000;
			// Projected from the last stage: its fill rate, its re-sync rate, and ~60 s of fixed measurements.
			const projected = fillRate && resyncRate ? fillCount / fillRate + size / resyncRate + 60 : 0;
			if (projected > left) {
				const reason = `filling ${fillCount} more gifts at ${round(fillRate)}/s and re-syncing at ${round(resyncRate)}/s (the last stage's rates) would take ~${Math.round(projected / 60)} min; ${Math.round(left / 60)} min of the bench's time limit were left`;
				skipped.push({ size, reason });
				log(`growth ${size}: skipped (${reason})`);
				continue;
			}
			const viaResync = stages.length > 0;
			log(`growth ${size}: filling ${fillCount} gifts through ${viaResync ? "re-sync" : "webhooks"} ...`);
			const fill = viaResync ? await fillByResync(fillCount) : await send(fillCount, 50);
			fillRate = fill.perSecond;
			const write = await send(200, 20);
			const cold: number[] = [];
			for (let i = 0; i < 20; i++) {
				await send(1, 1);
				const t0 = performance.now();
				await publicTotals(worker.url, CAMPAIGN);
				cold.push(performance.now() - t0);
			}
			const reads = await measureReadPath(worker.url, { rounds: 6, seconds: 2, warmupSeconds: 1, campaign: CAMPAIGN });
			const rssBefore = workerdRssMiB(worker);
			const exported = await withPeakRss(worker, async () => {
				const t0 = performance.now();
				const summary = await exportSummary(worker.url, CAMPAIGN);
				return { seconds: (performance.now() - t0) / 1000, summary };
			});
			const resynced = await withPeakRss(worker, async () => {
				const t0 = performance.now();
				const res = await fetch(`${worker.url}/api/admin/campaigns/${CAMPAIGN}/resync`, {
					method: "POST",
					// Admin changes must be JSON, even without a body (SECURITY.md).
					headers: { ...admin, "content-type": "application/json" },
				});
				const body = (await res.json()) as { added?: unknown[]; alreadyRecorded?: number; totalAfter?: number };
				if (!res.ok) throw new Error(`resync: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
				return { seconds: (performance.now() - t0) / 1000, body };
			});
			const shown = await publicTotals(worker.url, CAMPAIGN);
			const exact =
				shown.total === expectedTotal &&
				shown.donations === count &&
				exported.value.summary.net === expectedTotal &&
				exported.value.summary.rows === count &&
				resynced.value.body.totalAfter === expectedTotal &&
				(resynced.value.body.added?.length ?? -1) === 0;
			cold.sort((a, b) => a - b);
			const stage: GrowthStage = {
				size: count,
				fill,
				write,
				warmRead: { rps: reads.totals.rps, p50: reads.totals.p50, p99: reads.totals.p99 },
				healthz: {
					rps: reads.healthz.rps,
					p50: reads.healthz.p50,
					p99: reads.healthz.p99,
					ratio: reads.ratio,
					ratioOfMedians: reads.ratioOfMedians,
					roundRatios: reads.roundRatios,
				},
				coldRead: { p50: round(median(cold)), max: round(percentile(cold, 100)) },
				rssBeforeMiB: rssBefore,
				exportCsv: {
					seconds: round(exported.value.seconds, 2),
					rows: exported.value.summary.rows,
					bytes: exported.value.summary.bytes,
					peakRssMiB: exported.peak,
				},
				resync: {
					seconds: round(resynced.value.seconds, 2),
					alreadyRecorded: resynced.value.body.alreadyRecorded ?? -1,
					added: resynced.value.body.added?.length ?? -1,
					peakRssMiB: resynced.peak,
				},
				rssMiB: workerdRssMiB(worker),
				exact,
			};
			stages.push(stage);
			resyncRate = count / Math.max(resynced.value.seconds, 0.001);
			log(
				`growth ${count}: fill ${fill.perSecond}/s; write ${write.perSecond}/s (p50 ${write.latencyMs.p50} ms); ` +
					`warm read ${stage.warmRead.rps} req/s p50 ${stage.warmRead.p50} ms (healthz ${stage.healthz.rps} req/s, ratio ${stage.healthz.ratio}, rounds ${stage.healthz.roundRatios.join(" ")}); cold read p50 ${stage.coldRead.p50} ms; ` +
					`export ${stage.exportCsv.seconds} s (${stage.exportCsv.bytes} B); resync ${stage.resync.seconds} s ` +
					`(${stage.resync.alreadyRecorded} already recorded, ${stage.resync.added} added); RSS ${stage.rssMiB} MiB; exact ${exact}`,
			);
		}
		return { stages, skipped };
	} finally {
		await worker.stop();
		rmSync(persistDir, { recursive: true, force: true });
	}
}
