// Donors back from Checkout: the thank-you with their gift already on the bar,
// and the way to the Stripe customer portal for a monthly gift. Both take the
// Checkout Session id from the return URL (see recording/donor-return.ts).
import { Hono } from "hono";
import { validator } from "hono/validator";
import { z } from "zod";
import { type AppEnv, allowedOrigins } from "../config";
import { METADATA_KEYS } from "../domain/metadata";
import { clientKey, fromTrustedPage } from "../http/clients";
import { ApiError } from "../http/errors";
import { campaignIdParam, FORM_TYPES, isFormPost, jsonOrFormBody, limitBody, requireMediaType } from "../http/validate";
import { completedSession, recordReturn, SESSION_ID } from "../recording/donor-return";
import { articleToReturnTo } from "../stripe/checkout";
import { stripeClient, stripeFailure } from "../stripe/client";

export const donors = new Hono<AppEnv>();

/** One fresh read past the caches per return, not a bypass anyone can call at will: 10 a minute per client. */
async function limitPerClient(c: { env: AppEnv["Bindings"]; req: { header(name: string): string | undefined } }, what: string) {
	const { success } = await c.env.CHECKOUT_LIMITER.limit({ key: `${what}:${clientKey(c.req.header("CF-Connecting-IP"))}` });
	if (!success) throw new ApiError(429, "rate_limited", "Too many requests; please wait a minute.", { "Retry-After": "60" });
}

const sessionQuery = validator("query", (query: Record<string, string | string[]>) => {
	const sessionId = query.session_id;
	if (typeof sessionId !== "string" || !SESSION_ID.test(sessionId)) {
		throw new ApiError(400, "invalid_session_id", "session_id must be the Checkout Session id from the return URL.");
	}
	return { sessionId };
});

/** GET /:id/return?session_id=cs_…: the campaign as it is now, with the donor's gift counted. */
donors.get("/:id/return", campaignIdParam, sessionQuery, async (c) => {
	const { id } = c.req.valid("param");
	await limitPerClient(c, "return");
	const context = { env: c.env, origin: new URL(c.req.url).origin };
	const answer = await recordReturn(context, stripeClient(c.env), id, c.req.valid("query").sessionId);
	return c.json(
		{ campaign: answer.campaign, gift: answer.gift, manage: answer.gift.interval === "month" && answer.customer !== null },
		200,
		{ "Cache-Control": "no-store" },
	);
});

const portalFields = {
	sessionId: z.string().regex(SESSION_ID, "sessionId must be a Checkout Session id"),
	returnUrl: z.string().optional(),
};
const portalBody = z.object(portalFields);

/** POST /:id/portal {sessionId}: a Stripe customer portal session for the monthly gift just made. */
donors.post(
	"/:id/portal",
	limitBody(8 * 1024, "Request bodies"),
	campaignIdParam,
	requireMediaType(["application/json", ...FORM_TYPES], "Send application/json (or a form post)."),
	jsonOrFormBody(portalBody, portalBody),
	async (c) => {
		const { id } = c.req.valid("param");
		if (!fromTrustedPage(c)) throw new ApiError(403, "origin_not_allowed", "The portal opens only from the publisher's own pages.");
		await limitPerClient(c, "portal");
		const { sessionId, returnUrl } = c.req.valid("json");
		const stripe = stripeClient(c.env);
		const session = await completedSession(stripe, id, sessionId);
		const customer = typeof session.customer === "string" ? session.customer : session.customer?.id;
		if (session.mode !== "subscription" || !customer) {
			throw new ApiError(409, "not_monthly", "That gift was a one-time gift: there is nothing to manage.");
		}
		const origin = new URL(c.req.url).origin;
		const back = articleToReturnTo(returnUrl, allowedOrigins(c.env))?.toString() ?? `${origin}/donate/${id}`;
		let url: string;
		try {
			// The configuration stripe:setup made (cancel, card update), else the account's default one.
			const configurations = await stripe.billingPortal.configurations.list({ active: true, limit: 100 });
			const ours = configurations.data.find((config) => config.metadata?.[METADATA_KEYS.portal] === "1");
			url = (await stripe.billingPortal.sessions.create({ customer, return_url: back, ...(ours ? { configuration: ours.id } : {}) })).url;
		} catch (err) {
			throw stripeFailure(err, "open the customer portal");
		}
		if (isFormPost(c)) return c.redirect(url, 303);
		return c.json({ url }, 200, { "Cache-Control": "no-store" });
	},
);
