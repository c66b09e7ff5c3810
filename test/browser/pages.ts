// Host pages for the browser tests: a plain Node HTTP server on 127.0.0.1 (an
// origin other than the worker's) that serves article pages embedding the
// widget, optionally behind a Content-Security-Policy header; and a watcher
// that records what the host page would see go wrong: CSP violations,
// window.onerror, unhandled rejections and page errors.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import type { Page } from "playwright-core";

export interface PageOptions {
	/** Content-Security-Policy header value; none when absent. */
	csp?: string;
	/** Content type; text/html by default. */
	type?: string;
	status?: number;
}

export interface HostPages {
	/** e.g. http://127.0.0.1:41234 */
	url: string;
	/** Serves `body` at `path` (until replaced) and returns its absolute URL. */
	serve(path: string, body: string, options?: PageOptions): string;
	/** Serves an article page at a fresh path and returns its URL. */
	article(embed: string, options?: ArticleOptions & PageOptions): string;
	stop(): Promise<void>;
}

export interface ArticleOptions {
	title?: string;
	/** Width of the article column in CSS pixels (it never exceeds the viewport). */
	width?: number;
	/**
	 * Host CSS that would leak into the widget without isolation. An inline
	 * <style>, so leave it off on pages with a strict CSP (it would be blocked
	 * and reported as a violation of the host's own making).
	 */
	hostStyles?: boolean;
}

/** The strict policy of a publisher that only trusts the widget's origin. */
export const strictCsp = (workerOrigin: string): string =>
	`default-src 'none'; script-src ${workerOrigin}; connect-src ${workerOrigin}; style-src 'none'; img-src 'none'; form-action 'none'; base-uri 'none'`;

/** The widget's classes: each name in widget/src/widget.css -> the short name the build gave it (widget/dist/classes.json). */
const WIDGET_CLASSES: Record<string, string> = JSON.parse(
	readFileSync(resolve(import.meta.dirname, "../../widget/dist/classes.json"), "utf8"),
);

/** The selector of the widget's class that widget.css calls `name` (".total-row" there, ".x" in the build). */
export function widgetClass(name: string): string {
	const short = WIDGET_CLASSES[name];
	if (!short) throw new Error(`widget.css has no class .${name}`);
	return `.${short}`;
}

/** Every class of the widget, by both its names: ".total-row, .x, ...". */
const EVERY_WIDGET_CLASS = Object.entries(WIDGET_CLASSES)
	.flat()
	.map((name) => `.${name}`)
	.join(", ");

const HOST_CSS = `
	body { margin: 0; background: #f4f1ea; color: #222; font: 18px/1.6 Georgia, serif; }
	main { margin: 0 auto; padding: 24px 16px; box-sizing: border-box; }
	/* Deliberately hostile rules a theme might have: none of it may reach the widget. */
	* { letter-spacing: 0.02em; }
	p, div, span { text-transform: none; }
	button { background: hotpink !important; border: 5px dotted lime; font-size: 30px; }
	input { background: yellow; }
	${EVERY_WIDGET_CLASS} { background: red; height: 100px; display: none; }
	div { line-height: 3; }
`;

const LOREM =
	"Independent journalism takes time. This article is free to read, and the reporting behind it is paid for by readers like you.";

export function articleHtml(embed: string, options: ArticleOptions = {}): string {
	const width = options.width ?? 720;
	const style = options.hostStyles ? `<style>${HOST_CSS} main { max-width: ${width}px; }</style>` : "";
	// Without host CSS (strict-CSP pages) the column is as wide as the viewport.
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title ?? "An article"}</title>
${style}
</head>
<body>
<main>
<article>
<h1>${options.title ?? "An article"}</h1>
<p>${LOREM}</p>
${embed}
<p>${LOREM}</p>
<p>${LOREM}</p>
<p>${LOREM}</p>
</article>
</main>
</body>
</html>`;
}

export async function startPages(): Promise<HostPages> {
	const routes = new Map<string, { body: string; options: PageOptions }>();
	let count = 0;
	const server: Server = createServer((req, res) => {
		const path = (req.url ?? "/").split("?")[0] as string;
		const found = routes.get(path);
		if (!found) {
			res.writeHead(404, { "content-type": "text/plain" });
			res.end("not found");
			return;
		}
		const headers: Record<string, string> = {
			"content-type": found.options.type ?? "text/html; charset=utf-8",
			"cache-control": "no-store",
		};
		if (found.options.csp) headers["content-security-policy"] = found.options.csp;
		res.writeHead(found.options.status ?? 200, headers);
		res.end(found.body);
	});
	await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const serve = (path: string, body: string, options: PageOptions = {}) => {
		routes.set(path, { body, options });
		return url + path;
	};
	return {
		url,
		serve,
		article: (embed, options = {}) => serve(`/article-${++count}`, articleHtml(embed, options), options),
		stop: () =>
			new Promise<void>((ok) => {
				server.closeAllConnections();
				server.close(() => ok());
			}),
	};
}

export interface Issues {
	/** securitypolicyviolation events: "directive blockedURI" */
	csp: string[];
	/** window.onerror calls and error events */
	errors: string[];
	/** unhandledrejection events */
	rejections: string[];
	/** Playwright pageerror events (uncaught exceptions) */
	pageErrors: string[];
	/** console messages reporting a CSP refusal */
	refused: string[];
}

declare global {
	interface Window {
		__issues?: Pick<Issues, "csp" | "errors" | "rejections">;
	}
}

/**
 * Starts recording before any page script runs. Call before page.goto.
 * Returns a reader that collects everything recorded so far.
 */
export async function watch(page: Page): Promise<() => Promise<Issues>> {
	const pageErrors: string[] = [];
	const refused: string[] = [];
	page.on("pageerror", (error) => pageErrors.push(String(error)));
	page.on("console", (message) => {
		if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
	});
	await page.addInitScript(() => {
		const issues = { csp: [] as string[], errors: [] as string[], rejections: [] as string[] };
		window.__issues = issues;
		document.addEventListener(
			"securitypolicyviolation",
			(event) => issues.csp.push(`${event.violatedDirective} ${event.blockedURI}`),
			true,
		);
		window.onerror = (message) => {
			issues.errors.push(String(message));
		};
		window.addEventListener("error", (event) => issues.errors.push(`error event: ${event.message}`), true);
		window.addEventListener("unhandledrejection", (event) => issues.rejections.push(String(event.reason)));
	});
	return async () => {
		const inPage = await page.evaluate(() => window.__issues ?? { csp: [], errors: [], rejections: [] });
		return { ...inPage, pageErrors: [...pageErrors], refused: [...refused] };
	};
}

/** axe-core's violations on the page as "rule (nodes)" (axe is injected as a script: the page's CSP must allow it). */
export async function axeViolations(page: Page): Promise<string[]> {
	await page.addScriptTag({ path: resolve(import.meta.dirname, "../../node_modules/axe-core/axe.min.js") });
	return page.evaluate(async () => {
		const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe;
		return (await axe.run()).violations.map((v) => `${v.id} (${v.nodes.length})`);
	});
}
