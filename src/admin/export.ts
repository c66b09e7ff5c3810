// Donation exports: streamed page by page from the ledger, as JSON or as CSV
// that opens safely in a spreadsheet.
import type { DonationRow } from "../campaigns/store";

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
] as const;

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

export function csvRow(row: DonationRow): string {
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
	];
	return `${values.map(csvField).join(",")}\r\n`;
}

type PageReader = (after: number) => Promise<DonationRow[]>;

/** Streams every row the reader yields, in pages, without holding the ledger in memory. */
export function exportStream(format: "csv" | "json", readPage: PageReader): ReadableStream<Uint8Array> {
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
			for (const row of rows) {
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
