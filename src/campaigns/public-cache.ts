// The hot end of the read path: the public totals response kept in this
// isolate's memory for one second and in the edge cache for 30 s, purged on
// every change, so a viral article costs neither a KV read nor a ledger call
// per view. Snapshots carry a version: this isolate remembers the newest it
// has seen of each campaign and never serves or caches an older one over it
// (a read racing a purge could otherwise put a stale copy back for 30 s).
// Under a burst of changes, reads that miss memory share one load per
// campaign, and a webhook's edge-cache delete folds into one under way.
import { publicCacheKey } from "./keys";

/** What a totals response needs to be rebuilt from a cache. */
export interface TotalsResponse {
	body: string;
	status: 200 | 404;
	cacheControl: string;
	/** The snapshot's version (0 for a 404). */
	version: number;
}

const VERSION_HEADER = "Snapshot-Version";

// Browsers may keep totals 10 s; the edge keeps them 30 s (purged on change).
export const PUBLIC_CACHE_CONTROL = "public, max-age=10, s-maxage=30";
export const NOT_FOUND_CACHE_CONTROL = "public, max-age=30";

const MEMO_TTL_MS = 1_000;
const MEMO_MAX_ENTRIES = 500;
const memo = new Map<string, TotalsResponse & { until: number }>();
/** The newest snapshot version this isolate has seen per campaign (read, written or purged for). */
const newest = new Map<string, number>();

/** Records that `version` of a campaign exists; returns whether it is at least the newest seen. */
export function sawVersion(campaignId: string, version: number): boolean {
	const known = newest.get(campaignId) ?? 0;
	if (version > known) {
		if (newest.size >= MEMO_MAX_ENTRIES) newest.clear();
		newest.set(campaignId, version);
	}
	return version >= known;
}

/** This isolate's copy (no I/O); null when missing, older than a second, or older than a version seen here. */
export function memoTotals(origin: string, campaignId: string): TotalsResponse | null {
	const hot = memo.get(publicCacheKey(origin, campaignId));
	return hot && hot.until > Date.now() && sawVersion(campaignId, hot.version) ? hot : null;
}

/** Loads of a campaign's totals under way in this isolate, with the newest version seen when each started. */
const loading = new Map<string, { since: number; load: Promise<TotalsResponse> }>();

/**
 * Runs `load` for a campaign, or joins the one under way (`joined`): many
 * readers missing memory at once cost one load. A load that began before this
 * isolate saw a version the caller must honour is not joined; the caller
 * waits for it, then loads anew.
 */
export async function sharedLoad(
	origin: string,
	campaignId: string,
	load: () => Promise<TotalsResponse>,
	waitUntil: (work: Promise<unknown>) => void,
): Promise<{ totals: TotalsResponse; joined: boolean }> {
	const key = publicCacheKey(origin, campaignId);
	const wanted = newest.get(campaignId) ?? 0;
	for (;;) {
		const running = loading.get(key);
		if (!running) break;
		if (running.since >= wanted) return { totals: await running.load, joined: true };
		try {
			await running.load;
		} catch {}
	}
	const run = { since: wanted, load: load() };
	loading.set(key, run);
	// Others may wait on this load: it must finish even if this request is cancelled.
	waitUntil(run.load.catch(() => {}));
	try {
		return { totals: await run.load, joined: false };
	} finally {
		if (loading.get(key) === run) loading.delete(key);
	}
}

/** The edge cache's copy; null on a miss or when older than a version seen here. */
export async function edgeTotals(origin: string, campaignId: string): Promise<TotalsResponse | null> {
	const key = publicCacheKey(origin, campaignId);
	const cached = await caches.default.match(new Request(key));
	if (!cached) return null;
	const found: TotalsResponse = {
		body: await cached.text(),
		status: cached.status as 200 | 404,
		cacheControl: cached.headers.get("Cache-Control") ?? PUBLIC_CACHE_CONTROL,
		version: Number(cached.headers.get(VERSION_HEADER) ?? 0),
	};
	if (!sawVersion(campaignId, found.version)) return null;
	remember(key, found);
	return found;
}

/**
 * Keeps a freshly read response in the edge cache (in the background) and in
 * memory, unless a newer version has been seen here meanwhile; returns whether it did.
 */
export function cacheTotals(
	origin: string,
	campaignId: string,
	totals: TotalsResponse,
	waitUntil: (work: Promise<unknown>) => void,
): boolean {
	if (!sawVersion(campaignId, totals.version)) return false;
	const key = publicCacheKey(origin, campaignId);
	remember(key, totals);
	const response = new Response(totals.body, {
		status: totals.status,
		headers: { "Content-Type": "application/json", "Cache-Control": totals.cacheControl, [VERSION_HEADER]: String(totals.version) },
	});
	waitUntil(
		caches.default
			.put(new Request(key), response)
			// The put finished after a purge for a newer version: take the stale copy out again.
			.then(() => (sawVersion(campaignId, totals.version) ? undefined : caches.default.delete(new Request(key))))
			.catch(() => {}),
	);
	return true;
}

/**
 * Per cache key, the edge-cache delete under way for purges that may finish
 * after the answer: purges asked for meanwhile ask it for one more round
 * (`again`) instead of a delete each. The request that started it runs every
 * round, in its own waitUntil; no request waits on another's promise. Should
 * that request be cut off, its entry stops being renewed, and after
 * STUCK_MS the next purge starts over.
 */
const deleting = new Map<string, { again: boolean; renewed: number }>();
const STUCK_MS = 10_000;

/**
 * Drops this location's cached copies so the next read sees a change (of
 * `version`, when known): this isolate's at once (memory, and the version
 * below which copies are refused), the edge cache's when the promise resolves.
 * `coalesce` (for a purge that may finish after the answer): during another
 * purge's delete, resolve at once and let that delete run once more.
 */
export function purgeTotals(origin: string, campaignId: string, version = 0, { coalesce = false } = {}): Promise<void> {
	sawVersion(campaignId, version);
	const key = publicCacheKey(origin, campaignId);
	memo.delete(key);
	if (!coalesce) return deleteEdgeCopy(key, campaignId);
	const running = deleting.get(key);
	if (running && Date.now() - running.renewed < STUCK_MS) {
		running.again = true;
		return Promise.resolve();
	}
	const state = { again: true, renewed: Date.now() };
	deleting.set(key, state);
	return (async () => {
		try {
			while (state.again) {
				state.again = false;
				state.renewed = Date.now();
				await deleteEdgeCopy(key, campaignId);
			}
		} finally {
			if (deleting.get(key) === state) deleting.delete(key);
		}
	})();
}

async function deleteEdgeCopy(key: string, campaignId: string): Promise<void> {
	try {
		await caches.default.delete(new Request(key));
	} catch (err) {
		console.warn("cache purge failed", campaignId, err);
	}
}

function remember(key: string, totals: TotalsResponse): void {
	if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
	memo.set(key, { ...totals, until: Date.now() + MEMO_TTL_MS });
}
