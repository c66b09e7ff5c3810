// Money formatting. Amounts arrive in the currency's minor unit as Stripe
// writes it; the exponent comes from the worker (Stripe's, not Intl's: Intl
// shows ISK and HUF without decimals, Stripe writes them with two).
import { withoutPrototype } from "./own";

export interface Money {
	/** minor units per major unit (100 for USD, 1 for JPY) */
	unit_: number;
	/** formats an amount given in minor units */
	format_(minor: number): string;
}

// Intl reads every option it knows from `options`, inherited ones too. (They are all fresh objects.)
const numberFormat = (locale: string | undefined, options: Intl.NumberFormatOptions) =>
	new Intl.NumberFormat(locale, withoutPrototype(options));

/**
 * Without a locale: the design's look, en-US digits, a space, the narrow
 * symbol ("3,492 $", "12.50 $"). With a locale: Intl's currency format.
 * Whole amounts drop their decimals in both.
 */
export function money(currency: string, exponent: number, locale?: string): Money {
	// Intl takes the ISO code in either case ("usd" as the worker sends it, or "USD").
	const style = { style: "currency", currency } as const;
	const unit = 10 ** exponent;
	try {
		numberFormat(locale, style);
	} catch {
		locale = undefined;
	}
	const symbol = numberFormat("en", { ...style, currencyDisplay: "narrowSymbol" })
		.formatToParts(0)
		.find((part) => part.type === "currency")?.value;
	return {
		unit_: unit,
		format_(minor) {
			const major = minor / unit;
			const digits = major % 1 ? exponent : 0;
			const options = { minimumFractionDigits: digits, maximumFractionDigits: digits };
			return locale
				? numberFormat(locale, { ...options, ...style }).format(major)
				: `${numberFormat("en-US", options).format(major)} ${symbol}`;
		},
	};
}
