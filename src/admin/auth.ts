// Admin auth: a bearer token compared in constant time. No token configured
// means the admin API is closed (503), never open.
import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { timingSafeEqual } from "hono/utils/buffer";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
	const expected = c.env.ADMIN_TOKEN;
	if (!expected) {
		throw new ApiError(
			503,
			"admin_not_configured",
			"Set ADMIN_TOKEN (wrangler secret put ADMIN_TOKEN, or .dev.vars locally) to use the admin API.",
		);
	}
	// A missing or empty token is "not logged in" (401), not a malformed request.
	if (!/^Bearer [A-Za-z0-9._~+/-]+=*$/i.test(c.req.header("Authorization") ?? "")) {
		throw new ApiError(401, "unauthorized", "Send Authorization: Bearer <ADMIN_TOKEN>.", { "WWW-Authenticate": 'Bearer realm="admin"' });
	}
	const auth = bearerAuth({ verifyToken: (token) => timingSafeEqual(token, expected) });
	// bearerAuth is typed for the default Env; our bindings are a superset.
	return auth(c as unknown as Context, next);
};
