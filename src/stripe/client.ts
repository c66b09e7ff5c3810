// A Stripe client per request, on the fetch HTTP client (Workers have no Node
// http). STRIPE_API_URL points it at a Stripe-compatible server (stripe-mock,
// the tests' double) instead of api.stripe.com.
import Stripe from "stripe";
import type { Bindings } from "../config";
import { ApiError } from "../http/errors";

export function stripeClient(env: Bindings): Stripe {
	if (!env.STRIPE_SECRET_KEY) {
		throw new ApiError(
			503,
			"stripe_not_configured",
			"Donations are not set up yet: set STRIPE_SECRET_KEY (wrangler secret put STRIPE_SECRET_KEY, or .dev.vars locally).",
		);
	}
	const config: Stripe.StripeConfig = {
		httpClient: Stripe.createFetchHttpClient(),
		timeout: 8_000,
		maxNetworkRetries: 1,
		appInfo: { name: "donation-widget" },
	};
	if (env.STRIPE_API_URL) {
		const url = new URL(env.STRIPE_API_URL);
		const protocol = url.protocol === "http:" ? "http" : "https";
		config.protocol = protocol;
		config.host = url.hostname;
		config.port = url.port ? Number(url.port) : protocol === "http" ? 80 : 443;
	}
	return new Stripe(env.STRIPE_SECRET_KEY, config);
}

export function webhookSecret(env: Bindings): string {
	const secret = env.STRIPE_WEBHOOK_SECRET;
	if (!secret) {
		throw new ApiError(
			503,
			"webhook_not_configured",
			"Set STRIPE_WEBHOOK_SECRET (wrangler secret put STRIPE_WEBHOOK_SECRET) to the endpoint's signing secret.",
		);
	}
	// A signing secret is whsec_ and then at least a few dozen characters; anything else is a paste mistake or the example.
	if (!/^whsec_[A-Za-z0-9+/=_-]{16,}$/.test(secret) || secret === "whsec_replace_me") {
		throw new ApiError(
			503,
			"webhook_secret_invalid",
			"STRIPE_WEBHOOK_SECRET does not look like a Stripe signing secret (whsec_…); copy it from the endpoint.",
		);
	}
	return secret;
}

/** Verifies a webhook on its raw body (Web Crypto; the sync form throws in workerd). */
export async function verifyEvent(body: string, signature: string, secret: string): Promise<Stripe.Event> {
	return Stripe.webhooks.constructEventAsync(body, signature, secret, 300, Stripe.createSubtleCryptoProvider());
}

/** Maps a Stripe SDK failure to our error shape without leaking keys or stacks. */
export function stripeFailure(err: unknown, doing: string): ApiError {
	if (err instanceof Stripe.errors.StripeIdempotencyError) {
		return new ApiError(
			409,
			"idempotency_conflict",
			"This request was already made with other parameters; retry with a new Idempotency-Key.",
		);
	}
	if (err instanceof Stripe.errors.StripeError) {
		console.error(`Stripe failed while ${doing}`, err.type, err.code, err.statusCode, err.requestId);
		return new ApiError(502, "stripe_error", `Stripe could not ${doing} right now. Please try again in a moment.`);
	}
	if (err instanceof ApiError) return err;
	// Not an answer from Stripe: a network failure, or a fault of ours (say, a request the SDK could not encode).
	console.error(`Failed to reach Stripe while ${doing}`, err);
	return new ApiError(502, "stripe_error", `Stripe could not ${doing} right now.`);
}
