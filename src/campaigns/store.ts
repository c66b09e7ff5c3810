// The one owner of campaign storage: KV (published snapshots, the payment
// index), the edge cache of public totals and the ledger Durable Object.
// Routes, recording and Stripe code reach campaigns only through here.
import { type Bindings, defaultCampaign } from "../config";
import { isCampaignId } from "../domain/campaign-id";
import type { LedgerEntry, RecordOutcome } from "../domain/movements";
import type { SettingsPatch } from "../domain/settings";
import type { CampaignSnapshot } from "../domain/snapshot";
import { paymentKey, SNAPSHOT_PREFIX, snapshotKey } from "./keys";
import { parseAuditRow } from "./ledger/campaign";
import { cachedTotals, cacheTotals, NOT_FOUND_CACHE_CONTROL, PUBLIC_CACHE_CONTROL, purgeTotals, type TotalsResponse } from "./public-cache";

export type { AuditEntry } from "./ledger/campaign";
export type { DonationRow, PageSummary, PeriodSummary } from "./ledger/reports";
export type { TotalsResponse } from "./public-cache";

/** Where a request came from: the bindings, and the origin that names its edge-cache entries. */
export interface StoreContext {
	env: Bindings;
	origin: string;
}

/** One campaign's storage, with its id bound once. */
export function campaignStore({ env, origin }: StoreContext, id: string) {
	if (!isCampaignId(id)) throw new Error(`not a campaign id: ${String(id).slice(0, 80)}`);
	const ledger = () => env.LEDGER.get(env.LEDGER.idFromName(id));
	/** After a change: the next read at this location sees it at once. */
	const changed = async <T>(result: T) => {
		await purgeTotals(origin, id);
		return result;
	};
	return {
		id,

		/** The public totals response: memory, edge cache, KV, then the ledger (which backfills KV). */
		async publicTotals(waitUntil: (work: Promise<unknown>) => void): Promise<TotalsResponse> {
			const cached = await cachedTotals(origin, id);
			if (cached) return cached;
			const snapshot = await this.published();
			const totals: TotalsResponse = snapshot
				? { body: JSON.stringify(snapshot), status: 200, cacheControl: PUBLIC_CACHE_CONTROL }
				: { body: JSON.stringify(notFoundBody(id)), status: 404, cacheControl: NOT_FOUND_CACHE_CONTROL };
			cacheTotals(origin, id, totals, waitUntil);
			return totals;
		},

		/** The published snapshot from KV, else (a miss or a KV failure) the ledger's. */
		async published(): Promise<CampaignSnapshot | null> {
			try {
				const published = await env.TOTALS.get<CampaignSnapshot>(snapshotKey(id), "json");
				if (published) return published;
			} catch (err) {
				console.warn("KV read failed; reading the ledger", id, err);
			}
			return ledger().snapshot(id);
		},

		/** The ledger's own snapshot, never a published copy. */
		fresh: () => ledger().snapshot(id),

		async record(entry: LedgerEntry): Promise<RecordOutcome> {
			const outcome = await ledger().record(id, entry);
			return outcome === "recorded" ? changed(outcome) : outcome;
		},

		/** Many entries in one ledger transaction (re-sync); each counted once, as `record` does. */
		async recordMany(entries: LedgerEntry[]): Promise<RecordOutcome[]> {
			const outcomes = await ledger().recordMany(id, entries);
			return outcomes.includes("recorded") ? changed(outcomes) : outcomes;
		},

		configure: async (patch: SettingsPatch, actor: string) => changed(await ledger().configure(id, patch, actor)),
		reset: async (goals: number[] | undefined, actor: string) => changed(await ledger().reset(id, goals, actor)),
		periods: () => ledger().periods(id),
		donations: (period: number | null, after: number, limit: number) => ledger().donations(id, period, after, limit),
		pages: (period: number | null) => ledger().pages(id, period),
		audit: async () => (await ledger().auditLog(id))?.map(parseAuditRow) ?? null,
	};
}

export type CampaignStore = ReturnType<typeof campaignStore>;

export function notFoundBody(id: string) {
	return { error: { code: "campaign_not_found", message: `No campaign '${id}'.` } };
}

/** Every campaign with a published snapshot, and the default one. */
export async function listCampaigns(context: StoreContext): Promise<CampaignSnapshot[]> {
	const ids = new Set<string>([defaultCampaign(context.env)]);
	let cursor: string | undefined;
	do {
		const page = await context.env.TOTALS.list({ prefix: SNAPSHOT_PREFIX, cursor });
		for (const key of page.keys) ids.add(key.name.slice(SNAPSHOT_PREFIX.length));
		cursor = page.list_complete ? undefined : page.cursor;
	} while (cursor);
	const snapshots = await Promise.all([...ids].map((id) => campaignStore(context, id).published()));
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
