// Stripe webhooks: verified on the raw body, recorded in the ledger, and only
// then answered 2xx, so Stripe retries anything that did not commit.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type Stripe from "stripe";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { stripeClient, verifyEvent, webhookSecret } from "../stripe/client";
import { planEvent } from "../stripe/events";
import { applyPlan } from "../stripe/record";

export const webhook = new Hono<AppEnv>();

webhook.post(
	"/",
	bodyLimit({
		maxSize: 512 * 1024,
		onError: () => {
			throw new ApiError(413, "payload_too_large", "Webhook bodies are limited to 512 KiB.");
		},
	}),
	async (c) => {
		const secret = webhookSecret(c.env);
		const signature = c.req.header("Stripe-Signature");
		if (!signature) throw new ApiError(400, "missing_signature", "The Stripe-Signature header is missing.");
		const body = await c.req.text();
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
		if (
			typeof event?.id !== "string" ||
			typeof event.type !== "string" ||
			!Number.isSafeInteger(event.created) ||
			typeof object !== "object" ||
			object === null ||
			Array.isArray(object)
		) {
			throw new ApiError(400, "invalid_payload", "The webhook body is not a Stripe event.");
		}
		let plan: ReturnType<typeof planEvent>;
		try {
			plan = planEvent(event);
		} catch {
			throw new ApiError(400, "invalid_payload", "The webhook event is malformed.");
		}
		const origin = new URL(c.req.url).origin;
		const lazyStripe = () => (c.env.STRIPE_SECRET_KEY ? stripeClient(c.env) : null);
		const applied = await applyPlan(c.env, origin, plan, { eventId: event.id, eventType: event.type }, lazyStripe);
		// Worth a log line: money we could not place (not the routine skips).
		const reason = applied.outcome === "ignored" ? applied.reason : applied.outcome;
		if (/unknown_campaign|unattributed|invalid_campaign|no_payment/.test(reason)) {
			console.warn("webhook not counted", event.type, event.id, reason);
		}
		return c.json({ received: true, ...applied });
	},
);
