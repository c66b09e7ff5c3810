// Donors in control, end to end in a real Chromium: the real worker (`wrangler
// dev`), the Stripe double as Stripe (its hosted Checkout and portal pages,
// and its own signed webhook deliveries to the worker's endpoint, registered
// the way `npm run stripe:setup` does), a publisher's article on another
// origin, and the admin API for the settings.
import type { Browser, Page } from "playwright-core";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HANDLED_EVENTS } from "../../src/stripe/handled-events.ts";
import { completeSessionAndDeliver, recordedRequests } from "../stripe/control.ts";
import { startStripeDouble } from "../stripe/server.ts";
import { launchBrowser } from "../support/browser.ts";
import { freePort, type RunningWorker, startWorker } from "../support/worker.ts";
import { type HostPages, startPages } from "./pages.ts";

const TOKEN = "donor-flows-admin-token-0123456789abcdef";
let worker: RunningWorker;
let double: Awaited<ReturnType<typeof startStripeDouble>>;
let browser: Browser;
let host: HostPages;
let endpoint: string;

beforeAll(async () => {
	[double, browser, host] = await Promise.all([startStripeDouble(), launchBrowser(), startPages()]);
	const port = await freePort();
	const url = new URL(double.url);
	const stripe = new Stripe("sk_test_donor_flows", { host: url.hostname, port: Number(url.port), protocol: "http" });
	// As `npm run stripe:setup` does: an endpoint for exactly the events the worker handles, and the portal.
	const created = await stripe.webhookEndpoints.create({
		url: `http://127.0.0.1:${port}/api/stripe/webhook`,
		enabled_events: [...HANDLED_EVENTS, "customer.subscription.deleted"],
	});
	endpoint = created.id;
	await stripe.billingPortal.configurations.create({
		features: { subscription_cancel: { enabled: true, mode: "immediately" }, payment_method_update: { enabled: true } },
		metadata: { donation_widget_portal: "1" },
	});
	worker = await startWorker({
		port,
		vars: {
			STRIPE_SECRET_KEY: "sk_test_donor_flows",
			STRIPE_WEBHOOK_SECRET: created.secret ?? "",
			ADMIN_TOKEN: TOKEN,
			STRIPE_API_URL: double.url,
			ALLOWED_ORIGINS: `http://127.0.0.1:${port},${host.url}`,
		},
	});
});

afterAll(async () => {
	await browser?.close();
	await worker?.stop();
	await double?.close();
	await host?.stop();
});

async function admin(path: string, method = "GET", json?: unknown) {
	const res = await fetch(`${worker.url}/api/admin${path}`, {
		method,
		headers: { Authorization: `Bearer ${TOKEN}`, ...(method === "GET" ? {} : { "Content-Type": "application/json" }) },
		body: json === undefined ? undefined : JSON.stringify(json),
	});
	if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
	return res.json();
}

const totals = async (id: string) => (await (await fetch(`${worker.url}/api/campaigns/${id}`)).json()) as { total: number; gifts: number };

/** A publisher's article with the widget for `campaign`, in a fresh context. */
async function article(campaign: string, clock?: number): Promise<Page> {
	const context = await browser.newContext({ viewport: { width: 800, height: 900 } });
	const page = await context.newPage();
	if (clock) await page.clock.install({ time: clock });
	await page.goto(host.article(`<script src="${worker.url}/widget.js" data-campaign="${campaign}"></script>`));
	await page.locator("donation-widget [role=progressbar][aria-valuetext]").waitFor();
	return page;
}

const widget = (page: Page) => page.locator("donation-widget");
const news = (page: Page) => page.locator("donation-widget [aria-live=polite]");
const message = (page: Page) => page.locator("donation-widget [role=status]");

/** Donate in the widget; completes the session at the double, which delivers its webhooks; returns the session. */
async function give(page: Page, choose: () => Promise<void>) {
	await choose();
	await widget(page).getByRole("button", { name: "Donate", exact: true }).click();
	await page.waitForURL(`${double.url}/c/pay/**`);
	const sessionId = new URL(page.url()).pathname.split("/").pop() ?? "";
	const { events } = await completeSessionAndDeliver(double.url, sessionId, { endpoints: [endpoint] });
	await page.reload();
	await page.getByRole("link", { name: "Pay" }).click();
	await page.waitForURL(`${host.url}/**donation=success**`);
	return { sessionId, events };
}

describe("donors in control", () => {
	it("gives monthly, sees the thank-you on a bar that has the gift, and cancels in the portal without anything subtracted", async () => {
		const id = `monthly-${Date.now()}`;
		await admin(`/campaigns/${id}`, "PUT", { title: "Keep the newsroom open" });
		const page = await article(id);
		const { sessionId, events } = await give(page, async () => {
			await widget(page).getByRole("button", { name: "Monthly" }).click();
			await widget(page).getByRole("button", { name: "25 $" }).click();
		});
		const [sent] = await recordedRequests(double.url, { path: "/v1/checkout/sessions", method: "POST", campaign: id });
		expect(sent?.params).toMatchObject({
			mode: "subscription",
			line_items: [{ price_data: { unit_amount: "2500", recurring: { interval: "month" } } }],
		});
		expect(events.map((e) => [e.type, e.deliveries?.[0]?.status])).toEqual([
			["checkout.session.completed", 200],
			["invoice.paid", 200],
		]);
		await expect.poll(() => message(page).textContent()).toBe("Thank you for your gift of 25 $!Manage your monthly gift");
		expect(await page.locator("donation-widget [role=progressbar]").getAttribute("aria-valuetext")).toBe("25 $ raised of 5,000 $");
		await widget(page).getByRole("button", { name: "Manage your monthly gift" }).click();
		await page.waitForURL(`${double.url}/p/session/**`);
		await page.getByRole("button", { name: "Cancel subscription" }).click();
		await expect.poll(async () => (await page.locator("li[data-status]").getAttribute("data-status")) ?? "").toBe("canceled");
		expect(sessionId).toMatch(/^cs_test_/);
		expect((await totals(id)).total).toBe(2_500);
		await page.context().close();
	});

	it("covers the fees: the exact extra goes to Checkout as its own line, and the bar counts the gift", async () => {
		const id = `fees-${Date.now()}`;
		await admin(`/campaigns/${id}`, "PUT", { feeCover: { enabled: true, percent: 2.9, fixed: 30 } });
		const page = await article(id);
		await widget(page).getByRole("button", { name: "10 $" }).click();
		expect(await widget(page).locator("label").textContent()).toBe("Add 0.61 $ so all 10 $ reach us");
		await give(page, () => widget(page).getByRole("checkbox").check());
		const [sent] = await recordedRequests(double.url, { path: "/v1/checkout/sessions", method: "POST", campaign: id });
		const lines = sent?.params.line_items as { price_data: { unit_amount: string } }[];
		expect(lines.map((l) => l.price_data.unit_amount)).toEqual(["1000", "61"]);
		await expect.poll(() => message(page).textContent()).toBe("Thank you for your gift of 10 $!");
		expect(await totals(id)).toMatchObject({ total: 1_000, gifts: 1_000 });
		await page.context().close();
	});

	it("says the goal is reached and keeps asking, then closes when the admin says so", async () => {
		const id = `goal-${Date.now()}`;
		await admin(`/campaigns/${id}`, "PUT", { goals: [1_000, 2_000] });
		const donor = await article(id);
		await give(donor, () => widget(donor).getByRole("button", { name: "25 $" }).click());
		await donor.context().close();
		const page = await article(id);
		expect(await news(page).textContent()).toBe("Goal reached — thank you!");
		expect(await widget(page).getByRole("button", { name: "Donate", exact: true }).isVisible()).toBe(true);
		await page.context().close();
		await admin(`/campaigns/${id}`, "PUT", { afterGoal: "close", goalReachedText: "We did it: thank you!" });
		const closed = await article(id);
		await expect.poll(() => message(closed).textContent()).toBe("We did it: thank you!");
		expect(await widget(closed).locator("button:visible").count()).toBe(0);
		await closed.context().close();
	});

	it("counts down before the deadline and shows the result after it, with a sponsor's match on the bar", async () => {
		const id = `deadline-${Date.now()}`;
		const endsAt = new Date(Date.now() + 3 * 86_400_000 + 3_600_000).toISOString();
		await admin(`/campaigns/${id}`, "PUT", { endsAt, match: { sponsor: "The Riverside Foundation", percent: 100, cap: 1_500 } });
		const donor = await article(id);
		await give(donor, () => widget(donor).getByRole("button", { name: "10 $" }).click());
		await donor.context().close();
		expect(await totals(id)).toMatchObject({ gifts: 1_000, total: 2_000 });
		const before = await article(id, Date.now());
		expect(await news(before).textContent()).toBe("Ends in 3 days · The Riverside Foundation doubles every gift up to 15 $");
		expect(await before.locator("donation-widget [role=progressbar]").getAttribute("aria-valuetext")).toBe(
			"20 $ raised of 5,000 $, 10 $ of it matched",
		);
		await before.context().close();
		const after = await article(id, Date.now() + 4 * 86_400_000);
		await expect.poll(() => message(after).textContent()).toBe("This campaign has ended: 20 $ raised. Thank you!");
		await after.context().close();
	});
});
