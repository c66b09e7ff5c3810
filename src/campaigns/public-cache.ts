// The hot end of the read path: the public totals response kept in this
// isolate's memory for one second and in the edge cache for 30 s, purged on
// every change, so a viral article costs neither a KV read nor a ledger call
// per view.
import { publicCacheKey } from "./keys";

/** What a totals response needs to be rebuilt from a cache. */
export interface TotalsResponse {
	body: string;
	status: 200 | 404;
	cacheControl: string;
}

// Browsers may keep totals 10 s; the edge keeps them 30 s (purged on change).
export const PUBLIC_CACHE_CONTROL = "public, max-age=10, s-maxage=30";
export const NOT_FOUND_CACHE_CONTROL = "public, max-age=30";

const MEMO_TTL_MS = 1_000;
const MEMO_MAX_ENTRIES = 500;
const memo = new Map<string, TotalsResponse & { until: number }>();

/** This isolate's copy, then the edge cache's; null on a miss. */
export async function cachedTotals(origin: string, campaignId: string): Promise<TotalsResponse | null> {
	const key = publicCacheKey(origin, campaignId);
	const hot = memo.get(key);
	if (hot && hot.until > Date.now()) return hot;
	const cached = await caches.default.match(new Request(key));
	if (!cached) return null;
	const found: TotalsResponse = {
		body: await cached.text(),
		status: cached.status as 200 | 404,
		cacheControl: cached.headers.get("Cache-Control") ?? PUBLIC_CACHE_CONTROL,
	};
	remember(key, found);
	return found;
}

/** Keeps a freshly read response in the edge cache (in the background) and in memory. */
export function cacheTotals(origin: string, campaignId: string, totals: TotalsResponse, waitUntil: (work: Promise<unknown>) => void): void {
	const key = publicCacheKey(origin, campaignId);
	remember(key, totals);
	const response = new Response(totals.body, {
		status: totals.status,
		headers: { "Content-Type": "application/json", "Cache-Control": totals.cacheControl },
	});
	waitUntil(caches.default.put(new Request(key), response).catch(() => {}));
}

/** Drops this location's cached copies so the next read sees a change at once. */
export async function purgeTotals(origin: string, campaignId: string): Promise<void> {
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
