// npm run doctor -- <worker-url> [--admin-token T] [--campaign ID]
//
// Checks a deployed worker from outside, as a reader's browser, Stripe and a
// stranger would see it, and says in plain words what is wrong and how to fix
// it. Exits 1 when anything is a problem (notes alone don't fail), 2 on bad
// usage. Without a token: health, the totals (JSON, CORS, caching), widget.js
// (a cached static asset), the webhook refusing an unsigned body, the admin
// API closed. With the admin token (or ADMIN_TOKEN in the environment) it also
// reads GET /api/admin/config: which secrets are set, and whether Stripe's
// webhook endpoint has the URL, event types and API version the worker needs.
// Plain Node (fetch only); `npm run doctor` runs it on the project's Node.

type Level = "ok" | "note" | "problem";
interface Finding {
	level: Level;
	what: string;
	detail: string;
	fix?: string;
}

const USAGE = `usage: npm run doctor -- <worker-url> [--admin-token T] [--campaign ID]

  <worker-url>     the deployed worker, e.g. https://donation-widget.you.workers.dev
  --admin-token T  also check secrets and the Stripe webhook endpoint (or set ADMIN_TOKEN)
  --campaign ID    the campaign whose totals to read (default: main)`;

/** What the doctor reads from GET /api/admin/config (src/routes/admin-config.ts). */
interface ConfigReport {
	webhook: { url: string; events: string[]; apiVersion: string };
	secrets: Record<string, { set: boolean; example: boolean; mode?: string | null; safe?: boolean; looksLikeSigningSecret?: boolean }>;
	vars: Record<string, { set: boolean; localOnly?: boolean }>;
	stripe:
		| { checked: false; reason?: string; error?: { code: string; message: string } }
		| {
				checked: true;
				endpoints: {
					id: string;
					status: string;
					apiVersion: string | null;
					enabled: boolean;
					missingEvents: string[];
					extraEvents: string[];
					apiVersionMatches: boolean;
					ok: boolean;
				}[];
				elsewhere: { id: string; url: string; status: string }[];
				portal: { id: string; active: boolean; cancel: boolean; loginPage: string | null }[];
		  };
}

/** The command that fixes most of it, with this worker's URL once it is known. */
let SETUP = "npm run stripe:setup -- <worker-url>";

function parseArgs(argv: string[]): { origin: string; token: string | null; campaign: string } {
	const rest = [...argv];
	let token: string | null = process.env.ADMIN_TOKEN || null;
	let campaign = "main";
	const positional: string[] = [];
	while (rest.length) {
		const arg = rest.shift() as string;
		if (arg === "--help" || arg === "-h") usage(0);
		else if (arg === "--admin-token") token = rest.shift() ?? usage(2);
		else if (arg.startsWith("--admin-token=")) token = arg.slice("--admin-token=".length);
		else if (arg === "--campaign") campaign = rest.shift() ?? usage(2);
		else if (arg.startsWith("--")) usage(2);
		else positional.push(arg);
	}
	if (positional.length !== 1) usage(2);
	try {
		const url = new URL(positional[0] as string);
		if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error();
		return { origin: url.origin, token, campaign };
	} catch {
		console.error(`"${positional[0]}" is not a URL.`);
		return usage(2);
	}
}

function usage(code: number): never {
	(code ? console.error : console.log)(USAGE);
	process.exit(code);
}

async function request(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
	const res = await fetch(url, { redirect: "manual", ...init, signal: AbortSignal.timeout(15_000) });
	const text = await res.text();
	let json: unknown = null;
	try {
		json = JSON.parse(text);
	} catch {}
	return { status: res.status, headers: res.headers, text, json };
}

const errorCode = (json: unknown): string | null => {
	const code = (json as { error?: { code?: unknown } } | null)?.error?.code;
	return typeof code === "string" ? code : null;
};

const maxAge = (cacheControl: string | null): number | null => {
	const match = /(?:^|,)\s*max-age=(\d+)/.exec(cacheControl ?? "");
	return match ? Number(match[1]) : null;
};

// ------------------------------------------------------------------ the checks

async function health(origin: string): Promise<Finding> {
	try {
		const res = await request(`${origin}/healthz`);
		if (res.status === 200 && (res.json as { ok?: unknown })?.ok === true)
			return { level: "ok", what: "health", detail: '/healthz answers {"ok":true}.' };
		return {
			level: "problem",
			what: "health",
			detail: `/healthz answered ${res.status}, not {"ok":true}: is this the donation worker?`,
			fix: "Check the URL (npx wrangler deploy prints it).",
		};
	} catch (err) {
		return {
			level: "problem",
			what: "health",
			detail: `could not reach ${origin}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : err}.`,
			fix: "Check the URL (npx wrangler deploy prints it) and that the worker is deployed.",
		};
	}
}

async function totals(origin: string, campaign: string): Promise<Finding[]> {
	const what = `totals (GET /api/campaigns/${campaign})`;
	const res = await request(`${origin}/api/campaigns/${encodeURIComponent(campaign)}`, { headers: { Origin: "https://reader.example" } });
	if (res.status === 404 && errorCode(res.json) === "campaign_not_found") {
		return [
			{
				level: "problem",
				what,
				detail: `no campaign '${campaign}'.`,
				fix: "Embed an existing campaign, or create it on the admin page (/admin).",
			},
		];
	}
	const body = res.json as { total?: unknown; currency?: unknown; goals?: unknown } | null;
	if (res.status !== 200 || !body || typeof body.total !== "number" || typeof body.currency !== "string" || !Array.isArray(body.goals)) {
		return [
			{
				level: "problem",
				what,
				detail: `answered ${res.status}${errorCode(res.json) ? ` ${errorCode(res.json)}` : ""}, not the campaign's JSON.`,
			},
		];
	}
	const findings: Finding[] = [];
	const type = res.headers.get("content-type") ?? "";
	const cors = res.headers.get("access-control-allow-origin");
	const cache = res.headers.get("cache-control");
	if (!type.startsWith("application/json")) findings.push({ level: "problem", what, detail: `Content-Type is "${type}", not JSON.` });
	if (cors !== "*")
		findings.push({
			level: "problem",
			what,
			detail: `Access-Control-Allow-Origin is ${cors ?? "missing"}: widgets on publishers' pages cannot read it.`,
		});
	if (!/\bpublic\b/.test(cache ?? "") || !maxAge(cache)) {
		findings.push({ level: "problem", what, detail: `Cache-Control is "${cache ?? ""}": every page view would reach the worker.` });
	}
	if (!findings.length) {
		findings.push({ level: "ok", what, detail: `JSON (total ${body.total} in ${body.currency}), CORS *, Cache-Control: ${cache}.` });
	}
	return findings;
}

async function widget(origin: string): Promise<Finding[]> {
	const what = "widget.js";
	const res = await request(`${origin}/widget.js`);
	if (res.status !== 200) {
		return [
			{
				level: "problem",
				what,
				detail: `GET /widget.js answered ${res.status}.`,
				fix: "Deploy again: npx wrangler deploy builds and uploads it.",
			},
		];
	}
	const findings: Finding[] = [];
	const h = res.headers;
	if (!/javascript/.test(h.get("content-type") ?? ""))
		findings.push({ level: "problem", what, detail: `Content-Type is "${h.get("content-type")}".` });
	if (h.get("x-content-type-options") !== "nosniff")
		findings.push({ level: "problem", what, detail: "no X-Content-Type-Options: nosniff." });
	if (h.get("access-control-allow-origin") !== "*") findings.push({ level: "problem", what, detail: "no Access-Control-Allow-Origin: *." });
	if (h.get("cross-origin-resource-policy") !== "cross-origin") {
		findings.push({ level: "problem", what, detail: "no Cross-Origin-Resource-Policy: cross-origin: pages with COEP cannot load it." });
	}
	if (!maxAge(h.get("cache-control")))
		findings.push({
			level: "problem",
			what,
			detail: `Cache-Control is "${h.get("cache-control") ?? ""}": browsers fetch it on every view.`,
		});
	const etag = h.get("etag");
	if (!etag) findings.push({ level: "problem", what, detail: "no ETag: browsers cannot revalidate it cheaply." });
	else {
		const again = await request(`${origin}/widget.js`, { headers: { "If-None-Match": etag } });
		if (again.status !== 304)
			findings.push({ level: "problem", what, detail: `revalidating with its ETag answered ${again.status}, not 304.` });
	}
	// The worker adds its Content-Security-Policy to everything it answers; static assets never run it.
	if (h.get("content-security-policy")) {
		findings.push({
			level: "note",
			what,
			detail: "served by the worker, not as a static asset: each first page view costs an extra worker request.",
			fix: "Deploy this version again (npx wrangler deploy).",
		});
	}
	if (!findings.some((f) => f.level === "problem")) {
		findings.unshift({
			level: "ok",
			what,
			detail: `${res.text.length} B, a static asset, Cache-Control: ${h.get("cache-control")}, ETag revalidates with 304.`,
		});
	}
	return findings;
}

async function webhook(origin: string): Promise<Finding> {
	const what = "webhook (POST /api/stripe/webhook)";
	const res = await request(`${origin}/api/stripe/webhook`, {
		method: "POST",
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ id: "evt_doctor", type: "checkout.session.completed", data: { object: {} } }),
	});
	const code = errorCode(res.json);
	if (res.status === 400) return { level: "ok", what, detail: `refuses an unsigned event (400 ${code ?? ""}).` };
	if (res.status === 503 && code === "webhook_not_configured") {
		return { level: "problem", what, detail: "STRIPE_WEBHOOK_SECRET is not set: every gift Stripe reports is refused.", fix: SETUP };
	}
	if (res.status === 503 && code === "webhook_secret_invalid") {
		return {
			level: "problem",
			what,
			detail: "STRIPE_WEBHOOK_SECRET is not a Stripe signing secret (still the example value?): every gift Stripe reports is refused.",
			fix: SETUP,
		};
	}
	if (res.status >= 200 && res.status < 300) {
		return {
			level: "problem",
			what,
			detail: `accepted an unsigned event (${res.status}): anyone could post fake gifts.`,
			fix: "Deploy this version again.",
		};
	}
	return { level: "problem", what, detail: `answered ${res.status} ${code ?? ""} to an unsigned event, not 400.` };
}

async function adminClosed(origin: string, exampleToken: string | null): Promise<Finding[]> {
	const what = "admin API without a token";
	const unsafe: Finding = {
		level: "problem",
		what,
		detail: "closed: the worker refuses its ADMIN_TOKEN (the public example value, or shorter than 32 characters).",
		fix: `${SETUP}  (it generates one), or: openssl rand -base64 32 | npx wrangler secret put ADMIN_TOKEN`,
	};
	const res = await request(`${origin}/api/admin/campaigns`);
	const code = errorCode(res.json);
	if (res.status === 503 && code === "admin_not_configured") {
		return [{ level: "problem", what, detail: "closed, but ADMIN_TOKEN is not set: nobody can use the admin page.", fix: SETUP }];
	}
	if (res.status === 503 && code === "admin_token_unsafe") return [unsafe];
	if (res.status >= 200 && res.status < 300) {
		return [{ level: "problem", what, detail: `OPEN: it answered ${res.status} without a token.`, fix: "Deploy this version again." }];
	}
	if (res.status !== 401) return [{ level: "problem", what, detail: `answered ${res.status} ${code ?? ""}, not 401.` }];
	// Offered a token (the public example one), the worker says whether its own is unsafe (503); an older
	// worker that did not check would even let the example in.
	const example = await request(`${origin}/api/admin/campaigns`, {
		headers: { Authorization: `Bearer ${exampleToken ?? "not-the-admin-token"}` },
	});
	if (example.status === 503 && errorCode(example.json) === "admin_token_unsafe") return [unsafe];
	if (example.status >= 200 && example.status < 300) {
		return [
			{
				level: "problem",
				what: "admin API with the example token",
				detail: "OPEN: ADMIN_TOKEN is the example value from .dev.vars.example, which anyone can read.",
				fix: `${SETUP}  (it replaces it), or: openssl rand -base64 32 | npx wrangler secret put ADMIN_TOKEN`,
			},
		];
	}
	return [{ level: "ok", what, detail: "closed (401), and its token is not the example one." }];
}

function secretFindings(report: ConfigReport): Finding[] {
	const findings: Finding[] = [];
	const secret = (name: string) => report.secrets[name] ?? { set: false, example: false };
	const key = secret("STRIPE_SECRET_KEY");
	const hook = secret("STRIPE_WEBHOOK_SECRET");
	const admin = secret("ADMIN_TOKEN");
	if (!key.set)
		findings.push({
			level: "problem",
			what: "STRIPE_SECRET_KEY",
			detail: "not set: nobody can donate (checkout answers 503).",
			fix: SETUP,
		});
	else if (key.example)
		findings.push({ level: "problem", what: "STRIPE_SECRET_KEY", detail: "still the placeholder from .dev.vars.example.", fix: SETUP });
	else findings.push({ level: "ok", what: "STRIPE_SECRET_KEY", detail: `set (${key.mode} mode).` });
	if (key.mode === "live") findings.push({ level: "note", what: "STRIPE_SECRET_KEY", detail: "a live key: donations are real money." });
	if (!hook.set) findings.push({ level: "problem", what: "STRIPE_WEBHOOK_SECRET", detail: "not set: no gift is counted.", fix: SETUP });
	else if (hook.example || hook.looksLikeSigningSecret === false) {
		findings.push({
			level: "problem",
			what: "STRIPE_WEBHOOK_SECRET",
			detail: hook.example
				? "still the placeholder from .dev.vars.example: no gift is counted."
				: "does not look like a signing secret (whsec_...).",
			fix: SETUP,
		});
	} else
		findings.push({
			level: "ok",
			what: "STRIPE_WEBHOOK_SECRET",
			detail: "set (whether it matches the endpoint only a signed delivery can tell: make a test donation).",
		});
	if (admin.set && (admin.example || admin.safe === false)) {
		findings.push({
			level: "problem",
			what: "ADMIN_TOKEN",
			detail: admin.example ? "the public example value." : "shorter than 32 characters: guessable.",
			fix: "openssl rand -base64 32 | npx wrangler secret put ADMIN_TOKEN",
		});
	} else if (admin.set) findings.push({ level: "ok", what: "ADMIN_TOKEN", detail: "set, 32 characters or more, not the example." });
	const origins = report.vars.ALLOWED_ORIGINS;
	if (!origins?.set || origins.localOnly) {
		findings.push({
			level: "note",
			what: "ALLOWED_ORIGINS",
			detail: "only local origins: after paying, donors land on the worker's thank-you page, not back on your article.",
			fix: 'Set ALLOWED_ORIGINS = "https://www.your-site.example" in wrangler.toml [vars] and deploy.',
		});
	}
	if (report.vars.STRIPE_API_URL?.set) {
		findings.push({
			level: "note",
			what: "STRIPE_API_URL",
			detail: "set: the worker talks to that server instead of Stripe (tests only).",
		});
	}
	return findings;
}

function stripeFindings(report: ConfigReport): Finding[] {
	const what = "Stripe webhook endpoint";
	const stripe = report.stripe;
	const url = report.webhook.url;
	if (!stripe.checked) {
		if (stripe.error) return [{ level: "problem", what, detail: `could not be checked: ${stripe.error.message}`, fix: SETUP }];
		return [{ level: "problem", what, detail: `not checked: ${stripe.reason ?? "no Stripe key"}`, fix: SETUP }];
	}
	const findings: Finding[] = [];
	if (stripe.endpoints.length === 0) {
		const elsewhere = stripe.elsewhere.length ? ` Stripe has one for ${stripe.elsewhere.map((e) => e.url).join(", ")} instead.` : "";
		findings.push({ level: "problem", what, detail: `none for ${url}: no gift is counted.${elsewhere}`, fix: SETUP });
	} else if (stripe.endpoints.length > 1) {
		findings.push({
			level: "problem",
			what,
			detail: `${stripe.endpoints.length} endpoints for ${url} (${stripe.endpoints.map((e) => e.id).join(", ")}): each event comes once per endpoint, and only one signing secret can match.`,
			fix: `${SETUP}  (it keeps one)`,
		});
	}
	for (const endpoint of stripe.endpoints) {
		const problems: string[] = [];
		if (!endpoint.enabled) problems.push(`it is ${endpoint.status}`);
		if (endpoint.missingEvents.length)
			problems.push(`it does not send ${endpoint.missingEvents.join(", ")} (those gifts, refunds or disputes would never count)`);
		if (!endpoint.apiVersionMatches) {
			problems.push(
				`its API version is ${endpoint.apiVersion ?? "the account's default"}, not ${report.webhook.apiVersion}, which the worker's Stripe library pins`,
			);
		}
		if (problems.length) findings.push({ level: "problem", what, detail: `${endpoint.id}: ${problems.join("; ")}.`, fix: SETUP });
		else {
			findings.push({
				level: "ok",
				what,
				detail: `${endpoint.id} for ${url}: enabled, the ${report.webhook.events.length} event types the worker handles, API version ${report.webhook.apiVersion}.`,
			});
		}
		if (endpoint.extraEvents.length) {
			findings.push({
				level: "note",
				what,
				detail: `${endpoint.id} also sends ${endpoint.extraEvents.join(", ")}, which the worker ignores (a request each).`,
				fix: SETUP,
			});
		}
	}
	if (!stripe.portal.some((p) => p.active && p.cancel)) {
		findings.push({
			level: "note",
			what: "customer portal",
			detail: "none from stripe:setup: monthly donors have nowhere to cancel on their own.",
			fix: SETUP,
		});
	} else if (!report.vars.STRIPE_PORTAL_LOGIN_URL?.set) {
		const login = stripe.portal.find((p) => p.loginPage)?.loginPage;
		findings.push({
			level: "note",
			what: "customer portal",
			detail: "set up, but STRIPE_PORTAL_LOGIN_URL is not set.",
			fix: login ? `Set STRIPE_PORTAL_LOGIN_URL = "${login}" in wrangler.toml [vars] and deploy.` : undefined,
		});
	} else findings.push({ level: "ok", what: "customer portal", detail: "set up; STRIPE_PORTAL_LOGIN_URL is set." });
	return findings;
}

async function configuration(origin: string, token: string): Promise<Finding[]> {
	const res = await request(`${origin}/api/admin/config`, { headers: { Authorization: `Bearer ${token}` } });
	const code = errorCode(res.json);
	if (res.status === 401) {
		return [{ level: "problem", what: "admin token", detail: "the worker refused the token you gave.", fix: "Check --admin-token." }];
	}
	if (res.status === 503 && (code === "admin_token_unsafe" || code === "admin_not_configured")) {
		// Already a problem above (the admin API is closed): the report is closed with it.
		return [
			{ level: "note", what: "configuration", detail: "not checked: the admin API is closed until ADMIN_TOKEN is set right (see above)." },
		];
	}
	if (res.status === 404) {
		return [
			{
				level: "problem",
				what: "configuration",
				detail: "this worker has no /api/admin/config: an older version.",
				fix: "Deploy this version (npx wrangler deploy).",
			},
		];
	}
	if (res.status !== 200 || !res.json)
		return [{ level: "problem", what: "configuration", detail: `GET /api/admin/config answered ${res.status} ${code ?? ""}.` }];
	const report = res.json as ConfigReport;
	return [...secretFindings(report), ...stripeFindings(report)];
}

/** ADMIN_TOKEN's value in .dev.vars.example, which the Deploy to Cloudflare button pre-fills. */
async function exampleAdminToken(): Promise<string | null> {
	try {
		const { readFileSync } = await import("node:fs");
		const text = readFileSync(new URL("../.dev.vars.example", import.meta.url), "utf8");
		return /^ADMIN_TOKEN=(.*)$/m.exec(text)?.[1]?.trim() || null;
	} catch {
		return null;
	}
}

// ------------------------------------------------------------------ run

const { origin, token, campaign } = parseArgs(process.argv.slice(2));
SETUP = `STRIPE_SECRET_KEY=sk_test_... npm run stripe:setup -- ${origin}`;
console.log(`Checking ${origin} from outside, as a reader's browser, Stripe and a stranger would.\n`);
const findings: Finding[] = [];
const first = await health(origin);
findings.push(first);
if (first.level === "ok") {
	for (const check of [
		() => totals(origin, campaign),
		() => widget(origin),
		() => webhook(origin),
		async () => adminClosed(origin, await exampleAdminToken()),
		...(token ? [() => configuration(origin, token)] : []),
	]) {
		try {
			findings.push(...[await check()].flat());
		} catch (err) {
			findings.push({ level: "problem", what: "request", detail: `failed: ${err instanceof Error ? err.message : err}` });
		}
	}
	if (!token) {
		findings.push({
			level: "note",
			what: "configuration",
			detail: "not checked: pass --admin-token to check the secrets and Stripe's webhook endpoint.",
		});
	}
}

const label: Record<Level, string> = { ok: "ok     ", note: "note   ", problem: "PROBLEM" };
for (const f of findings) {
	console.log(`${label[f.level]}  ${f.what}: ${f.detail}`);
	if (f.fix && f.level !== "ok") console.log(`         fix: ${f.fix}`);
}
const problems = findings.filter((f) => f.level === "problem").length;
console.log(
	problems
		? `\n${problems} problem${problems === 1 ? "" : "s"}: the worker is not set up right yet.`
		: "\nNo problems: the worker is set up right.",
);
process.exit(problems ? 1 : 0);
