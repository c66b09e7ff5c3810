// How Stripe writes amounts per currency, as a table the double validates and
// formats with and the worker's tests can iterate over. Runtime-neutral.
//
// Source: Stripe's "Supported currencies" page (docs.stripe.com/currencies,
// sections "Zero-decimal currencies" and "Special cases"), and for ISK the
// support article "Deprecation of fractional ISK charges and refunds"
// (support.stripe.com/questions/deprecation-of-fractional-isk-charges-and-refunds).
//
// - Amounts are integers in the currency's minor unit: `1000` is 10.00 USD,
//   `500` is 500 JPY (zero-decimal).
// - UGX is in Stripe's zero-decimal list, yet the Special cases table says
//   "UGX transitioned to a zero-decimal currency, but backwards compatibility
//   requires you to represent it as a two-decimal value, where the decimal
//   amount is always 00 ... to charge 5 UGX, provide an amount value of 500".
//   The special case is the rule for charges: exponent 2, divisible by 100.
// - ISK: the same words ("to charge 5 ISK, provide an amount value of 500");
//   since 2023-04-14 the API rejects amounts not divisible by 100 with
//   `invalid_charge_amount_no_decimal_compatible`.
// - HUF and TWD: "Stripe treats HUF [TWD] as a zero-decimal currency for
//   payouts, even though you can charge two-decimal amounts": exponent 2 and
//   no rule for charges; only manual payouts must be divisible by 100.
// - Three-decimal currencies (BHD, JOD, KWD, OMR, TND): the page as of 2023
//   said the API takes them with the last digit 0 ("round amounts to the
//   nearest ten"); today's page no longer lists them. Kept here as exponent 3,
//   divisible by 10.
//
// `Intl.NumberFormat` (CLDR, Node 24) disagrees for ISK, UGX and HUF: it gives
// them 0 fraction digits where Stripe's API amounts have 2, so dividing a
// Stripe amount by 10 ** Intl's digits is off by a factor of 100 there.

export interface CurrencyFact {
	/** Decimal places in Stripe's API amounts: amount / 10 ** exponent is the major value. */
	exponent: 0 | 2 | 3;
	/** Charge (and price) amounts must be a multiple of this. */
	chargeDivisibleBy: number;
	/** Manual payout amounts must be a multiple of this. */
	payoutDivisibleBy: number;
	/** Fraction digits a person sees (ISK and UGX are whole units although the API has two decimals). */
	displayDecimals: 0 | 2 | 3;
}

/** Stripe's zero-decimal currencies, less UGX (see above). */
export const ZERO_DECIMAL_CURRENCIES = [
	"bif",
	"clp",
	"djf",
	"gnf",
	"jpy",
	"kmf",
	"krw",
	"mga",
	"pyg",
	"rwf",
	"vnd",
	"vuv",
	"xaf",
	"xof",
	"xpf",
] as const;

export const THREE_DECIMAL_CURRENCIES = ["bhd", "jod", "kwd", "omr", "tnd"] as const;

const TWO_DECIMAL: CurrencyFact = { exponent: 2, chargeDivisibleBy: 1, payoutDivisibleBy: 1, displayDecimals: 2 };

/** Every currency whose rules differ from a plain two-decimal currency, plus USD and EUR for reference. */
export const STRIPE_CURRENCIES: Readonly<Record<string, CurrencyFact>> = {
	usd: TWO_DECIMAL,
	eur: TWO_DECIMAL,
	...Object.fromEntries(
		ZERO_DECIMAL_CURRENCIES.map((c) => [c, { exponent: 0, chargeDivisibleBy: 1, payoutDivisibleBy: 1, displayDecimals: 0 }]),
	),
	...Object.fromEntries(
		THREE_DECIMAL_CURRENCIES.map((c) => [c, { exponent: 3, chargeDivisibleBy: 10, payoutDivisibleBy: 10, displayDecimals: 3 }]),
	),
	isk: { exponent: 2, chargeDivisibleBy: 100, payoutDivisibleBy: 100, displayDecimals: 0 },
	ugx: { exponent: 2, chargeDivisibleBy: 100, payoutDivisibleBy: 100, displayDecimals: 0 },
	huf: { exponent: 2, chargeDivisibleBy: 1, payoutDivisibleBy: 100, displayDecimals: 2 },
	twd: { exponent: 2, chargeDivisibleBy: 1, payoutDivisibleBy: 100, displayDecimals: 2 },
};

/** The facts for `currency` (any case); two-decimal unless listed. */
export function currencyFact(currency: string): CurrencyFact {
	return STRIPE_CURRENCIES[currency.toLowerCase()] ?? TWO_DECIMAL;
}

/** A Stripe amount as a person reads it: `2500 usd` -> "25.00 USD", `10000 isk` -> "100 ISK". */
export function formatStripeAmount(amount: number, currency: string): string {
	const fact = currencyFact(currency);
	const major = amount / 10 ** fact.exponent;
	return `${major.toFixed(fact.displayDecimals)} ${currency.toUpperCase()}`;
}

/**
 * Why Stripe refuses `amount` in `currency` as a charge or price amount, or
 * null. The ISK/UGX wording is Stripe's (support article above); the
 * three-decimal one is the double's, as Stripe's page gives the rule but no
 * message.
 */
export function chargeAmountProblem(amount: number, currency: string): { code: string; message: string } | null {
	const fact = currencyFact(currency);
	if (amount % fact.chargeDivisibleBy === 0) return null;
	const code = currency.toUpperCase();
	if (fact.chargeDivisibleBy === 100) {
		return {
			code: "invalid_charge_amount_no_decimal_compatible",
			message: `Invalid amount. Currency ${code} has become effectively zero-decimal and charged amounts must be evenly divisible by 100. See https://stripe.com/docs/currencies#special-cases for more information.`,
		};
	}
	return {
		code: "invalid_charge_amount",
		message: `Invalid amount. Amounts in ${code} must be rounded to the nearest ten (the last digit must be 0). See https://stripe.com/docs/currencies for more information.`,
	};
}
