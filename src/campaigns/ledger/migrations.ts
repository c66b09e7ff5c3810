// The ledger's schema, as numbered migrations. Each runs once per ledger, in
// its own transaction, recorded in `schema_migrations`. A migration is never
// edited once released: change the schema by appending the next one, with a
// test that upgrades a ledger written by the previous version
// (test/worker/migrations.test.ts). Totals are always SUM()s over these rows,
// never a counter that is read, changed and written back.

import { type Migration, migrate as migrateSchema, schemaVersion as storedVersion } from "../migrate";

export const MIGRATIONS: readonly Migration[] = [
	{
		version: 1,
		name: "the first ledger: campaign, periods, events, donations, reversals, audit",
		sql: `CREATE TABLE IF NOT EXISTS campaign (
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
FROM donations d LEFT JOIN payment_reversals r ON r.payment = d.payment;`,
	},
	{
		version: 2,
		name: "a currency per period; refund states ranked within a second",
		sql: `-- A period has one currency: a gift in any other is kept, shown to admins, never added to its total.
ALTER TABLE periods ADD COLUMN currency TEXT;
UPDATE periods SET currency = (SELECT lower(json_extract(settings, '$.currency')) FROM campaign);
-- Of two states of one refund told in the same second, the one later in a refund's life wins.
ALTER TABLE reversals ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;
-- The period's gross, per currency, from an index alone.
DROP INDEX donations_period_amounts;
CREATE INDEX donations_period_currency_amounts ON donations (period_id, currency, amount);`,
	},
	{
		version: 3,
		name: "a version on every published snapshot",
		sql: `-- Counts every change, so a read never caches an older snapshot over a newer one it has seen.
ALTER TABLE campaign ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
UPDATE campaign SET version = (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM audit);`,
	},
	{
		version: 4,
		name: "fee cover apart from the gift; a deadline and a sponsor's match per period",
		sql: `-- The part of a charge that covers the card fees: kept apart, never counted as the gift.
ALTER TABLE donations ADD COLUMN fee_cover INTEGER NOT NULL DEFAULT 0 CHECK (fee_cover >= 0);
-- A period may end at a set time, and a sponsor may match its gifts up to a cap.
ALTER TABLE periods ADD COLUMN ends_at INTEGER;
ALTER TABLE periods ADD COLUMN match TEXT;
DROP INDEX donations_period_currency_amounts;
CREATE INDEX donations_period_currency_amounts ON donations (period_id, currency, amount, fee_cover);
-- Each gift with what is left of it. A reversal takes the gift and the fee cover back in proportion
-- (rounded half up), so a refunded fee-covered charge comes off the bar exactly as far as the gift went on.
DROP VIEW donation_net;
CREATE VIEW donation_net AS
SELECT d.rowid AS seq, d.*,
	MIN(d.amount, COALESCE(r.off, 0)) AS reversed,
	d.amount - MIN(d.amount, COALESCE(r.off, 0)) AS net,
	d.amount - d.fee_cover AS gift,
	(d.amount - d.fee_cover) - (2 * MIN(d.amount, COALESCE(r.off, 0)) * (d.amount - d.fee_cover) + d.amount) / (2 * d.amount) AS gift_net
FROM donations d LEFT JOIN payment_reversals r ON r.payment = d.payment;`,
	},
	{
		version: 5,
		name: "the funnel: widget loads and checkouts per period, article and A/B variant; a gift's variant",
		sql: `-- The A/B variant of the ask a gift came from (Checkout metadata); null without a test.
ALTER TABLE donations ADD COLUMN variant TEXT;
-- Best-effort counts, not money: batches flushed from the worker's isolates are added in
-- place inside this object (one transaction per batch). page: a normalized article URL,
-- or 'other' (past the cap of distinct pages per period, or not a URL); variant: '' for none.
CREATE TABLE IF NOT EXISTS funnel (
	period_id INTEGER NOT NULL,
	page TEXT NOT NULL,
	variant TEXT NOT NULL DEFAULT '',
	loads INTEGER NOT NULL DEFAULT 0 CHECK (loads >= 0),
	checkouts INTEGER NOT NULL DEFAULT 0 CHECK (checkouts >= 0),
	PRIMARY KEY (period_id, page, variant)
);`,
	},
];

/** The newest version. */
export const LATEST_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** Ledgers written before migrations were numbered have the first schema without `schema_migrations`. */
const UNNUMBERED = { table: "campaign", version: 1 };

export const schemaVersion = (sql: SqlStorage) => storedVersion(sql, UNNUMBERED);
export const migrate = (storage: DurableObjectStorage) => migrateSchema(storage, MIGRATIONS, UNNUMBERED);
