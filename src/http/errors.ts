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

/** What an error means to the client: its status, code, message and headers (a 500 for anything unexpected, logged). */
export function describeError(
	err: Error,
	c: Context,
): { status: ContentfulStatusCode; code: string; message: string; headers: Record<string, string> } {
	if (err instanceof ApiError) return { status: err.status, code: err.code, message: err.message, headers: err.headers };
	if (err instanceof HTTPException) {
		const status = err.status as ContentfulStatusCode;
		const code = HTTP_CODES[status] ?? "http_error";
		const headers: Record<string, string> = {};
		const auth = err.res?.headers.get("WWW-Authenticate");
		if (auth) headers["WWW-Authenticate"] = auth;
		return { status, code, message: err.message || code.replace(/_/g, " "), headers };
	}
	console.error("unhandled error", c.req.method, new URL(c.req.url).pathname, err);
	return { status: 500, code: "internal_error", message: "Something went wrong on our side.", headers: {} };
}

export function onError(err: Error, c: Context): Response {
	const { status, code, message, headers } = describeError(err, c);
	return c.json(errorBody(code, message), status, headers);
}

export function notFound(c: Context): Response {
	return c.json(errorBody("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404);
}
