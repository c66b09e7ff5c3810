// Public campaign API: the totals every page view reads, and Checkout creation.
// CORS `*` without credentials: any publisher page may call these.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { z } from "zod";
import { normalizePage } from "../campaigns/page-url";
import { assertCampaignId } from "../campaigns/settings";
import { memo, publicCacheKey, readSnapshot, requireSnapshot } from "../campaigns/store";
import { type AppEnv, allowedOrigins } from "../env";
import { ApiError, errorBody } from "../errors";
import { stripeClient, stripeFailure } from "../stripe/client";

// Browsers may keep totals 10 s; the edge keeps them 30 s (purged on change).
export const PUBLIC_CACHE_CONTROL = "public, max-age=10, s-maxage=30";
const NOT_FOUND_CACHE_CONTROL = "public, max-age=30";

const amount = z.number().int("amount must be an integer in minor units (cents)").positive().max(99_999_999);
const checkoutFields = {
	interval: z.enum(["once", "month"]).default("once"),
	returnUrl: z.string().max(2048).optional(),
	page: z.string().max(2048).optional(),
};
// JSON must send a number; a plain HTML form can only send text.
const jsonCheckout = z.object({ amount, ...checkoutFields });
const formCheckout = z.object({
	amount: z
		.string()
		.regex(/^\d{1,9}$/, "amount must be whole minor units (cents)")
		.transform(Number)
		.pipe(amount),
	...checkoutFields,
});

export const campaigns = new Hono<AppEnv>();

campaigns.use(
	"*",
	cors({ origin: "*", allowMethods: ["GET", "POST", "OPTIONS"], allowHeaders: ["Content-Type", "Idempotency-Key"], maxAge: 86_400 }),
);

campaigns.get("/:id", async (c) => {
	const id = assertCampaignId(c.req.param("id"));
	const origin = new URL(c.req.url).origin;
	const hot = memo.get(origin, id);
	if (hot) return c.body(hot.body, hot.status, { "Content-Type": "application/json", "Cache-Control": hot.cacheControl });

	const cacheKey = new Request(publicCacheKey(origin, id));
	const cached = await caches.default.match(cacheKey);
	if (cached) {
		const body = await cached.text();
		const cacheControl = cached.headers.get("Cache-Control") ?? PUBLIC_CACHE_CONTROL;
		memo.set(origin, id, { body, status: cached.status as 200 | 404, cacheControl });
		return c.body(body, cached.status as 200 | 404, { "Content-Type": "application/json", "Cache-Control": cacheControl });
	}

	const snapshot = await readSnapshot(c.env, id);
	const res = snapshot
		? c.json(snapshot, 200, { "Cache-Control": PUBLIC_CACHE_CONTROL })
		: c.json(errorBody("campaign_not_found", `No campaign '${id}'.`), 404, { "Cache-Control": NOT_FOUND_CACHE_CONTROL });
	c.executionCtx.waitUntil(caches.default.put(cacheKey, res.clone()).catch(() => {}));
	return res;
});

campaigns.post(
	"/:id/checkout",
	bodyLimit({
		maxSize: 8 * 1024,
		onError: () => {
			throw new ApiError(413, "payload_too_large", "Request bodies are limited to 8 KiB.");
		},
	}),
	async (c) => {
		const id = assertCampaignId(c.req.param("id"));
		const type = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase();
		const isForm = type === "application/x-www-form-urlencoded" || type === "multipart/form-data";
		if (type !== "application/json" && !isForm) {
			throw new ApiError(415, "unsupported_media_type", "Send application/json (or a form post).");
		}
		let raw: unknown;
		try {
			raw = isForm
				? Object.fromEntries(Object.entries(await c.req.parseBody()).filter(([, v]) => typeof v === "string"))
				: await c.req.json();
		} catch {
			throw new ApiError(400, "invalid_json", "The request body is not valid JSON.");
		}
		// A form sends "" for an empty field; treat it as absent.
		if (isForm && raw && typeof raw === "object") {
			raw = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== ""));
		}
		const parsed = (isForm ? formCheckout : jsonCheckout).safeParse(raw);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			throw new ApiError(400, "invalid_request", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
		}
		const body = parsed.data;
		const campaign = await requireSnapshot(c.env, id);
		if (body.amount < campaign.minAmount || body.amount > campaign.maxAmount) {
			throw new ApiError(
				400,
				"amount_out_of_range",
				`amount must be between ${campaign.minAmount} and ${campaign.maxAmount} (minor units).`,
			);
		}

		const client = c.req.header("CF-Connecting-IP") ?? "local";
		const { success } = await c.env.CHECKOUT_LIMITER.limit({ key: client });
		if (!success) throw new ApiError(429, "rate_limited", "Too many checkout attempts; please wait a minute.", { "Retry-After": "60" });

		const stripe = stripeClient(c.env);
		const origin = new URL(c.req.url).origin;
		const { success: successUrl, cancel: cancelUrl } = returnUrls(body.returnUrl, allowedOrigins(c.env), origin, id);
		const page = normalizePage(body.page);
		const metadata: Record<string, string> = { campaign: id, ...(page ? { page } : {}) };
		const lineItem = {
			quantity: 1,
			price_data: {
				currency: campaign.currency,
				unit_amount: body.amount,
				product_data: { name: body.interval === "month" ? `Monthly gift: ${campaign.title}` : `Gift: ${campaign.title}` },
				...(body.interval === "month" ? { recurring: { interval: "month" as const } } : {}),
			},
		};
		const idempotencyKey = clientIdempotencyKey(c.req.header("Idempotency-Key")) ?? crypto.randomUUID();
		let session: { id: string; url: string | null };
		try {
			session = await stripe.checkout.sessions.create(
				{
					line_items: [lineItem],
					success_url: successUrl,
					cancel_url: cancelUrl,
					metadata,
					...(body.interval === "month"
						? { mode: "subscription", subscription_data: { metadata } }
						: { mode: "payment", submit_type: "donate", payment_intent_data: { metadata } }),
				},
				{ idempotencyKey: `checkout:${id}:${idempotencyKey}` },
			);
		} catch (err) {
			throw stripeFailure(err, "start the checkout");
		}
		if (!session.url) throw new ApiError(502, "stripe_error", "Stripe returned no Checkout URL.");
		if (isForm) return c.redirect(session.url, 303);
		return c.json({ id: session.id, url: session.url }, 200, { "Cache-Control": "no-store" });
	},
);

/**
 * Where Checkout sends the donor afterwards: back to the article when its origin
 * is one of ours, else to this worker's own pages (never an open redirect).
 */
export function returnUrls(returnUrl: string | undefined, allowed: Set<string>, origin: string, campaignId: string) {
	let back: URL | null = null;
	try {
		if (returnUrl) back = new URL(returnUrl);
	} catch {}
	if (back && (back.protocol === "https:" || back.protocol === "http:") && allowed.has(back.origin)) {
		back.hash = "";
		back.searchParams.delete("donation");
		back.searchParams.delete("session_id");
		const base = back.toString();
		const sep = back.search ? "&" : "?";
		// {CHECKOUT_SESSION_ID} must reach Stripe unescaped.
		return { success: `${base}${sep}donation=success&session_id={CHECKOUT_SESSION_ID}`, cancel: `${base}${sep}donation=cancelled` };
	}
	return {
		success: `${origin}/thanks?campaign=${campaignId}&session_id={CHECKOUT_SESSION_ID}`,
		cancel: `${origin}/donate/${campaignId}?donation=cancelled`,
	};
}

function clientIdempotencyKey(header: string | undefined): string | null {
	return header && /^[\w-]{8,128}$/.test(header) ? header : null;
}
