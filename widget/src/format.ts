// Money formatting. Amounts arrive in the currency's minor unit (cents);
// the exponent comes from Intl, so zero-decimal currencies (JPY) are right.

export interface Money {
	/** minor units per major unit (100 for USD, 1 for JPY) */
	u: number;
	/** upper-case ISO currency code */
	c: string;
	/** formats an amount given in minor units */
	f(minor: number): string;
}

const nf = (locale: string | undefined, options: Intl.NumberFormatOptions) => new Intl.NumberFormat(locale, options);

/**
 * Without a locale: the design's look, en-US digits, a space, the narrow
 * symbol ("3,492 $", "12.50 $"). With a locale: Intl's currency format.
 * Whole amounts drop their decimals in both.
 */
export function money(currency: string, locale?: string): Money {
	const c = currency.toUpperCase();
	const style = { style: "currency", currency: c } as const;
	const exp = nf("en", style).resolvedOptions().maximumFractionDigits as number;
	const u = 10 ** exp;
	try {
		nf(locale, style);
	} catch {
		locale = undefined;
	}
	const symbol = nf("en", { ...style, currencyDisplay: "narrowSymbol" })
		.formatToParts(0)
		.find((part) => part.type === "currency")?.value;
	return {
		u,
		c,
		f(minor) {
			const major = minor / u;
			const digits = major % 1 ? exp : 0;
			const options = { minimumFractionDigits: digits, maximumFractionDigits: digits };
			return locale ? nf(locale, { ...options, ...style }).format(major) : `${nf("en-US", options).format(major)} ${symbol}`;
		},
	};
}
