// The ledger's SQLite schema. Totals are always SUM()s over these rows, never a
// counter that is read, changed and written back.
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS campaign (
	singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
	id TEXT NOT NULL,
	settings TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS periods (
	id INTEGER PRIMARY KEY,
	started_at INTEGER NOT NULL,
	ended_at INTEGER,
	goals TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
	id TEXT PRIMARY KEY,
	type TEXT NOT NULL,
	received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS donations (
	key TEXT PRIMARY KEY,
	payment TEXT,
	period_id INTEGER NOT NULL REFERENCES periods (id),
	amount INTEGER NOT NULL CHECK (amount > 0),
	currency TEXT NOT NULL,
	interval TEXT NOT NULL,
	page TEXT,
	event_id TEXT NOT NULL,
	occurred_at INTEGER NOT NULL,
	recorded_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS donations_by_period ON donations (period_id);
-- Covers the period's gross sum, so the snapshot after each write reads a small index, not every row.
CREATE INDEX IF NOT EXISTS donations_period_amounts ON donations (period_id, amount);
CREATE INDEX IF NOT EXISTS donations_by_payment ON donations (payment);
CREATE TABLE IF NOT EXISTS reversals (
	key TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	payment TEXT NOT NULL,
	amount INTEGER NOT NULL CHECK (amount >= 0),
	event_id TEXT NOT NULL,
	occurred_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS reversals_by_payment ON reversals (payment);
CREATE TABLE IF NOT EXISTS audit (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	before TEXT,
	after TEXT
);
-- What has come off each payment: refunds (the larger of the per-refund sum and
-- the charge's cumulative figure, which describe the same money) plus disputes
-- lost net of reinstatements.
CREATE VIEW IF NOT EXISTS payment_reversals AS
SELECT payment,
	MAX(
		COALESCE(SUM(CASE WHEN kind = 'refund' THEN amount END), 0),
		COALESCE(MAX(CASE WHEN kind = 'refund_total' THEN amount END), 0)
	) + MAX(0, COALESCE(SUM(CASE kind WHEN 'dispute' THEN amount WHEN 'reinstatement' THEN -amount END), 0)) AS off
FROM reversals GROUP BY payment;
-- Each gift with what is left of it; reversals land in the gift's own period.
CREATE VIEW IF NOT EXISTS donation_net AS
SELECT d.rowid AS seq, d.*,
	MIN(d.amount, COALESCE(r.off, 0)) AS reversed,
	d.amount - MIN(d.amount, COALESCE(r.off, 0)) AS net
FROM donations d LEFT JOIN payment_reversals r ON r.payment = d.payment;
`;
