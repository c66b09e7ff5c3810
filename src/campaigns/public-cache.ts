// The hot end of the read path: the public totals response kept in this
// isolate's memory for one second and in the edge cache for 30 s, purged on
// every change, so a viral article costs neither a KV read nor a ledger call
// per view. Snapshots carry a version: this isolate remembers the newest it
// has seen of each campaign and never serves or caches an older one over it
// (a read racing a purge could otherwise put a stale copy back for 30 s).
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

/** This isolate's copy, then the edge cache's; null on a miss or when older than a version seen here. */
export async function cachedTotals(origin: string, campaignId: string): Promise<TotalsResponse | null> {
	const key = publicCacheKey(origin, campaignId);
	const hot = memo.get(key);
	if (hot && hot.until > Date.now() && sawVersion(campaignId, hot.version)) return hot;
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

/** Drops this location's cached copies so the next read sees a change (of `version`, when known) at once. */
export async function purgeTotals(origin: string, campaignId: string, version = 0): Promise<void> {
	sawVersion(campaignId, version);
	const key = publicCacheKey(origin, campaignId);
	memo.delete(key);
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
