// Migration 5 (the funnel): a ledger written by the version before it opens,
// upgrades, keeps every gift as it was (variant null), and takes funnel counts
// and gifts with a variant afterwards.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../src/campaigns/ledger/migrations";
import { donation, entry, ledgerOf, uniqueCampaign } from "./support/campaigns";

const FUNNEL_VERSION = 5;
const T0 = Date.UTC(2026, 10, 1);
const SETTINGS = { title: "Before the funnel", currency: "usd", goals: [100_000], amounts: [500], minAmount: 100, maxAmount: 500_000 };

/** A ledger at the version before the funnel's: every earlier migration, recorded, and two gifts. */
function writePreviousLedger(sql: SqlStorage, id: string): void {
	sql.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
	for (const m of MIGRATIONS.filter((m) => m.version < FUNNEL_VERSION)) {
		sql.exec(m.sql);
		sql.exec("INSERT INTO schema_migrations VALUES (?, ?, ?)", m.version, m.name, T0);
	}
	sql.exec("INSERT INTO campaign (singleton, id, settings, updated_at) VALUES (1, ?, ?, ?)", id, JSON.stringify(SETTINGS), T0);
	sql.exec("INSERT INTO periods (id, started_at, goals, currency) VALUES (1, ?, '[100000]', 'usd')", T0);
	for (const [key, amount, page] of [
		["session:cs_old1", 2_500, "https://news.example/a"],
		["session:cs_old2", 1_000, null],
	] as const) {
		sql.exec("INSERT INTO events VALUES (?, 'test', ?)", `evt_${key}`, T0 + 1);
		sql.exec(
			`INSERT INTO donations (key, payment, period_id, amount, currency, interval, page, event_id, occurred_at, recorded_at)
			VALUES (?, NULL, 1, ?, 'usd', 'once', ?, ?, ?, ?)`,
			key,
			amount,
			page,
			`evt_${key}`,
			T0 + 1,
			T0 + 1,
		);
	}
}

describe("migration 5: the funnel", () => {
	it("upgrades a ledger written by the previous version, keeping its gifts, and counts afterwards", async () => {
		const id = uniqueCampaign("mig5");
		const stub = ledgerOf(id);
		await runInDurableObject(stub, (_, state) => writePreviousLedger(state.storage.sql, id));
		expect(await stub.snapshot(id)).toMatchObject({ id, total: 3_500, donations: 2 });

		const schema = await runInDurableObject(stub, (_, state) => ({
			versions: state.storage.sql
				.exec("SELECT version FROM schema_migrations ORDER BY version")
				.toArray()
				.map((r) => Number(r.version)),
			variant: state.storage.sql.exec("SELECT key, variant FROM donations ORDER BY key").toArray(),
		}));
		expect(schema.versions).toEqual(MIGRATIONS.map((m) => m.version));
		expect(schema.versions).toContain(FUNNEL_VERSION);
		expect(schema.variant).toEqual([
			{ key: "session:cs_old1", variant: null },
			{ key: "session:cs_old2", variant: null },
		]);

		await stub.addFunnel(id, [{ page: "https://news.example/a", variant: "", loads: 10, checkouts: 2 }]);
		await stub.record(id, entry(donation(700, { page: "https://news.example/a", variant: "b", occurredAt: Date.now() })));
		const data = await stub.funnel(id, null);
		if (!data || data === "no_period") throw new Error("no funnel");
		expect(data.cells).toEqual([
			{ page: null, variant: null, loads: 0, checkouts: 0, donations: 1, total: 1_000 },
			{ page: "https://news.example/a", variant: null, loads: 10, checkouts: 2, donations: 1, total: 2_500 },
			{ page: "https://news.example/a", variant: "b", loads: 0, checkouts: 0, donations: 1, total: 700 },
		]);
	});
});
