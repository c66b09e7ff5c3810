// GET /widget.js: the embed script. Served with an ETag and a short max-age so
// publishers' pages revalidate cheaply (304) and pick up a new release within
// minutes, while keeping the one stable URL they pasted into their templates.
import { Hono } from "hono";
import { etag } from "hono/etag";
import type { AppEnv } from "../config";
import { WIDGET_ETAG, WIDGET_JS } from "../generated/widget";

export const widget = new Hono<AppEnv>();

widget.get("/widget.js", etag(), (c) => {
	c.header("Content-Type", "text/javascript; charset=utf-8");
	c.header("Cache-Control", "public, max-age=300, stale-while-revalidate=86400");
	c.header("ETag", WIDGET_ETAG);
	c.header("Access-Control-Allow-Origin", "*");
	c.header("Cross-Origin-Resource-Policy", "cross-origin");
	return c.body(WIDGET_JS);
});
