// The funnel as admins read it: per article, per variant and for the whole
// campaign in one period, with conversion = gifts / loads, each variant's 95 %
// Wilson interval and the test's verdict; and the same as CSV.
import { csvField } from "../admin/export";
import type { AbTest } from "../domain/ab-test";
import type { FunnelCell, FunnelData } from "../domain/reports";
import { verdict, wilson } from "./stats";

export interface FunnelLine {
	loads: number;
	checkouts: number;
	donations: number;
	total: number;
	/** gifts / loads, null without loads (gifts can exceed counted loads: see the README's accuracy notes). */
	conversion: number | null;
}

export interface PageLine extends FunnelLine {
	page: string | null;
}

export interface VariantLine extends FunnelLine {
	variant: string;
	/** 95 % Wilson score interval of the conversion (gifts capped at loads). */
	interval: { low: number; high: number };
	/** Whether the running test still has this variant. */
	running: boolean;
}

const conversion = (donations: number, loads: number) => (loads > 0 ? donations / loads : null);

function sum(cells: FunnelCell[]): FunnelLine {
	const line = { loads: 0, checkouts: 0, donations: 0, total: 0 };
	for (const c of cells) {
		line.loads += c.loads;
		line.checkouts += c.checkouts;
		line.donations += c.donations;
		line.total += c.total;
	}
	return { ...line, conversion: conversion(line.donations, line.loads) };
}

function groupBy<K>(cells: FunnelCell[], key: (cell: FunnelCell) => K): Map<K, FunnelCell[]> {
	const groups = new Map<K, FunnelCell[]>();
	for (const cell of cells) groups.set(key(cell), [...(groups.get(key(cell)) ?? []), cell]);
	return groups;
}

/** Per article, best total first (as the page list always was). */
export function pageLines(cells: FunnelCell[]): PageLine[] {
	return [...groupBy(cells, (c) => c.page)]
		.map(([page, group]) => ({ page, ...sum(group) }))
		.sort((a, b) => b.total - a.total || b.donations - a.donations || b.loads - a.loads);
}

/** Per variant: the running test's, in its order, then any other the period counted. */
export function variantLines(cells: FunnelCell[], test: AbTest | undefined): VariantLine[] {
	const groups = groupBy(
		cells.filter((c) => c.variant !== null),
		(c) => c.variant as string,
	);
	const running = test?.variants.map((v) => v.id) ?? [];
	const ids = [...running, ...[...groups.keys()].filter((id) => !running.includes(id)).sort()];
	return ids.map((variant) => {
		const line = sum(groups.get(variant) ?? []);
		return { variant, ...line, interval: wilson(line.donations, line.loads), running: running.includes(variant) };
	});
}

export function funnelReport(data: FunnelData, test: AbTest | undefined) {
	const variants = variantLines(data.cells, test);
	const arms = variants.filter((v) => v.running).map((v) => ({ id: v.variant, loads: v.loads, donations: v.donations }));
	return {
		period: data.period,
		totals: sum(data.cells),
		pages: pageLines(data.cells),
		variants,
		verdict: test ? verdict(arms) : null,
		daily: data.daily,
	};
}

export const FUNNEL_CSV_COLUMNS = ["period", "page", "variant", "loads", "checkouts", "gifts", "amount", "currency", "conversion"] as const;

/** The period's funnel at its finest grain, one row per (article, variant), as CSV. */
export function funnelCsv(data: FunnelData): string {
	const rows = data.cells.map((c) =>
		[
			data.period.id,
			c.page,
			c.variant,
			c.loads,
			c.checkouts,
			c.donations,
			c.total,
			data.period.currency,
			c.loads > 0 ? Number((c.donations / c.loads).toFixed(6)) : null,
		]
			.map(csvField)
			.join(","),
	);
	return [FUNNEL_CSV_COLUMNS.join(","), ...rows].map((row) => `${row}\r\n`).join("");
}
