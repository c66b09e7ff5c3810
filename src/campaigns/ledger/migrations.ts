// The ledger's schema, as numbered migrations. Each runs once per ledger, in
// its own transaction, recorded in `schema_migrations`. A migration is never
// edited once released: change the schema by appending the next one, with a
// test that upgrades a ledger written by the previous version
// (test/worker/migrations.test.ts). Totals are always SUM()s over these rows,
// never a counter that is read, changed and written back.

export interface Migration {
	version: number;
	name: string;
	sql: string;
}

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
];

export const LATEST_VERSION = MIGRATIONS.length;

const MIGRATIONS_TABLE = "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

function hasTable(sql: SqlStorage, name: string): boolean {
	return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray().length > 0;
}

/**
 * The version a ledger's storage is at: 0 for an object that has stored
 * nothing yet. A ledger written before migrations were numbered has the first
 * schema without the `schema_migrations` table.
 */
export function schemaVersion(sql: SqlStorage): number {
	if (hasTable(sql, "schema_migrations")) return Number(sql.exec("SELECT MAX(version) AS version FROM schema_migrations").one().version);
	return hasTable(sql, "campaign") ? 1 : 0;
}

/** Applies every migration newer than the stored version, each in one transaction; returns the version reached. */
export function migrate(storage: DurableObjectStorage): number {
	const sql = storage.sql;
	let version = schemaVersion(sql);
	if (version > 0 && !hasTable(sql, "schema_migrations")) {
		// Written before migrations were numbered: that was the first schema.
		storage.transactionSync(() => {
			sql.exec(MIGRATIONS_TABLE);
			sql.exec("INSERT INTO schema_migrations VALUES (1, ?, 0)", MIGRATIONS[0]?.name ?? "");
		});
	}
	for (const migration of MIGRATIONS) {
		if (migration.version <= version) continue;
		storage.transactionSync(() => {
			sql.exec(migration.sql);
			if (!hasTable(sql, "schema_migrations")) sql.exec(MIGRATIONS_TABLE);
			sql.exec("INSERT INTO schema_migrations VALUES (?, ?, ?)", migration.version, migration.name, Date.now());
		});
		version = migration.version;
	}
	return version;
}
