// Recording money movements: each entry once by its event id, then once by its
// movement's natural key. Called inside the ledger's transactions.
import type { Donation, LedgerEntry, RecordOutcome, Reversal } from "../../domain/movements";

/**
 * The period a gift counts in: the one current when its payment succeeded.
 * Stripe's times are whole seconds: a gift in the same second as a reset
 * counts in the new period.
 */
function periodAt(sql: SqlStorage, ms: number): number {
	const row = sql.exec("SELECT id FROM periods WHERE started_at <= ? ORDER BY started_at DESC LIMIT 1", ms + 999).toArray()[0];
	return row ? Number(row.id) : 1;
}

function insertDonation(sql: SqlStorage, d: Donation, eventId: string, now: number): boolean {
	const inserted = sql
		.exec(
			`INSERT INTO donations (key, payment, period_id, amount, fee_cover, currency, interval, page, event_id, occurred_at, recorded_at, variant)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING key`,
			d.key,
			d.payment,
			periodAt(sql, d.occurredAt),
			d.amount,
			d.feeCover,
			d.currency,
			d.interval,
			d.page,
			eventId,
			d.occurredAt,
			now,
			d.variant ?? null,
		)
		.toArray();
	return inserted.length > 0;
}

// refund: the newest state of the Refund wins (of two in one second, the later in its life);
// refund_total: cumulative, the largest wins; dispute / reinstatement: fixed amounts, the first delivery wins.
const ON_REVERSAL_CONFLICT: Record<Reversal["kind"], string> = {
	refund: `DO UPDATE SET amount = excluded.amount, rank = excluded.rank, event_id = excluded.event_id, occurred_at = excluded.occurred_at
		WHERE (excluded.occurred_at, excluded.rank) > (reversals.occurred_at, reversals.rank)
		AND (excluded.amount != reversals.amount OR excluded.rank != reversals.rank)`,
	refund_total:
		"DO UPDATE SET amount = excluded.amount, event_id = excluded.event_id, occurred_at = excluded.occurred_at WHERE excluded.amount > reversals.amount",
	dispute: "DO NOTHING",
	reinstatement: "DO NOTHING",
};

function upsertReversal(sql: SqlStorage, r: Reversal, eventId: string): boolean {
	const changed = sql
		.exec(
			`INSERT INTO reversals (key, kind, payment, amount, event_id, occurred_at, rank) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (key) ${ON_REVERSAL_CONFLICT[r.kind]} RETURNING key`,
			r.key,
			r.kind,
			r.payment,
			r.amount,
			eventId,
			r.occurredAt,
			r.rank,
		)
		.toArray();
	return changed.length > 0;
}

/** One entry: its event id first, then its movement by natural key. Call inside a transaction. */
export function applyEntry(sql: SqlStorage, entry: LedgerEntry, now: number): RecordOutcome {
	const fresh = sql
		.exec(
			"INSERT INTO events (id, type, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
			entry.eventId,
			entry.eventType,
			now,
		)
		.toArray();
	if (fresh.length === 0) return "duplicate_event";
	const m = entry.movement;
	const changed = m.kind === "donation" ? insertDonation(sql, m, entry.eventId, now) : upsertReversal(sql, m, entry.eventId);
	if (!changed) return "duplicate_movement";
	sql.exec("UPDATE campaign SET updated_at = ?, version = version + 1", now);
	return "recorded";
}
