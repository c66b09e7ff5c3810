// Donation exports: streamed page by page from the ledger, as JSON or as CSV
// that opens safely in a spreadsheet.

import { matchedAmount } from "../domain/gift";
import type { DonationRow, PeriodSummary } from "../domain/reports";

export const CSV_COLUMNS = [
	"period",
	"key",
	"payment",
	"amount",
	"reversed",
	"net",
	"currency",
	"interval",
	"page",
	"event_id",
	"occurred_at",
	"fee_cover",
	"gift",
	"gift_net",
	"match",
] as const;

/** A gift as exported: the ledger's row and the sponsor's match of it. */
export type ExportedRow = DonationRow & { match: number };

/**
 * Gives each gift its share of a period's match, in the order the gifts came:
 * the match of the first n gifts is min(cap, percent of their net sum), so the
 * shares add up to exactly the period's match. Gifts in another currency get none.
 */
export function matchShares(period: Pick<PeriodSummary, "match" | "currency">) {
	let running = 0;
	const matchedUpTo = (sum: number) => matchedAmount(sum, period.match);
	return (row: DonationRow): ExportedRow => {
		if (!period.match || row.currency !== period.currency) return { ...row, match: 0 };
		const before = matchedUpTo(running);
		running += row.giftNet;
		return { ...row, match: matchedUpTo(running) - before };
	};
}

/**
 * One CSV field per RFC 4180, with text that a spreadsheet would run as a
 * formula (=, +, -, @, tab, CR) defused by a leading apostrophe.
 */
export function csvField(value: string | number | null): string {
	if (value === null) return "";
	if (typeof value === "number") return String(value);
	const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
	return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvRow(row: ExportedRow): string {
	const values = [
		row.period,
		row.key,
		row.payment,
		row.amount,
		row.reversed,
		row.net,
		row.currency,
		row.interval,
		row.page,
		row.eventId,
		row.occurredAt,
		row.feeCover,
		row.gift,
		row.giftNet,
		row.match,
	];
	return `${values.map(csvField).join(",")}\r\n`;
}

type PageReader = (after: number) => Promise<DonationRow[]>;

/** Streams every row the reader yields, in pages, without holding the ledger in memory; `withMatch` adds each gift's match. */
export function exportStream(
	format: "csv" | "json",
	readPage: PageReader,
	withMatch: (row: DonationRow) => ExportedRow,
): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	let after = 0;
	let first = true;
	return new ReadableStream({
		start(controller) {
			controller.enqueue(encoder.encode(format === "csv" ? `${CSV_COLUMNS.join(",")}\r\n` : '{"donations":['));
		},
		async pull(controller) {
			const rows = await readPage(after);
			let chunk = "";
			for (const row of rows.map(withMatch)) {
				chunk += format === "csv" ? csvRow(row) : `${first ? "" : ","}${JSON.stringify(row)}`;
				first = false;
			}
			const last = rows.at(-1);
			if (!last) {
				if (format === "json") controller.enqueue(encoder.encode("]}"));
				controller.close();
				return;
			}
			after = last.seq;
			controller.enqueue(encoder.encode(chunk));
		},
	});
}
