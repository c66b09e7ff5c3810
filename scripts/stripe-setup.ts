// npm run stripe:setup -- <worker-url> [--print]
//
// Sets up the Stripe account for a deployed worker and stores what the worker
// needs from it, with STRIPE_SECRET_KEY (and STRIPE_API_URL when it is set: a
// Stripe-compatible server, such as the tests' double):
// 1. The webhook endpoint `<worker-url>/api/stripe/webhook`, sending exactly
//    the event types the worker handles (HANDLED_EVENTS) in the API version its
//    SDK pins. Created, or updated in place; Stripe cannot change an endpoint's
//    API version, so an endpoint on another version (or several endpoints for
//    the URL) is replaced by a new one. Run twice, there is still one endpoint.
// 2. A customer portal configuration where monthly donors cancel (at the end
//    of the month paid for), update their card and see their invoices, with
//    Stripe's no-code login page. Marked with metadata; reruns update it.
// 3. The worker's secrets, with `wrangler secret put`: STRIPE_WEBHOOK_SECRET
//    when Stripe handed out a new signing secret (it does so only when it
//    creates an endpoint), STRIPE_SECRET_KEY (the key used here), and a
//    generated ADMIN_TOKEN when the worker has none or the public example one.
//    With --print nothing is stored: it prints what to store.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Stripe from "stripe";
import { HANDLED_EVENTS } from "../src/stripe/handled-events";
import {
	checkEndpoint,
	ENDPOINT_METADATA,
	marked,
	PINNED_API_VERSION,
	PORTAL_FEATURES,
	PORTAL_METADATA,
	webhookUrl,
} from "../src/stripe/setup";

const USAGE = `usage: npm run stripe:setup -- <worker-url> [--print]

  <worker-url>  the deployed worker, e.g. https://donation-widget.you.workers.dev
  --print       store no secret with wrangler; print them instead

Reads STRIPE_SECRET_KEY (a test-mode key sk_test_... to start with) and, when
set, STRIPE_API_URL (a Stripe-compatible server instead of api.stripe.com).`;

/** The project root: scripts/run.mjs sets argv[1] to scripts/stripe-setup.ts. */
const root = resolve(dirname(process.argv[1] ?? "scripts/x"), "..");

const say = (line = "") => console.log(line);
const fail = (message: string, code = 1): never => {
	console.error(message);
	process.exit(code);
};

// ------------------------------------------------------------------ arguments

const args = process.argv.slice(2);
const print = args.includes("--print");
const positional = args.filter((a) => !a.startsWith("--"));
const unknown = args.filter((a) => a.startsWith("--") && a !== "--print");
if (args.includes("--help") || args.includes("-h")) fail(USAGE, 0);
if (positional.length !== 1 || unknown.length) fail(USAGE, 2);
function originOf(arg: string): string {
	try {
		const parsed = new URL(arg);
		if (parsed.protocol === "https:" || parsed.protocol === "http:") return parsed.origin;
	} catch {}
	return fail(`"${arg}" is not a URL. ${USAGE}`, 2);
}
const origin = originOf(positional[0] as string);
const key = process.env.STRIPE_SECRET_KEY ?? "";
if (!key) fail(`STRIPE_SECRET_KEY is not set: STRIPE_SECRET_KEY=sk_test_... npm run stripe:setup -- ${positional[0]}`, 2);
const apiUrl = process.env.STRIPE_API_URL || "";
const mode = /^(sk|rk)_live_/.test(key) ? "live" : /^(sk|rk)_test_/.test(key) ? "test" : "unknown";

function stripeClient(): Stripe {
	const config: Stripe.StripeConfig = { timeout: 20_000, maxNetworkRetries: 2, appInfo: { name: "donation-widget stripe:setup" } };
	if (apiUrl) {
		const url = new URL(apiUrl);
		const protocol = url.protocol === "http:" ? "http" : "https";
		Object.assign(config, { protocol, host: url.hostname, port: url.port ? Number(url.port) : protocol === "http" ? 80 : 443 });
	}
	return new Stripe(key, config);
}

const stripe = stripeClient();
const url = webhookUrl(origin);

// ------------------------------------------------------------------ 1. webhook endpoint

interface EndpointOutcome {
	id: string;
	/** A signing secret Stripe just created (only when an endpoint was created). */
	secret: string | null;
	/** Endpoints to delete once the new secret is stored. */
	replaced: Stripe.WebhookEndpoint[];
}

async function setUpEndpoint(): Promise<EndpointOutcome> {
	const all = await stripe.webhookEndpoints.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
	const mine = all.filter((e) => e.url === url);
	const description = `donation-widget: gifts, refunds and disputes for ${origin}`;
	const [only] = mine;
	if (mine.length === 1 && only && only.api_version === PINNED_API_VERSION) {
		const check = checkEndpoint(only, url);
		if (check.eventsMatch && check.enabled && marked(only.metadata, ENDPOINT_METADATA)) {
			say(
				`Webhook endpoint ${only.id} for ${url}: already right (${HANDLED_EVENTS.length} event types, API version ${PINNED_API_VERSION}). Nothing changed.`,
			);
			return { id: only.id, secret: null, replaced: [] };
		}
		await stripe.webhookEndpoints.update(only.id, {
			enabled_events: [...HANDLED_EVENTS],
			disabled: false,
			description,
			metadata: ENDPOINT_METADATA,
		});
		const changes = [
			check.missingEvents.length ? `added ${check.missingEvents.join(", ")}` : "",
			check.extraEvents.length ? `removed ${check.extraEvents.join(", ")}` : "",
			check.enabled ? "" : "enabled it again (it was disabled)",
		].filter(Boolean);
		say(`Webhook endpoint ${only.id} for ${url}: updated (${changes.join("; ") || "marked as this worker's"}).`);
		say(`  It keeps its signing secret: STRIPE_WEBHOOK_SECRET stays as it is.`);
		return { id: only.id, secret: null, replaced: [] };
	}
	const created = await stripe.webhookEndpoints.create({
		url,
		enabled_events: [...HANDLED_EVENTS],
		api_version: PINNED_API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
		description,
		metadata: ENDPOINT_METADATA,
	});
	say(`Webhook endpoint ${created.id} for ${url}: created, ${HANDLED_EVENTS.length} event types, API version ${PINNED_API_VERSION}.`);
	say(`  Events: ${HANDLED_EVENTS.join(", ")}.`);
	for (const old of mine) {
		const why =
			mine.length > 1
				? `one of ${mine.length} endpoints for this URL (each would deliver every event, and only one secret can match)`
				: `its API version ${old.api_version ?? "(the account default)"} is not ${PINNED_API_VERSION}, and Stripe cannot change an endpoint's API version`;
		say(`  It replaces ${old.id}: ${why}.`);
	}
	if (!created.secret) fail("Stripe created the endpoint but returned no signing secret.");
	return { id: created.id, secret: created.secret ?? null, replaced: mine };
}

async function deleteReplaced(outcome: EndpointOutcome): Promise<void> {
	for (const old of outcome.replaced) {
		await stripe.webhookEndpoints.del(old.id);
		say(`Webhook endpoint ${old.id}: deleted (replaced by ${outcome.id}).`);
	}
}

// ------------------------------------------------------------------ 2. customer portal

async function setUpPortal(): Promise<string | null> {
	const all = await stripe.billingPortal.configurations.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
	const ours = all.filter((c) => marked(c.metadata, PORTAL_METADATA));
	const params = {
		features: PORTAL_FEATURES,
		login_page: { enabled: true },
		metadata: PORTAL_METADATA,
		business_profile: { headline: "Manage your monthly gift" },
	};
	const [found] = ours;
	let config: Stripe.BillingPortal.Configuration;
	if (found) {
		const f = found.features;
		const right =
			found.active &&
			found.login_page.enabled &&
			f.subscription_cancel.enabled &&
			f.subscription_cancel.mode === PORTAL_FEATURES.subscription_cancel.mode &&
			f.payment_method_update.enabled &&
			f.invoice_history.enabled;
		if (right) {
			config = found;
			say(`Customer portal configuration ${found.id}: already right. Nothing changed.`);
		} else {
			config = await stripe.billingPortal.configurations.update(found.id, { ...params, active: true });
			say(`Customer portal configuration ${config.id}: updated.`);
		}
		if (ours.length > 1)
			say(
				`  Also marked as this worker's, left as they are: ${ours
					.slice(1)
					.map((c) => c.id)
					.join(", ")}.`,
			);
	} else {
		config = await stripe.billingPortal.configurations.create(params);
		say(`Customer portal configuration ${config.id}: created.`);
	}
	say("  Monthly donors can cancel (at the end of the month they paid for: nothing is prorated or refunded,");
	say("  so the month's gift stays counted), update their card and see their receipts.");
	const login = config.login_page.url;
	if (login) {
		say(`  Donors sign in at ${login} with a one-time code sent to their email.`);
		say(`  Put it in wrangler.toml [vars] as STRIPE_PORTAL_LOGIN_URL = "${login}" and deploy again,`);
		say('  so the worker links it for monthly donors ("Manage my monthly gift"). It is safe to publish: it only asks for an email.');
	}
	return login;
}

// ------------------------------------------------------------------ 3. the worker's secrets

type AdminState = "set" | "missing" | "example" | "unsafe" | "unreachable" | "unknown";

/** The dotenv value of `name` in .dev.vars.example: what the Deploy to Cloudflare button pre-fills. */
function exampleValue(name: string): string | null {
	try {
		const line = readFileSync(resolve(root, ".dev.vars.example"), "utf8")
			.split("\n")
			.find((l) => l.startsWith(`${name}=`));
		return line ? line.slice(name.length + 1).trim() : null;
	} catch {
		return null;
	}
}

/** Whether the worker has a usable ADMIN_TOKEN, asked from outside like anyone could. */
async function adminState(): Promise<AdminState> {
	const probe = async (token?: string) => {
		const res = await fetch(`${origin}/api/admin/campaigns`, {
			headers: token ? { Authorization: `Bearer ${token}` } : {},
			signal: AbortSignal.timeout(15_000),
		});
		const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
		return { status: res.status, code: body?.error?.code ?? null };
	};
	try {
		const closed = await probe();
		if (closed.status === 503 && closed.code === "admin_not_configured") return "missing";
		if (closed.status === 503 && closed.code === "admin_token_unsafe") return "unsafe";
		if (closed.status !== 401) return "unknown";
		// With a token the worker says whether its own is unsafe (503); an older one may even let the example in.
		const example = exampleValue("ADMIN_TOKEN") ?? "not-the-admin-token";
		const withExample = await probe(example);
		if (withExample.status === 200) return "example";
		if (withExample.status === 503 && withExample.code === "admin_token_unsafe") return "unsafe";
		return "set";
	} catch {
		return "unreachable";
	}
}

/** `wrangler secret put NAME`, the value on stdin (never in argv); wrangler from node_modules/.bin (npm run puts it on PATH), else npx. */
function secretPut(name: string, value: string): Promise<{ ok: boolean; output: string }> {
	const run = (command: string, commandArgs: string[]) =>
		new Promise<{ ok: boolean; output: string; missing: boolean }>((ok) => {
			const child = spawn(command, commandArgs, {
				cwd: root,
				env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
				stdio: ["pipe", "pipe", "pipe"],
			});
			let output = "";
			child.stdout.on("data", (chunk) => {
				output += chunk;
			});
			child.stderr.on("data", (chunk) => {
				output += chunk;
			});
			child.on("error", (err: NodeJS.ErrnoException) => ok({ ok: false, output: err.message, missing: err.code === "ENOENT" }));
			child.on("close", (code) => ok({ ok: code === 0, output, missing: false }));
			child.stdin.on("error", () => {});
			child.stdin.end(value);
		});
	return run("wrangler", ["secret", "put", name]).then((first) =>
		first.missing ? run("npx", ["wrangler", "secret", "put", name]) : first,
	);
}

// ------------------------------------------------------------------ run

say(`Stripe: ${mode} mode${apiUrl ? `, at ${apiUrl} (STRIPE_API_URL)` : ""}. Worker: ${origin}.`);
if (mode === "live") say("  A live key: real cards, real money. Use a test-mode key (sk_test_...) for your first donation.");
say();

let endpoint: EndpointOutcome;
let login: string | null;
try {
	endpoint = await setUpEndpoint();
	login = await setUpPortal();
} catch (err) {
	if (err instanceof Stripe.errors.StripeAuthenticationError)
		fail("Stripe refused STRIPE_SECRET_KEY (authentication failed). Nothing was changed.");
	if (err instanceof Stripe.errors.StripePermissionError) {
		fail("STRIPE_SECRET_KEY may not manage webhook endpoints or the customer portal (a restricted key?). Use the account's secret key.");
	}
	throw err;
}
say();

const admin = await adminState();
const adminToken = admin === "missing" || admin === "example" || admin === "unsafe" ? randomBytes(32).toString("base64url") : null;
const secrets: [name: string, value: string, why: string][] = [];
if (endpoint.secret) secrets.push(["STRIPE_WEBHOOK_SECRET", endpoint.secret, `the signing secret of ${endpoint.id}`]);
secrets.push(["STRIPE_SECRET_KEY", key, "the key this ran with"]);
if (adminToken) {
	const why = {
		missing: "the worker had none",
		example: "the worker had the public example token",
		unsafe: "the worker refused its token as unsafe",
	};
	secrets.push(["ADMIN_TOKEN", adminToken, `generated: ${why[admin as keyof typeof why]}`]);
}

let failed = false;
if (print) {
	say("--print: no secret stored. Store these on the worker (npx wrangler secret put NAME, then paste the value):");
	for (const [name, value, why] of secrets) say(name === "STRIPE_SECRET_KEY" ? `  ${name}: ${why}` : `  ${name}=${value}    (${why})`);
	if (!endpoint.secret) {
		say("  STRIPE_WEBHOOK_SECRET: unchanged (Stripe's API returns a signing secret only when it creates the endpoint;");
		say(`  the Dashboard shows it under Developers > Webhooks > ${endpoint.id}).`);
	}
	await deleteReplaced(endpoint);
	if (endpoint.replaced.length && endpoint.secret) {
		say("  Until STRIPE_WEBHOOK_SECRET holds the new secret, the worker refuses the new endpoint's deliveries;");
		say("  Stripe retries them for up to 3 days, so no gift is lost.");
	}
} else {
	say("Worker secrets (wrangler secret put):");
	for (const [name, value, why] of secrets) {
		const result = await secretPut(name, value);
		if (result.ok) {
			say(`  ${name}: stored (${why}).`);
		} else {
			failed = true;
			say(`  ${name}: NOT stored: wrangler failed (logged in? npx wrangler login). Store it yourself:`);
			say(`    npx wrangler secret put ${name}    and paste: ${name === "STRIPE_SECRET_KEY" ? "the key this ran with" : value}`);
			say(`    wrangler said: ${result.output.trim().split("\n").slice(-3).join(" / ")}`);
		}
	}
	if (!endpoint.secret) say("  STRIPE_WEBHOOK_SECRET: unchanged (the endpoint keeps its signing secret).");
	if (failed && endpoint.replaced.length) {
		say(`  The old endpoint stays until the new secret is stored: run this command again once wrangler works.`);
	} else {
		await deleteReplaced(endpoint);
	}
}
if (adminToken) say(`  Your admin token (the admin page asks for it; keep it somewhere safe): ${adminToken}`);
else if (admin === "set") say("  ADMIN_TOKEN: the worker has one; left as it is.");
else if (admin === "unreachable")
	say(`  ADMIN_TOKEN: could not reach ${origin}; set one yourself: openssl rand -base64 32 | npx wrangler secret put ADMIN_TOKEN`);
else say("  ADMIN_TOKEN: the worker's answer was unexpected; check it with npm run doctor.");

say();
say(`Check it all: npm run doctor -- ${origin} --admin-token <your admin token>`);
if (login === null) say("(No portal login link: Stripe returned none.)");
process.exit(failed ? 1 : 0);
