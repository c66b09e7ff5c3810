// Numbered schema migrations for a Durable Object's SQLite storage. Each
// migration runs once, in its own transaction, and is written down in
// `schema_migrations` (Durable Object SQLite refuses PRAGMA user_version).
// A migration is never edited once released: append the next one.

export interface Migration {
	version: number;
	name: string;
	sql: string;
}

/** Storage written before its migrations were numbered: recognized by a table, taken as a version. */
export interface Unnumbered {
	table: string;
	version: number;
}

const MIGRATIONS_TABLE = "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

function hasTable(sql: SqlStorage, name: string): boolean {
	return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray().length > 0;
}

/** The version the storage is at: 0 for an object that has stored nothing yet. */
export function schemaVersion(sql: SqlStorage, unnumbered?: Unnumbered): number {
	if (hasTable(sql, "schema_migrations")) return Number(sql.exec("SELECT MAX(version) AS version FROM schema_migrations").one().version);
	return unnumbered && hasTable(sql, unnumbered.table) ? unnumbered.version : 0;
}

/** Applies every migration newer than the stored version; returns the version reached. */
export function migrate(storage: DurableObjectStorage, migrations: readonly Migration[], unnumbered?: Unnumbered): number {
	const sql = storage.sql;
	let version = schemaVersion(sql, unnumbered);
	if (version > 0 && !hasTable(sql, "schema_migrations")) {
		// Written before migrations were numbered: write its history down.
		storage.transactionSync(() => {
			sql.exec(MIGRATIONS_TABLE);
			for (const m of migrations.filter((m) => m.version <= version))
				sql.exec("INSERT INTO schema_migrations VALUES (?, ?, 0)", m.version, m.name);
		});
	}
	for (const migration of migrations) {
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
