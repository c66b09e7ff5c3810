// The embed snippet the README shows first, taken from README.md as it is, on
// a publisher's page with no CSS of its own under the strict CSP the README
// documents (`style-src 'none'`): cumulative layout shift 0 at 320, 560 and
// 1200 px, with the totals answering at once and 1 s late. And what a first
// view costs the worker: one invocation (the totals); widget.js is a static
// asset.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser.ts";
import { firstSnippet } from "../support/readme.ts";
import { type RunningWorker, startWorker } from "../support/worker.ts";
import { type HostPages, startPages, strictCsp, watch } from "./pages.ts";

let worker: RunningWorker;
let browser: Browser;
let host: HostPages;

beforeAll(async () => {
	[worker, browser, host] = await Promise.all([startWorker(), launchBrowser(), startPages()]);
});

afterAll(async () => {
	await browser?.close();
	await worker?.stop();
	await host?.stop();
});

/** Records layout shifts from before the page's first byte. */
async function recordShifts(page: Page): Promise<() => Promise<number[]>> {
	await page.addInitScript(() => {
		const w = window as unknown as { __shifts: number[] };
		w.__shifts = [];
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
				if (!entry.hadRecentInput) w.__shifts.push(entry.value);
			}
		}).observe({ type: "layout-shift", buffered: true });
	});
	return () => page.evaluate(() => (window as unknown as { __shifts: number[] }).__shifts);
}

describe("the README's first embed snippet", () => {
	it("is a parser-blocking script tag (no async, no defer) with data-campaign, then a noscript link", () => {
		const snippet = firstSnippet("https://donate.example.org");
		expect(snippet).toBe(
			'<script src="https://donate.example.org/widget.js" data-campaign="main"></script>\n' +
				'<noscript><a href="https://donate.example.org/donate/main">Support our journalism</a></noscript>',
		);
	});

	for (const width of [320, 560, 1200]) {
		for (const delay of [0, 1_000]) {
			it(`shifts nothing at ${width} px on a page without CSS, strict CSP, totals ${delay ? "1 s late" : "at once"}`, async () => {
				const context = await browser.newContext({ viewport: { width, height: 800 } });
				try {
					const page = await context.newPage();
					const issues = await watch(page);
					const shifts = await recordShifts(page);
					const worker_: string[] = [];
					page.on("response", (res) => {
						if (res.url().startsWith(worker.url)) {
							const ranWorker = res.headers()["content-security-policy"] !== undefined;
							worker_.push(`${new URL(res.url()).pathname} ${res.status()} ${ranWorker ? "worker" : "static asset"}`);
						}
					});
					// The totals request names the article (?page=): match the path.
					const totals = (url: URL) => url.origin === worker.url && url.pathname === "/api/campaigns/main";
					await page.route(totals, async (route) => {
						if (delay) await new Promise((ok) => setTimeout(ok, delay));
						await route.continue();
					});
					await page.goto(host.article(firstSnippet(worker.url), { csp: strictCsp(worker.url) }));
					if (delay) {
						// Painted, its final size, and still waiting for the totals.
						await page.waitForTimeout(delay / 2);
						expect(await page.locator("donation-widget [role=progressbar][aria-valuenow]").count()).toBe(0);
					}
					await page.locator("donation-widget [role=progressbar][aria-valuenow]").waitFor({ timeout: 15_000 });
					await page.waitForTimeout(1_200); // the fill's transition
					expect(await shifts()).toEqual([]);
					const box = await page.locator("donation-widget").boundingBox();
					expect(box?.width).toBeGreaterThan(width - 60);
					// The text below the widget sits right under it.
					const below = await page.evaluate(() => {
						const widget = document.querySelector("donation-widget")?.getBoundingClientRect();
						const next = document.querySelector("donation-widget ~ p")?.getBoundingClientRect();
						return widget && next ? next.top - widget.bottom : null;
					});
					expect(below).toBeGreaterThanOrEqual(0);
					expect(below).toBeLessThan(40);
					const seen = await issues();
					expect(seen.csp).toEqual([]);
					expect(seen.refused).toEqual([]);
					expect(seen.errors).toEqual([]);
					// One worker invocation per first view: the totals. widget.js came from the static assets.
					expect(worker_).toEqual(["/widget.js 200 static asset", "/api/campaigns/main 200 worker"]);
				} finally {
					await context.close();
				}
			});
		}
	}

	it("would notice a shift (control: an element inserted above the text below the widget)", async () => {
		const context = await browser.newContext({ viewport: { width: 560, height: 800 } });
		try {
			const page = await context.newPage();
			const shifts = await recordShifts(page);
			await page.goto(host.article(firstSnippet(worker.url), { csp: strictCsp(worker.url) }));
			await page.locator("donation-widget [role=progressbar][aria-valuenow]").waitFor({ timeout: 15_000 });
			await page.evaluate(() => {
				const block = document.createElement("div");
				block.textContent = "late ad";
				document.querySelector("donation-widget")?.after(block);
			});
			await expect.poll(async () => (await shifts()).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
		} finally {
			await context.close();
		}
	});
});
