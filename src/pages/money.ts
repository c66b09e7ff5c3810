/** Minor units -> "3,492 $", the look of the design (en-US digits, symbol after). */
export function formatMoney(minor: number, currency: string, locale = "en-US"): string {
	const format = new Intl.NumberFormat(locale, { style: "currency", currency: currency.toUpperCase(), currencyDisplay: "narrowSymbol" });
	const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
	const major = minor / 10 ** digits;
	const whole = Number.isInteger(major);
	const number = new Intl.NumberFormat(locale, { minimumFractionDigits: whole ? 0 : digits, maximumFractionDigits: digits }).format(major);
	const symbol = format.formatToParts(0).find((p) => p.type === "currency")?.value ?? currency.toUpperCase();
	return `${number} ${symbol}`;
}
