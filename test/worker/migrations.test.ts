// Ledger schema migrations: a ledger written by an earlier version opens,
// upgrades to the latest schema when its object starts, and keeps every gift,
// reversal, period and audit entry exactly.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { parseAuditRow } from "../../src/campaigns/ledger/campaign";
import { LATEST_VERSION, MIGRATIONS } from "../../src/campaigns/ledger/migrations";
import { ledgerOf, uniqueCampaign } from "./support/campaigns";

const T0 = Date.UTC(2026, 9, 1);
const HOUR = 3_600_000;
const SETTINGS = {
	title: "Keep the newsroom open",
	currency: "usd",
	goals: [100_000, 300_000],
	amounts: [500, 1_500],
	minAmount: 100,
	maxAmount: 500_000,
};

/**
 * A ledger as the first schema wrote it (before migrations were numbered: no
 * schema_migrations table): two periods, one-time and monthly gifts, the four
 * kinds of reversal, and the audit trail of a create, an update and a reset.
 */
function writeFirstSchemaLedger(sql: SqlStorage, id: string): void {
	sql.exec(MIGRATIONS[0]?.sql ?? "");
	sql.exec("INSERT INTO campaign VALUES (1, ?, ?, ?)", id, JSON.stringify(SETTINGS), T0 + 30 * HOUR);
	sql.exec("INSERT INTO periods VALUES (1, ?, ?, '[50000,100000]')", T0, T0 + 10 * HOUR);
	sql.exec("INSERT INTO periods VALUES (2, ?, NULL, '[100000,300000]')", T0 + 10 * HOUR);
	const gifts: [string, string | null, number, number, string, string | null, number][] = [
		["session:cs_1", "pi_1", 1, 5_000, "once", "https://news.example/a", T0 + HOUR],
		["invoice:in_1", "pi_2", 1, 2_500, "month", "https://news.example/b", T0 + 2 * HOUR],
		["session:cs_2", "pi_3", 2, 10_000, "once", null, T0 + 11 * HOUR],
		["session:cs_3", "pi_4", 2, 7_500, "once", "https://news.example/a", T0 + 12 * HOUR],
		["invoice:in_2", null, 2, 2_500, "month", null, T0 + 13 * HOUR],
	];
	for (const [key, payment, period, amount, interval, page, at] of gifts) {
		sql.exec(`INSERT INTO events VALUES (?, 'test', ?)`, `evt_${key}`, at);
		sql.exec(
			"INSERT INTO donations VALUES (?, ?, ?, ?, 'usd', ?, ?, ?, ?, ?)",
			key,
			payment,
			period,
			amount,
			interval,
			page,
			`evt_${key}`,
			at,
			at,
		);
	}
	const reversals: [string, string, string, number][] = [
		["refund:re_1", "refund", "pi_1", 1_000],
		["charge:ch_1", "refund_total", "pi_1", 1_500],
		["dispute:dp_1", "dispute", "pi_3", 10_000],
		["reinstated:dp_1", "reinstatement", "pi_3", 10_000],
		["refund:re_2", "refund", "pi_4", 7_500],
	];
	for (const [i, [key, kind, payment, amount]] of reversals.entries()) {
		sql.exec(`INSERT INTO events VALUES (?, 'test', ?)`, `evt_${key}`, T0 + (20 + i) * HOUR);
		sql.exec("INSERT INTO reversals VALUES (?, ?, ?, ?, ?, ?)", key, kind, payment, amount, `evt_${key}`, T0 + (20 + i) * HOUR);
	}
	sql.exec("INSERT INTO audit (at, actor, action, before, after) VALUES (?, 'system', 'create', NULL, ?)", T0, JSON.stringify(SETTINGS));
	sql.exec(
		"INSERT INTO audit (at, actor, action, before, after) VALUES (?, 'admin-token', 'update', ?, ?)",
		T0 + 5 * HOUR,
		JSON.stringify({ goals: [50_000] }),
		JSON.stringify({ goals: [50_000, 100_000] }),
	);
	sql.exec(
		"INSERT INTO audit (at, actor, action, before, after) VALUES (?, 'access:ed@news.example', 'reset', ?, ?)",
		T0 + 10 * HOUR,
		JSON.stringify({ period: 1 }),
		JSON.stringify({ period: 2 }),
	);
}

/** The migrations a ledger's storage records as applied, in order. */
const appliedVersions = (stub: ReturnType<typeof ledgerOf>) =>
	runInDurableObject(stub, (_, state) =>
		state.storage.sql
			.exec("SELECT version FROM schema_migrations ORDER BY version")
			.toArray()
			.map((row) => Number(row.version)),
	);

describe("ledger migrations", () => {
	it(`upgrades a ledger written by the first schema to version ${LATEST_VERSION}, keeping every gift, reversal, period and audit entry`, async () => {
		const id = uniqueCampaign("mig");
		const stub = ledgerOf(id);
		// Written under the running object, which started empty: its next call finds the old ledger and migrates it.
		await runInDurableObject(stub, (_, state) => writeFirstSchemaLedger(state.storage.sql, id));
		const snapshot = await stub.snapshot(id);

		const versions = await appliedVersions(stub);
		expect(versions).toEqual(MIGRATIONS.map((m) => m.version));

		// Period 2: 10,000 (disputed, reinstated) + 7,500 (refunded in full) + 2,500 = 12,500 net of 20,000.
		expect(snapshot).toMatchObject({ id, ...SETTINGS, total: 12_500, donations: 3, period: { id: 2 } });
		expect(await stub.periods(id)).toEqual([
			{
				id: 1,
				startedAt: new Date(T0).toISOString(),
				endedAt: new Date(T0 + 10 * HOUR).toISOString(),
				endsAt: null,
				goals: [50_000, 100_000],
				currency: "usd",
				total: 6_000,
				gifts: 6_000,
				match: null,
				matched: 0,
				gross: 7_500,
				feeCover: 0,
				donations: 2,
				foreign: [],
			},
			{
				id: 2,
				startedAt: new Date(T0 + 10 * HOUR).toISOString(),
				endedAt: null,
				endsAt: null,
				goals: [100_000, 300_000],
				currency: "usd",
				total: 12_500,
				gifts: 12_500,
				match: null,
				matched: 0,
				gross: 20_000,
				feeCover: 0,
				donations: 3,
				foreign: [],
			},
		]);
		const rows = [...((await stub.donations(id, 1, 0, 100)) ?? []), ...((await stub.donations(id, 2, 0, 100)) ?? [])];
		expect(rows.map((r) => [r.key, r.payment, r.period, r.amount, r.reversed, r.net, r.currency, r.interval, r.page, r.eventId])).toEqual([
			["session:cs_1", "pi_1", 1, 5_000, 1_500, 3_500, "usd", "once", "https://news.example/a", "evt_session:cs_1"],
			["invoice:in_1", "pi_2", 1, 2_500, 0, 2_500, "usd", "month", "https://news.example/b", "evt_invoice:in_1"],
			["session:cs_2", "pi_3", 2, 10_000, 0, 10_000, "usd", "once", null, "evt_session:cs_2"],
			["session:cs_3", "pi_4", 2, 7_500, 7_500, 0, "usd", "once", "https://news.example/a", "evt_session:cs_3"],
			["invoice:in_2", null, 2, 2_500, 0, 2_500, "usd", "month", null, "evt_invoice:in_2"],
		]);
		const audit = (await stub.auditLog(id))?.map(parseAuditRow);
		expect(audit?.map((e) => [e.actor, e.action, e.before, e.after])).toEqual([
			["access:ed@news.example", "reset", { period: 1 }, { period: 2 }],
			["admin-token", "update", { goals: [50_000] }, { goals: [50_000, 100_000] }],
			["system", "create", null, SETTINGS],
		]);
	});

	// Each migration on a ledger written by the version before it: the first schema's ledger, brought to
	// version N-1 as that version's code did (its migrations, written down), plus what only N-1 could write.
	it.each(MIGRATIONS.slice(1).map((m) => m.version))("upgrades a ledger written by version %i - 1 to the latest", async (version) => {
		const id = uniqueCampaign("mig");
		const stub = ledgerOf(id);
		await runInDurableObject(stub, (_, state) => {
			const sql = state.storage.sql;
			writeFirstSchemaLedger(sql, id);
			sql.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
			for (const m of MIGRATIONS.filter((m) => m.version < version)) {
				if (m.version > 1) sql.exec(m.sql);
				sql.exec("INSERT INTO schema_migrations VALUES (?, ?, ?)", m.version, m.name, T0);
			}
			// A gift in another currency, which only a ledger from version 2 on keeps apart.
			if (version > 2) {
				sql.exec("INSERT INTO events VALUES ('evt_eur', 'test', ?)", T0 + 14 * HOUR);
				sql.exec(
					"INSERT INTO donations (key, payment, period_id, amount, currency, interval, page, event_id, occurred_at, recorded_at) VALUES ('session:cs_eur', 'pi_eur', 2, 900, 'eur', 'once', NULL, 'evt_eur', ?, ?)",
					T0 + 14 * HOUR,
					T0 + 14 * HOUR,
				);
			}
		});
		const snapshot = await stub.snapshot(id);
		expect(snapshot).toMatchObject({ total: 12_500, gifts: 12_500, donations: 3, currency: "usd", period: { id: 2 } });
		const periods = (await stub.periods(id)) ?? [];
		expect(periods.map((p) => [p.id, p.total, p.donations, p.foreign])).toEqual([
			[1, 6_000, 2, []],
			[2, 12_500, 3, version > 2 ? [{ currency: "eur", donations: 1, total: 900 }] : []],
		]);
		const rows = [...((await stub.donations(id, 1, 0, 100)) ?? []), ...((await stub.donations(id, 2, 0, 100)) ?? [])];
		expect(rows).toHaveLength(version > 2 ? 6 : 5);
		expect((await stub.auditLog(id))?.map((e) => e.action)).toEqual(["reset", "update", "create"]);
		const versions = await appliedVersions(stub);
		expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
	});

	it("leaves no storage in an object nobody created a campaign in", async () => {
		const id = uniqueCampaign("ghost");
		const stub = ledgerOf(id);
		expect(await stub.snapshot(id)).toBeNull();
		const tables = await runInDurableObject(stub, (_, state) =>
			state.storage.sql
				.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
				.toArray()
				.map((row) => String(row.name)),
		);
		expect(tables).toEqual([]);
	});
});
