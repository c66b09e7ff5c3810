// The worker's configuration. Bindings: what wrangler.toml declares (generated into
// worker-configuration.d.ts by `wrangler types`) plus the secrets, which live in
// .dev.vars locally and `wrangler secret put` in production.
declare global {
	namespace Cloudflare {
		interface Env {
			STRIPE_SECRET_KEY?: string;
			STRIPE_WEBHOOK_SECRET?: string;
			ADMIN_TOKEN?: string;
			/** Stripe's no-code portal login link, where monthly donors manage their gift (a var). */
			STRIPE_PORTAL_LOGIN_URL?: string;
			/** Optional Cloudflare Access for the admin API: the team name (`<team>.cloudflareaccess.com`) ... */
			ACCESS_TEAM?: string;
			/** ... and the Access application's audience (AUD) tag. */
			ACCESS_AUD?: string;
			/** "off": count no widget loads or checkouts (src/funnel/); anything else counts. */
			FUNNEL?: string;
			/** Milliseconds between an isolate's funnel flushes (default 5000). */
			FUNNEL_FLUSH_MS?: string;
		}
	}
}

export type Bindings = Cloudflare.Env;

export type AppEnv = {
	Bindings: Bindings;
	/** Who passed admin auth, for the audit log: "admin-token" or "access:<email>". */
	Variables: { adminActor: string };
};

/** Origins that Checkout may send a donor back to. */
export function allowedOrigins(env: Bindings): Set<string> {
	return new Set(
		(env.ALLOWED_ORIGINS ?? "")
			.split(",")
			.map((origin) => origin.trim().replace(/\/+$/, ""))
			.filter(Boolean),
	);
}

/** The campaign that exists without admin action (created on first use). */
export function defaultCampaign(env: Bindings): string {
	return env.DEFAULT_CAMPAIGN || "main";
}

/** The ADMIN_TOKEN that .dev.vars.example offers (and the Deploy button pre-fills): never accepted. */
export const EXAMPLE_ADMIN_TOKEN = "change-me-to-a-long-random-string";
const MIN_ADMIN_TOKEN_LENGTH = 32;

/** Why the configured admin token must not open the admin, or null when it may. */
export function unsafeAdminToken(token: string): string | null {
	if (token === EXAMPLE_ADMIN_TOKEN) return "ADMIN_TOKEN is still the example value from .dev.vars.example";
	if (token.length < MIN_ADMIN_TOKEN_LENGTH) return `ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters`;
	return null;
}
