// What the embed snippet costs a publisher's page, in a real Chromium: when
// the text right below the widget is first painted (Element Timing), with the
// README's first snippet (a parser-blocking script tag), with the same tag
// `async`, and with no widget at all, on a reader's first and repeat view,
// over loopback and over a throttled connection; and the layout shift each
// leaves. The host page is on another origin with the README's strict CSP and
// no CSS of its own.
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { HostPages } from "../test/browser/pages.ts";
import { strictCsp } from "../test/browser/pages.ts";
import { launchBrowser } from "../test/support/browser.ts";
import { firstSnippet } from "../test/support/readme.ts";
import { median, round, sleep } from "./env.ts";

/** Lighthouse's mobile throttling: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up. */
export const THROTTLED = { latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

export type Variant = "none" | "blocking" | "async";
export type Network = "loopback" | "throttled";

const BELOW = '<p elementtiming="below">The text right below the widget.</p>';

function embed(variant: Variant, workerUrl: string): string {
	const snippet = firstSnippet(workerUrl);
	if (variant === "none") return BELOW;
	if (variant === "blocking") return `${snippet}\n${BELOW}`;
	return `${snippet.replace("></script>", " async></script>")}\n${BELOW}`;
}

const PROBE = `(() => {
	const m = { below: null, cls: 0, fcp: null };
	window.__snippet = m;
	new PerformanceObserver((list) => {
		for (const e of list.getEntries()) if (e.identifier === "below" && m.below === null) m.below = e.renderTime || e.loadTime;
	}).observe({ type: "element", buffered: true });
	new PerformanceObserver((list) => {
		for (const e of list.getEntries()) if (!e.hadRecentInput) m.cls += e.value;
	}).observe({ type: "layout-shift", buffered: true });
	new PerformanceObserver((list) => {
		for (const e of list.getEntries()) if (e.name === "first-contentful-paint") m.fcp = e.startTime;
	}).observe({ type: "paint", buffered: true });
})();`;

export interface SnippetSample {
	/** ms from navigation start until the paragraph below the widget was painted. */
	below: number | null;
	/** First contentful paint (the text above the widget), ms. */
	fcp: number | null;
	cls: number;
}

/** Layout shift of a first view at `width` px (loopback, the totals at once), for the widths the README names. */
export interface ShiftSample {
	variant: Variant;
	width: number;
	cls: number[];
}

export async function measureShiftByWidth(workerUrl: string, host: HostPages, samples = 3): Promise<ShiftSample[]> {
	const browser: Browser = await launchBrowser();
	const results: ShiftSample[] = [];
	try {
		for (const width of [320, 560, 1200]) {
			for (const variant of ["blocking", "async"] as const) {
				const result: ShiftSample = { variant, width, cls: [] };
				for (let i = 0; i < samples; i++) {
					const context = await browser.newContext({ viewport: { width, height: 800 } });
					await context.addInitScript(PROBE);
					try {
						const url = host.article(embed(variant, workerUrl), { csp: strictCsp(workerUrl) });
						result.cls.push(round((await view(context, url, "loopback", true)).cls, 4));
					} finally {
						await context.close();
					}
				}
				results.push(result);
			}
		}
		return results;
	} finally {
		await browser.close();
	}
}

async function view(context: BrowserContext, url: string, network: Network, widget: boolean): Promise<SnippetSample> {
	const page: Page = await context.newPage();
	const cdp = await context.newCDPSession(page);
	await cdp.send("Network.enable");
	if (network === "throttled") await cdp.send("Network.emulateNetworkConditions", { offline: false, ...THROTTLED });
	await page.goto(url, { waitUntil: "load" });
	if (widget) await page.locator("donation-widget [role=progressbar][aria-valuenow]").waitFor({ timeout: 20_000 });
	// The fill's transition and any late shift.
	await sleep(widget ? 1000 : 200);
	const sample = (await page.evaluate("window.__snippet")) as SnippetSample;
	await cdp.detach().catch(() => {});
	await page.close();
	return {
		below: sample.below === null ? null : round(sample.below),
		fcp: sample.fcp === null ? null : round(sample.fcp),
		cls: sample.cls,
	};
}

export interface SnippetCell {
	variant: Variant;
	network: Network;
	first: SnippetSample[];
	repeat: SnippetSample[];
}

/**
 * `samples` first views (fresh browser context: empty cache) per variant and
 * network, each followed by a repeat view in the same context.
 */
export async function measureSnippetCost(
	workerUrl: string,
	host: HostPages,
	options: { samples?: number; log?: (line: string) => void } = {},
): Promise<SnippetCell[]> {
	const samples = options.samples ?? 5;
	const log = options.log ?? (() => {});
	const browser: Browser = await launchBrowser();
	const cells: SnippetCell[] = [];
	try {
		for (const network of ["loopback", "throttled"] as const) {
			const row = (["none", "blocking", "async"] as const).map((variant): SnippetCell => ({ variant, network, first: [], repeat: [] }));
			// Sample by sample, every variant in turn: a drift of this shared machine hits them alike, and
			// sample i of one variant pairs with sample i of another (blockingCost).
			for (let i = 0; i < samples; i++) {
				for (const cell of row) {
					const url = host.article(embed(cell.variant, workerUrl), { csp: strictCsp(workerUrl) });
					const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
					await context.addInitScript(PROBE);
					try {
						cell.first.push(await view(context, url, network, cell.variant !== "none"));
						cell.repeat.push(await view(context, url, network, cell.variant !== "none"));
					} finally {
						await context.close();
					}
				}
			}
			for (const cell of row) {
				const s = summarizeCell(cell);
				log(
					`snippet ${cell.variant}, ${network}: text below painted at ${s.firstBelow} ms (first view), ${s.repeatBelow} ms (repeat); CLS ${s.clsMax}`,
				);
			}
			cells.push(...row);
		}
		return cells;
	} finally {
		await browser.close();
	}
}

export function summarizeCell(cell: SnippetCell) {
	const m = (values: (number | null)[]) => {
		const list = values.filter((v): v is number => v !== null);
		return list.length ? round(median(list)) : null;
	};
	return {
		firstBelow: m(cell.first.map((s) => s.below)),
		repeatBelow: m(cell.repeat.map((s) => s.below)),
		firstFcp: m(cell.first.map((s) => s.fcp)),
		clsMax: round(Math.max(...[...cell.first, ...cell.repeat].map((s) => s.cls)), 4),
		samples: cell.first.length,
	};
}

/**
 * The blocking snippet's cost over no widget: how many ms later the text below is painted, the median of
 * the differences between the samples taken side by side (sample i of each).
 */
export function blockingCost(cells: SnippetCell[], network: Network): { first: number | null; repeat: number | null } {
	const cell = (variant: Variant) => cells.find((c) => c.variant === variant && c.network === network);
	const none = cell("none");
	const blocking = cell("blocking");
	const paired = (pick: (c: SnippetCell) => SnippetSample[]) => {
		if (!none || !blocking) return null;
		const base = pick(none);
		const diffs = pick(blocking)
			.map((s, i) => (s.below === null || base[i]?.below == null ? null : s.below - (base[i]?.below as number)))
			.filter((d): d is number => d !== null);
		return diffs.length ? round(median(diffs)) : null;
	};
	return { first: paired((c) => c.first), repeat: paired((c) => c.repeat) };
}
