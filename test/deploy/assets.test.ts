// The Workers Static Assets under `wrangler dev`: widget.js, admin.js and
// site.css come from dist/assets with the headers of site/_headers, without
// the worker running (the worker's secureHeaders would add its
// Content-Security-Policy; these answers have none). The vitest worker project
// cannot see them: its exports.default.fetch goes straight to the worker.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, startWorker } from "../support/worker.ts";

const ASSETS = resolve(import.meta.dirname, "../../dist/assets");

const EXPECTED: Record<string, { type: RegExp; cacheControl: string; corp: string; cors: string | null }> = {
	"/widget.js": {
		type: /^(text|application)\/javascript\b/,
		cacheControl: "public, max-age=300, stale-while-revalidate=86400",
		corp: "cross-origin",
		cors: "*",
	},
	"/admin.js": { type: /^(text|application)\/javascript\b/, cacheControl: "no-cache", corp: "same-origin", cors: null },
	"/site.css": { type: /^text\/css\b/, cacheControl: "public, max-age=3600", corp: "same-origin", cors: null },
};

let worker: RunningWorker;

beforeAll(async () => {
	worker = await startWorker();
});

afterAll(async () => {
	await worker?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${worker.url}${path}`, { headers });

describe("static assets", () => {
	for (const [path, expected] of Object.entries(EXPECTED)) {
		it(`serves ${path} from dist/assets with its caching and security headers, without the worker`, async () => {
			const res = await get(path, { Origin: "https://reader.example" });
			expect(res.status).toBe(200);
			expect(await res.text()).toBe(readFileSync(resolve(ASSETS, path.slice(1)), "utf8"));
			expect(res.headers.get("Content-Type")).toMatch(expected.type);
			expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
			expect(res.headers.get("Cache-Control")).toBe(expected.cacheControl);
			expect(res.headers.get("Cross-Origin-Resource-Policy")).toBe(expected.corp);
			expect(res.headers.get("Access-Control-Allow-Origin")).toBe(expected.cors);
			expect(res.headers.get("ETag")).toMatch(/^"[0-9a-f]{16,}"$/);
			// The worker's own answers all carry its CSP; an asset never ran it.
			expect(res.headers.get("Content-Security-Policy")).toBeNull();
		});
	}

	it("contrasts with the worker's own answers, which carry its Content-Security-Policy", async () => {
		for (const path of ["/healthz", "/api/campaigns/main", "/", "/admin"]) {
			const res = await get(path);
			await res.arrayBuffer();
			expect([path, res.status, res.headers.get("Content-Security-Policy")]).toEqual([
				path,
				200,
				expect.stringContaining("default-src 'none'"),
			]);
		}
	});

	it("lets browsers revalidate /widget.js with its ETag (304, no body, same headers)", async () => {
		const first = await get("/widget.js");
		const etag = first.headers.get("ETag") ?? "";
		await first.arrayBuffer();
		for (const ifNoneMatch of [etag, `W/${etag}`]) {
			const again = await get("/widget.js", { "If-None-Match": ifNoneMatch });
			expect([ifNoneMatch, again.status]).toEqual([ifNoneMatch, 304]);
			expect(await again.text()).toBe("");
			expect(again.headers.get("ETag")).toBe(etag);
			expect(again.headers.get("Cache-Control")).toBe(first.headers.get("Cache-Control"));
			expect(again.headers.get("Access-Control-Allow-Origin")).toBe("*");
			expect(again.headers.get("X-Content-Type-Options")).toBe("nosniff");
		}
		// Cloudflare's asset server compares one ETag: a list or "*" gets the whole file (a browser sends the one it has).
		for (const other of ['"something-else"', `"stale", ${etag}`, "*"]) {
			const changed = await get("/widget.js", { "If-None-Match": other });
			expect([other, changed.status]).toEqual([other, 200]);
			expect(changed.headers.get("ETag")).toBe(etag);
			await changed.arrayBuffer();
		}
	});

	it("compresses widget.js for browsers that accept it", async () => {
		const res = await fetch(`${worker.url}/widget.js`, { headers: { "Accept-Encoding": "gzip" } });
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Encoding")).toBe("gzip");
		await res.arrayBuffer();
	});

	it("keeps the pages that use them working: the demo article and the admin page link them", async () => {
		for (const [page, assets] of [
			["/", ["/site.css", "/widget.js"]],
			["/admin", ["/site.css", "/admin.js"]],
		] as const) {
			const html = await (await get(page)).text();
			for (const asset of assets) expect([page, html.includes(`"${asset}"`)]).toEqual([page, true]);
		}
	});
});
