// The campaign row and its periods inside a ledger: settings, the current
// period, starting a new one, and the audit trail of admin changes.
import type { AuditEntry, AuditRow } from "../../domain/reports";
import { type CampaignSettings, type Match, type PeriodSettings, withDefaults } from "../../domain/settings";

export interface StoredCampaign {
	id: string;
	settings: CampaignSettings;
	updatedAt: number;
	/** Goes up with every change: orders published snapshots. */
	version: number;
}

export interface CurrentPeriod extends PeriodSettings {
	id: number;
	startedAt: number;
	/** The one currency its total adds up. */
	currency: string;
}

export const parseAuditRow = (row: AuditRow): AuditEntry => ({
	...row,
	before: row.before === null ? null : JSON.parse(row.before),
	after: row.after === null ? null : JSON.parse(row.after),
});

export const iso = (ms: number) => new Date(ms).toISOString();

export function readCampaign(sql: SqlStorage): StoredCampaign | null {
	const row = sql.exec("SELECT id, settings, updated_at, version FROM campaign").toArray()[0];
	if (!row) return null;
	const settings = withDefaults(JSON.parse(String(row.settings)) as Partial<CampaignSettings>);
	return { id: String(row.id), settings, updatedAt: Number(row.updated_at), version: Number(row.version) };
}

/** The campaign's version alone (no settings to parse). */
export function readVersion(sql: SqlStorage): number {
	return Number(sql.exec("SELECT version FROM campaign").one().version);
}

export function insertCampaign(sql: SqlStorage, campaignId: string, settings: CampaignSettings, now: number): void {
	sql.exec("INSERT INTO campaign (singleton, id, settings, updated_at) VALUES (1, ?, ?, ?)", campaignId, JSON.stringify(settings), now);
	sql.exec(
		"INSERT INTO periods (id, started_at, goals, currency) VALUES (1, ?, ?, ?)",
		now,
		JSON.stringify(settings.goals),
		settings.currency,
	);
}

/** Stores the settings; the current period takes their goals and currency. */
export function saveSettings(sql: SqlStorage, settings: CampaignSettings, now: number): void {
	sql.exec("UPDATE campaign SET settings = ?, updated_at = ?, version = version + 1", JSON.stringify(settings), now);
	sql.exec("UPDATE periods SET goals = ?, currency = ? WHERE ended_at IS NULL", JSON.stringify(settings.goals), settings.currency);
}

export function currentPeriod(sql: SqlStorage): CurrentPeriod {
	const row = sql.exec("SELECT id, started_at, currency, ends_at, match FROM periods WHERE ended_at IS NULL").one();
	return {
		id: Number(row.id),
		startedAt: Number(row.started_at),
		currency: String(row.currency),
		endsAt: row.ends_at === null ? null : iso(Number(row.ends_at)),
		match: row.match === null ? null : (JSON.parse(String(row.match)) as Match),
	};
}

export const periodSettingsOf = ({ endsAt, match }: PeriodSettings): PeriodSettings => ({ endsAt, match });

/** Sets the current period's deadline and match where `changes` names them. */
export function savePeriodSettings(sql: SqlStorage, changes: Partial<PeriodSettings>, now: number): void {
	if (changes.endsAt !== undefined) {
		sql.exec("UPDATE periods SET ends_at = ? WHERE ended_at IS NULL", changes.endsAt === null ? null : Date.parse(changes.endsAt));
	}
	if (changes.match !== undefined) {
		sql.exec("UPDATE periods SET match = ? WHERE ended_at IS NULL", changes.match === null ? null : JSON.stringify(changes.match));
	}
	sql.exec("UPDATE campaign SET updated_at = ?, version = version + 1", now);
}

/** Whether the current period holds any gift (whatever its currency). */
export function periodHasGifts(sql: SqlStorage, periodId: number): boolean {
	return sql.exec("SELECT 1 FROM donations WHERE period_id = ? LIMIT 1", periodId).toArray().length > 0;
}

/** Ends the current period and opens the next at zero; returns the new period's id. */
export function startPeriod(sql: SqlStorage, settings: CampaignSettings, now: number): number {
	const old = currentPeriod(sql);
	// Periods are ordered by start time; keep them strictly increasing.
	const startedAt = Math.max(now, old.startedAt + 1);
	sql.exec("UPDATE periods SET ended_at = ? WHERE id = ?", startedAt, old.id);
	sql.exec(
		"INSERT INTO periods (id, started_at, goals, currency) VALUES (?, ?, ?, ?)",
		old.id + 1,
		startedAt,
		JSON.stringify(settings.goals),
		settings.currency,
	);
	return old.id + 1;
}

export function writeAudit(sql: SqlStorage, now: number, actor: string, action: string, before: unknown, after: unknown): void {
	sql.exec(
		"INSERT INTO audit (at, actor, action, before, after) VALUES (?, ?, ?, ?, ?)",
		now,
		actor,
		action,
		before === null ? null : JSON.stringify(before),
		after === null ? null : JSON.stringify(after),
	);
}

export function readAudit(sql: SqlStorage, limit: number): AuditRow[] {
	return sql
		.exec("SELECT * FROM audit ORDER BY id DESC LIMIT ?", limit)
		.toArray()
		.map((r) => ({
			id: Number(r.id),
			at: iso(Number(r.at)),
			actor: String(r.actor),
			action: String(r.action),
			before: r.before === null ? null : String(r.before),
			after: r.after === null ? null : String(r.after),
		}));
}
