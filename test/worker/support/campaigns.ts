// Helpers for tests that run inside workerd against the real worker, KV and ledger.
import { env, exports } from "cloudflare:workers";
import { snapshotKey } from "../../../src/campaigns/keys";
import { campaignStore } from "../../../src/campaigns/store";
import type { Movement } from "../../../src/domain/movements";
import type { SettingsPatch } from "../../../src/domain/settings";
import type { CampaignSnapshot } from "../../../src/domain/snapshot";

export const ORIGIN = "https://donate.example";

/** A fresh campaign id, so test files sharing one runtime never see each other's money. */
export function uniqueCampaign(prefix = "t"): string {
	return `${prefix}-${crypto.randomUUID().slice(0, 13)}`;
}

export function ledgerOf(campaign: string) {
	return env.LEDGER.get(env.LEDGER.idFromName(campaign));
}

/** Creates a campaign as the admin API does: its ledger, and its entry in the registry. */
export async function createCampaign(campaign: string, patch: SettingsPatch = {}) {
	return campaignStore({ env, origin: ORIGIN }, campaign).configure(patch, "test");
}

export function fetchWorker(path: string, init?: RequestInit): Promise<Response> {
	return exports.default.fetch(new Request(`${ORIGIN}${path}`, init));
}

export async function publicTotals(campaign: string): Promise<CampaignSnapshot> {
	const res = await fetchWorker(`/api/campaigns/${campaign}`);
	if (res.status !== 200) throw new Error(`GET ${campaign}: ${res.status} ${await res.text()}`);
	return res.json();
}

export async function kvSnapshot(campaign: string): Promise<CampaignSnapshot | null> {
	return env.TOTALS.get<CampaignSnapshot>(snapshotKey(campaign), "json");
}

let seq = 0;
export function donation(amount: number, overrides: Partial<Extract<Movement, { kind: "donation" }>> = {}): Movement {
	seq += 1;
	return {
		kind: "donation",
		key: `session:cs_test_${crypto.randomUUID()}`,
		payment: `pi_${crypto.randomUUID().replace(/-/g, "")}`,
		amount,
		feeCover: 0,
		currency: "usd",
		interval: "once",
		page: null,
		occurredAt: Date.now() + seq,
		...overrides,
	};
}

export function entry(movement: Movement, eventId = `evt_${crypto.randomUUID()}`) {
	return { eventId, eventType: "test.movement", movement };
}
