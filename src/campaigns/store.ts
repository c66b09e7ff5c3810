// Reading and changing campaigns from the worker: the ledger object is the
// truth; KV holds the published snapshot that page views read.
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { assertCampaignId } from "./settings";
import { type CampaignSnapshot, snapshotKey } from "./snapshot";

export function ledger(env: Bindings, campaignId: string) {
	return env.LEDGER.get(env.LEDGER.idFromName(assertCampaignId(campaignId)));
}

/** Read path: KV, then (on a miss or a KV failure) the ledger, which backfills KV. */
export async function readSnapshot(env: Bindings, campaignId: string): Promise<CampaignSnapshot | null> {
	assertCampaignId(campaignId);
	try {
		const published = await env.TOTALS.get<CampaignSnapshot>(snapshotKey(campaignId), "json");
		if (published) return published;
	} catch (err) {
		console.warn("KV read failed; reading the ledger", campaignId, err);
	}
	return ledger(env, campaignId).snapshot(campaignId);
}

export async function requireSnapshot(env: Bindings, campaignId: string): Promise<CampaignSnapshot> {
	const snapshot = await readSnapshot(env, campaignId);
	if (!snapshot) throw unknownCampaign(campaignId);
	return snapshot;
}

export function unknownCampaign(campaignId: string): ApiError {
	return new ApiError(404, "campaign_not_found", `No campaign '${campaignId}'.`);
}

/** The edge-cache key of a campaign's public totals (query strings never split it). */
export function publicCacheKey(origin: string, campaignId: string): string {
	return `${origin}/api/campaigns/${campaignId}`;
}

/**
 * The hottest layer of the read path: a public totals response kept in this
 * isolate's memory for one second, so a viral article costs neither a cache
 * lookup nor a KV read per view. Bounded; purged with the edge cache.
 */
export const memo = (() => {
	const TTL_MS = 1_000;
	const MAX_ENTRIES = 500;
	const entries = new Map<string, { body: string; status: 200 | 404; cacheControl: string; until: number }>();
	return {
		get(origin: string, campaignId: string) {
			const hit = entries.get(publicCacheKey(origin, campaignId));
			return hit && hit.until > Date.now() ? hit : undefined;
		},
		set(origin: string, campaignId: string, value: { body: string; status: 200 | 404; cacheControl: string }) {
			if (entries.size >= MAX_ENTRIES) entries.clear();
			entries.set(publicCacheKey(origin, campaignId), { ...value, until: Date.now() + TTL_MS });
		},
		delete(origin: string, campaignId: string) {
			entries.delete(publicCacheKey(origin, campaignId));
		},
	};
})();

/** Drops this location's cached copies so the next read sees a change at once. */
export async function purgePublicCache(origin: string, campaignId: string): Promise<void> {
	memo.delete(origin, campaignId);
	try {
		await caches.default.delete(publicCacheKey(origin, campaignId));
	} catch (err) {
		console.warn("cache purge failed", campaignId, err);
	}
}
