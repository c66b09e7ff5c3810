// Money movements as the ledger records them. Each carries its natural key (the
// Stripe object it comes from), so two events about one payment count once.

export type Interval = "once" | "month";

/** A gift: a paid one-time Checkout Session, or one paid invoice of a monthly gift. */
export interface Donation {
	kind: "donation";
	/** `session:cs_...` or `invoice:in_...` */
	key: string;
	/** Payment intent that refunds and disputes point at, when known. */
	payment: string | null;
	/** What was charged, fee cover included. */
	amount: number;
	/** The part of `amount` the donor added to cover the card fees (0 when none): not part of the gift. */
	feeCover: number;
	currency: string;
	interval: Interval;
	page: string | null;
	/** The A/B variant of the ask the donor saw (metadata), when a test ran. */
	variant?: string | null;
	/** When the payment succeeded (ms since epoch): picks the period it counts in. */
	occurredAt: number;
}

/**
 * Money leaving a payment (refunds, lost disputes) or coming back (a dispute won).
 * - `refund`: one Refund object; its latest state wins (failed and canceled refunds weigh 0).
 * - `refund_total`: a charge's cumulative `amount_refunded`, as the first ledgers stored it;
 *   no longer written (a refund that fails would have stayed off), still read.
 * - `dispute` / `reinstatement`: funds withdrawn / reinstated for one dispute.
 */
export interface Reversal {
	kind: "refund" | "refund_total" | "dispute" | "reinstatement";
	/** `refund:re_...`, `charge:ch_...`, `dispute:dp_...`, `reinstated:dp_...` */
	key: string;
	payment: string;
	amount: number;
	/** Stripe's time for this state (ms); a stale state never overwrites a newer one. */
	occurredAt: number;
	/** Orders two states told at the same time: a later state of a refund ranks higher (see REFUND_RANK). */
	rank: number;
}

/**
 * How far along a Refund's life each status is, so that of two states Stripe
 * stamped in the same second the later one wins: a refund can fail after it
 * succeeded, never the other way round.
 */
export const REFUND_RANK: Record<string, number> = { pending: 1, requires_action: 1, succeeded: 2, failed: 3, canceled: 3 };

export type Movement = Donation | Reversal;

export interface LedgerEntry {
	/** Stripe event id (`evt_...`), or `resync:<object id>` for re-synced records. */
	eventId: string;
	eventType: string;
	movement: Movement;
}

export type RecordOutcome = "recorded" | "duplicate_event" | "duplicate_movement" | "unknown_campaign";
