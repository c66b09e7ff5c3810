// Currencies as Stripe writes them. Amounts are integers in the currency's
// minor unit, and the exponent is Stripe's, not Intl's: Intl shows HUF, ISK,
// UGX, IDR, COP, PKR (and more) without decimals, but Stripe's API writes
// them with two. Source: docs.stripe.com/currencies (zero-decimal,
// three-decimal and "special cases"), checked 2026-11-30.

/** Currencies a campaign may use: Stripe's supported currencies that Intl can format. */
// biome-ignore format: a table, one row per letter range
export const SUPPORTED_CURRENCIES = [
	"aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd", "bdt", "bgn", "bhd", "bif", "bmd", "bnd", "bob",
	"brl", "bsd", "bwp", "byn", "bzd", "cad", "cdf", "chf", "clp", "cny", "cop", "crc", "cve", "czk", "djf", "dkk", "dop", "dzd", "egp",
	"etb", "eur", "fjd", "fkp", "gbp", "gel", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl", "htg", "huf", "idr", "ils", "inr", "isk",
	"jmd", "jod", "jpy", "kes", "kgs", "khr", "kmf", "krw", "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mga",
	"mkd", "mmk", "mnt", "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok", "npr", "nzd", "omr", "pab", "pen",
	"pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd", "rub", "rwf", "sar", "sbd", "scr", "sek", "sgd", "shp", "sle", "sos", "srd",
	"szl", "thb", "tjs", "tnd", "top", "try", "ttd", "twd", "tzs", "uah", "ugx", "usd", "uyu", "uzs", "vnd", "vuv", "wst", "xaf", "xcd",
	"xof", "xpf", "yer", "zar", "zmw",
] as const;

const SUPPORTED = new Set<string>(SUPPORTED_CURRENCIES);
export const isSupportedCurrency = (code: string): boolean => SUPPORTED.has(code);

/** Stripe's zero-decimal currencies: 500 JPY is `500`. */
const ZERO_DECIMAL = new Set(["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "vnd", "vuv", "xaf", "xof", "xpf"]);
/** Three decimals, and the last must be 0: 5.120 KWD is `5120`. */
const THREE_DECIMAL = new Set(["bhd", "jod", "kwd", "omr", "tnd"]);
/** Zero-decimal in fact, but written with two decimals that are always 00: 5 ISK is `500`. */
const WHOLE_UNITS_AS_TWO_DECIMALS = new Set(["isk", "ugx"]);

/** Decimal places of Stripe's minor unit: 2 for USD, ISK and HUF, 0 for JPY, 3 for KWD. */
export function currencyExponent(currency: string): number {
	const code = currency.toLowerCase();
	if (ZERO_DECIMAL.has(code)) return 0;
	return THREE_DECIMAL.has(code) ? 3 : 2;
}

/** The smallest step an amount may take, in minor units: 100 for ISK and UGX, 10 for three-decimal currencies, else 1. */
export function amountStep(currency: string): number {
	const code = currency.toLowerCase();
	if (WHOLE_UNITS_AS_TWO_DECIMALS.has(code)) return 100;
	return THREE_DECIMAL.has(code) ? 10 : 1;
}

/** Why `amount` cannot be charged in `currency` as it is, or null when it can. */
export function amountProblem(amount: number, currency: string): string | null {
	const step = amountStep(currency);
	return amount % step === 0 ? null : `${currency.toUpperCase()} amounts must be a multiple of ${step} (minor units).`;
}

/**
 * Minor units as text, in the design's look without a locale ("3,492 $",
 * "12.50 $") and in the locale's currency format with one. Whole amounts drop
 * their decimals; the others show Stripe's.
 */
export function formatMoney(minor: number, currency: string, locale?: string): string {
	const code = currency.toUpperCase();
	const exponent = currencyExponent(currency);
	const major = minor / 10 ** exponent;
	const digits = Number.isInteger(major) ? 0 : exponent;
	const number = { minimumFractionDigits: digits, maximumFractionDigits: digits };
	if (locale) return new Intl.NumberFormat(locale, { ...number, style: "currency", currency: code }).format(major);
	const symbol =
		new Intl.NumberFormat("en-US", { style: "currency", currency: code, currencyDisplay: "narrowSymbol" })
			.formatToParts(0)
			.find((part) => part.type === "currency")?.value ?? code;
	return `${new Intl.NumberFormat("en-US", number).format(major)} ${symbol}`;
}
