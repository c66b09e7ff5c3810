// Checkout Session parameters, built in one place: what a gift of `amount` to
// a campaign sends to Stripe, and where Stripe sends the donor afterwards.
import type Stripe from "stripe";
import { giftMetadata } from "../domain/metadata";
import type { Interval } from "../domain/movements";
import type { CampaignSnapshot } from "../domain/snapshot";

export interface GiftRequest {
	/** The gift itself, in minor units. */
	amount: number;
	/** Added on top to cover the card fees (0: none); a line of its own on Checkout and the receipt. */
	feeCover: number;
	interval: Interval;
	/** The article, normalized; travels in metadata for per-article totals. */
	page: string | null;
	/** The A/B variant the donor saw (a known id), when a test runs; travels in metadata. */
	variant?: string | null;
	successUrl: string;
	cancelUrl: string;
}

export function checkoutParams(campaign: CampaignSnapshot, gift: GiftRequest): Stripe.Checkout.SessionCreateParams {
	const monthly = gift.interval === "month";
	const metadata = giftMetadata(campaign.id, { page: gift.page, feeCover: gift.feeCover, variant: gift.variant });
	const line = (name: string, amount: number): Stripe.Checkout.SessionCreateParams.LineItem => ({
		quantity: 1,
		price_data: {
			currency: campaign.currency,
			unit_amount: amount,
			product_data: { name },
			...(monthly ? { recurring: { interval: "month" as const } } : {}),
		},
	});
	const lines = [line(monthly ? `Monthly gift: ${campaign.title}` : `Gift: ${campaign.title}`, gift.amount)];
	if (gift.feeCover > 0) lines.push(line("Covering the card fees", gift.feeCover));
	return {
		line_items: lines,
		success_url: gift.successUrl,
		cancel_url: gift.cancelUrl,
		metadata,
		// The campaign rides on the object that refunds and renewals point at, too.
		...(monthly
			? { mode: "subscription", subscription_data: { metadata } }
			: { mode: "payment", submit_type: "donate", payment_intent_data: { metadata } }),
	};
}

/** Stripe takes success and cancel URLs up to 5,000 characters; ours add about 60 to the article's. */
const MAX_RETURN_URL = 2048;

/**
 * The article to come back to, when its origin is one of ours and its URL is
 * not too long (without our own query parameters); else null, and the donor
 * comes back to this worker's own pages (never an open redirect, never an
 * error the donor sees).
 */
export function articleToReturnTo(returnUrl: string | undefined, allowed: Set<string>): URL | null {
	let back: URL | null = null;
	try {
		if (returnUrl && returnUrl.length <= MAX_RETURN_URL) back = new URL(returnUrl);
	} catch {}
	if (!back || (back.protocol !== "https:" && back.protocol !== "http:") || !allowed.has(back.origin)) return null;
	back.hash = "";
	back.searchParams.delete("donation");
	back.searchParams.delete("session_id");
	return back;
}

/** Where Checkout sends the donor afterwards: the article, or this worker's thank-you and donate pages. */
export function returnUrls(returnUrl: string | undefined, allowed: Set<string>, origin: string, campaignId: string) {
	const back = articleToReturnTo(returnUrl, allowed);
	if (back) {
		const base = back.toString();
		const sep = back.search ? "&" : "?";
		// {CHECKOUT_SESSION_ID} must reach Stripe unescaped.
		return { success: `${base}${sep}donation=success&session_id={CHECKOUT_SESSION_ID}`, cancel: `${base}${sep}donation=cancelled` };
	}
	return {
		success: `${origin}/thanks?campaign=${campaignId}&session_id={CHECKOUT_SESSION_ID}`,
		cancel: `${origin}/donate/${campaignId}?donation=cancelled`,
	};
}
