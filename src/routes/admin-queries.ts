// What the admin routes share: the campaign store of a request, and the
// `?period=&format=` query of reports and exports.
import { validator } from "hono/validator";
import { campaignStore } from "../campaigns/store";
import type { AppEnv } from "../config";
import { ApiError } from "../http/errors";

type Query = Record<string, string | string[]>;

/** The store of campaign `id`, its edge-cache entries named by the request's origin. */
export const storeOf = (c: { env: AppEnv["Bindings"]; req: { url: string } }, id: string) =>
	campaignStore({ env: c.env, origin: new URL(c.req.url).origin }, id);

/** `?period=`: a period id in plain digits, or null (absent or empty) for the current period. */
function periodOf(query: Query): number | null {
	const raw = query.period;
	if (raw === undefined || raw === "") return null;
	if (typeof raw !== "string" || !/^[1-9]\d{0,8}$/.test(raw)) throw new ApiError(400, "invalid_period", "period is a positive integer.");
	return Number(raw);
}

/** `?period=&format=` where the route answers in `formats` (the first is the default). */
export const reportQuery = <F extends string>(...formats: [F, ...F[]]) =>
	validator("query", (query: Query) => {
		const format = query.format ?? formats[0];
		if (!formats.includes(format as F)) throw new ApiError(400, "invalid_format", `format is ${formats.join(" or ")}.`);
		return { format: format as F, period: periodOf(query) };
	});
