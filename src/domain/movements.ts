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
	amount: number;
	currency: string;
	interval: Interval;
	page: string | null;
	/** When the payment succeeded (ms since epoch): picks the period it counts in. */
	occurredAt: number;
}

/**
 * Money leaving a payment (refunds, lost disputes) or coming back (a dispute won).
 * - `refund`: one Refund object; its latest state wins (failed refunds weigh 0).
 * - `refund_total`: a charge's cumulative `amount_refunded`; the largest seen wins.
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
}

export type Movement = Donation | Reversal;

export interface LedgerEntry {
	/** Stripe event id (`evt_...`), or `resync:<object id>` for re-synced records. */
	eventId: string;
	eventType: string;
	movement: Movement;
}

export type RecordOutcome = "recorded" | "duplicate_event" | "duplicate_movement" | "unknown_campaign";
