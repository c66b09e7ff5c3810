// Statistics for A/B tests of the ask: a conversion rate with its 95 % Wilson
// score interval, and whether the best variant is ahead of every other with
// confidence (a two-proportion z-test, Bonferroni-corrected for the number of
// comparisons). Pure functions; the admin API and page show their results.

/** z for a two-sided test at level alpha (normal quantile of 1 - alpha / 2), by bisection on erf. */
export function zFor(alpha: number): number {
	let low = 0;
	let high = 10;
	for (let i = 0; i < 60; i++) {
		const mid = (low + high) / 2;
		if (2 * (1 - normalCdf(mid)) > alpha) low = mid;
		else high = mid;
	}
	return (low + high) / 2;
}

/** The standard normal CDF (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
export function normalCdf(x: number): number {
	const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
	const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
	const erf = 1 - poly * Math.exp(-(x * x) / 2);
	return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export const Z95 = 1.959964;

/** The Wilson score interval of `successes` in `trials` (successes are capped at trials); [0, 1] with no trials. */
export function wilson(successes: number, trials: number, z = Z95): { low: number; high: number } {
	if (trials <= 0) return { low: 0, high: 1 };
	const p = Math.min(successes, trials) / trials;
	const z2 = z * z;
	const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
	const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
	return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The pooled two-proportion z statistic of a (x1 of n1) against b (x2 of n2); 0 when undefined. */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): number {
	if (n1 <= 0 || n2 <= 0) return 0;
	const a = Math.min(x1, n1);
	const b = Math.min(x2, n2);
	const pooled = (a + b) / (n1 + n2);
	const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
	return se === 0 ? 0 : (a / n1 - b / n2) / se;
}

export interface Arm {
	id: string;
	loads: number;
	donations: number;
}

/** Before these counts the normal approximation behind the z-test is too rough to call a winner. */
export const MIN_LOADS_PER_VARIANT = 30;
export const MIN_DONATIONS_OF_LEADER = 5;

export type Verdict =
	| { state: "too_early"; leader: string | null; message: string }
	| { state: "no_difference"; leader: string; message: string }
	| { state: "ahead"; leader: string; message: string };

/**
 * Whether the variant with the best conversion is ahead of every other at 95 %
 * confidence: two-sided pooled z-tests of the leader against
 * each other variant, each at alpha = 0.05 / (k - 1) (Bonferroni), so that the
 * chance of naming a winner when all convert alike stays at or below 5 %.
 */
export function verdict(arms: Arm[], alpha = 0.05): Verdict {
	const rate = (a: Arm) => (a.loads > 0 ? Math.min(a.donations, a.loads) / a.loads : 0);
	const ranked = [...arms].sort((a, b) => rate(b) - rate(a) || b.donations - a.donations);
	const leader = ranked[0];
	if (!leader || ranked.length < 2) return { state: "too_early", leader: null, message: "A test needs two variants." };
	const thin = arms.some((a) => a.loads < MIN_LOADS_PER_VARIANT) || leader.donations < MIN_DONATIONS_OF_LEADER;
	if (thin) {
		return {
			state: "too_early",
			leader: leader.donations > 0 ? leader.id : null,
			message: `Too early to tell: every variant needs ${MIN_LOADS_PER_VARIANT} loads and the best ${MIN_DONATIONS_OF_LEADER} gifts.`,
		};
	}
	const critical = zFor(alpha / (ranked.length - 1));
	const behind = ranked.slice(1).filter((other) => twoProportionZ(leader.donations, leader.loads, other.donations, other.loads) < critical);
	if (behind.length > 0) {
		return {
			state: "no_difference",
			leader: leader.id,
			message: `Too early to tell: '${leader.id}' leads, but not with 95 % confidence over ${behind.map((a) => `'${a.id}'`).join(", ")}.`,
		};
	}
	return { state: "ahead", leader: leader.id, message: `'${leader.id}' is ahead of every other variant with 95 % confidence.` };
}
