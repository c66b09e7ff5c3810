// Group commit in the isolate: webhooks for one campaign that arrive while
// this isolate's calls to its ledger are under way wait, then go together, in
// one call and one transaction, instead of one call each (under wrangler dev,
// a ledger call costs more CPU than the transaction it carries; on Cloudflare
// each call is a round trip to the object). An idle campaign's first delivery
// goes at once. Two calls may be under way per campaign: while one waits for
// its KV snapshot write, the next one's change rides with the following write
// (publisher.ts) instead of waiting for a write of its own. Each caller gets its own outcomes, only after
// the transaction holding its entries committed; entries are deduplicated
// inside the transaction as always (a redelivery in the same batch is a duplicate).
import type { LedgerEntry, RecordOutcome } from "../domain/movements";
import type { Phases } from "../http/server-timing";

/** What the ledger answers for a batch of entries. */
export interface LedgerResult {
	outcomes: RecordOutcome[];
	version: number;
	phases: Phases;
}

/** The most entries a batch takes from callers that join it (a caller's own list may be longer). */
const MAX_JOINED_ENTRIES = 100;
/** A batch not started this long after it opened is given up: its callers record alone. */
const STUCK_MS = 10_000;

/** Calls to one campaign's ledger under way at once from this isolate. */
const MAX_CALLS_UNDER_WAY = 2;

interface Batch {
	/** The call was made: later callers open the next batch. */
	started: boolean;
	/** The batch opened before this one (dropped when this one's call ends, so a burst keeps no chain). */
	previous: Batch | undefined;
	opened: number;
	entries: LedgerEntry[];
	result: Promise<LedgerResult>;
}

/** Per campaign, the last batch opened in this isolate. */
const lastBatch = new Map<string, Batch>();

/**
 * Records `entries` through `call`, alone or with other callers' entries in one
 * call. The call is made in the request that opened the batch, once at most
 * one call opened before it is still under way; `waitUntil` keeps that request alive for the
 * callers that joined. A caller whose shared call failed, or whose batch never
 * started (the request that opened it was cut off), records its own entries
 * alone: a failed transaction committed nothing, and a late one dedupes them.
 */
export async function recordTogether(
	campaignId: string,
	entries: LedgerEntry[],
	call: (entries: LedgerEntry[]) => Promise<LedgerResult>,
	waitUntil: (work: Promise<unknown>) => void,
): Promise<LedgerResult> {
	let batch = lastBatch.get(campaignId);
	let from = 0;
	const joinable = batch && !batch.started && Date.now() - batch.opened < STUCK_MS;
	if (batch && joinable && batch.entries.length + entries.length <= MAX_JOINED_ENTRIES) {
		from = batch.entries.length;
		batch.entries.push(...entries);
	} else {
		const previous = batch && !batch.started && !joinable ? undefined : batch;
		const opened: Batch = {
			started: false,
			previous,
			opened: Date.now(),
			entries: [...entries],
			result: Promise.resolve({ outcomes: [], version: 0, phases: {} }),
		};
		// The call waits until fewer than MAX_CALLS_UNDER_WAY calls before it are under way.
		const ahead = callsAhead(opened, MAX_CALLS_UNDER_WAY);
		// An async function that awaits: workerd resumes it in this request, where its I/O belongs
		// (a callback chained on another request's promise could run in that request instead).
		opened.result = (async () => {
			try {
				await ahead;
			} catch {}
			opened.started = true;
			return call(opened.entries);
		})();
		lastBatch.set(campaignId, opened);
		const forget = () => {
			opened.previous = undefined;
			if (lastBatch.get(campaignId) === opened) lastBatch.delete(campaignId);
		};
		waitUntil(opened.result.then(forget, forget));
		batch = opened;
	}
	const shared = batch;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const stuck = new Promise<"stuck">((resolve) => {
		timer = setTimeout(() => {
			if (!shared.started) resolve("stuck");
		}, STUCK_MS);
	});
	try {
		const result = await Promise.race([shared.result, stuck]);
		if (result !== "stuck") return { ...result, outcomes: result.outcomes.slice(from, from + entries.length) };
	} catch (err) {
		// Alone in the call: its failure is this caller's, as without batching.
		if (shared.entries.length === entries.length) throw err;
	} finally {
		clearTimeout(timer);
	}
	if (lastBatch.get(campaignId) === shared && !shared.started) lastBatch.delete(campaignId);
	return call(entries);
}

/** The result of the batch `depth` places before `batch`, if any (the one that must end before it starts). */
function callsAhead(batch: Batch, depth: number): Promise<unknown> | undefined {
	let ahead: Batch | undefined = batch;
	for (let i = 0; i < depth && ahead; i++) ahead = ahead.previous;
	return ahead?.result;
}
