// The admin page's funnel, charts and A/B test in Chromium, over a campaign
// with two weeks of gifts, six articles and a running test: light and dark,
// narrow and wide; the screenshots in the README come from here. Also: the
// page runs under its strict CSP with no violation, and the table sorts.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METADATA_KEYS } from "../../src/domain/metadata.ts";
import { checkoutSessionCompleted, signedDelivery } from "../stripe/events.ts";
import { startStripeDouble } from "../stripe/server.ts";
import { launchBrowser } from "../support/browser.ts";
import { type RunningWorker, startWorkerWithStripe } from "../support/worker.ts";
import { axeViolations, watch } from "./pages.ts";

const SECRET = "whsec_browseradminfunnel0123456789abcd";
const TOKEN = "browser-admin-token-charts-0123456789a";
const SHOTS = resolve(import.meta.dirname, "../../docs/screenshots");
const CAMPAIGN = "newsroom";
const SITE = "https://www.riverside-times.example";
const ARTICLES = [
	"/2026/11/bridge-repairs",
	"/2026/11/school-budget",
	"/2026/11/election-night",
	"/2026/11/flood-maps",
	"/2026/11/mayor-interview",
	"/2026/11/recipes",
];

let worker: RunningWorker;
let double: Awaited<ReturnType<typeof startStripeDouble>>;
let browser: Browser;

/** A repeatable sequence in [0, 1). */
function seeded(seed: number): () => number {
	let state = seed;
	return () => {
		state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
		return state / 2_147_483_648;
	};
}

async function adminPut(settings: object): Promise<void> {
	const res = await fetch(`${worker.url}/api/admin/campaigns/${CAMPAIGN}`, {
		method: "PUT",
		headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
		body: JSON.stringify(settings),
	});
	expect(res.status).toBe(200);
}

/** Two weeks of a campaign: loads per article (the worker draws the variants), some checkouts, and gifts on past days. */
async function seed(): Promise<void> {
	await adminPut({
		title: "Keep the Riverside Times independent",
		goals: [250_000, 500_000],
		test: {
			variants: [{ id: "a" }, { id: "b", title: "Local news needs you: chip in today", amounts: [700, 1_500, 3_000] }],
			mode: "even",
		},
	});
	const random = seeded(11);
	const loads = [420, 330, 270, 180, 120, 60];
	for (const [i, path] of ARTICLES.entries()) {
		const url = `${worker.url}/api/campaigns/${CAMPAIGN}?page=${encodeURIComponent(SITE + path)}`;
		for (let done = 0; done < (loads[i] ?? 0); done += 30)
			await Promise.all(Array.from({ length: 30 }, () => fetch(url).then((r) => r.arrayBuffer())));
	}
	for (let n = 0; n < 9; n++) {
		await fetch(`${worker.url}/api/campaigns/${CAMPAIGN}/checkout`, {
			method: "POST",
			headers: { "content-type": "application/json", origin: worker.url },
			body: JSON.stringify({ amount: 2_500, page: SITE + ARTICLES[n % 3], variant: n % 3 ? "b" : "a" }),
		});
	}
	const now = Math.floor(Date.now() / 1000);
	for (let g = 0; g < 70; g++) {
		const article = ARTICLES[Math.min(ARTICLES.length - 1, Math.floor(random() ** 1.6 * ARTICLES.length))] ?? "";
		const event = checkoutSessionCompleted({
			campaign: CAMPAIGN,
			amount: [1_000, 2_500, 5_000, 10_000][Math.floor(random() * 4)] ?? 1_000,
			page: SITE + article,
		});
		(event.data.object as { metadata: Record<string, string> }).metadata[METADATA_KEYS.variant] = random() < 0.3 ? "a" : "b";
		event.created = now - Math.floor((13 - (g * 13) / 70) * 86_400) - Math.floor(random() * 3_600);
		const { body, headers } = await signedDelivery(event, SECRET);
		expect((await fetch(`${worker.url}/api/stripe/webhook`, { method: "POST", body, headers })).status).toBe(200);
	}
}

beforeAll(async () => {
	double = await startStripeDouble();
	worker = await startWorkerWithStripe(double.url, { webhookSecret: SECRET, adminToken: TOKEN }, { vars: { FUNNEL_FLUSH_MS: "100" } });
	browser = await launchBrowser();
	mkdirSync(SHOTS, { recursive: true });
	await seed();
});

afterAll(async () => {
	await browser?.close();
	await worker?.stop();
	await double?.close();
});

async function openAdmin(
	width: number,
	colorScheme: "light" | "dark",
	// For axe, which is injected as a script the page's CSP would refuse.
	bypassCSP = false,
): Promise<{ page: Page; issues: Awaited<ReturnType<typeof watch>> }> {
	const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme, bypassCSP });
	const page = await context.newPage();
	const issues = await watch(page);
	await page.goto(`${worker.url}/admin`);
	await page.getByLabel("Admin token").fill(TOKEN);
	await page.getByRole("button", { name: "Sign in" }).click();
	// The default campaign first; then ours.
	await expect.poll(() => page.locator("#title").inputValue()).toBe("Do you like this content? Consider helping us!");
	await expect.poll(() => page.locator("#audit li").count()).toBeGreaterThan(0);
	await page.locator("#campaign").selectOption(CAMPAIGN);
	await expect.poll(() => page.locator("#title").inputValue()).toBe("Keep the Riverside Times independent");
	await expect.poll(() => page.locator("#pages tbody tr").count(), { timeout: 10_000 }).toBe(ARTICLES.length);
	return { page, issues };
}

describe("the admin page's funnel", () => {
	it("shows the numbers, both charts, the articles and the test, under its CSP, and sorts the table", async () => {
		await expect
			.poll(
				async () => {
					const res = await fetch(`${worker.url}/api/admin/campaigns/${CAMPAIGN}/pages`, { headers: { authorization: `Bearer ${TOKEN}` } });
					return ((await res.json()) as { totals: { loads: number } }).totals.loads;
				},
				{ timeout: 10_000 },
			)
			.toBe(1_380);
		const { page, issues } = await openAdmin(1200, "light");
		expect(await page.locator("#chart-total svg path.line").count()).toBe(1);
		expect(await page.locator("#chart-total svg line.goal").count()).toBe(2);
		expect(await page.locator("#chart-daily svg rect.bar").count()).toBeGreaterThan(8);
		expect(await page.locator("#variants tbody tr").count()).toBe(2);
		expect(await page.locator("#verdict").textContent()).toMatch(/confidence|Too early/);
		const loadsOf = async () => (await page.locator("#pages tbody tr td:nth-child(2)").allTextContents()).map(Number);
		await page.locator("#pages th[data-sort=loads] button").click();
		expect(await loadsOf()).toEqual([420, 330, 270, 180, 120, 60]);
		await page.locator("#pages th[data-sort=loads] button").click();
		expect(await loadsOf()).toEqual([60, 120, 180, 270, 330, 420]);
		expect(await page.locator("#pages th[data-sort=loads]").getAttribute("aria-sort")).toBe("ascending");
		await page.locator("#pages th[data-sort=total] button").click();
		const seen = await issues();
		expect([...seen.csp, ...seen.refused, ...seen.errors, ...seen.pageErrors]).toEqual([]);
		await page.screenshot({ path: `${SHOTS}/admin-funnel-light-1200.png`, fullPage: true });
		await page.context().close();
	});

	for (const [width, scheme] of [
		[1200, "dark"],
		[390, "light"],
		[390, "dark"],
	] as const) {
		it(`renders at ${width} px in the ${scheme} theme`, async () => {
			const { page } = await openAdmin(width, scheme);
			// Nothing of the funnel's sticks out of the page (wide tables scroll inside their card).
			const wide = await page.evaluate(() =>
				Array.from(document.querySelectorAll("#funnel-numbers, .charts svg, .table-scroll, #test-form, #ab-test"))
					.filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
					.map((e) => `${e.tagName}#${e.id}.${e.className}`),
			);
			expect(wide).toEqual([]);
			// Nor does anything else: the page never scrolls sideways.
			expect(await page.evaluate(() => Math.max(document.body.scrollWidth, document.documentElement.scrollWidth))).toBeLessThanOrEqual(
				width,
			);
			await page.screenshot({ path: `${SHOTS}/admin-funnel-${scheme}-${width}.png`, fullPage: true });
			await page.context().close();
		});
	}

	it("has no axe violations, light and dark, wide and narrow", async () => {
		for (const [width, scheme] of [
			[1200, "light"],
			[390, "dark"],
		] as const) {
			const { page } = await openAdmin(width, scheme, true);
			expect([width, scheme, await axeViolations(page)]).toEqual([width, scheme, []]);
			await page.context().close();
		}
	});

	it("edits the A/B test through its form, then stops it; both audited", async () => {
		const { page } = await openAdmin(1200, "light");
		const settings = async () => {
			const res = await fetch(`${worker.url}/api/admin/campaigns/${CAMPAIGN}`, { headers: { authorization: `Bearer ${TOKEN}` } });
			return ((await res.json()) as { settings: { test?: { variants: object[] } } }).settings;
		};
		const variant2 = page.locator("fieldset", { hasText: "Variant 2" });
		await variant2.getByLabel("Title").fill("Chip in for local news");
		await variant2.getByLabel("Amounts").fill("8, 16");
		await variant2.getByLabel("Starts on").selectOption("month");
		await page.getByRole("button", { name: "Start or update the test" }).click();
		await expect
			.poll(async () => (await settings()).test?.variants[1])
			.toEqual({ id: "b", title: "Chip in for local news", amounts: [800, 1_600], interval: "month" });
		// The page reloads the campaign after a save: wait for it, or the reload refills what is typed next.
		await expect.poll(() => page.locator("#status").textContent()).toMatch(/^Test saved/);
		// A field the browser refuses is said, not sent.
		await variant2.getByLabel("Id").fill("B!");
		await page.getByRole("button", { name: "Start or update the test" }).click();
		await expect.poll(() => page.locator("#status").textContent()).toMatch(/^Not saved: Id/);
		await variant2.getByLabel("Id").fill("b");
		page.once("dialog", (dialog) => dialog.accept());
		await page.getByRole("button", { name: "Stop test without a winner" }).click();
		await expect.poll(async () => (await settings()).test).toBeUndefined();
		const audit = await fetch(`${worker.url}/api/admin/campaigns/${CAMPAIGN}/audit`, { headers: { authorization: `Bearer ${TOKEN}` } });
		const actions = ((await audit.json()) as { entries: { after: { test?: unknown } | null }[] }).entries.slice(0, 2);
		expect(actions.map((e) => (e.after && "test" in e.after ? "with test" : "without test"))).toEqual(["without test", "with test"]);
		await page.context().close();
	});
});
