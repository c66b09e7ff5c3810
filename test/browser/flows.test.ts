// End-to-end in a real Chromium against `wrangler dev` and the Stripe double:
// the demo article, a donation through (the double of) Stripe Checkout, the
// signed webhook that counts it, and the admin page.
import { mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordedRequests } from "../stripe/control.ts";
import { checkoutSessionCompleted, signedDelivery } from "../stripe/events.ts";
import { CAMPAIGN_KEY, PAGE_KEY } from "../stripe/objects.ts";
import { startStripeDouble } from "../stripe/server.ts";
import { launchBrowser } from "../support/browser.ts";
import { type RunningWorker, startWorkerWithStripe } from "../support/worker.ts";
import { widgetClass } from "./pages.ts";

const SECRET = "whsec_browserflows0123456789abcdefghijk";
const TOKEN = "browser-admin-token-0123456789abcdefgh";
const SHOTS = resolve(import.meta.dirname, "../../docs/screenshots");

let worker: RunningWorker;
let double: Awaited<ReturnType<typeof startStripeDouble>>;
let browser: Browser;

beforeAll(async () => {
	double = await startStripeDouble();
	worker = await startWorkerWithStripe(double.url, { webhookSecret: SECRET, adminToken: TOKEN });
	browser = await launchBrowser();
	mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
	await browser?.close();
	await worker?.stop();
	await double?.close();
});

async function deliver(event: object): Promise<void> {
	const { body, headers } = await signedDelivery(event, SECRET);
	const res = await fetch(`${worker.url}/api/stripe/webhook`, { method: "POST", body, headers });
	expect(res.status).toBe(200);
}

/** A fresh reader: new context, so no HTTP cache from earlier views. */
async function openArticle(width = 900): Promise<Page> {
	const context = await browser.newContext({ viewport: { width, height: 900 } });
	const page = await context.newPage();
	await page.goto(`${worker.url}/`);
	await page.locator("[data-donation-widget] [role=progressbar][aria-valuetext]").waitFor();
	return page;
}

/** The admin API's answer (JSON) as the test's own client, with the bearer token. */
async function adminGet(path: string) {
	const res = await fetch(`${worker.url}/api/admin${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
	expect(res.status).toBe(200);
	// biome-ignore lint/suspicious/noExplicitAny: the test reads fields of several response shapes
	return (await res.json()) as any;
}

const bar = (page: Page) => page.locator("[data-donation-widget] [role=progressbar]");
const milestoneLabels = (page: Page) => page.locator(`[data-donation-widget] ${widgetClass("milestones")} span`).allTextContents();

describe("the demo article", () => {
	it("renders the sentence, the milestones 0 $, 2,500 $, 5,000 $ and the total", async () => {
		const page = await openArticle();
		expect(await page.locator("[data-donation-widget]").getByText("Do you like this content? Consider helping us!").isVisible()).toBe(true);
		expect(await milestoneLabels(page)).toEqual(["0 $", "2,500 $", "5,000 $"]);
		expect(await bar(page).getAttribute("aria-valuetext")).toBe("0 $ raised of 5,000 $");
		await page.context().close();
	});

	it("shows 3,492 $ once gifts summing to 349,200 cents are counted", async () => {
		for (const amount of [200_000, 100_000, 40_000, 9_200]) await deliver(checkoutSessionCompleted({ campaign: "main", amount }));
		const page = await openArticle(1200);
		expect(await bar(page).getAttribute("aria-valuetext")).toBe("3,492 $ raised of 5,000 $");
		expect(await bar(page).getAttribute("aria-valuenow")).toBe("3492");
		expect(await page.locator(`[data-donation-widget] ${widgetClass("total")}`).textContent()).toBe("3,492 $");
		// The README's pictures show the bar at rest, not midway through its fill animation.
		await page.emulateMedia({ reducedMotion: "reduce" });
		await page.locator("[data-donation-widget]").screenshot({ path: `${SHOTS}/demo-widget.png` });
		await page.screenshot({ path: `${SHOTS}/demo-article.png` });
		await page.context().close();
	});
});

describe("layout stability of the demo article", () => {
	for (const width of [360, 560, 700, 1200]) {
		for (const delay of [0, 1_000]) {
			it(`shifts nothing at ${width} px with the totals ${delay ? "1 s late" : "answering at once"}`, async () => {
				const context = await browser.newContext({ viewport: { width, height: 800 } });
				const page = await context.newPage();
				await page.addInitScript(() => {
					const w = window as unknown as { shifts: number[] };
					w.shifts = [];
					new PerformanceObserver((list) => {
						for (const entry of list.getEntries() as PerformanceEntry[] & { value: number }[]) w.shifts.push(entry.value);
					}).observe({ type: "layout-shift", buffered: true });
				});
				await page.route("**/api/campaigns/**", async (route) => {
					await new Promise((ok) => setTimeout(ok, delay));
					await route.continue();
				});
				await page.goto(`${worker.url}/`);
				await page.locator("[data-donation-widget] [role=progressbar][aria-valuetext]").waitFor();
				await page.waitForTimeout(300);
				const shifts = await page.evaluate(() => (window as unknown as { shifts: number[] }).shifts);
				expect(shifts).toEqual([]);
				await context.close();
			});
		}
	}

	it("would notice a shift (control: an element inserted above the text)", async () => {
		const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
		const page = await context.newPage();
		await page.goto(`${worker.url}/`);
		await page.locator("[data-donation-widget] [role=progressbar][aria-valuetext]").waitFor();
		const cls = await page.evaluate(async () => {
			let total = 0;
			new PerformanceObserver((list) => {
				for (const entry of list.getEntries() as PerformanceEntry[] & { value: number }[]) total += entry.value;
			}).observe({ type: "layout-shift" });
			const block = document.createElement("p");
			block.textContent = "inserted";
			block.style.height = "120px";
			document.querySelector("article")?.prepend(block);
			await new Promise((ok) => setTimeout(ok, 500));
			return total;
		});
		expect(cls).toBeGreaterThan(0);
		await context.close();
	});
});

describe("donating", () => {
	it("takes a reader from a preset amount to Checkout, and the signed webhook moves the bar", async () => {
		const page = await openArticle();
		await page.locator("[data-donation-widget]").getByRole("button", { name: "10 $" }).click();
		await page.locator("[data-donation-widget]").getByRole("button", { name: "Donate" }).click();
		await page.waitForURL(`${double.url}/c/pay/**`);
		expect(await page.title()).toBe("Checkout (Stripe test double)");
		const sessionId = new URL(page.url()).pathname.split("/").pop() ?? "";

		const [sent] = await recordedRequests(double.url, { path: "/v1/checkout/sessions", method: "POST", campaign: "main" });
		expect(sent?.params).toMatchObject({
			mode: "payment",
			submit_type: "donate",
			line_items: [{ price_data: { currency: "usd", unit_amount: "1000" } }],
			metadata: { [CAMPAIGN_KEY]: "main", [PAGE_KEY]: `${worker.url}/` },
			payment_intent_data: { metadata: { [CAMPAIGN_KEY]: "main", [PAGE_KEY]: `${worker.url}/` } },
			success_url: `${worker.url}/?donation=success&session_id={CHECKOUT_SESSION_ID}`,
		});
		expect(sent?.headers.idempotencyKey).toMatch(/^checkout:main:[\w-]{8,}$/);

		// Stripe tells us the gift was paid, then sends the donor back.
		await deliver(checkoutSessionCompleted({ campaign: "main", amount: 1_000, sessionId, page: `${worker.url}/` }));
		await page.getByRole("link", { name: "Pay" }).click();
		await page.waitForURL(`${worker.url}/?donation=success**`);
		await expect.poll(() => page.locator("[data-donation-widget]").getByText("Thank you").count()).toBeGreaterThan(0);
		await page.context().close();

		const later = await openArticle();
		expect(await bar(later).getAttribute("aria-valuetext")).toBe("3,502 $ raised of 5,000 $");
		await later.context().close();
	});
});

describe("the admin page", () => {
	it("signs in, edits goals, resets with a confirmation, and the widget follows", async () => {
		const context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
		const page = await context.newPage();
		await page.goto(`${worker.url}/admin`);
		await page.getByLabel("Admin token").fill(TOKEN);
		await page.getByRole("button", { name: "Sign in" }).click();
		await expect.poll(() => page.locator("#title").inputValue()).toBe("Do you like this content? Consider helping us!");
		expect(await page.locator("#bar").textContent()).toContain("3,502");
		// The token never appears in the URL.
		expect(page.url()).toBe(`${worker.url}/admin`);

		await page.getByLabel(/^Goals/).fill("1000, 4000");
		await page.getByRole("button", { name: "Save" }).click();
		await expect.poll(() => page.locator("#status").textContent()).toContain("Saved");
		const article = await openArticle();
		expect(await milestoneLabels(article)).toEqual(["0 $", "1,000 $", "4,000 $"]);
		await article.context().close();

		const dialogs: string[] = [];
		page.on("dialog", (dialog) => {
			dialogs.push(dialog.type());
			void (dialog.type() === "prompt" ? dialog.accept("2000, 6000") : dialog.accept());
		});
		await page.getByRole("button", { name: /Start a new period/ }).click();
		await expect.poll(() => page.locator("#status").textContent()).toContain("New period started");
		expect(dialogs).toEqual(["prompt", "confirm"]);
		expect(await page.locator("#periods tbody tr").count()).toBe(2);
		expect(await page.locator("#periods tbody tr").first().textContent()).toContain("$3,502.00");
		// The old period's gifts are still a click away.
		const [download] = await Promise.all([
			page.waitForEvent("download"),
			page.getByRole("button", { name: "Export period 1 as CSV" }).click(),
		]);
		expect(download.suggestedFilename()).toBe("donations-main-period-1.csv");
		const csv = readFileSync(await download.path(), "utf8")
			.trim()
			.split("\n");
		expect(csv.length).toBeGreaterThan(1);
		expect(csv.every((line, i) => i === 0 || line.startsWith("1,"))).toBe(true);
		// The new period has no loads yet: its article table says so rather than showing nothing.
		await expect.poll(() => page.locator("#pages tbody").textContent()).toBe("No widget loads yet in this period.");
		await page.screenshot({ path: `${SHOTS}/admin.png`, fullPage: true });
		await context.close();

		const reset = await openArticle();
		expect(await milestoneLabels(reset)).toEqual(["0 $", "2,000 $", "6,000 $"]);
		expect(await bar(reset).getAttribute("aria-valuetext")).toBe("0 $ raised of 6,000 $");
		await reset.context().close();
	});

	it("edits every donor setting through the form, audited; refuses nonsense and keeps what was saved", async () => {
		const context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
		const page = await context.newPage();
		await page.goto(`${worker.url}/admin`);
		await page.getByLabel("Admin token").fill(TOKEN);
		await page.getByRole("button", { name: "Sign in" }).click();
		await expect.poll(() => page.locator("#title").inputValue()).not.toBe("");

		await page.getByLabel("Smallest gift (major units)").fill("2");
		await page.getByLabel("Largest gift (major units)").fill("500");
		await page.getByLabel("The widget starts on").selectOption("month");
		await page.getByLabel("Then", { exact: true }).selectOption("close");
		await page.getByLabel("What the widget says").fill("Goal met: thank you!");
		await page.getByLabel("Offer donors to add the fees").check();
		await page.getByLabel("Fee percent").fill("3.5");
		await page.getByLabel("Fixed fee per charge (major units)").fill("0.25");
		await page.getByLabel(/^Ends at/).fill("2030-01-01T12:00");
		await page.getByLabel(/^Sponsor who matches/).fill("Riverside Foundation");
		await page.getByLabel(/^Match percent/).fill("50");
		await page.getByLabel("Match cap (major units)").fill("1000");
		await page.getByRole("button", { name: "Save", exact: true }).click();
		await expect.poll(() => page.locator("#status").textContent()).toContain("Saved");

		const saved = await adminGet("/campaigns/main");
		expect(saved.settings).toMatchObject({
			minAmount: 200,
			maxAmount: 50_000,
			interval: "month",
			afterGoal: "close",
			goalReachedText: "Goal met: thank you!",
			feeCover: { enabled: true, percent: 3.5, fixed: 25 },
		});
		expect(saved.period.match).toEqual({ sponsor: "Riverside Foundation", percent: 50, cap: 100_000 });
		expect(new Date(saved.period.endsAt).getFullYear()).toBe(2030);
		const [last] = (await adminGet("/campaigns/main/audit")).entries;
		expect(last).toMatchObject({
			action: "update",
			after: { minAmount: 200, interval: "month", match: { sponsor: "Riverside Foundation" } },
		});

		// The widget starts on a monthly gift now.
		const article = await openArticle();
		await expect.poll(() => article.getByRole("button", { name: "Monthly" }).getAttribute("aria-pressed")).toBe("true");
		await article.context().close();

		// Nonsense changes nothing: a fee of 100 % the browser refuses itself, a smallest gift above the
		// largest the worker refuses in its own words.
		const audited = (await adminGet("/campaigns/main/audit")).entries.length;
		await page.getByLabel("Fee percent").fill("100");
		await page.getByRole("button", { name: "Save", exact: true }).click();
		expect(await page.locator("#fee-percent").evaluate((input: HTMLInputElement) => input.validity.valid)).toBe(false);
		await page.getByLabel("Fee percent").fill("3.5");
		await page.getByLabel("Smallest gift (major units)").fill("600");
		await page.getByRole("button", { name: "Save", exact: true }).click();
		await expect.poll(() => page.locator("#status").textContent()).toContain("minAmount must not exceed maxAmount");
		expect((await adminGet("/campaigns/main")).settings).toMatchObject({ minAmount: 200, feeCover: { percent: 3.5 } });
		expect((await adminGet("/campaigns/main/audit")).entries).toHaveLength(audited);

		// A fresh load shows what is stored.
		await page.reload();
		await expect.poll(() => page.locator("#min-amount").inputValue()).toBe("2");
		expect(await page.locator("#interval").inputValue()).toBe("month");
		expect(await page.locator("#fee-enabled").isChecked()).toBe(true);
		expect(await page.locator("#match-cap").inputValue()).toBe("1000");
		await context.close();
	});

	it("keeps the admin API closed to a wrong token", async () => {
		const res = await fetch(`${worker.url}/api/admin/campaigns`, { headers: { Authorization: "Bearer nope" } });
		expect(res.status).toBe(401);
	});
});
