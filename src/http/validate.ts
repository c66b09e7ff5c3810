// The HTTP edge, in one place: body limits, media types, and validators that
// answer our error shape. Routes declare them as middleware (Hono's
// `validator`), then read `c.req.valid(...)`.
import type { Context, Env, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { validator } from "hono/validator";
import type { z } from "zod";
import { isCampaignId } from "../domain/campaign-id";
import { firstIssue } from "../domain/issues";
import { ApiError } from "./errors";

export const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

/** The media type of a request, lower-case, without parameters ("" when absent). */
export function mediaTypeOf(c: Context): string {
	return (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

export const isFormPost = (c: Context) => FORM_TYPES.includes(mediaTypeOf(c));

/** Refuses bodies over `maxSize` bytes with 413 in our error shape. */
export function limitBody(maxSize: number, what: string): MiddlewareHandler {
	return bodyLimit({
		maxSize,
		onError: () => {
			throw new ApiError(413, "payload_too_large", `${what} are limited to ${maxSize / 1024} KiB.`);
		},
	});
}

/** Refuses any media type but `accepted` with 415, even on a request without a body. */
export function requireMediaType(accepted: string[], message: string): MiddlewareHandler {
	return async (c, next) => {
		if (!accepted.includes(mediaTypeOf(c))) {
			throw new ApiError(415, "unsupported_media_type", message);
		}
		await next();
	};
}

function parsed<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
	const result = schema.safeParse(value);
	if (!result.success) throw new ApiError(400, "invalid_request", firstIssue(result.error, "invalid body"));
	return result.data;
}

async function readJson(c: Context): Promise<unknown> {
	const text = await c.req.text();
	if (text.trim() === "") return {};
	try {
		return JSON.parse(text);
	} catch {
		throw new ApiError(400, "invalid_json", "The request body is not valid JSON.");
	}
}

/** Middleware whose `c.req.valid("json")` is `T` (Hono's own json validator refuses an empty body). */
type BodyValidator<T> = MiddlewareHandler<Env, string, { out: { json: T } }>;

function bodyValidator<T>(read: (c: Context) => Promise<T>): BodyValidator<T> {
	return async (c, next) => {
		c.req.addValidatedData("json", (await read(c)) as object);
		await next();
	};
}

/** A JSON body (an empty body reads as `{}`) validated by `schema`. */
export const jsonBody = <T extends z.ZodType>(schema: T) => bodyValidator(async (c) => parsed(schema, await readJson(c)));

/**
 * A JSON body, or a plain HTML form post (which can only send text): each
 * validated by its own schema into one shape. Empty form fields count as absent.
 */
export const jsonOrFormBody = <J extends z.ZodType>(jsonSchema: J, formSchema: z.ZodType<z.output<J>, unknown>) =>
	bodyValidator(async (c): Promise<z.output<J>> => {
		if (!isFormPost(c)) return parsed(jsonSchema, await readJson(c));
		let form: Record<string, unknown>;
		try {
			form = await c.req.parseBody();
		} catch {
			throw new ApiError(400, "invalid_request", "The form body could not be read.");
		}
		const fields = Object.fromEntries(Object.entries(form).filter(([, v]) => typeof v === "string" && v !== ""));
		return parsed(formSchema, fields);
	});

/** The `:id` path parameter as a campaign id (400 otherwise). */
export const campaignIdParam = validator("param", (value: Record<string, string>) => {
	if (!isCampaignId(value.id)) {
		throw new ApiError(400, "invalid_campaign_id", "Campaign ids are 1-64 lowercase letters, digits, '-' or '_'.");
	}
	return { id: value.id };
});
