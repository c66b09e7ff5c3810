// Admin API of the funnel and A/B tests, mounted inside the admin app (its
// auth, body limit and same-origin checks apply):
//   GET  /campaigns/:id/pages?period=&format=json|csv  per article: loads, checkouts, gifts, amount, conversion
//   GET  /campaigns/:id/funnel?period=                  the whole picture: totals, pages, variants, verdict, gifts per day
//   POST /campaigns/:id/test/end {keep}                 ends the A/B test, keeping a variant's ask
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../config";
import { funnelCsv, funnelReport } from "../funnel/report";
import { ApiError, orBadRequest } from "../http/errors";
import { campaignIdParam, jsonBody } from "../http/validate";
import { reportQuery, storeOf } from "./admin-queries";

const endTestBody = z.object({ keep: z.string().min(1).max(64) }).strict();

export const funnelAdmin = new Hono<AppEnv>();

/** The campaign's running test and a period's funnel data, or 404s. */
async function load(c: { env: AppEnv["Bindings"]; req: { url: string } }, id: string, period: number | null) {
	const store = storeOf(c, id);
	const [snapshot, data] = await Promise.all([store.fresh(), store.funnel(period)]);
	if (!snapshot || data === null) throw new ApiError(404, "campaign_not_found", `No campaign '${id}'.`);
	if (data === "no_period") throw new ApiError(404, "period_not_found", `Campaign '${id}' has no period ${period}.`);
	return { test: snapshot.test, data };
}

funnelAdmin.get("/campaigns/:id/pages", campaignIdParam, reportQuery("json", "csv"), async (c) => {
	const { id } = c.req.valid("param");
	const { format, period } = c.req.valid("query");
	const { test, data } = await load(c, id, period);
	if (format === "csv") {
		return c.body(funnelCsv(data), 200, {
			"Content-Type": "text/csv; charset=utf-8",
			"Content-Disposition": `attachment; filename="funnel-${id}-period-${data.period.id}.csv"`,
			"Cache-Control": "no-store",
		});
	}
	const report = funnelReport(data, test);
	return c.json({ campaign: id, period: data.period.id, pages: report.pages, totals: report.totals });
});

funnelAdmin.get("/campaigns/:id/funnel", campaignIdParam, reportQuery("json"), async (c) => {
	const { id } = c.req.valid("param");
	const { test, data } = await load(c, id, c.req.valid("query").period);
	return c.json({ campaign: id, test: test ?? null, ...funnelReport(data, test) });
});

funnelAdmin.post("/campaigns/:id/test/end", campaignIdParam, jsonBody(endTestBody), async (c) => {
	const { id } = c.req.valid("param");
	const result = await storeOf(c, id).endTest(c.req.valid("json").keep, c.get("adminActor"));
	if (result === null) throw new ApiError(404, "campaign_not_found", `No campaign '${id}'.`);
	return c.json(orBadRequest(result));
});
