// `npm run doctor -- <worker-url> [--admin-token T]` against two real workers
// (`wrangler dev`) and the Stripe double:
// - set up right: the way a publisher gets there (stripe:setup made the
//   endpoint and the secrets, the worker runs with them), proven by a real
//   signed delivery being counted; the doctor finds no problem;
// - set up wrong: by hand (no webhook secret, an endpoint with missing events
//   on an old API version), and by accepting the Deploy to Cloudflare
//   button's example secrets (the worker refuses the example admin token);
//   the doctor names each problem and exits 1.
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completeSessionAndDeliver } from "../stripe/control.ts";
import { startStripeDouble } from "../stripe/server.ts";
import { freePort, type RunningWorker, startWorker } from "../support/worker.ts";
import { doctor, fakeWrangler, setupEnv, stripeSetup } from "./support.ts";

const EXAMPLE_TOKEN = "change-me-to-a-long-random-string";

let double: Awaited<ReturnType<typeof startStripeDouble>>;
let good: RunningWorker;
let broken: RunningWorker;
let examples: RunningWorker;
let goodToken: string;
let stripe: Stripe;

beforeAll(async () => {
	double = await startStripeDouble();
	const url = new URL(double.url);
	stripe = new Stripe("sk_test_doctor", { protocol: "http", host: url.hostname, port: Number(url.port) });

	// The good worker: stripe:setup first (its URL is known before it starts), then the worker with what it stored.
	const port = await freePort();
	const wrangler = fakeWrangler();
	const setup = await stripeSetup([`http://127.0.0.1:${port}`], setupEnv(double.url, wrangler, "sk_test_doctor"));
	if (setup.code !== 0) throw new Error(`stripe:setup failed:\n${setup.stdout}${setup.stderr}`);
	goodToken = "a-long-random-admin-token-for-the-doctor-test-0123456789";
	const brokenToken = "another-long-random-admin-token-for-the-doctor-test";
	const login = /STRIPE_PORTAL_LOGIN_URL = "([^"]+)"/.exec(setup.stdout)?.[1] ?? "";
	const broke = await freePort();
	[good, broken, examples] = await Promise.all([
		startWorker({
			port,
			vars: {
				STRIPE_API_URL: double.url,
				STRIPE_SECRET_KEY: wrangler.secret("STRIPE_SECRET_KEY") ?? "",
				STRIPE_WEBHOOK_SECRET: wrangler.secret("STRIPE_WEBHOOK_SECRET") ?? "",
				ADMIN_TOKEN: goodToken,
				ALLOWED_ORIGINS: "https://news.example",
				STRIPE_PORTAL_LOGIN_URL: login,
			},
		}),
		startWorker({
			port: broke,
			vars: { STRIPE_API_URL: double.url, STRIPE_SECRET_KEY: "sk_test_doctor", STRIPE_WEBHOOK_SECRET: "", ADMIN_TOKEN: brokenToken },
		}),
		// .dev.vars.example's values, as the Deploy to Cloudflare button pre-fills them.
		startWorker({
			vars: {
				STRIPE_API_URL: double.url,
				STRIPE_SECRET_KEY: "sk_test_replace_me",
				STRIPE_WEBHOOK_SECRET: "whsec_replace_me",
				ADMIN_TOKEN: EXAMPLE_TOKEN,
			},
		}),
	]);
	// Set up by hand, wrongly: two event types missing, an old API version.
	await stripe.webhookEndpoints.create({
		url: `${broken.url}/api/stripe/webhook`,
		enabled_events: ["checkout.session.completed", "invoice.paid", "charge.refunded", "refund.created", "refund.updated", "refund.failed"],
		api_version: "2025-03-31.basil",
	});
});

afterAll(async () => {
	await Promise.all([good?.stop(), broken?.stop(), examples?.stop()]);
	await double?.close();
});

/** The doctor's lines by level: "ok", "note", "PROBLEM". */
const lines = (stdout: string, level: "ok" | "note" | "PROBLEM") =>
	stdout
		.split("\n")
		.filter((line) => line.startsWith(`${level} `))
		.map((line) => line.slice(level.length).trim());

describe("npm run doctor on a worker set up right", () => {
	it("counts a real test donation: the endpoint stripe:setup made delivers, signed with the secret it stored", async () => {
		const res = await fetch(`${good.url}/api/campaigns/main/checkout`, {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ amount: 2500, interval: "once" }),
		});
		expect(res.status).toBe(200);
		const { id } = (await res.json()) as { id: string };
		const { events } = await completeSessionAndDeliver(double.url, id);
		const deliveries = events.flatMap((e) => e.deliveries).filter((d) => d.url === `${good.url}/api/stripe/webhook`);
		expect(deliveries.map((d) => [d.status, d.apiVersion])).toEqual([[200, Stripe.API_VERSION]]);
		await expect.poll(async () => ((await (await fetch(`${good.url}/api/campaigns/main`)).json()) as { total: number }).total).toBe(2500);
	});

	it("finds no problem, with the admin token", async () => {
		const result = await doctor([good.url, "--admin-token", goodToken]);
		expect(result.code, result.stdout + result.stderr).toBe(0);
		expect(lines(result.stdout, "PROBLEM")).toEqual([]);
		const ok = lines(result.stdout, "ok").join("\n");
		for (const what of [
			"health:",
			"totals (GET /api/campaigns/main): JSON (total 2500 in usd), CORS *, Cache-Control: public, max-age=10, s-maxage=30.",
			"widget.js:",
			"a static asset",
			"webhook (POST /api/stripe/webhook): refuses an unsigned event (400",
			"admin API without a token: closed (401), and its token is not the example one.",
			"STRIPE_SECRET_KEY: set (test mode).",
			"STRIPE_WEBHOOK_SECRET: set",
			"ADMIN_TOKEN: set, 32 characters or more, not the example.",
			`Stripe webhook endpoint: we_`,
			`for ${good.url}/api/stripe/webhook: enabled, the 11 event types the worker handles, API version 2026-10-28.endive.`,
			"customer portal: set up; STRIPE_PORTAL_LOGIN_URL is set.",
		]) {
			expect(ok).toContain(what);
		}
		// Only the tests' Stripe stand-in is worth a note.
		expect(lines(result.stdout, "note")).toEqual(["STRIPE_API_URL: set: the worker talks to that server instead of Stripe (tests only)."]);
		expect(result.stdout).toContain("No problems: the worker is set up right.");
		expect(result.stdout).not.toContain(goodToken);
	});

	it("checks what it can without a token, and says what it left out", async () => {
		const result = await doctor([good.url]);
		expect(result.code, result.stdout + result.stderr).toBe(0);
		expect(lines(result.stdout, "note")).toEqual([
			"configuration: not checked: pass --admin-token to check the secrets and Stripe's webhook endpoint.",
		]);
	});
});

describe("npm run doctor on a worker set up wrong", () => {
	it("names every problem of an endpoint made by hand and a missing secret, says how to fix them, and exits 1", async () => {
		const result = await doctor([broken.url, "--admin-token", "another-long-random-admin-token-for-the-doctor-test"]);
		expect(result.code, result.stdout + result.stderr).toBe(1);
		expect(lines(result.stdout, "PROBLEM")).toEqual([
			"webhook (POST /api/stripe/webhook): STRIPE_WEBHOOK_SECRET is not set: every gift Stripe reports is refused.",
			"STRIPE_WEBHOOK_SECRET: not set: no gift is counted.",
			expect.stringMatching(
				/^Stripe webhook endpoint: we_\w+: it does not send checkout\.session\.async_payment_succeeded, checkout\.session\.async_payment_failed, charge\.refund\.updated, charge\.dispute\.funds_withdrawn, charge\.dispute\.funds_reinstated \(those gifts, refunds or disputes would never count\); its API version is 2025-03-31\.basil, not 2026-10-28\.endive, which the worker's Stripe library pins\.$/,
			),
		]);
		expect(result.stdout).toContain(`fix: STRIPE_SECRET_KEY=sk_test_... npm run stripe:setup -- ${broken.url}`);
		expect(result.stdout).toContain("3 problems: the worker is not set up right yet.");
		expect(lines(result.stdout, "note")).toContain(
			"ALLOWED_ORIGINS: only local origins: after paying, donors land on the worker's thank-you page, not back on your article.",
		);
		const withoutToken = await doctor([broken.url]);
		expect(withoutToken.code).toBe(1);
		expect(lines(withoutToken.stdout, "PROBLEM").map((line) => line.split(":")[0])).toEqual(["webhook (POST /api/stripe/webhook)"]);
	});

	it("finds the webhook and the admin closed on a worker that kept the Deploy button's example secrets", async () => {
		for (const args of [[examples.url], [examples.url, "--admin-token", EXAMPLE_TOKEN]]) {
			const result = await doctor(args);
			expect(result.code, result.stdout + result.stderr).toBe(1);
			expect(lines(result.stdout, "PROBLEM")).toEqual([
				"webhook (POST /api/stripe/webhook): STRIPE_WEBHOOK_SECRET is not a Stripe signing secret (still the example value?): every gift Stripe reports is refused.",
				"admin API without a token: closed: the worker refuses its ADMIN_TOKEN (the public example value, or shorter than 32 characters).",
			]);
			expect(result.stdout).toContain(`fix: STRIPE_SECRET_KEY=sk_test_... npm run stripe:setup -- ${examples.url}  (it generates one)`);
		}
	});

	it("says when the token is wrong, and when there is no worker at the URL", async () => {
		const wrongToken = await doctor([good.url, "--admin-token", "not-the-token"]);
		expect(wrongToken.code).toBe(1);
		expect(lines(wrongToken.stdout, "PROBLEM")).toEqual(["admin token: the worker refused the token you gave."]);
		const nothing = await doctor([`http://127.0.0.1:${await freePort()}`]);
		expect(nothing.code).toBe(1);
		expect(lines(nothing.stdout, "PROBLEM")).toEqual([expect.stringMatching(/^health: could not reach http:\/\/127\.0\.0\.1:\d+: /)]);
		const usage = await doctor([]);
		expect(usage.code).toBe(2);
	});
});
