// The built widget: inside the size budget, and free of what a strict CSP or a
// careful publisher would refuse. `npm test` builds it first.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { WIDGET_GZIP_BUDGET as BUDGET_GZIP } from "../../widget/budget.mjs";

const js = readFileSync(resolve(import.meta.dirname, "../../widget/dist/widget.js"), "utf8");

describe("widget.js", () => {
	it(`stays within ${BUDGET_GZIP} bytes gzipped`, () => {
		const gzip = gzipSync(js, { level: 9 }).length;
		const brotli = brotliCompressSync(js).length;
		console.log(`widget.js: ${Buffer.byteLength(js)} B raw, ${gzip} B gzip, ${brotli} B brotli`);
		expect(gzip).toBeLessThanOrEqual(BUDGET_GZIP);
	});

	it("uses no eval, string timers, cookies, session storage, innerHTML or <style> elements", () => {
		for (const banned of [
			"eval(",
			"new Function",
			"document.cookie",
			"sessionStorage",
			"innerHTML",
			"insertAdjacentHTML",
			'createElement("style")',
			"document.write",
		]) {
			expect([banned, js.includes(banned)]).toEqual([banned, false]);
		}
		expect(js).toContain("adoptedStyleSheets");
		// localStorage only for the opt-in data-remember-days, in one place (widget/src/remember.ts);
		// test/browser/widget.test.ts checks that a page without the attribute stores nothing.
		expect(js.match(/localStorage/g)?.length).toBe(2);
	});
});
