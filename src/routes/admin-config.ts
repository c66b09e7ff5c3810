// GET /api/admin/config: is this worker set up right? Which secrets and vars
// are set (booleans, never values), what the worker needs from Stripe (its
// webhook URL, HANDLED_EVENTS, the SDK's pinned API version) and, when
// STRIPE_SECRET_KEY is set, Stripe's webhook endpoints for this worker held
// against that. `npm run doctor -- <url> --admin-token T` prints it in words.
// Mounted under the admin router: the admin auth applies.
import { Hono } from "hono";
import Stripe from "stripe";
import { type AppEnv, type Bindings, EXAMPLE_ADMIN_TOKEN, unsafeAdminToken } from "../config";
import { stripeClient, webhookSecret } from "../stripe/client";
import { HANDLED_EVENTS } from "../stripe/handled-events";
import {
	checkEndpoint,
	type EndpointCheck,
	isWebhookRoute,
	marked,
	PINNED_API_VERSION,
	PORTAL_METADATA,
	webhookUrl,
} from "../stripe/setup";

/** The other placeholders in .dev.vars.example (test/worker/config-files.test.ts keeps them in step). */
export const EXAMPLE_STRIPE_SECRET_KEY = "sk_test_replace_me";
export const EXAMPLE_WEBHOOK_SECRET = "whsec_replace_me";

/** The vars the worker reads, besides the secrets: wrangler.toml [vars] and the optional ones. */
const VARS = ["ALLOWED_ORIGINS", "DEFAULT_CAMPAIGN", "STRIPE_API_URL", "ACCESS_TEAM", "ACCESS_AUD", "STRIPE_PORTAL_LOGIN_URL"] as const;

export interface SecretState {
	set: boolean;
	/** Still the placeholder from .dev.vars.example (the Deploy to Cloudflare button pre-fills those). */
	example: boolean;
}

export interface ConfigReport {
	webhook: { url: string; events: string[]; apiVersion: string };
	secrets: {
		STRIPE_SECRET_KEY: SecretState & { mode: "test" | "live" | "unknown" | null };
		/** looksLikeSigningSecret: what the webhook route accepts as a secret (stripe/client.ts, webhookSecret). */
		STRIPE_WEBHOOK_SECRET: SecretState & { looksLikeSigningSecret: boolean };
		/** safe: what the admin auth accepts as a token (config.ts, unsafeAdminToken): long, not the example. */
		ADMIN_TOKEN: SecretState & { safe: boolean };
	};
	vars: Record<(typeof VARS)[number], { set: boolean }> & { ALLOWED_ORIGINS: { set: boolean; localOnly: boolean } };
	stripe:
		| { checked: false; reason: string }
		| { checked: false; error: { code: string; message: string } }
		| {
				checked: true;
				/** Endpoints whose URL is this worker's webhook URL. */
				endpoints: EndpointCheck[];
				/** Endpoints for the same route on another host (the workers.dev name vs a custom domain, another copy). */
				elsewhere: { id: string; url: string; status: string }[];
				/** Portal configurations that stripe:setup made. */
				portal: { id: string; active: boolean; cancel: boolean; loginPage: string | null }[];
		  };
}

const isSet = (value: unknown): value is string => typeof value === "string" && value.length > 0;

/** Whether `check` accepts the configuration (it throws our ApiError when not). */
function usable(check: () => unknown): boolean {
	try {
		check();
		return true;
	} catch {
		return false;
	}
}

function keyMode(key: string | undefined): "test" | "live" | "unknown" | null {
	if (!isSet(key)) return null;
	if (/^(sk|rk)_test_/.test(key)) return "test";
	if (/^(sk|rk)_live_/.test(key)) return "live";
	return "unknown";
}

function localOnly(origins: string | undefined): boolean {
	const list = (origins ?? "")
		.split(",")
		.map((o) => o.trim())
		.filter(Boolean);
	return list.every((origin) => /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\/?$/.test(origin));
}

/** Says what went wrong at Stripe without echoing the key (Stripe's own message quotes part of it). */
function stripeProblem(err: unknown): { code: string; message: string } {
	if (err instanceof Stripe.errors.StripeAuthenticationError) {
		return { code: "stripe_key_rejected", message: "Stripe refused STRIPE_SECRET_KEY (authentication failed)." };
	}
	if (err instanceof Stripe.errors.StripePermissionError) {
		return { code: "stripe_key_restricted", message: "STRIPE_SECRET_KEY may not read webhook endpoints (a restricted key?)." };
	}
	console.error("GET /api/admin/config: Stripe failed", err instanceof Stripe.errors.StripeError ? [err.type, err.code] : err);
	return { code: "stripe_error", message: "Stripe could not list the webhook endpoints right now." };
}

async function stripeState(env: Bindings, url: string): Promise<ConfigReport["stripe"]> {
	if (!isSet(env.STRIPE_SECRET_KEY)) return { checked: false, reason: "STRIPE_SECRET_KEY is not set." };
	const stripe = stripeClient(env);
	try {
		const [endpoints, portals] = await Promise.all([
			stripe.webhookEndpoints.list({ limit: 100 }).autoPagingToArray({ limit: 1000 }),
			stripe.billingPortal.configurations.list({ limit: 100 }).autoPagingToArray({ limit: 1000 }),
		]);
		return {
			checked: true,
			endpoints: endpoints.filter((e) => e.url === url).map((e) => checkEndpoint(e, url)),
			elsewhere: endpoints.filter((e) => e.url !== url && isWebhookRoute(e.url)).map((e) => ({ id: e.id, url: e.url, status: e.status })),
			portal: portals
				.filter((p) => marked(p.metadata, PORTAL_METADATA))
				.map((p) => ({
					id: p.id,
					active: p.active,
					cancel: p.features.subscription_cancel.enabled,
					loginPage: p.login_page.enabled ? p.login_page.url : null,
				})),
		};
	} catch (err) {
		return { checked: false, error: stripeProblem(err) };
	}
}

export const adminConfig = new Hono<AppEnv>();

adminConfig.get("/", async (c) => {
	const env = c.env;
	const vars = env as unknown as Record<string, unknown>;
	const url = webhookUrl(new URL(c.req.url).origin);
	const report: ConfigReport = {
		webhook: { url, events: [...HANDLED_EVENTS], apiVersion: PINNED_API_VERSION },
		secrets: {
			STRIPE_SECRET_KEY: {
				set: isSet(env.STRIPE_SECRET_KEY),
				example: env.STRIPE_SECRET_KEY === EXAMPLE_STRIPE_SECRET_KEY,
				mode: keyMode(env.STRIPE_SECRET_KEY),
			},
			STRIPE_WEBHOOK_SECRET: {
				set: isSet(env.STRIPE_WEBHOOK_SECRET),
				example: env.STRIPE_WEBHOOK_SECRET === EXAMPLE_WEBHOOK_SECRET,
				looksLikeSigningSecret: usable(() => webhookSecret(env)),
			},
			ADMIN_TOKEN: {
				set: isSet(env.ADMIN_TOKEN),
				example: env.ADMIN_TOKEN === EXAMPLE_ADMIN_TOKEN,
				safe: isSet(env.ADMIN_TOKEN) && unsafeAdminToken(env.ADMIN_TOKEN) === null,
			},
		},
		vars: {
			...(Object.fromEntries(VARS.map((name) => [name, { set: isSet(vars[name]) }])) as ConfigReport["vars"]),
			ALLOWED_ORIGINS: { set: isSet(env.ALLOWED_ORIGINS), localOnly: localOnly(env.ALLOWED_ORIGINS) },
		},
		stripe: await stripeState(env, url),
	};
	c.header("Cache-Control", "no-store");
	return c.json(report);
});
