// Counting in the isolate: loads and checkouts add up in memory per campaign
// and (page, variant), and one flush at most every few seconds sends each
// campaign's batch to its ledger, in the background (waitUntil), never on the
// request's path. A flush that fails drops its batch (logged): the funnel is
// best-effort, the money is not. Bounded: at most MAX_CELLS_PER_CAMPAIGN
// cells per campaign and MAX_CAMPAIGNS campaigns wait in memory.
import { type FunnelCount, OTHER_PAGE } from "../campaigns/ledger/funnel";
import type { Standing } from "./choose";

export const MAX_CELLS_PER_CAMPAIGN = 1_000;
export const MAX_CAMPAIGNS = 500;

/** Sends one campaign's batch to its ledger; answers the variants' standings (or null for an unknown campaign). */
export type FlushTarget = (campaign: string, batch: FunnelCount[]) => Promise<Standing[] | null>;

export class FunnelCounter {
	private pending = new Map<string, Map<string, FunnelCount>>();
	private scheduled = false;
	/** The ledger's last word on each campaign's variants, for epsilon-greedy choices. */
	readonly standings = new Map<string, Standing[]>();
	/** Flushes sent (for tests and the README's cost figures). */
	flushes = 0;

	constructor(private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((done) => setTimeout(done, ms))) {}

	/** Counts one load or checkout; the first count after a flush schedules the next one `flushMs` later. */
	add(
		campaign: string,
		cell: { page: string; variant: string },
		what: "loads" | "checkouts",
		flush: { target: FlushTarget; ms: number; waitUntil: (work: Promise<unknown>) => void },
	): void {
		let cells = this.pending.get(campaign);
		if (!cells) {
			if (this.pending.size >= MAX_CAMPAIGNS) return;
			cells = new Map();
			this.pending.set(campaign, cells);
		}
		let page = cell.page;
		let counted = cells.get(`${cell.variant}\n${page}`);
		if (!counted && cells.size >= MAX_CELLS_PER_CAMPAIGN) {
			page = OTHER_PAGE;
			counted = cells.get(`${cell.variant}\n${page}`);
		}
		if (!counted) {
			counted = { page, variant: cell.variant, loads: 0, checkouts: 0 };
			cells.set(`${cell.variant}\n${page}`, counted);
		}
		counted[what] += 1;
		if (!this.scheduled) {
			this.scheduled = true;
			flush.waitUntil(this.sleep(flush.ms).then(() => this.flush(flush.target)));
		}
	}

	/** Sends every waiting batch now (one RPC per campaign); failures drop that campaign's batch. */
	async flush(target: FlushTarget): Promise<void> {
		this.scheduled = false;
		const batches = this.pending;
		this.pending = new Map();
		if (batches.size > 0) this.flushes += 1;
		await Promise.all(
			[...batches].map(async ([campaign, cells]) => {
				try {
					const standings = await target(campaign, [...cells.values()]);
					if (this.standings.size >= MAX_CAMPAIGNS) this.standings.clear();
					if (standings) this.standings.set(campaign, standings);
				} catch (err) {
					console.warn("funnel: flush failed, batch dropped", campaign, cells.size, err);
				}
			}),
		);
	}

	/** Cells waiting for the next flush (tests). */
	waiting(campaign: string): FunnelCount[] {
		return [...(this.pending.get(campaign)?.values() ?? [])];
	}
}
