// The widget test harness, shared by widget.test.ts and widget-states.test.ts:
// the real worker (`wrangler dev`), a real Chromium, host pages on another
// origin, and helpers to open an article, answer the totals, and read the
// widget's parts from inside its shadow root.
import { resolve } from "node:path";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { CampaignSnapshot } from "../../src/domain/snapshot.ts";
import { launchBrowser } from "../support/browser.ts";
import { type RunningWorker, startWorker } from "../support/worker.ts";
import { type ArticleOptions, type HostPages, type PageOptions, startPages, watch, widgetClass } from "./pages.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const AXE = resolve(ROOT, "node_modules/axe-core/axe.min.js");
export const SHOTS = resolve(ROOT, "docs/screenshots");
export const TITLE = "Do you like this content? Consider helping us!";
export const CORS = { "access-control-allow-origin": "*" };
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Selectors for the widget's parts, by their class names in widget.css (the build shortens them). */
export const PART = {
	box: widgetClass("widget"),
	track: widgetClass("track"),
	fill: widgetClass("fill"),
	bubble: widgetClass("total"),
	pointer: widgetClass("pointer"),
	milestone: `${widgetClass("milestones")} span`,
	reached: widgetClass("reached"),
	presets: widgetClass("presets"),
	preset: `button${widgetClass("amount")}`,
};

/** The running pieces, set by useWidgetHarness() before the tests run. */
export const harness = {} as { worker: RunningWorker; browser: Browser; host: HostPages };
const contexts: BrowserContext[] = [];

/** Starts the worker, Chromium and the host pages for a test file; closes every page's context after each test. */
export function useWidgetHarness(vars: Record<string, string> = {}): void {
	beforeAll(async () => {
		[harness.worker, harness.browser, harness.host] = await Promise.all([startWorker({ vars }), launchBrowser(), startPages()]);
	});
	afterEach(async () => {
		await Promise.all(contexts.splice(0).map((context) => context.close()));
	});
	afterAll(async () => {
		await harness.browser?.close();
		await harness.worker?.stop();
		await harness.host?.stop();
	});
}

// ---------------------------------------------------------------- helpers

/** The worker's own snapshot type: a fixture the widget could never receive does not compile. */
export type CampaignData = CampaignSnapshot;

export function campaign(over: Partial<CampaignData> = {}): CampaignData {
	return {
		id: "main",
		title: TITLE,
		currency: "usd",
		currencyExponent: 2,
		amountStep: 1,
		goals: [250000, 500000],
		total: 349200,
		gifts: 349200,
		donations: 57,
		amounts: [500, 1000, 2500, 5000],
		minAmount: 100,
		maxAmount: 1000000,
		match: null,
		feeCover: null,
		afterGoal: "ask",
		goalReachedText: "Goal reached — thank you!",
		status: "open",
		manageUrl: null,
		period: { id: 1, startedAt: "2026-01-01T00:00:00.000Z", endsAt: null },
		updatedAt: "2026-01-02T00:00:00.000Z",
		version: 1,
		...over,
	};
}

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
export const apiUrl = (id: string) => `${harness.worker.url}/api/campaigns/${id}`;
/** Matches the totals request of campaign `id`, whatever its query (the widget names the article in ?page=). */
export const totalsOf = (id: string) => (url: URL) => `${url.origin}${url.pathname}` === apiUrl(id);
export const script = (attrs = 'data-campaign="main"') => `<script src="${harness.worker.url}/widget.js" ${attrs} async></script>`;
export const container = (attrs = 'data-campaign="main"') => `<div data-donation-widget ${attrs}></div>`;
/** Containers only, and a script tag that just loads the widget (no data-campaign: it renders nothing in place). */
export const containers = (...attrs: string[]) =>
	[`<script src="${harness.worker.url}/widget.js" async></script>`, ...attrs.map(container)].join("\n");
/** Intl puts no-break spaces between number and symbol: compare with plain spaces. */
export const plain = (text: string | null | undefined) => (text ?? "").replace(/[\u00a0\u202f]/g, " ");

/** Answers GET /api/campaigns/:id with `data` (CORS like the worker), optionally late. */
export async function answer(page: Page, id: string, data: unknown, options: { status?: number; delay?: number } = {}) {
	await page.route(totalsOf(id), async (route) => {
		if (options.delay) await sleep(options.delay);
		await route.fulfill({ status: options.status ?? 200, json: data, headers: CORS });
	});
}

export interface Opened {
	page: Page;
	issues: Awaited<ReturnType<typeof watch>>;
	url: string;
}

/**
 * A fresh browser context and page; `setup` runs before navigation (routes,
 * listeners); the article embeds `embed`. Nothing is awaited after goto.
 */
export async function open(
	embed: string,
	options: {
		context?: BrowserContextOptions;
		page?: ArticleOptions & PageOptions;
		query?: string;
		setup?: (page: Page) => Promise<void> | void;
	} = {},
): Promise<Opened> {
	const context = await harness.browser.newContext({ viewport: { width: 800, height: 900 }, ...options.context });
	contexts.push(context);
	const page = await context.newPage();
	const issues = await watch(page);
	await options.setup?.(page);
	const url = harness.host.article(embed, { hostStyles: true, ...options.page }) + (options.query ?? "");
	await page.goto(url);
	return { page, issues, url };
}

/** Waits until the widget inside `hostSelector` shows campaign data. */
export async function ready(page: Page, hostSelector = "donation-widget") {
	await page.locator(`${hostSelector} [role=progressbar][aria-valuenow]`).first().waitFor({ timeout: 15_000 });
}

export function expectClean(issues: Awaited<ReturnType<Opened["issues"]>>) {
	expect(issues.csp, "CSP violations").toEqual([]);
	expect(issues.refused, "CSP refusals in the console").toEqual([]);
	expect(issues.errors, "window.onerror / error events").toEqual([]);
	expect(issues.rejections, "unhandledrejection").toEqual([]);
	expect(issues.pageErrors, "pageerror").toEqual([]);
}

/** Reads facts about the first widget in `hostSelector` (from inside its shadow root). */
export function inspect(page: Page, hostSelector = "donation-widget") {
	return page.evaluate(
		([selector, part]) => {
			const root = document.querySelector(selector)?.shadowRoot;
			if (!root) throw new Error(`no shadow root in ${selector}`);
			const q = (s: string) => root.querySelector(s) as HTMLElement;
			const track = q("[role=progressbar]");
			const attrs = Object.fromEntries(Array.from(track.attributes, (a) => [a.name, a.value]));
			const label = root.getElementById(track.getAttribute("aria-labelledby") ?? "")?.textContent ?? null;
			const wrap = q(part.box);
			const labels = Array.from(root.querySelectorAll<HTMLElement>(part.milestone), (s) => ({
				text: s.textContent,
				reached: s.matches(part.reached),
				visible: getComputedStyle(s).visibility === "visible",
			}));
			return {
				attrs,
				label,
				bubble: q(part.bubble)?.textContent ?? null,
				labels,
				presets: Array.from(root.querySelectorAll(part.preset), (b) => [b.textContent, b.getAttribute("aria-pressed")]),
				fill: getComputedStyle(q(part.fill)).transform,
				background: getComputedStyle(wrap).backgroundColor,
				status: q("[aria-live]")?.textContent ?? null,
				height: (document.querySelector(selector) as HTMLElement).getBoundingClientRect().height,
			};
		},
		[hostSelector, PART] as const,
	);
}
