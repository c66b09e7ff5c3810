// `npm run stripe:setup -- <worker-url>` against the Stripe double and a real
// worker (`wrangler dev`, no ADMIN_TOKEN): the webhook endpoint with exactly
// HANDLED_EVENTS and the SDK's pinned API version, idempotent (run twice, one
// endpoint), updated in place or replaced when Stripe cannot change it, the
// portal configuration, and the secrets handed to `wrangler secret put`
// (a stand-in here) or only printed with --print.
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HANDLED_EVENTS } from "../../src/stripe/handled-events.ts";
import { startStripeDouble } from "../stripe/server.ts";
import { type RunningWorker, startWorker } from "../support/worker.ts";
import { fakeWrangler, run, setupEnv, stripeSetup } from "./support.ts";

let double: Awaited<ReturnType<typeof startStripeDouble>>;
let worker: RunningWorker;
let stripe: Stripe;
let hook: string;

beforeAll(async () => {
	double = await startStripeDouble();
	// A freshly deployed worker: no admin token yet.
	worker = await startWorker({ vars: { ADMIN_TOKEN: "", STRIPE_API_URL: double.url } });
	hook = `${worker.url}/api/stripe/webhook`;
	const url = new URL(double.url);
	stripe = new Stripe("sk_test_setup", { protocol: "http", host: url.hostname, port: Number(url.port) });
});

afterAll(async () => {
	await worker?.stop();
	await double?.close();
});

const endpoints = async () => (await stripe.webhookEndpoints.list({ limit: 100 })).data.filter((e) => e.url === hook);
const ourPortals = async () =>
	// Marked as the worker's donor portal opens it (routes/donors.ts: metadata donation_widget_portal = "1").
	(await stripe.billingPortal.configurations.list({ limit: 100 })).data.filter((c) => c.metadata?.donation_widget_portal === "1");

beforeEach(async () => {
	for (const endpoint of await endpoints()) await stripe.webhookEndpoints.del(endpoint.id);
});

describe("npm run stripe:setup", () => {
	it("creates the endpoint with exactly the handled events and the pinned API version, and stores the secrets", async () => {
		const wrangler = fakeWrangler();
		const result = await stripeSetup([worker.url], setupEnv(double.url, wrangler));
		expect(result.code, result.stdout + result.stderr).toBe(0);

		const [endpoint, ...others] = await endpoints();
		expect(others).toEqual([]);
		expect(endpoint?.enabled_events).toEqual([...HANDLED_EVENTS]);
		expect(endpoint?.api_version).toBe(Stripe.API_VERSION);
		expect(endpoint?.api_version).toBe("2026-10-28.endive");
		expect(endpoint?.status).toBe("enabled");
		expect(endpoint?.metadata).toEqual({ donation_widget_webhook: "1" });

		// Secrets go to `wrangler secret put NAME` on stdin, never on the command line.
		const puts = wrangler.puts();
		expect(puts.map((p) => p.args)).toEqual(["secret put STRIPE_WEBHOOK_SECRET", "secret put STRIPE_SECRET_KEY", "secret put ADMIN_TOKEN"]);
		expect(wrangler.secret("STRIPE_WEBHOOK_SECRET")).toMatch(/^whsec_\w{20,}$/);
		expect(wrangler.secret("STRIPE_SECRET_KEY")).toBe("sk_test_setup");
		const token = wrangler.secret("ADMIN_TOKEN") ?? "";
		expect(token.length).toBeGreaterThanOrEqual(32);
		expect(token).toMatch(/^[A-Za-z0-9_-]+$/);

		// It says plainly what it did.
		expect(result.stdout).toContain(
			`Webhook endpoint ${endpoint?.id} for ${hook}: created, ${HANDLED_EVENTS.length} event types, API version 2026-10-28.endive.`,
		);
		expect(result.stdout).toContain(`Events: ${HANDLED_EVENTS.join(", ")}.`);
		expect(result.stdout).toContain(`STRIPE_WEBHOOK_SECRET: stored (the signing secret of ${endpoint?.id}).`);
		expect(result.stdout).toContain("ADMIN_TOKEN: stored (generated: the worker had none).");
		expect(result.stdout).toContain(`Your admin token (the admin page asks for it; keep it somewhere safe): ${token}`);
		expect(result.stdout).not.toContain("sk_test_setup");
	});

	it("is idempotent: run twice, there is still one endpoint, and its secret is kept", async () => {
		const wrangler = fakeWrangler();
		expect((await stripeSetup([worker.url], setupEnv(double.url, wrangler))).code).toBe(0);
		const [first] = await endpoints();
		const again = await stripeSetup([`${worker.url}/`], setupEnv(double.url, wrangler));
		expect(again.code, again.stdout + again.stderr).toBe(0);
		expect((await endpoints()).map((e) => e.id)).toEqual([first?.id]);
		expect(again.stdout).toContain(`Webhook endpoint ${first?.id} for ${hook}: already right`);
		expect(again.stdout).toContain("STRIPE_WEBHOOK_SECRET: unchanged");
		// One webhook secret stored in all (the first run's): the second run put none.
		expect(wrangler.puts().filter((p) => p.name === "STRIPE_WEBHOOK_SECRET")).toHaveLength(1);
	});

	it("updates an endpoint with the wrong events in place, keeping its signing secret", async () => {
		const stale = await stripe.webhookEndpoints.create({
			url: hook,
			enabled_events: ["checkout.session.completed", "invoice.paid", "customer.created"],
			api_version: Stripe.API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
		});
		await stripe.webhookEndpoints.update(stale.id, { disabled: true });
		const wrangler = fakeWrangler();
		const result = await stripeSetup([worker.url, "--print"], setupEnv(double.url, wrangler));
		expect(result.code, result.stdout + result.stderr).toBe(0);
		const [endpoint, ...others] = await endpoints();
		expect(others).toEqual([]);
		expect(endpoint).toMatchObject({ id: stale.id, status: "enabled", enabled_events: [...HANDLED_EVENTS] });
		expect(result.stdout).toContain(`Webhook endpoint ${stale.id} for ${hook}: updated (added `);
		expect(result.stdout).toContain("removed customer.created; enabled it again (it was disabled)");
		expect(result.stdout).toContain("It keeps its signing secret: STRIPE_WEBHOOK_SECRET stays as it is.");
		expect(result.stdout).not.toMatch(/whsec_/);
		expect(wrangler.puts()).toEqual([]);
	});

	it("replaces an endpoint on another API version (Stripe cannot change it) and says so", async () => {
		const old = await stripe.webhookEndpoints.create({ url: hook, enabled_events: [...HANDLED_EVENTS], api_version: "2025-03-31.basil" });
		const wrangler = fakeWrangler();
		const result = await stripeSetup([worker.url], setupEnv(double.url, wrangler));
		expect(result.code, result.stdout + result.stderr).toBe(0);
		const [endpoint, ...others] = await endpoints();
		expect(others).toEqual([]);
		expect(endpoint?.id).not.toBe(old.id);
		expect(endpoint?.api_version).toBe(Stripe.API_VERSION);
		expect(result.stdout).toContain(
			`It replaces ${old.id}: its API version 2025-03-31.basil is not 2026-10-28.endive, and Stripe cannot change an endpoint's API version.`,
		);
		expect(result.stdout).toContain(`Webhook endpoint ${old.id}: deleted (replaced by ${endpoint?.id}).`);
		// Deleted only after the new secret was stored.
		expect(wrangler.secret("STRIPE_WEBHOOK_SECRET")).toMatch(/^whsec_/);
		expect(result.stdout.indexOf("STRIPE_WEBHOOK_SECRET: stored")).toBeLessThan(result.stdout.indexOf(`${old.id}: deleted`));
	});

	it("leaves one endpoint where there were several", async () => {
		for (let i = 0; i < 3; i++) {
			await stripe.webhookEndpoints.create({
				url: hook,
				enabled_events: [...HANDLED_EVENTS],
				api_version: Stripe.API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
			});
		}
		const result = await stripeSetup([worker.url], setupEnv(double.url, fakeWrangler()));
		expect(result.code, result.stdout + result.stderr).toBe(0);
		expect(await endpoints()).toHaveLength(1);
		expect(result.stdout.match(/: deleted \(replaced by /g)).toHaveLength(3);
	});

	it("keeps the old endpoint when the new secret could not be stored, and prints it", async () => {
		const old = await stripe.webhookEndpoints.create({ url: hook, enabled_events: [...HANDLED_EVENTS], api_version: "2025-03-31.basil" });
		const wrangler = fakeWrangler({ failing: true });
		const result = await stripeSetup([worker.url], setupEnv(double.url, wrangler));
		expect(result.code).toBe(1);
		const ids = (await endpoints()).map((e) => e.id);
		expect(ids).toContain(old.id);
		expect(ids).toHaveLength(2);
		const secret = wrangler.secret("STRIPE_WEBHOOK_SECRET") ?? "missing";
		expect(result.stdout).toContain("STRIPE_WEBHOOK_SECRET: NOT stored");
		expect(result.stdout).toContain(`paste: ${secret}`);
		expect(result.stdout).toContain("The old endpoint stays until the new secret is stored");
		// Once wrangler works, a rerun leaves one endpoint.
		expect((await stripeSetup([worker.url], setupEnv(double.url, fakeWrangler()))).code).toBe(0);
		expect(await endpoints()).toHaveLength(1);
	});

	it("sets up one customer portal configuration for monthly donors, found again on reruns", async () => {
		expect((await stripeSetup([worker.url, "--print"], setupEnv(double.url, fakeWrangler()))).code).toBe(0);
		const [portal, ...more] = await ourPortals();
		expect(more).toEqual([]);
		expect(portal?.features.subscription_cancel).toMatchObject({ enabled: true, mode: "at_period_end" });
		expect(portal?.features.payment_method_update.enabled).toBe(true);
		expect(portal?.features.invoice_history.enabled).toBe(true);
		expect(portal?.login_page.enabled).toBe(true);
		expect(portal?.login_page.url).toMatch(/^http/);

		// Someone turned cancelling off in the Dashboard: the rerun turns it back on, same configuration.
		await stripe.billingPortal.configurations.update(portal?.id ?? "", { features: { subscription_cancel: { enabled: false } } });
		const result = await stripeSetup([worker.url, "--print"], setupEnv(double.url, fakeWrangler()));
		expect(result.stdout).toContain(`Customer portal configuration ${portal?.id}: updated.`);
		expect(result.stdout).toContain(`STRIPE_PORTAL_LOGIN_URL = "${portal?.login_page.url}"`);
		expect((await ourPortals()).map((p) => [p.id, p.features.subscription_cancel.enabled])).toEqual([[portal?.id, true]]);
	});

	it("with --print stores nothing and prints the new signing secret", async () => {
		const wrangler = fakeWrangler();
		const result = await stripeSetup([worker.url, "--print"], setupEnv(double.url, wrangler));
		expect(result.code, result.stdout + result.stderr).toBe(0);
		expect(wrangler.puts()).toEqual([]);
		expect(result.stdout).toMatch(/^ {2}STRIPE_WEBHOOK_SECRET=whsec_\w+ {4}\(the signing secret of we_\w+\)$/m);
		expect(result.stdout).toMatch(/^ {2}ADMIN_TOKEN=[\w-]{43} {4}\(generated: the worker had none\)$/m);
		expect(result.stdout).not.toContain("sk_test_setup");
	});

	it("replaces the Deploy to Cloudflare button's example secrets, the admin token included", async () => {
		// The worker as the button deploys it when its form is accepted as it is (.dev.vars.example).
		const examples = await startWorker({
			vars: {
				STRIPE_API_URL: double.url,
				STRIPE_SECRET_KEY: "sk_test_replace_me",
				STRIPE_WEBHOOK_SECRET: "whsec_replace_me",
				ADMIN_TOKEN: "change-me-to-a-long-random-string",
			},
		});
		try {
			const wrangler = fakeWrangler();
			const result = await stripeSetup([examples.url], setupEnv(double.url, wrangler));
			expect(result.code, result.stdout + result.stderr).toBe(0);
			expect(wrangler.puts().map((p) => p.name)).toEqual(["STRIPE_WEBHOOK_SECRET", "STRIPE_SECRET_KEY", "ADMIN_TOKEN"]);
			expect(wrangler.secret("ADMIN_TOKEN")).not.toBe("change-me-to-a-long-random-string");
			expect(result.stdout).toContain("ADMIN_TOKEN: stored (generated: the worker refused its token as unsafe).");
		} finally {
			await examples.stop();
		}
	});

	it("runs as npm run stripe:setup, and refuses to start without a key or a URL", async () => {
		const env = { STRIPE_API_URL: double.url, STRIPE_SECRET_KEY: "sk_test_setup" };
		const ok = await run("npm", ["run", "--silent", "stripe:setup", "--", worker.url, "--print"], env);
		expect(ok.code, ok.stdout + ok.stderr).toBe(0);
		expect(ok.stdout).toContain(`for ${hook}: created`);
		const noKey = await run("npm", ["run", "--silent", "stripe:setup", "--", worker.url], { ...env, STRIPE_SECRET_KEY: "" });
		expect(noKey.code).toBe(2);
		expect(noKey.stderr).toContain("STRIPE_SECRET_KEY is not set");
		const noUrl = await run("npm", ["run", "--silent", "stripe:setup"], env);
		expect(noUrl.code).toBe(2);
		expect(noUrl.stderr).toContain("usage: npm run stripe:setup -- <worker-url>");
	});
});
