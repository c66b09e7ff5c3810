// Admin API: every route needs `Authorization: Bearer <ADMIN_TOKEN>` (or a Cloudflare
// Access JWT, see admin/auth.ts). No CORS: only the worker's own admin page (same
// origin) and scripts like curl call it.
import { Hono } from "hono";
import { requireAdmin, sameOriginWrites } from "../admin/auth";
import { exportStream, matchShares } from "../admin/export";
import { campaignStore, listCampaigns, unplaced } from "../campaigns/store";
import type { AppEnv } from "../config";
import { periodChangesSchema, settingsPatchSchema } from "../domain/settings";
import type { CampaignSnapshot } from "../domain/snapshot";
import { ApiError, orBadRequest } from "../http/errors";
import { campaignIdParam, jsonBody, limitBody } from "../http/validate";
import { resync } from "../recording/resync";
import { stripeClient, stripeFailure } from "../stripe/client";
import { adminConfig } from "./admin-config";
import { reportQuery, storeOf } from "./admin-queries";
import { funnelAdmin } from "./funnel-admin";

export const admin = new Hono<AppEnv>();

admin.use("*", requireAdmin);
admin.use("*", limitBody(16 * 1024, "Admin request bodies"));
admin.use("*", sameOriginWrites);

async function existing(snapshot: Promise<CampaignSnapshot | null>, id: string): Promise<CampaignSnapshot> {
	const found = await snapshot;
	if (!found) throw unknownCampaign(id);
	return found;
}

function unknownCampaign(id: string): ApiError {
	return new ApiError(404, "campaign_not_found", `No campaign '${id}'.`);
}

function found<T>(value: T | null, id: string): T {
	if (value === null) throw unknownCampaign(id);
	return value;
}

admin.get("/campaigns", async (c) => {
	return c.json({ campaigns: await listCampaigns({ env: c.env, origin: new URL(c.req.url).origin }) });
});

/** One campaign as the admin page edits it: its settings in full, the current period's own, and whether its currency is locked. */
admin.get("/campaigns/:id", campaignIdParam, async (c) => {
	const { id } = c.req.valid("param");
	return c.json({ campaign: id, ...found(await storeOf(c, id).settings(), id) });
});

admin.put("/campaigns/:id", campaignIdParam, jsonBody(settingsPatchSchema), async (c) => {
	const { id } = c.req.valid("param");
	return c.json(orBadRequest(await storeOf(c, id).configure(c.req.valid("json"), c.get("adminActor"))));
});

admin.post("/campaigns/:id/reset", campaignIdParam, jsonBody(periodChangesSchema), async (c) => {
	const { id } = c.req.valid("param");
	const result = await storeOf(c, id).reset(c.req.valid("json"), c.get("adminActor"));
	return c.json(orBadRequest(found(result, id)));
});

admin.get("/campaigns/:id/periods", campaignIdParam, async (c) => {
	const { id } = c.req.valid("param");
	return c.json({ campaign: id, periods: found(await storeOf(c, id).periods(), id) });
});

// Per-article funnel (GET .../pages), the whole funnel and A/B tests: routes/funnel-admin.ts.
admin.route("/", funnelAdmin);

admin.get("/campaigns/:id/audit", campaignIdParam, async (c) => {
	const { id } = c.req.valid("param");
	return c.json({ campaign: id, entries: found(await storeOf(c, id).audit(), id) });
});

admin.get("/campaigns/:id/donations", campaignIdParam, reportQuery("json", "csv"), async (c) => {
	const { id } = c.req.valid("param");
	const query = c.req.valid("query");
	const store = storeOf(c, id);
	const snapshot = await existing(store.fresh(), id);
	const period = query.period ?? snapshot.period.id;
	const format = query.format;
	if (period > snapshot.period.id) throw new ApiError(404, "period_not_found", `Campaign '${id}' has no period ${period}.`);
	const summary = (await store.periods())?.find((p) => p.id === period);
	const shares = matchShares(summary ?? { match: null, currency: snapshot.currency });
	const body = exportStream(format, async (after) => (await store.donations(period, after, 500)) ?? [], shares);
	return new Response(body, {
		headers: {
			"Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
			"Content-Disposition": `attachment; filename="donations-${id}-period-${period}.${format}"`,
			"Cache-Control": "no-store",
		},
	});
});

/** Money that is ours but no campaign took (it names a campaign that does not exist). */
admin.get("/unplaced", async (c) => c.json({ unplaced: await unplaced.list(c.env) }));

admin.post("/campaigns/:id/resync", campaignIdParam, async (c) => {
	const { id } = c.req.valid("param");
	const context = { env: c.env, origin: new URL(c.req.url).origin };
	const snapshot = await existing(campaignStore(context, id).fresh(), id);
	const stripe = stripeClient(c.env);
	try {
		return c.json(await resync(context, stripe, snapshot));
	} catch (err) {
		throw stripeFailure(err, "list this campaign's payments");
	}
});

/** Is the worker set up right: secrets, vars, the Stripe webhook endpoint (routes/admin-config.ts). */
admin.route("/config", adminConfig);
