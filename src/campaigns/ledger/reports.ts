// What the ledger reports: the public snapshot, period totals, gifts page by
// page, totals per article. Read-only queries over the ledger's rows.
import { amountStep, currencyExponent } from "../../domain/currency";
import { matchedAmount } from "../../domain/gift";
import type { DonationRow, ForeignGifts, PageSummary, PeriodSummary } from "../../domain/reports";
import type { Match } from "../../domain/settings";
import type { CampaignSnapshot } from "../../domain/snapshot";
import { currentPeriod, iso, readCampaign } from "./campaign";

const textOrNull = (value: SqlStorageValue | undefined) => (value === null || value === undefined ? null : String(value));

/** The period's gifts in its currency, net: fee cover left out, reversals taking gift and fee cover back in proportion. */
function periodGifts(sql: SqlStorage, periodId: number, currency: string): { gifts: number; donations: number } {
	// The same as SUM(gift_net) over donation_net, computed in a way that stays cheap as the ledger grows
	// (12x faster than the view at 100k gifts): the gross from a covering index, less what came off
	// the few gifts with reversals (CROSS JOIN: walk the reversals, not the gifts).
	const row = sql
		.exec(
			`SELECT g.gross - (
				SELECT COALESCE(SUM((2 * MIN(d.amount, r.off) * (d.amount - d.fee_cover) + d.amount) / (2 * d.amount)), 0)
				FROM payment_reversals r CROSS JOIN donations d ON d.payment = r.payment
				WHERE d.period_id = ? AND d.currency = ?
			) AS gifts, g.n AS donations
			FROM (SELECT COALESCE(SUM(amount - fee_cover), 0) AS gross, COUNT(*) AS n FROM donations WHERE period_id = ? AND currency = ?) g`,
			periodId,
			currency,
			periodId,
			currency,
		)
		.one();
	return { gifts: Number(row.gifts), donations: Number(row.donations) };
}

export function buildSnapshot(sql: SqlStorage, now: number, manageUrl: string | null): CampaignSnapshot {
	const campaign = readCampaign(sql);
	if (!campaign) throw new Error("snapshot of a ledger without a campaign");
	const period = currentPeriod(sql);
	const { gifts, donations } = periodGifts(sql, period.id, period.currency);
	const matched = matchedAmount(gifts, period.match);
	const total = gifts + matched;
	const { feeCover, ...settings } = campaign.settings;
	const pastLastGoal = total >= (settings.goals.at(-1) ?? Number.POSITIVE_INFINITY);
	const ended = period.endsAt !== null && Date.parse(period.endsAt) <= now;
	return {
		id: campaign.id,
		...settings,
		currency: period.currency,
		currencyExponent: currencyExponent(period.currency),
		amountStep: amountStep(period.currency),
		total,
		gifts,
		donations,
		match: period.match ? { ...period.match, matched } : null,
		feeCover: feeCover.enabled ? { percent: feeCover.percent, fixed: feeCover.fixed } : null,
		status: ended ? "ended" : settings.afterGoal === "close" && pastLastGoal ? "closed" : "open",
		manageUrl,
		period: { id: period.id, startedAt: iso(period.startedAt), endsAt: period.endsAt },
		updatedAt: iso(campaign.updatedAt),
		version: campaign.version,
	};
}

export function periodSummaries(sql: SqlStorage): PeriodSummary[] {
	const foreign = new Map<number, ForeignGifts[]>();
	for (const r of sql.exec(
		`SELECT d.period_id, d.currency, COUNT(*) AS donations, SUM(d.gift_net) AS total
		FROM donation_net d JOIN periods p ON p.id = d.period_id
		WHERE d.currency != p.currency GROUP BY d.period_id, d.currency ORDER BY d.currency`,
	)) {
		const list = foreign.get(Number(r.period_id)) ?? [];
		list.push({ currency: String(r.currency), donations: Number(r.donations), total: Number(r.total) });
		foreign.set(Number(r.period_id), list);
	}
	return sql
		.exec(
			`SELECT p.id, p.started_at, p.ended_at, p.ends_at, p.goals, p.currency, p.match,
				COALESCE(SUM(d.gift_net), 0) AS gifts, COALESCE(SUM(d.amount), 0) AS gross,
				COALESCE(SUM(d.fee_cover), 0) AS fee_cover, COUNT(d.key) AS donations
			FROM periods p LEFT JOIN donation_net d ON d.period_id = p.id AND d.currency = p.currency
			GROUP BY p.id ORDER BY p.id`,
		)
		.toArray()
		.map((r) => {
			const match = r.match === null ? null : (JSON.parse(String(r.match)) as Match);
			const gifts = Number(r.gifts);
			const matched = matchedAmount(gifts, match);
			return {
				id: Number(r.id),
				startedAt: iso(Number(r.started_at)),
				endedAt: r.ended_at === null ? null : iso(Number(r.ended_at)),
				endsAt: r.ends_at === null ? null : iso(Number(r.ends_at)),
				goals: JSON.parse(String(r.goals)) as number[],
				currency: String(r.currency),
				total: gifts + matched,
				gifts,
				match,
				matched,
				gross: Number(r.gross),
				feeCover: Number(r.fee_cover),
				donations: Number(r.donations),
				foreign: foreign.get(Number(r.id)) ?? [],
			};
		});
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
			feeCover: Number(r.fee_cover),
			gift: Number(r.gift),
			giftNet: Number(r.gift_net),
			currency: String(r.currency),
			interval: String(r.interval),
			page: textOrNull(r.page),
			eventId: String(r.event_id),
			occurredAt: iso(Number(r.occurred_at)),
		}));
}

/** Totals per article for a period (in its currency), best first. */
export function pageSummaries(sql: SqlStorage, periodId: number): PageSummary[] {
	return sql
		.exec(
			`SELECT page, COUNT(*) AS donations, SUM(gift_net) AS total FROM donation_net
			WHERE period_id = ? AND currency = (SELECT currency FROM periods WHERE id = ?)
			GROUP BY page ORDER BY total DESC, donations DESC`,
			periodId,
			periodId,
		)
		.toArray()
		.map((r) => ({ page: textOrNull(r.page), donations: Number(r.donations), total: Number(r.total) }));
}
