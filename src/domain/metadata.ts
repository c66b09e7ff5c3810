// The marks the worker puts on what it creates at Stripe (Checkout Sessions,
// their PaymentIntents and subscriptions). Only objects that carry them count:
// `campaign` is a generic key that another integration on the same Stripe
// account may use too, so ours are namespaced.
import { isVariantId } from "./ab-test.ts";

export const METADATA_KEYS = {
	campaign: "donation_widget_campaign",
	page: "donation_widget_page",
	/** Minor units of the charge that cover the card fees (absent: none). */
	feeCover: "donation_widget_fee_cover",
	/** On the Billing portal configuration `npm run stripe:setup` makes for monthly donors ("1"). */
	portal: "donation_widget_portal",
	/** The A/B variant of the ask the donor saw (src/domain/ab-test.ts). */
	variant: "donation_widget_variant",
} as const;

type Metadata = Record<string, string> | null | undefined;

/** The campaign an object of ours belongs to, or null for anything the worker did not create. */
export function campaignOf(metadata: Metadata): string | null {
	const campaign = metadata?.[METADATA_KEYS.campaign];
	return typeof campaign === "string" && campaign.length > 0 ? campaign : null;
}

export function pageOf(metadata: Metadata): string | null {
	const page = metadata?.[METADATA_KEYS.page];
	return typeof page === "string" ? page : null;
}

/** The fee cover a charge of `amount` carries: a whole number below the amount, else none. */
export function feeCoverOf(metadata: Metadata, amount: number): number {
	const raw = metadata?.[METADATA_KEYS.feeCover];
	const fee = typeof raw === "string" && /^\d{1,9}$/.test(raw) ? Number(raw) : 0;
	return fee < amount ? fee : 0;
}

/** The A/B variant a gift came from, when it is a well-formed id. */
export function variantOf(metadata: Metadata): string | null {
	const variant = metadata?.[METADATA_KEYS.variant];
	return isVariantId(variant) ? variant : null;
}

/** What a gift's session, PaymentIntent or subscription carries besides its campaign. */
export interface GiftMarks {
	page?: string | null;
	feeCover?: number;
	variant?: string | null;
}

/** What the worker writes on a gift's session, PaymentIntent or subscription. */
export function giftMetadata(campaign: string, { page = null, feeCover = 0, variant = null }: GiftMarks = {}): Record<string, string> {
	return {
		[METADATA_KEYS.campaign]: campaign,
		...(page ? { [METADATA_KEYS.page]: page } : {}),
		...(feeCover > 0 ? { [METADATA_KEYS.feeCover]: String(feeCover) } : {}),
		...(variant ? { [METADATA_KEYS.variant]: variant } : {}),
	};
}
