// A donor back from Checkout: the Checkout Session they just completed, read
// at Stripe, proves the gift; it is recorded at once through the same path as
// its webhook (whichever comes first counts, the other is a duplicate), so
// the bar the donor sees already includes their gift. The session id in the
// return URL is the only credential, so it is honoured for 24 hours only.
import type Stripe from "stripe";
import { campaignStore, type StoreContext } from "../campaigns/store";
import { campaignOf, pageOf } from "../domain/metadata";
import type { CampaignSnapshot } from "../domain/snapshot";
import { ApiError } from "../http/errors";
import { stripeFailure } from "../stripe/client";
import { type EventPlan, planInvoice, planSession } from "../stripe/events";
import { recordPlans } from "./record";

/** How long a completed Checkout Session's id vouches for its donor. */
export const RETURN_WINDOW_MS = 24 * 3_600_000;

/** Checkout Session ids are long, random and only ever in the donor's own return URL. */
export const SESSION_ID = /^cs_(test|live)_[A-Za-z0-9]{10,200}$/;

export interface DonorReturn {
	campaign: CampaignSnapshot;
	gift: { amount: number; interval: "once" | "month" };
	/** The Stripe customer, for a monthly gift's portal session. */
	customer: string | null;
	/** The article the gift came from (origin and path), when the widget named it. */
	page: string | null;
}

/** The completed session of ours for `campaignId`, or a 404/410 in our error shape. */
export async function completedSession(stripe: Stripe, campaignId: string, sessionId: string): Promise<Stripe.Checkout.Session> {
	if (!SESSION_ID.test(sessionId)) throw new ApiError(400, "invalid_session_id", "That is not a Checkout Session id.");
	const session = await stripe.checkout.sessions.retrieve(sessionId).catch((err: { statusCode?: number }) => {
		if (err?.statusCode === 404) return null;
		throw stripeFailure(err, "look up the payment");
	});
	if (!session || campaignOf(session.metadata) !== campaignId || session.status !== "complete") {
		throw new ApiError(404, "session_not_found", "No completed gift to this campaign with that session.");
	}
	if (session.created * 1000 < Date.now() - RETURN_WINDOW_MS) {
		throw new ApiError(410, "session_expired", "This link to a gift has expired; use 'Manage my monthly gift' to sign in instead.");
	}
	return session;
}

/** Records the gift of a completed session (if Stripe says it is paid) and answers with the campaign as it is now. */
export async function recordReturn(context: StoreContext, stripe: Stripe, campaignId: string, sessionId: string): Promise<DonorReturn> {
	const session = await completedSession(stripe, campaignId, sessionId);
	const monthly = session.mode === "subscription";
	let plan: EventPlan;
	try {
		if (monthly) {
			const invoice = await stripe.invoices.retrieve(String(session.invoice), { expand: ["payments"] });
			plan = invoice.status === "paid" ? planInvoice(invoice, Date.now()) : { action: "ignore", reason: "payment_pending" };
		} else {
			plan = planSession(session, Date.now(), session.payment_status === "paid");
		}
	} catch (err) {
		throw stripeFailure(err, "look up the payment");
	}
	await recordPlans(context, [{ plan, eventId: `return:${session.id}`, eventType: "return" }], () => stripe);
	const campaign = await campaignStore(context, campaignId).fresh();
	if (!campaign) throw new ApiError(404, "campaign_not_found", `No campaign '${campaignId}'.`);
	const amount = plan.action === "record" && plan.movement.kind === "donation" ? plan.movement.amount - plan.movement.feeCover : 0;
	const customer = typeof session.customer === "string" ? session.customer : (session.customer?.id ?? null);
	return { campaign, gift: { amount, interval: monthly ? "month" : "once" }, customer, page: pageOf(session.metadata) };
}
