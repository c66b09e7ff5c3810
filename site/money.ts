// Money on the admin page: Stripe's minor units shown like an accounts page,
// and typed in major units.
import { currencyExponent, formatMoney } from "../src/domain/currency";

/** Minor units per major unit, as Stripe writes amounts (100 for ISK and HUF, which Intl shows without decimals). */
export const minorPerMajor = (currency: string) => 10 ** currencyExponent(currency);

/** Like an accounts page: "$3,502.00", "ISK 3,492"; Stripe's decimals where an amount has them ("HUF 3,492.50"). */
export function money(minor: number, currency: string): string {
	const format = new Intl.NumberFormat("en-US", { style: "currency", currency });
	const major = minor / minorPerMajor(currency);
	if (Number.isInteger(major) || (format.resolvedOptions().maximumFractionDigits ?? 0) > 0) return format.format(major);
	return formatMoney(minor, currency, "en-US");
}

/** "10, 25.5" in major units -> [1000, 2550] in minor units. */
export const toMinor = (text: string, currency: string) =>
	text
		.split(",")
		.map((part) => part.trim())
		.filter(Boolean)
		.map((part) => Math.round(Number(part) * minorPerMajor(currency)));

export const toMajor = (amounts: number[], currency: string) => amounts.map((minor) => minor / minorPerMajor(currency)).join(", ");
