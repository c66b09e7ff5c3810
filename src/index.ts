// The worker: one small Hono app. Routes are grouped by who calls them.
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./config";
import { notFound, onError } from "./http/errors";
import { adminPage } from "./pages/admin";
import { donorPages } from "./pages/donor-pages";
import { errorPage, isFormNavigation } from "./pages/error-page";
import { pages } from "./pages/public";
import { admin } from "./routes/admin";
import { publicApi } from "./routes/public-api";
import { webhook } from "./routes/webhook";

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
