// Checkout Session parameters, built in one place: what a gift of `amount` to
// a campaign sends to Stripe, and where Stripe sends the donor afterwards.
import type Stripe from "stripe";
import { giftMetadata } from "../domain/metadata";
import type { Interval } from "../domain/movements";
import type { CampaignSnapshot } from "../domain/snapshot";

export interface GiftRequest {
	amount: number;
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
	const metadata = giftMetadata(campaign.id, gift.page, gift.variant ?? null);
	const lineItem: Stripe.Checkout.SessionCreateParams.LineItem = {
		quantity: 1,
		price_data: {
			currency: campaign.currency,
			unit_amount: gift.amount,
			product_data: { name: monthly ? `Monthly gift: ${campaign.title}` : `Gift: ${campaign.title}` },
			...(monthly ? { recurring: { interval: "month" as const } } : {}),
		},
	};
	return {
		line_items: [lineItem],
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
 * Where Checkout sends the donor afterwards: back to the article when its
 * origin is one of ours and its URL is not too long, else to this worker's own
 * pages (never an open redirect, never an error the donor sees).
 */
export function returnUrls(returnUrl: string | undefined, allowed: Set<string>, origin: string, campaignId: string) {
	let back: URL | null = null;
	try {
		if (returnUrl && returnUrl.length <= MAX_RETURN_URL) back = new URL(returnUrl);
	} catch {}
	if (back && (back.protocol === "https:" || back.protocol === "http:") && allowed.has(back.origin)) {
		back.hash = "";
		back.searchParams.delete("donation");
		back.searchParams.delete("session_id");
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
