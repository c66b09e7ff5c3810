// The funnel inside a ledger: widget loads and checkouts, counted in the
// worker's isolates and added here in batches, beside the gifts the ledger
// already holds. Bounded: at most MAX_PAGES_PER_PERIOD distinct articles per
// period (the rest fall into OTHER_PAGE), and only the running test's variants.
import { normalizePage } from "../../domain/page-url";
import type { FunnelData } from "../../domain/reports";
import { currentPeriod, iso } from "./campaign";

/** The bucket for articles past the cap and for page values that are not URLs. */
export const OTHER_PAGE = "other";
/** The bucket for checkouts that named no article (reported as page null, like gifts without one). */
export const NO_PAGE = "";
export const MAX_PAGES_PER_PERIOD = 500;

/** One (page, variant) cell of a batch; `variant` is "" for none. */
export interface FunnelCount {
	page: string;
	variant: string;
	loads: number;
	checkouts: number;
}

const count = (value: unknown) => (Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : 0);

/** Adds a batch to the current period's counts, in the caller's transaction. */
export function addFunnelCounts(sql: SqlStorage, batch: FunnelCount[], variants: string[]): void {
	const period = currentPeriod(sql).id;
	const buckets = [OTHER_PAGE, NO_PAGE];
	const counted = sql.exec("SELECT COUNT(DISTINCT page) AS n FROM funnel WHERE period_id = ? AND page NOT IN (?, ?)", period, ...buckets);
	let distinct = Number(counted.one().n);
	for (const cell of batch) {
		const loads = count(cell.loads);
		const checkouts = count(cell.checkouts);
		if (loads + checkouts === 0) continue;
		let page = buckets.includes(cell.page) ? cell.page : (normalizePage(cell.page) ?? OTHER_PAGE);
		if (
			!buckets.includes(page) &&
			sql.exec("SELECT 1 FROM funnel WHERE period_id = ? AND page = ? LIMIT 1", period, page).toArray().length === 0
		) {
			if (distinct >= MAX_PAGES_PER_PERIOD) page = OTHER_PAGE;
			else distinct += 1;
		}
		const variant = variants.includes(cell.variant) ? cell.variant : "";
		sql.exec(
			`INSERT INTO funnel (period_id, page, variant, loads, checkouts) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (period_id, page, variant) DO UPDATE SET loads = loads + excluded.loads, checkouts = checkouts + excluded.checkouts`,
			period,
			page,
			variant,
			loads,
			checkouts,
		);
	}
}

/** Loads and gifts per variant in the current period: what epsilon-greedy ranks by. */
export function variantStandings(sql: SqlStorage): { variant: string; loads: number; donations: number }[] {
	const period = currentPeriod(sql).id;
	return sql
		.exec(
			`SELECT variant, SUM(loads) AS loads, SUM(donations) AS donations FROM (
				SELECT variant, loads, 0 AS donations FROM funnel WHERE period_id = ? AND variant != ''
				UNION ALL SELECT variant, 0, 1 FROM donations WHERE period_id = ? AND variant IS NOT NULL
			) GROUP BY variant`,
			period,
			period,
		)
		.toArray()
		.map((r) => ({ variant: String(r.variant), loads: Number(r.loads), donations: Number(r.donations) }));
}

/** A period's funnel per (page, variant), with its gifts (in the period's currency, net of reversals) and gifts per day. */
export function funnelData(sql: SqlStorage, periodId: number): FunnelData | null {
	const p = sql.exec("SELECT id, started_at, ended_at, goals, currency FROM periods WHERE id = ?", periodId).toArray()[0];
	if (!p) return null;
	const currency = String(p.currency);
	const cells = sql
		.exec(
			`SELECT page, variant, SUM(loads) AS loads, SUM(checkouts) AS checkouts, SUM(donations) AS donations, SUM(total) AS total FROM (
				SELECT NULLIF(page, '') AS page, NULLIF(variant, '') AS variant, loads, checkouts, 0 AS donations, 0 AS total FROM funnel WHERE period_id = ?
				UNION ALL
				SELECT page, variant, 0, 0, 1, net FROM donation_net WHERE period_id = ? AND currency = ?
			) GROUP BY page, variant ORDER BY page, variant`,
			periodId,
			periodId,
			currency,
		)
		.toArray()
		.map((r) => ({
			page: r.page === null ? null : String(r.page),
			variant: r.variant === null ? null : String(r.variant),
			loads: Number(r.loads),
			checkouts: Number(r.checkouts),
			donations: Number(r.donations),
			total: Number(r.total),
		}));
	const daily = sql
		.exec(
			`SELECT strftime('%Y-%m-%d', occurred_at / 1000, 'unixepoch') AS day, COUNT(*) AS donations, SUM(net) AS total
			FROM donation_net WHERE period_id = ? AND currency = ? GROUP BY day ORDER BY day`,
			periodId,
			currency,
		)
		.toArray()
		.map((r) => ({ day: String(r.day), donations: Number(r.donations), total: Number(r.total) }));
	return {
		period: {
			id: Number(p.id),
			startedAt: iso(Number(p.started_at)),
			endedAt: p.ended_at === null ? null : iso(Number(p.ended_at)),
			goals: JSON.parse(String(p.goals)) as number[],
			currency,
		},
		cells,
		daily,
	};
}
