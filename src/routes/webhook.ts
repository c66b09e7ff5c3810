// Stripe webhooks: verified on the raw body, recorded in the ledger, and only
// then answered 2xx, so Stripe retries anything that did not commit.
import { Hono } from "hono";
import type Stripe from "stripe";
import type { AppEnv } from "../config";
import { ApiError } from "../http/errors";
import { ServerTiming } from "../http/server-timing";
import { limitBody } from "../http/validate";
import { recordPlans } from "../recording/record";
import { stripeClient, verifyEvent, webhookSecret } from "../stripe/client";
import { type EventPlan, planEvent } from "../stripe/events";

export const webhook = new Hono<AppEnv>();

/** Stripe's events are a few KB; anything near this is not one. */
export const WEBHOOK_MAX_BYTES = 512 * 1024;

/** The event Stripe signed, or a 400 that names what is wrong with the delivery. */
async function verifiedEvent(body: string, signature: string | undefined, secret: string): Promise<Stripe.Event> {
	if (!signature) throw new ApiError(400, "missing_signature", "The Stripe-Signature header is missing.");
	let event: Stripe.Event;
	try {
		event = await verifyEvent(body, signature, secret);
	} catch (err) {
		const malformed = err instanceof SyntaxError;
		console.warn("webhook rejected", malformed ? "malformed JSON" : (err as Error).message?.slice(0, 120));
		throw malformed
			? new ApiError(400, "invalid_payload", "The webhook body is not valid JSON.")
			: new ApiError(400, "invalid_signature", "The webhook signature does not verify (wrong secret, altered body or stale timestamp).");
	}
	const object: unknown = event?.data?.object;
	const shaped =
		typeof event?.id === "string" &&
		typeof event.type === "string" &&
		Number.isSafeInteger(event.created) &&
		typeof object === "object" &&
		object !== null &&
		!Array.isArray(object);
	if (!shaped) throw new ApiError(400, "invalid_payload", "The webhook body is not a Stripe event.");
	return event;
}

webhook.post("/", limitBody(WEBHOOK_MAX_BYTES, "Webhook bodies"), async (c) => {
	const timing = new ServerTiming();
	const secret = webhookSecret(c.env);
	const body = await timing.time("body", () => c.req.text());
	const event = await timing.time("signature", () => verifiedEvent(body, c.req.header("Stripe-Signature"), secret));
	let plan: EventPlan;
	try {
		plan = await timing.time("plan", () => planEvent(event));
	} catch {
		throw new ApiError(400, "invalid_payload", "The webhook event is malformed.");
	}
	const context = {
		env: c.env,
		origin: new URL(c.req.url).origin,
		timing,
		waitUntil: (work: Promise<unknown>) => c.executionCtx.waitUntil(work),
	};
	const lazyStripe = () => (c.env.STRIPE_SECRET_KEY ? stripeClient(c.env) : null);
	const [applied] = await recordPlans(context, [{ plan, eventId: event.id, eventType: event.type }], lazyStripe);
	if (!applied) throw new Error("recordPlans returned nothing for one plan");
	// Worth a log line: money we could not place (not the routine skips).
	const reason = applied.outcome === "ignored" ? applied.reason : applied.outcome;
	if (/unknown_campaign|unattributed|invalid_campaign|no_payment/.test(reason)) {
		console.warn("webhook not counted", event.type, event.id, reason);
	}
	// Where this delivery's time went (npm run bench reads it); only on deliveries that verified.
	c.header("Server-Timing", timing.header());
	return c.json({ received: true, ...applied });
});
