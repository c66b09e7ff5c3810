// The one owner of campaign storage: KV (published snapshots, the payment
// index), the edge cache of public totals and the ledger Durable Object.
// Routes, recording and Stripe code reach campaigns only through here.
import type { Bindings } from "../config";
import { isCampaignId } from "../domain/campaign-id";
import { isInvalid } from "../domain/issues";
import type { LedgerEntry, RecordOutcome } from "../domain/movements";
import type { UnplacedEntry } from "../domain/reports";
import type { PeriodChanges, SettingsPatch } from "../domain/settings";
import type { CampaignSnapshot } from "../domain/snapshot";
import type { ServerTiming } from "../http/server-timing";
import { type LedgerResult, recordTogether } from "./group-commit";
import { paymentKey, snapshotKey } from "./keys";
import { parseAuditRow } from "./ledger/campaign";
import type { FunnelCount } from "./ledger/funnel";
import {
	cacheTotals,
	edgeTotals,
	memoTotals,
	NOT_FOUND_CACHE_CONTROL,
	PUBLIC_CACHE_CONTROL,
	purgeTotals,
	sharedLoad,
	type TotalsResponse,
} from "./public-cache";
import { campaignExists, campaignIds, registerCampaign, registry } from "./registry/known";

export type { TotalsResponse } from "./public-cache";

/** Where a request came from: the bindings, and the origin that names its edge-cache entries. */
export interface StoreContext {
	env: Bindings;
	origin: string;
	/** Where the request's time goes (a Server-Timing header), when someone asks. */
	timing?: ServerTiming;
	/**
	 * Work that may finish after the answer (the request's waitUntil). Given, a
	 * change's edge-cache purge runs there: this isolate sees the change at once
	 * anyway (versions), other isolates here once the delete lands, moments later.
	 */
	waitUntil?: (work: Promise<unknown>) => void;
}

/** One campaign's storage, with its id bound once. */
export function campaignStore({ env, origin, timing, waitUntil: background }: StoreContext, id: string) {
	if (!isCampaignId(id)) throw new Error(`not a campaign id: ${String(id).slice(0, 80)}`);
	const ledger = () => env.LEDGER.get(env.LEDGER.idFromName(id));
	/** The ledger, or null for a campaign the registry does not know (it is never touched then). */
	const existing = async (staleNoIsFine = false) => ((await campaignExists(env, id, staleNoIsFine)) ? ledger() : null);
	/** After a change (to `version`): the next read at this location sees it (see StoreContext.waitUntil). */
	const changed = async <T>(result: T, version: number) => {
		if (background) background(purgeTotals(origin, id, version, { coalesce: true }));
		else await purgeTotals(origin, id, version);
		return result;
	};
	/** Adds the time of `work` to `phase` of the request's timing, if it keeps one. */
	const timed = <T>(phase: string, work: () => Promise<T>) => (timing ? timing.time(phase, work) : work());
	const versionOf = (result: object | null) => (result && "version" in result && typeof result.version === "number" ? result.version : 0);
	return {
		id,

		/** The public totals response: memory, edge cache, KV, then the ledger (which backfills KV). */
		async publicTotals(waitUntil: (work: Promise<unknown>) => void): Promise<TotalsResponse> {
			const hot = memoTotals(origin, id);
			if (hot) {
				timing?.add("memo", 0);
				return hot;
			}
			const t0 = performance.now();
			const { totals, joined } = await sharedLoad(origin, id, () => this.loadTotals(waitUntil), waitUntil);
			if (joined) timing?.add("shared", performance.now() - t0);
			return totals;
		},

		/** The public totals past this isolate's memory: edge cache, KV, then the ledger. */
		async loadTotals(waitUntil: (work: Promise<unknown>) => void): Promise<TotalsResponse> {
			const cached = await timed("cache", () => edgeTotals(origin, id));
			if (cached) return cached;
			let snapshot = await this.published();
			let totals = totalsOf(id, snapshot);
			// Older than what this isolate has seen (KV lagging behind a change made here): ask the ledger.
			if (!cacheTotals(origin, id, totals, waitUntil)) {
				snapshot = await timed("ledger", () => this.fresh());
				totals = totalsOf(id, snapshot);
				cacheTotals(origin, id, totals, waitUntil);
			}
			return totals;
		},

		/** The published snapshot from KV, else (a miss or a KV failure) the ledger's; null for an unknown id. */
		async published(): Promise<CampaignSnapshot | null> {
			try {
				const published = await timed("kv", () => env.TOTALS.get<CampaignSnapshot>(snapshotKey(id), "json"));
				if (published) return published;
			} catch (err) {
				console.warn("KV read failed; reading the ledger", id, err);
			}
			return timed("ledger", async () => (await existing(true))?.snapshot(id) ?? null);
		},

		/** The ledger's own snapshot, never a published copy (and without waiting for KV to catch up). */
		fresh: async () => (await existing())?.current(id) ?? null,

		/**
		 * Records many entries in one ledger transaction; each counted once (by event
		 * id and natural key). With `waitUntil` (webhooks), entries that arrive while
		 * this isolate's calls to the ledger are under way go together in the next one (group-commit.ts).
		 */
		async recordMany(entries: LedgerEntry[]): Promise<RecordOutcome[]> {
			const stub = await timed("registry", () => existing());
			if (!stub) return entries.map(() => "unknown_campaign");
			const call = (list: LedgerEntry[]): Promise<LedgerResult> => stub.recordMany(id, list);
			const { outcomes, version, phases } = await timed("ledger", () =>
				background ? recordTogether(id, entries, call, background) : call(entries),
			);
			timing?.addAll(phases);
			return outcomes.includes("recorded") ? timed("purge", () => changed(outcomes, version)) : outcomes;
		},

		/** Creates the campaign (and registers it) or changes its settings. */
		async configure(patch: SettingsPatch, actor: string) {
			const result = await ledger().configure(id, patch, actor);
			if (!isInvalid(result)) await registerCampaign(env, id);
			return changed(result, versionOf(result));
		},

		async reset(changes: PeriodChanges, actor: string) {
			const stub = await existing();
			const result = stub ? await stub.reset(id, changes, actor) : null;
			return changed(result, versionOf(result));
		},
		settings: async () => (await existing())?.settings(id) ?? null,
		periods: async () => (await existing())?.periods(id) ?? null,
		donations: async (period: number | null, after: number, limit: number) =>
			(await existing())?.donations(id, period, after, limit) ?? null,
		pages: async (period: number | null) => (await existing())?.pages(id, period) ?? null,
		audit: async () => (await (await existing())?.auditLog(id))?.map(parseAuditRow) ?? null,

		// The funnel and A/B tests (src/funnel/).
		/** Adds loads and checkouts counted in this isolate; the variants' standings, or null for an unknown campaign. */
		addFunnel: async (batch: FunnelCount[]) => (await existing())?.addFunnel(id, batch) ?? null,
		funnel: async (period: number | null) => (await existing())?.funnel(id, period) ?? null,
		async endTest(keep: string, actor: string) {
			const stub = await existing();
			const result = stub ? await stub.endTest(id, keep, actor) : null;
			return changed(result, versionOf(result));
		},
	};
}

export type CampaignStore = ReturnType<typeof campaignStore>;

export function notFoundBody(id: string) {
	return { error: { code: "campaign_not_found", message: `No campaign '${id}'.` } };
}

function totalsOf(id: string, snapshot: CampaignSnapshot | null): TotalsResponse {
	return snapshot
		? { body: JSON.stringify(snapshot), status: 200, cacheControl: PUBLIC_CACHE_CONTROL, version: snapshot.version ?? 0 }
		: { body: JSON.stringify(notFoundBody(id)), status: 404, cacheControl: NOT_FOUND_CACHE_CONTROL, version: 0 };
}

/** Every campaign the registry knows (the default one first), as published. */
export async function listCampaigns(context: StoreContext): Promise<CampaignSnapshot[]> {
	const ids = await campaignIds(context.env);
	const snapshots = await Promise.all(ids.map((id) => campaignStore(context, id).published()));
	return snapshots.filter((snapshot) => snapshot !== null);
}

/**
 * The campaign whose gift `paymentId` paid, from the index the ledger writes:
 * `unavailable` when KV failed (the caller must not conclude "none").
 */
export async function campaignOfPayment(env: Bindings, paymentId: string): Promise<string | null | "unavailable"> {
	try {
		return await env.TOTALS.get(paymentKey(paymentId));
	} catch {
		return "unavailable";
	}
}

/** Money that is ours but no ledger took: kept for admins; re-sync settles it. */
export const unplaced = {
	keep: (env: Bindings, entries: Omit<UnplacedEntry, "receivedAt">[]) => registry(env).keepUnplaced(entries),
	list: (env: Bindings) => registry(env).unplaced(),
	settle: (env: Bindings, keys: string[]) => registry(env).settle(keys),
};
