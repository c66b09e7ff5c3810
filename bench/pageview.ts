// What the widget costs a reader's page view, in a real Chromium against the
// real worker: requests and bytes for /widget.js and /api/campaigns/* on a
// first and a repeat view of a publisher's article (another origin, embedding
// the README's first snippet), how many of them ran the worker (worker
// invocations: what Cloudflare bills) and how many were static assets,
// cookies, the time from the script starting to the bar being painted with
// the total, and cumulative layout shift.
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { launchBrowser } from "../test/support/browser.ts";
import { median, round, sleep } from "./env.ts";

/** Installed before any page script: layout shifts, the widget's start and the first frame showing the total. */
const PROBE = `(() => {
	const m = { cls: 0, shifts: 0, start: null, valueAt: null, painted: null, value: null, text: null };
	window.__bench = m;
	try {
		new PerformanceObserver((list) => {
			for (const e of list.getEntries()) if (!e.hadRecentInput) { m.cls += e.value; m.shifts += 1; }
		}).observe({ type: "layout-shift", buffered: true });
	} catch {}
	const attach = Element.prototype.attachShadow;
	Element.prototype.attachShadow = function (init) {
		if (m.start === null && (this.localName === "donation-widget" || this.hasAttribute("data-donation-widget"))) m.start = performance.now();
		return attach.call(this, init);
	};
	const tick = () => {
		const host = document.querySelector("donation-widget, [data-donation-widget]");
		const bar = host && host.shadowRoot && host.shadowRoot.querySelector('[role="progressbar"]');
		const now = bar && bar.getAttribute("aria-valuenow");
		if (now !== null && now !== undefined && now !== "") {
			m.valueAt = performance.now();
			m.value = now;
			m.text = bar.getAttribute("aria-valuetext");
			// The frame that shows the value is painted after this callback; the next one starts after that paint.
			requestAnimationFrame(() => { m.painted = performance.now(); });
			return;
		}
		if (performance.now() < 30000) requestAnimationFrame(tick);
	};
	requestAnimationFrame(tick);
})();`;

interface Probe {
	cls: number;
	shifts: number;
	start: number | null;
	valueAt: number | null;
	painted: number | null;
	value: string | null;
	text: string | null;
}

export interface ViewSample {
	/** Requests for /widget.js and /api/campaigns/* that the page made (network or cache). */
	widgetRequests: number;
	/** Of those, answered by running the worker (its responses carry the worker's Content-Security-Policy). */
	workerInvocations: number;
	/** Of those, answered by Workers Static Assets without running the worker (no worker CSP). */
	assetRequests: number;
	/** Of those, answered over the network (not from the HTTP cache). */
	networkRequests: number;
	/** Bytes received over the network for them (CDP encodedDataLength: headers + body as sent). */
	networkBytes: number;
	/** Body bytes as sent (compressed if the response was), from the response headers/CDP. */
	bodyBytes: number;
	fromCache: number;
	/** Whether the totals request was answered from the browser's HTTP cache (null: no such request). */
	totalsFromCache: boolean | null;
	scriptFromCache: boolean | null;
	cookies: number;
	/** ms from navigation start. */
	scriptLoadedAt: number | null;
	scriptStartAt: number | null;
	totalsLoadedAt: number | null;
	paintedAt: number | null;
	/** When the progressbar first had aria-valuenow (ms from navigation start, seen by a rAF poll). */
	valueAt: number | null;
	/** painted - script start. */
	startToPaint: number | null;
	cls: number;
	shifts: number;
	value: string | null;
	valueText: string | null;
	inViewport: boolean;
	urls: string[];
}

interface Tracked {
	url: string;
	cached: boolean;
	/** The response came from the worker's code: every worker answer carries its CSP (secureHeaders); static assets have none. */
	ranWorker: boolean;
	bytes: number;
	body: number;
	encoding: string;
}

const isWidgetCost = (url: string) => /\/widget\.js(\?|$)/.test(url) || /\/api\/campaigns\//.test(url);

async function track(cdp: CDPSession) {
	const requests = new Map<string, Tracked>();
	await cdp.send("Network.enable");
	cdp.on("Network.requestWillBeSent", (e) => {
		if (isWidgetCost(e.request.url) && e.request.method !== "OPTIONS") {
			requests.set(e.requestId, { url: e.request.url, cached: false, ranWorker: false, bytes: 0, body: 0, encoding: "" });
		}
	});
	cdp.on("Network.requestServedFromCache", (e) => {
		const r = requests.get(e.requestId);
		if (r) r.cached = true;
	});
	cdp.on("Network.responseReceived", (e) => {
		const r = requests.get(e.requestId);
		if (!r) return;
		if (e.response.fromDiskCache || e.response.fromServiceWorker || e.response.fromPrefetchCache) r.cached = true;
		const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
		r.encoding = headers["content-encoding"] ?? "identity";
		r.ranWorker = !r.cached && headers["content-security-policy"] !== undefined;
	});
	cdp.on("Network.dataReceived", (e) => {
		const r = requests.get(e.requestId);
		if (r) r.body += e.encodedDataLength;
	});
	cdp.on("Network.loadingFinished", (e) => {
		const r = requests.get(e.requestId);
		if (r) r.bytes = r.cached ? 0 : e.encodedDataLength;
	});
	return requests;
}

function cachedState(tracked: Tracked[], pattern: RegExp): boolean | null {
	const hits = tracked.filter((r) => pattern.test(r.url));
	return hits.length ? hits.every((r) => r.cached) : null;
}

async function view(context: BrowserContext, url: string): Promise<ViewSample> {
	const page: Page = await context.newPage();
	const cdp = await context.newCDPSession(page);
	const requests = await track(cdp);
	await page.goto(url, { waitUntil: "load" });
	const deadline = Date.now() + 15_000;
	let probe = (await page.evaluate("window.__bench")) as Probe;
	while (probe.painted === null && Date.now() < deadline) {
		await sleep(50);
		probe = (await page.evaluate("window.__bench")) as Probe;
	}
	// Let late shifts (fonts, images, a late resize) show up before reading CLS.
	await sleep(1000);
	probe = (await page.evaluate("window.__bench")) as Probe;
	const timing = (await page.evaluate(`(() => {
		const pick = (re) => { const e = performance.getEntriesByType("resource").find((r) => re.test(r.name)); return e ? e.responseEnd : null; };
		const host = document.querySelector("donation-widget, [data-donation-widget]");
		const box = host ? host.getBoundingClientRect() : null;
		return {
			script: pick(/\\/widget\\.js/),
			totals: pick(/\\/api\\/campaigns\\//),
			inViewport: !!box && box.height > 0 && box.top < innerHeight && box.bottom > 0,
			documentCookie: document.cookie,
		};
	})()`)) as { script: number | null; totals: number | null; inViewport: boolean; documentCookie: string };
	const tracked = [...requests.values()];
	const cookies = (await context.cookies()).length + (timing.documentCookie ? 1 : 0);
	await cdp.detach().catch(() => {});
	await page.close();
	return {
		widgetRequests: tracked.length,
		workerInvocations: tracked.filter((r) => !r.cached && r.ranWorker).length,
		assetRequests: tracked.filter((r) => !r.cached && !r.ranWorker).length,
		networkRequests: tracked.filter((r) => !r.cached).length,
		networkBytes: tracked.reduce((a, r) => a + r.bytes, 0),
		bodyBytes: tracked.filter((r) => !r.cached).reduce((a, r) => a + r.body, 0),
		fromCache: tracked.filter((r) => r.cached).length,
		totalsFromCache: cachedState(tracked, /\/api\/campaigns\//),
		scriptFromCache: cachedState(tracked, /\/widget\.js/),
		cookies,
		scriptLoadedAt: timing.script === null ? null : round(timing.script),
		scriptStartAt: probe.start === null ? null : round(probe.start),
		totalsLoadedAt: timing.totals === null ? null : round(timing.totals),
		paintedAt: probe.painted === null ? null : round(probe.painted),
		valueAt: probe.valueAt === null ? null : round(probe.valueAt),
		startToPaint: probe.painted !== null && probe.start !== null ? round(probe.painted - probe.start) : null,
		cls: probe.cls,
		shifts: probe.shifts,
		value: probe.value,
		valueText: probe.text,
		inViewport: timing.inViewport,
		urls: tracked.map(
			(r) =>
				`${new URL(r.url).pathname} (${r.cached ? "HTTP cache" : `${r.ranWorker ? "worker" : "static asset"}, ${r.bytes} B on the wire, ${r.body} B body, ${r.encoding}`})`,
		),
	};
}

export interface PageViewResult {
	first: ViewSample[];
	repeat: ViewSample[];
	/** One repeat view after the totals' browser max-age (10 s) ran out. */
	repeatAfterMaxAge: ViewSample | null;
}

/**
 * `samples` first views of `pageUrl` (each in a fresh browser context: empty
 * HTTP cache, no cookies) and, in the same context, a repeat view right after
 * each one.
 */
export async function measurePageViews(
	pageUrl: string,
	samples = 5,
	options: { afterMaxAge?: boolean; log?: (line: string) => void } = {},
): Promise<PageViewResult> {
	const browser: Browser = await launchBrowser();
	const log = options.log ?? (() => {});
	try {
		const first: ViewSample[] = [];
		const repeat: ViewSample[] = [];
		let repeatAfterMaxAge: ViewSample | null = null;
		for (let i = 0; i < samples; i++) {
			const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
			await context.addInitScript(PROBE);
			try {
				first.push(await view(context, pageUrl));
				repeat.push(await view(context, pageUrl));
				if (i === samples - 1 && options.afterMaxAge) {
					log("waiting 11 s for the totals' max-age to run out ...");
					await sleep(11_000);
					repeatAfterMaxAge = await view(context, pageUrl);
				}
			} finally {
				await context.close();
			}
		}
		return { first, repeat, repeatAfterMaxAge };
	} finally {
		await browser.close();
	}
}

/** Medians of the numeric fields (nulls dropped). */
export function summarize(samples: ViewSample[]) {
	const m = (pick: (s: ViewSample) => number | null) => {
		const values = samples.map(pick).filter((v): v is number => v !== null);
		return values.length ? round(median(values)) : null;
	};
	return {
		samples: samples.length,
		widgetRequests: m((s) => s.widgetRequests),
		workerInvocations: m((s) => s.workerInvocations),
		assetRequests: m((s) => s.assetRequests),
		networkRequests: m((s) => s.networkRequests),
		networkBytes: m((s) => s.networkBytes),
		bodyBytes: m((s) => s.bodyBytes),
		cookiesMax: Math.max(...samples.map((s) => s.cookies)),
		scriptLoadedAt: m((s) => s.scriptLoadedAt),
		scriptStartAt: m((s) => s.scriptStartAt),
		totalsLoadedAt: m((s) => s.totalsLoadedAt),
		paintedAt: m((s) => s.paintedAt),
		valueAt: m((s) => s.valueAt),
		startToPaint: m((s) => s.startToPaint),
		clsMax: Math.max(...samples.map((s) => s.cls)),
		painted: samples.filter((s) => s.paintedAt !== null).length,
		totalsFromCache: samples.filter((s) => s.totalsFromCache === true).length,
		scriptFromCache: samples.filter((s) => s.scriptFromCache === true).length,
		inViewport: samples.every((s) => s.inViewport),
		urls: samples[0]?.urls ?? [],
		valueText: samples[0]?.valueText ?? null,
	};
}
