// The worker: one small Hono app. Routes are grouped by who calls them.
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./config";
import { notFound, onError } from "./http/errors";
import { limitBody } from "./http/validate";
import { adminPage } from "./pages/admin";
import { donorPages } from "./pages/donor-pages";
import { errorPage, isFormNavigation } from "./pages/error-page";
import { pages } from "./pages/public";
import { admin } from "./routes/admin";
import { publicApi } from "./routes/public-api";
import { WEBHOOK_MAX_BYTES, webhook } from "./routes/webhook";

export { CampaignLedger } from "./campaigns/ledger/ledger";
export { CampaignRegistry } from "./campaigns/registry/registry";

const app = new Hono<AppEnv>();

// nosniff everywhere; a strict CSP and no framing for the worker's own pages.
app.use(
	"*",
	secureHeaders({
		contentSecurityPolicy: {
			defaultSrc: ["'none'"],
			scriptSrc: ["'self'"],
			connectSrc: ["'self'"],
			styleSrc: ["'self'"],
			imgSrc: ["'self'", "data:"],
			formAction: ["'self'", "https://checkout.stripe.com"],
			baseUri: ["'none'"],
			frameAncestors: ["'none'"],
		},
		xFrameOptions: "DENY",
		crossOriginResourcePolicy: false,
		crossOriginOpenerPolicy: false,
		referrerPolicy: "strict-origin-when-cross-origin",
	}),
);

app.get("/healthz", (c) => c.json({ ok: true }));
// The write path's ceiling in `npm run bench`: a webhook's body read behind the webhook's own middleware, and nothing else.
app.post("/healthz", limitBody(WEBHOOK_MAX_BYTES, "Request bodies"), async (c) => {
	const body = await c.req.text();
	return c.json({ ok: true, bytes: new TextEncoder().encode(body).byteLength });
});
app.route("/api/campaigns", publicApi);
app.route("/api/stripe/webhook", webhook);
app.route("/api/admin", admin);
app.route("/", pages);
app.route("/", donorPages);
app.route("/", adminPage);

// JSON for API clients; a page for a donor whose form post failed.
app.onError((err, c) => (isFormNavigation(c) ? errorPage(err, c) : onError(err, c)));
app.notFound(notFound);

export default app;
