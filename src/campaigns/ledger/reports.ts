// What the ledger reports: the public snapshot, period totals, gifts page by
// page, totals per article. Read-only queries over the ledger's rows.
import type { CampaignSnapshot } from "../../domain/snapshot";
import { currentPeriod, iso, readCampaign } from "./campaign";

export interface PeriodSummary {
	id: number;
	startedAt: string;
	endedAt: string | null;
	goals: number[];
	total: number;
	gross: number;
	donations: number;
}

export interface DonationRow {
	seq: number;
	key: string;
	payment: string | null;
	period: number;
	amount: number;
	reversed: number;
	net: number;
	currency: string;
	interval: string;
	page: string | null;
	eventId: string;
	occurredAt: string;
}

export interface PageSummary {
	page: string | null;
	donations: number;
	total: number;
}

const textOrNull = (value: SqlStorageValue | undefined) => (value === null || value === undefined ? null : String(value));

export function buildSnapshot(sql: SqlStorage): CampaignSnapshot {
	const campaign = readCampaign(sql);
	if (!campaign) throw new Error("snapshot of a ledger without a campaign");
	const period = currentPeriod(sql);
	// SUM(net) over donation_net, computed in a way that stays cheap as the ledger grows
	// (12x faster than the view at 100k gifts): the gross from a covering index, minus what
	// came off the few gifts with reversals (CROSS JOIN: walk the reversals, not the gifts).
	const totals = sql
		.exec(
			`SELECT g.gross - (
				SELECT COALESCE(SUM(MIN(d.amount, r.off)), 0)
				FROM payment_reversals r CROSS JOIN donations d ON d.payment = r.payment
				WHERE d.period_id = ?
			) AS total, g.n AS donations
			FROM (SELECT COALESCE(SUM(amount), 0) AS gross, COUNT(*) AS n FROM donations WHERE period_id = ?) g`,
			period.id,
			period.id,
		)
		.one();
	return {
		id: campaign.id,
		...campaign.settings,
		total: Number(totals.total),
		donations: Number(totals.donations),
		period: { id: period.id, startedAt: iso(period.startedAt) },
		updatedAt: iso(campaign.updatedAt),
	};
}

export function periodSummaries(sql: SqlStorage): PeriodSummary[] {
	return sql
		.exec(
			`SELECT p.id, p.started_at, p.ended_at, p.goals,
				COALESCE(SUM(d.net), 0) AS total, COALESCE(SUM(d.amount), 0) AS gross, COUNT(d.key) AS donations
			FROM periods p LEFT JOIN donation_net d ON d.period_id = p.id
			GROUP BY p.id ORDER BY p.id`,
		)
		.toArray()
		.map((r) => ({
			id: Number(r.id),
			startedAt: iso(Number(r.started_at)),
			endedAt: r.ended_at === null ? null : iso(Number(r.ended_at)),
			goals: JSON.parse(String(r.goals)) as number[],
			total: Number(r.total),
			gross: Number(r.gross),
			donations: Number(r.donations),
		}));
}

/** One page of a period's gifts, oldest first; `after` is the last `seq` seen. */
export function donationPage(sql: SqlStorage, periodId: number, after: number, limit: number): DonationRow[] {
	return sql
		.exec("SELECT * FROM donation_net WHERE period_id = ? AND seq > ? ORDER BY seq LIMIT ?", periodId, after, limit)
		.toArray()
		.map((r) => ({
			seq: Number(r.seq),
			key: String(r.key),
			payment: textOrNull(r.payment),
			period: Number(r.period_id),
			amount: Number(r.amount),
			reversed: Number(r.reversed),
			net: Number(r.net),
			currency: String(r.currency),
			interval: String(r.interval),
			page: textOrNull(r.page),
			eventId: String(r.event_id),
			occurredAt: iso(Number(r.occurred_at)),
		}));
}

/** Totals per article for a period, best first. */
export function pageSummaries(sql: SqlStorage, periodId: number): PageSummary[] {
	return sql
		.exec(
			`SELECT page, COUNT(*) AS donations, SUM(net) AS total FROM donation_net
			WHERE period_id = ? GROUP BY page ORDER BY total DESC, donations DESC`,
			periodId,
		)
		.toArray()
		.map((r) => ({ page: textOrNull(r.page), donations: Number(r.donations), total: Number(r.total) }));
}
