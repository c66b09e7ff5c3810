// Admin auth, two ways in:
// - `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time;
// - when ACCESS_TEAM and ACCESS_AUD are set, a Cloudflare Access JWT in the
//   `Cf-Access-Jwt-Assertion` header that Access adds in front of the worker.
//   Only the header counts, not the CF_Authorization cookie: a cookie would be
//   sent along with cross-site requests too.
// Neither configured means the admin API is closed (503), never open; so is
// an ADMIN_TOKEN that is short or the example's, to anyone who brings a token
// (a request without one is 401, as always). The identity ("admin-token"
// or "access:<email>") goes into the audit log.
import { cloudflareAccess } from "@hono/cloudflare-access";
import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { HTTPException } from "hono/http-exception";
import { timingSafeEqual } from "hono/utils/buffer";
import { type AppEnv, type Bindings, unsafeAdminToken } from "../config";
import { ApiError } from "../http/errors";

const ACCESS_HEADER = "Cf-Access-Jwt-Assertion";

// One verifier per team and audience, kept across requests: it caches Access's signing keys.
const verifiers = new Map<string, ReturnType<typeof cloudflareAccess>>();

function accessVerifier(env: Bindings): ReturnType<typeof cloudflareAccess> | null {
	if (!env.ACCESS_TEAM || !env.ACCESS_AUD) return null;
	const key = `${env.ACCESS_TEAM}\n${env.ACCESS_AUD}`;
	let verifier = verifiers.get(key);
	if (!verifier) {
		verifier = cloudflareAccess(env.ACCESS_TEAM, env.ACCESS_AUD);
		verifiers.set(key, verifier);
	}
	return verifier;
}

/** Whether a JWT's header is a JSON object naming an algorithm and a key (else it is garbage, not an outage). */
function jwtHeaderIsWellFormed(jwt: string): boolean {
	const [header = ""] = jwt.split(".");
	try {
		const decoded: unknown = JSON.parse(atob(header.replace(/-/g, "+").replace(/_/g, "/")));
		const fields = decoded as { alg?: unknown; kid?: unknown } | null;
		return typeof fields === "object" && fields !== null && typeof fields.alg === "string" && typeof fields.kid === "string";
	} catch {
		return false;
	}
}

/** Checks the Access JWT; returns the identity it names, or throws our JSON error. */
async function accessIdentity(c: Context<AppEnv>, verifier: ReturnType<typeof cloudflareAccess>): Promise<string> {
	if (!jwtHeaderIsWellFormed(c.req.header(ACCESS_HEADER) ?? "")) {
		throw new ApiError(401, "unauthorized", "The Cloudflare Access token is not valid for this application.");
	}
	let accepted = false;
	try {
		// The middleware answers a bad token itself (plain text); we only need to know whether it let us through.
		await verifier(c as unknown as Context, async () => {
			accepted = true;
		});
	} catch (err) {
		// Only fetching the team's signing keys throws (an HTTP error or a network failure).
		console.error("Cloudflare Access keys unavailable", err instanceof HTTPException ? err.message : err);
		throw new ApiError(503, "access_unavailable", "Could not fetch Cloudflare Access's signing keys; try again in a moment.");
	}
	if (!accepted) throw new ApiError(401, "unauthorized", "The Cloudflare Access token is not valid for this application.");
	const payload = (c as unknown as Context).get("accessPayload") as { email?: unknown; sub?: unknown } | undefined;
	const who = typeof payload?.email === "string" ? payload.email : typeof payload?.sub === "string" ? payload.sub : "unknown";
	return `access:${who}`;
}

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
	const expected = c.env.ADMIN_TOKEN;
	const access = accessVerifier(c.env);
	if (!expected && !access) {
		throw new ApiError(
			503,
			"admin_not_configured",
			"Set ADMIN_TOKEN (wrangler secret put ADMIN_TOKEN, or .dev.vars locally) to use the admin API.",
		);
	}
	if (access && c.req.header(ACCESS_HEADER)) {
		c.set("adminActor", await accessIdentity(c, access));
		return next();
	}
	// A missing or empty token is "not logged in" (401), not a malformed request.
	if (!expected || !/^Bearer [A-Za-z0-9._~+/-]+=*$/i.test(c.req.header("Authorization") ?? "")) {
		const how = expected ? "Send Authorization: Bearer <ADMIN_TOKEN>." : "Sign in through Cloudflare Access.";
		throw new ApiError(401, "unauthorized", how, { "WWW-Authenticate": 'Bearer realm="admin"' });
	}
	const unsafe = unsafeAdminToken(expected);
	if (unsafe) {
		throw new ApiError(
			503,
			"admin_token_unsafe",
			`${unsafe}: set a long random one (openssl rand -base64 32) with wrangler secret put ADMIN_TOKEN.`,
		);
	}
	c.set("adminActor", "admin-token");
	const auth = bearerAuth({ verifyToken: (token) => timingSafeEqual(token, expected) });
	// bearerAuth is typed for the default Env; our bindings are a superset.
	return auth(c as unknown as Context, next);
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A state-changing admin request must come from the admin page itself or from
 * an API client, never from another site: Cloudflare Access signs in any
 * request that carries its cookie, cross-site form posts included. So: a JSON
 * body (a form cannot send one without CORS, which the admin API has none of),
 * and a browser's Origin and Sec-Fetch-Site must name this origin.
 */
export const sameOriginWrites: MiddlewareHandler<AppEnv> = async (c, next) => {
	if (SAFE_METHODS.has(c.req.method)) return next();
	const origin = c.req.header("Origin");
	const site = c.req.header("Sec-Fetch-Site");
	const self = new URL(c.req.url).origin;
	if ((origin !== undefined && origin !== self) || (site !== undefined && site !== "same-origin" && site !== "none")) {
		throw new ApiError(403, "cross_site_request", "Admin changes are accepted only from this worker's admin page or an API client.");
	}
	const type = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase();
	if (type !== "application/json") throw new ApiError(415, "unsupported_media_type", "Send application/json (even with an empty body).");
	return next();
};
