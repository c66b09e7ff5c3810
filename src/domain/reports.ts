// What the admin API answers about a campaign's money: period summaries, gifts
// as exported, totals per article, the audit log, money no campaign took, and
// re-sync reports. Plain types, shared by the worker and the admin page.
import type { Match } from "./settings.ts";

/** Gifts in a currency other than their period's: kept and shown, never added to its total. */
export interface ForeignGifts {
	currency: string;
	donations: number;
	/** Net of reversals, in that currency's minor units. */
	total: number;
}

export interface PeriodSummary {
	id: number;
	startedAt: string;
	endedAt: string | null;
	/** The period's deadline, if it had one. */
	endsAt: string | null;
	goals: number[];
	currency: string;
	/** What the bar counted: gifts net of reversals, plus the match. */
	total: number;
	/** Gifts net of reversals, fee cover left out. */
	gifts: number;
	/** The sponsor's match, if any, and what it came to. */
	match: Match | null;
	matched: number;
	/** Everything charged in the period's currency (gifts and fee cover, before reversals). */
	gross: number;
	/** Of `gross`, what donors added to cover card fees. */
	feeCover: number;
	donations: number;
	foreign: ForeignGifts[];
}

export interface DonationRow {
	seq: number;
	key: string;
	payment: string | null;
	period: number;
	/** What was charged, fee cover included; `reversed` and `net` are of the charge. */
	amount: number;
	reversed: number;
	net: number;
	/** The fee cover within `amount`, the gift without it, and the gift net of reversals (what the bar counts). */
	feeCover: number;
	gift: number;
	giftNet: number;
	currency: string;
	interval: string;
	page: string | null;
	eventId: string;
	occurredAt: string;
}

export interface PageSummary {
	page: string | null;
	donations: number;
	total: number;
}

/** One admin change. `before` and `after` stay JSON text across RPC (typed RPC cannot carry `unknown`). */
export interface AuditRow {
	id: number;
	at: string;
	actor: string;
	action: string;
	before: string | null;
	after: string | null;
}

export interface AuditEntry extends Omit<AuditRow, "before" | "after"> {
	before: unknown;
	after: unknown;
}

/** A movement Stripe told us about that no ledger took. */
export interface UnplacedEntry {
	eventId: string;
	eventType: string;
	/** The movement's natural key (`invoice:in_…`), which re-sync records under. */
	key: string;
	/** The campaign the object names (may be malformed). */
	campaign: string;
	reason: string;
	amount: number;
	currency: string | null;
	receivedAt: string;
}

export interface ResyncReport {
	campaign: string;
	period: number;
	since: string;
	checked: { sessions: number; invoices: number; refunds: number };
	added: { key: string; amount: number }[];
	alreadyRecorded: number;
	/** Unplaced entries (see GET /api/admin/unplaced) this re-sync placed. */
	settled: number;
	/** Gifts of this period in the ledger that Stripe did not list. */
	notInStripe: string[];
	totalBefore: number;
	totalAfter: number;
}

/** One (page, variant) cell of a period's funnel: counted loads and checkouts beside the gifts recorded. */
export interface FunnelCell {
	page: string | null;
	variant: string | null;
	loads: number;
	checkouts: number;
	donations: number;
	total: number;
}

export interface DailyGifts {
	/** UTC day, YYYY-MM-DD */
	day: string;
	donations: number;
	total: number;
}

export interface FunnelData {
	period: { id: number; startedAt: string; endedAt: string | null; goals: number[]; currency: string };
	cells: FunnelCell[];
	daily: DailyGifts[];
}
