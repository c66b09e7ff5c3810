// Public campaign API: the totals every page view reads, and Checkout creation.
// CORS `*` without credentials: any publisher page may call these.
import { Hono } from "hono";
import { cors } from "hono/cors";
import { z } from "zod";
import { campaignStore } from "../campaigns/store";
import { type AppEnv, allowedOrigins } from "../config";
import { knownVariant } from "../domain/ab-test";
import { amountProblem } from "../domain/currency";
import { grossUp } from "../domain/gift";
import { normalizePage } from "../domain/page-url";
import type { CampaignSnapshot } from "../domain/snapshot";
import { onCheckoutStarted, onTotalsRead, VARIANT_HEADER } from "../funnel/read";
import { clientKey, fromTrustedPage } from "../http/clients";
import { ApiError } from "../http/errors";
import { ServerTiming } from "../http/server-timing";
import { campaignIdParam, FORM_TYPES, isFormPost, jsonOrFormBody, limitBody, requireMediaType } from "../http/validate";
import { checkoutParams, returnUrls } from "../stripe/checkout";
import { stripeClient, stripeFailure } from "../stripe/client";
import { donors } from "./donors";

const amount = z.number().int("amount must be an integer in minor units (cents)").positive().max(99_999_999);
const checkoutFields = {
	interval: z.enum(["once", "month"]).default("once"),
	/** Add the card fees on top, as the campaign's fee rule estimates them. */
	coverFees: z.boolean().default(false),
	// Any length the body limit lets through: a URL too long to return to falls back to the thank-you page.
	returnUrl: z.string().optional(),
	page: z.string().optional(),
	/** The A/B variant the widget showed (Donation-Variant); an unknown one counts as none. */
	variant: z.string().max(64).optional(),
};
// JSON must send a number; a plain HTML form can only send text.
const jsonCheckout = z.object({ amount, ...checkoutFields });
const formCheckout = z.object({
	...checkoutFields,
	amount: z
		.string()
		.regex(/^\d{1,9}$/, "amount must be whole minor units (cents)")
		.transform(Number)
		.pipe(amount),
	// A checked box sends its value (the donate page's is "on"); an unchecked one sends nothing.
	coverFees: z
		.enum(["on", "true", "1"])
		.optional()
		.transform((value) => value !== undefined),
});

export const publicApi = new Hono<AppEnv>();

publicApi.use(
	"*",
	cors({
		origin: "*",
		allowMethods: ["GET", "POST", "OPTIONS"],
		allowHeaders: ["Content-Type", "Idempotency-Key"],
		exposeHeaders: [VARIANT_HEADER],
		maxAge: 86_400,
	}),
);

publicApi.get("/:id", campaignIdParam, async (c) => {
	const origin = new URL(c.req.url).origin;
	// Which source answered (cache: memory or edge; kv; ledger) and how long it took.
	const timing = new ServerTiming();
	const store = campaignStore({ env: c.env, origin, timing }, c.req.valid("param").id);
	const waitUntil = (work: Promise<unknown>) => c.executionCtx.waitUntil(work);
	const totals = await store.publicTotals(waitUntil);
	const headers: Record<string, string> = {
		"Content-Type": "application/json",
		"Cache-Control": totals.cacheControl,
		"Server-Timing": timing.header(),
	};
	// The funnel (src/funnel/): the article rides in ?page= (the edge cache key ignores the query).
	const variant = onTotalsRead({ env: c.env, origin, waitUntil }, store.id, totals, c.req.query("page"));
	if (variant) headers[VARIANT_HEADER] = variant;
	return c.body(totals.body, totals.status, headers);
});

publicApi.post(
	"/:id/checkout",
	limitBody(8 * 1024, "Request bodies"),
	campaignIdParam,
	requireMediaType(["application/json", ...FORM_TYPES], "Send application/json (or a form post)."),
	jsonOrFormBody(jsonCheckout, formCheckout),
	async (c) => {
		const { id } = c.req.valid("param");
		if (!fromTrustedPage(c)) {
			throw new ApiError(403, "origin_not_allowed", "Donations can be started only from the publisher's own pages.");
		}
		const body = c.req.valid("json");
		const origin = new URL(c.req.url).origin;
		// The ledger's own settings, not a published copy: its currency may have changed a moment ago.
		const campaign = await campaignStore({ env: c.env, origin }, id).fresh();
		if (!campaign) throw new ApiError(404, "campaign_not_found", `No campaign '${id}'.`);
		if (body.amount < campaign.minAmount || body.amount > campaign.maxAmount) {
			const range = `${campaign.minAmount} and ${campaign.maxAmount}`;
			throw new ApiError(400, "amount_out_of_range", `amount must be between ${range} (minor units).`);
		}
		const problem = amountProblem(body.amount, campaign.currency);
		if (problem) throw new ApiError(400, "amount_not_chargeable", problem);
		refuseWhenNotTaking(campaign, Date.now());
		if (body.coverFees && !campaign.feeCover)
			throw new ApiError(400, "fee_cover_not_offered", "This campaign does not offer to cover the card fees.");
		const feeCover = body.coverFees && campaign.feeCover ? grossUp(body.amount, campaign.feeCover, campaign.amountStep) - body.amount : 0;

		const { success } = await c.env.CHECKOUT_LIMITER.limit({ key: clientKey(c.req.header("CF-Connecting-IP")) });
		if (!success) throw new ApiError(429, "rate_limited", "Too many checkout attempts; please wait a minute.", { "Retry-After": "60" });
		const campaignWide = await c.env.CAMPAIGN_CHECKOUT_LIMITER.limit({ key: id });
		if (!campaignWide.success) {
			throw new ApiError(429, "campaign_rate_limited", "Too many checkouts for this campaign right now; please try again in a minute.", {
				"Retry-After": "60",
			});
		}

		const stripe = stripeClient(c.env);
		const back = returnUrls(body.returnUrl, allowedOrigins(c.env), origin, id);
		// The article, even when its full URL (tracking parameters and all) is too long to come back to.
		const page = normalizePage(body.page) ?? normalizePage(body.returnUrl);
		const variant = knownVariant(campaign.test, body.variant);
		onCheckoutStarted({ env: c.env, origin, waitUntil: (work) => c.executionCtx.waitUntil(work) }, id, page, variant);
		const params = checkoutParams(campaign, {
			amount: body.amount,
			feeCover,
			interval: body.interval,
			page,
			variant,
			successUrl: back.success,
			cancelUrl: back.cancel,
		});
		const idempotencyKey = clientIdempotencyKey(c.req.header("Idempotency-Key")) ?? crypto.randomUUID();
		let session: { id: string; url: string | null };
		try {
			session = await stripe.checkout.sessions.create(params, { idempotencyKey: `checkout:${id}:${idempotencyKey}` });
		} catch (err) {
			throw stripeFailure(err, "start the checkout");
		}
		if (!session.url) throw new ApiError(502, "stripe_error", "Stripe returned no Checkout URL.");
		if (isFormPost(c)) return c.redirect(session.url, 303);
		return c.json({ id: session.id, url: session.url }, 200, { "Cache-Control": "no-store" });
	},
);

/** 409 when the campaign takes no more gifts: past its deadline, or closed past its last goal. */
function refuseWhenNotTaking(campaign: CampaignSnapshot, now: number): void {
	if (campaign.period.endsAt && Date.parse(campaign.period.endsAt) <= now) {
		throw new ApiError(409, "campaign_ended", "This campaign has ended; thank you for your support.");
	}
	if (campaign.status === "closed") {
		throw new ApiError(409, "campaign_closed", "This campaign reached its goal and takes no more gifts; thank you!");
	}
}

function clientIdempotencyKey(header: string | undefined): string | null {
	return header && /^[\w-]{8,128}$/.test(header) ? header : null;
}

// Donors back from Checkout (thank-you, monthly-gift portal), under the same CORS.
publicApi.route("/", donors);
