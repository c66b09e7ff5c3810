// One error shape for every route: {"error": {"code": "snake_case", "message": "..."}}.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type Invalid, isInvalid } from "../domain/issues";

export class ApiError extends Error {
	constructor(
		readonly status: ContentfulStatusCode,
		readonly code: string,
		message: string,
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}
}

export function errorBody(code: string, message: string) {
	return { error: { code, message } };
}

/** A settings change the ledger refused (returned as a value across RPC) becomes a 400. */
export function orBadRequest<T extends object>(result: T | Invalid): T {
	if (isInvalid(result)) throw new ApiError(result.status ?? 400, result.code ?? "invalid_settings", result.invalid);
	return result;
}

// Statuses that Hono's own middleware raises (bodyLimit, bearerAuth, ...).
const HTTP_CODES: Partial<Record<number, string>> = {
	400: "bad_request",
	401: "unauthorized",
	404: "not_found",
	405: "method_not_allowed",
	413: "payload_too_large",
	415: "unsupported_media_type",
	429: "rate_limited",
};

export function onError(err: Error, c: Context): Response {
	if (err instanceof ApiError) {
		return c.json(errorBody(err.code, err.message), err.status, err.headers);
	}
	if (err instanceof HTTPException) {
		const status = err.status as ContentfulStatusCode;
		const code = HTTP_CODES[status] ?? "http_error";
		const message = err.message || code.replace(/_/g, " ");
		const headers: Record<string, string> = {};
		const auth = err.res?.headers.get("WWW-Authenticate");
		if (auth) headers["WWW-Authenticate"] = auth;
		return c.json(errorBody(code, message), status, headers);
	}
	console.error("unhandled error", c.req.method, new URL(c.req.url).pathname, err);
	return c.json(errorBody("internal_error", "Something went wrong on our side."), 500);
}

export function notFound(c: Context): Response {
	return c.json(errorBody("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404);
}
