// The worker's side of the registry: which campaigns exist, asked before any
// ledger is touched. Positive answers are kept in this isolate for a few
// seconds; negative ones only where a stale "no" is harmless (public reads,
// which the edge caches for 30 s anyway), never where money is recorded.
import { type Bindings, defaultCampaign } from "../../config";

const KNOWN_TTL_MS = 5_000;
let known: { ids: Set<string>; until: number } | null = null;

export function registry(env: Bindings) {
	return env.REGISTRY.get(env.REGISTRY.idFromName("registry"));
}

async function knownIds(env: Bindings): Promise<Set<string>> {
	if (known && known.until > Date.now()) return known.ids;
	const ids = new Set(await registry(env).ids());
	known = { ids, until: Date.now() + KNOWN_TTL_MS };
	return ids;
}

/**
 * Whether a campaign exists. `staleNoIsFine`: a "no" may come from this
 * isolate's copy (up to 5 s old), so a flood of random ids costs no
 * registry call each.
 */
export async function campaignExists(env: Bindings, id: string, staleNoIsFine = false): Promise<boolean> {
	if (id === defaultCampaign(env)) return true;
	const ids = await knownIds(env);
	if (ids.has(id)) return true;
	if (staleNoIsFine) return false;
	const exists = await registry(env).has(id);
	if (exists) ids.add(id);
	return exists;
}

/** Registers a campaign (idempotent). */
export async function registerCampaign(env: Bindings, id: string): Promise<void> {
	await registry(env).add(id);
	known?.ids.add(id);
}

/** Every campaign, the default one first. */
export async function campaignIds(env: Bindings): Promise<string[]> {
	const ids = await registry(env).ids();
	const first = defaultCampaign(env);
	return [first, ...ids.filter((id) => id !== first)];
}
