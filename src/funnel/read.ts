// The funnel's hooks on the public routes: on each totals read, pick the A/B
// variant (when a test runs) and count the load for (page, variant); on each
// checkout started, count it. Never in the way: nothing here awaits storage,
// and any failure is logged and leaves the response as it was.

import { NO_PAGE, OTHER_PAGE } from "../campaigns/ledger/funnel";
import type { TotalsResponse } from "../campaigns/public-cache";
import { campaignStore, type StoreContext } from "../campaigns/store";
import { type AbTest, abTestSchema } from "../domain/ab-test";
import { normalizePage } from "../domain/page-url";
import { chooseVariant } from "./choose";
import { FunnelCounter } from "./counter";

/** The response header that names the variant picked for this view (exposed to the widget through CORS). */
export const VARIANT_HEADER = "Donation-Variant";
const DEFAULT_FLUSH_MS = 5_000;
/** A longer page parameter is not an article URL we keep (normalizePage caps at 500 characters). */
const MAX_PAGE_PARAM = 2_048;

export interface FunnelContext extends StoreContext {
	waitUntil: (work: Promise<unknown>) => void;
}

/** This isolate's counts. */
export const counter = new FunnelCounter();

/** The running test of each campaign, parsed once per snapshot version. */
const tests = new Map<string, { version: number; test: AbTest | null }>();

function testOf(campaign: string, totals: TotalsResponse): AbTest | null {
	const known = tests.get(campaign);
	if (known && known.version === totals.version) return known.test;
	const parsed = abTestSchema.safeParse((JSON.parse(totals.body) as { test?: unknown }).test);
	const test = parsed.success ? parsed.data : null;
	if (tests.size >= 500) tests.clear();
	tests.set(campaign, { version: totals.version, test });
	return test;
}

const countingOn = (context: FunnelContext) => context.env.FUNNEL !== "off";

function flushOf(context: FunnelContext) {
	const ms = Number(context.env.FUNNEL_FLUSH_MS ?? DEFAULT_FLUSH_MS);
	return {
		ms: Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 20_000) : DEFAULT_FLUSH_MS,
		waitUntil: context.waitUntil,
		target: (campaign: string, batch: Parameters<ReturnType<typeof campaignStore>["addFunnel"]>[0]) =>
			campaignStore(context, campaign).addFunnel(batch),
	};
}

/** The article a page parameter names: its normalized URL, else the "other" bucket. */
export function pageKey(raw: string): string {
	return (raw.length <= MAX_PAGE_PARAM ? normalizePage(raw) : null) ?? OTHER_PAGE;
}

/**
 * On a totals read that found the campaign: the variant to show (null when no
 * test runs), and the load counted when the widget named its article.
 */
export function onTotalsRead(context: FunnelContext, campaign: string, totals: TotalsResponse, page: string | undefined): string | null {
	if (totals.status !== 200) return null;
	try {
		const test = testOf(campaign, totals);
		const variant = test ? chooseVariant(test, counter.standings.get(campaign)) : null;
		if (page !== undefined && countingOn(context)) {
			counter.add(campaign, { page: pageKey(page), variant: variant ?? "" }, "loads", flushOf(context));
		}
		return variant;
	} catch (err) {
		console.warn("funnel: counting a load failed", campaign, err);
		return null;
	}
}

/** A checkout about to be created, for an article (normalized, or null) and a known variant (or null). */
export function onCheckoutStarted(context: FunnelContext, campaign: string, page: string | null, variant: string | null): void {
	if (!countingOn(context)) return;
	try {
		counter.add(campaign, { page: page ?? NO_PAGE, variant: variant ?? "" }, "checkouts", flushOf(context));
	} catch (err) {
		console.warn("funnel: counting a checkout failed", campaign, err);
	}
}
