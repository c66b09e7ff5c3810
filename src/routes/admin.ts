// Admin API: every route needs `Authorization: Bearer <ADMIN_TOKEN>` (or a Cloudflare
// Access JWT, see admin/auth.ts). No CORS:
// only the worker's own admin page (same origin) and scripts like curl call it.
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { requireAdmin } from "../admin/auth";
import { exportStream } from "../admin/export";
import { resync } from "../admin/resync";
import { assertCampaignId, orInvalid, settingsPatchSchema } from "../campaigns/settings";
import { type CampaignSnapshot, snapshotKey } from "../campaigns/snapshot";
import { ledger, purgePublicCache, readSnapshot, unknownCampaign } from "../campaigns/store";
import { type AppEnv, defaultCampaign } from "../env";
import { ApiError } from "../errors";
import { stripeClient, stripeFailure } from "../stripe/client";

/** zod failures as our 400 error shape. */
const validJson = <T extends z.ZodType>(schema: T) =>
	zValidator("json", schema, (result) => {
		if (!result.success) {
			const issue = result.error.issues[0];
			const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
			throw new ApiError(400, "invalid_request", `${where}${issue?.message ?? "invalid body"}`);
		}
	});

const resetSchema = z.object({ goals: settingsPatchSchema.shape.goals }).strict();
const periodQuery = z.coerce.number().int().positive().optional();

export const admin = new Hono<AppEnv>();

admin.use("*", requireAdmin);
admin.use(
	"*",
	bodyLimit({
		maxSize: 16 * 1024,
		onError: () => {
			throw new ApiError(413, "payload_too_large", "Admin request bodies are limited to 16 KiB.");
		},
	}),
);
// Malformed JSON reaches zValidator as a 400 HTTPException; keep our wording.
admin.use("*", async (c, next) => {
	if (c.req.method === "PUT" || c.req.method === "POST") {
		const type = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase();
		const length = Number(c.req.header("Content-Length") ?? "0");
		if ((length > 0 || c.req.method === "PUT") && type !== "application/json") {
			throw new ApiError(415, "unsupported_media_type", "Send application/json.");
		}
	}
	await next();
});

function campaignParam(id: string): string {
	return assertCampaignId(id);
}

async function snapshotOr404(env: AppEnv["Bindings"], id: string): Promise<CampaignSnapshot> {
	const snapshot = await ledger(env, id).snapshot(id);
	if (!snapshot) throw unknownCampaign(id);
	return snapshot;
}

admin.get("/campaigns", async (c) => {
	const ids = new Set<string>([defaultCampaign(c.env)]);
	let cursor: string | undefined;
	do {
		const page = await c.env.TOTALS.list({ prefix: snapshotKey(""), cursor });
		for (const key of page.keys) ids.add(key.name.slice(snapshotKey("").length));
		cursor = page.list_complete ? undefined : page.cursor;
	} while (cursor);
	const campaigns = (await Promise.all([...ids].map((id) => readSnapshot(c.env, id)))).filter((s) => s !== null);
	return c.json({ campaigns });
});

admin.put("/campaigns/:id", validJson(settingsPatchSchema), async (c) => {
	const id = campaignParam(c.req.param("id"));
	const snapshot = orInvalid(await ledger(c.env, id).configure(id, c.req.valid("json"), c.get("adminActor")));
	await purgePublicCache(new URL(c.req.url).origin, id);
	return c.json(snapshot);
});

admin.post("/campaigns/:id/reset", async (c) => {
	const id = campaignParam(c.req.param("id"));
	const text = await c.req.text();
	let body: unknown = {};
	try {
		if (text.trim()) body = JSON.parse(text);
	} catch {
		throw new ApiError(400, "invalid_json", "The request body is not valid JSON.");
	}
	const parsed = resetSchema.safeParse(body);
	if (!parsed.success) throw new ApiError(400, "invalid_request", parsed.error.issues[0]?.message ?? "invalid body");
	const result = await ledger(c.env, id).reset(id, parsed.data.goals, c.get("adminActor"));
	if (!result) throw unknownCampaign(id);
	const snapshot = orInvalid(result);
	await purgePublicCache(new URL(c.req.url).origin, id);
	return c.json(snapshot);
});

admin.get("/campaigns/:id/periods", async (c) => {
	const id = campaignParam(c.req.param("id"));
	const periods = await ledger(c.env, id).periods(id);
	if (!periods) throw unknownCampaign(id);
	return c.json({ campaign: id, periods });
});

admin.get("/campaigns/:id/pages", async (c) => {
	const id = campaignParam(c.req.param("id"));
	const period = parsePeriod(c.req.query("period"));
	const pages = await ledger(c.env, id).pages(id, period);
	if (!pages) throw unknownCampaign(id);
	return c.json({ campaign: id, period, pages });
});

admin.get("/campaigns/:id/audit", async (c) => {
	const id = campaignParam(c.req.param("id"));
	const entries = await ledger(c.env, id).auditLog(id);
	if (!entries) throw unknownCampaign(id);
	return c.json({ campaign: id, entries });
});

admin.get("/campaigns/:id/donations", async (c) => {
	const id = campaignParam(c.req.param("id"));
	const format = c.req.query("format") ?? "json";
	if (format !== "json" && format !== "csv") throw new ApiError(400, "invalid_format", "format is json or csv.");
	const snapshot = await snapshotOr404(c.env, id);
	const period = parsePeriod(c.req.query("period")) ?? snapshot.period.id;
	if (period > snapshot.period.id) throw new ApiError(404, "period_not_found", `Campaign '${id}' has no period ${period}.`);
	const stub = ledger(c.env, id);
	const body = exportStream(format, async (after) => (await stub.donations(id, period, after, 500)) ?? []);
	const filename = `donations-${id}-period-${period}.${format}`;
	return new Response(body, {
		headers: {
			"Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
			"Content-Disposition": `attachment; filename="${filename}"`,
			"Cache-Control": "no-store",
		},
	});
});

admin.post("/campaigns/:id/resync", async (c) => {
	const id = campaignParam(c.req.param("id"));
	const snapshot = await snapshotOr404(c.env, id);
	const stripe = stripeClient(c.env);
	try {
		return c.json(await resync(c.env, new URL(c.req.url).origin, stripe, snapshot));
	} catch (err) {
		throw stripeFailure(err, "list this campaign's payments");
	}
});

function parsePeriod(raw: string | undefined): number | null {
	if (raw === undefined || raw === "") return null;
	const parsed = periodQuery.safeParse(raw);
	if (!parsed.success) throw new ApiError(400, "invalid_period", "period is a positive integer.");
	return parsed.data ?? null;
}
