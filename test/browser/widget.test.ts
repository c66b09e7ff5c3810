// The embeddable widget in a real Chromium, loaded from the real worker
// (`wrangler dev`) into host pages served from another origin. Campaign data
// with specific totals is answered by page.route where a test needs it; the
// rest comes from the worker itself.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page, Request, Route } from "playwright-core";
import { describe, expect, it } from "vitest";
import { strictCsp } from "./pages.ts";
import {
	AXE,
	answer,
	apiUrl,
	CORS,
	campaign,
	container,
	containers,
	expectClean,
	harness,
	inspect,
	open,
	PART,
	plain,
	ready,
	SHOTS,
	script,
	sleep,
	TITLE,
	totalsOf,
	UUID,
	useWidgetHarness,
} from "./widget-harness.ts";

useWidgetHarness();

// ---------------------------------------------------------------- tests

describe("embedding", () => {
	it("renders from the worker's origin on a strict-CSP host page with zero violations", async () => {
		const requests: string[] = [];
		const { page, issues } = await open(script(), {
			page: { csp: strictCsp(harness.worker.url), hostStyles: false },
			setup: (p) => {
				p.on("request", (r) => requests.push(r.url()));
			},
		});
		await ready(page);
		const info = await inspect(page);
		expect(new URL(page.url()).origin).not.toBe(harness.worker.url);
		// The worker's own campaign "main": goals [250000, 500000] cents.
		expect(info.attrs["aria-valuemax"]).toBe("5000");
		expect(info.label).toBe(TITLE);
		expect(info.labels.map((l) => plain(l.text))).toEqual(["0 $", "2,500 $", "5,000 $"]);
		// The adopted stylesheet applies under style-src 'none'.
		const look = await page.evaluate((part) => {
			const root = document.querySelector("donation-widget")?.shadowRoot as ShadowRoot;
			const w = getComputedStyle(root.querySelector(part.box) as Element);
			return {
				radius: w.borderTopLeftRadius,
				sheets: root.adoptedStyleSheets.length,
				styles: document.querySelectorAll("style").length + root.querySelectorAll("style").length,
			};
		}, PART);
		expect(look).toEqual({ radius: "12px", sheets: 1, styles: 0 });
		// The element sits right after its script tag.
		expect(await page.evaluate(() => document.querySelector("script[src$='/widget.js']")?.nextElementSibling?.tagName)).toBe(
			"DONATION-WIDGET",
		);
		// Only the host and the worker were contacted; no cookies, no storage.
		expect(requests.every((u) => u.startsWith(harness.host.url) || u.startsWith(harness.worker.url))).toBe(true);
		expect(await page.evaluate(() => ({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length }))).toEqual({
			cookie: "",
			local: 0,
			session: 0,
		});
		expectClean(await issues());

		// Control: the watcher does see a violation when there is one.
		await page.evaluate(() => {
			const style = document.createElement("style");
			style.textContent = "body { color: red }";
			document.head.append(style);
		});
		await expect.poll(async () => (await issues()).csp.join(" ")).toContain("style-src");
	});

	it("keeps every host style out and leaks none of its own", async () => {
		const { page, issues } = await open(script(), { setup: (p) => answer(p, "main", campaign()) });
		await ready(page);
		const styles = await page.evaluate((part) => {
			const root = document.querySelector("donation-widget")?.shadowRoot as ShadowRoot;
			const preset = getComputedStyle(root.querySelector(part.preset) as Element);
			const wrap = getComputedStyle(root.querySelector(part.box) as Element);
			const track = getComputedStyle(root.querySelector(part.track) as Element);
			return {
				presetBackground: preset.backgroundColor,
				presetFontSize: preset.fontSize,
				letterSpacing: wrap.letterSpacing,
				fontFamily: wrap.fontFamily,
				trackDisplay: track.display,
				trackHeight: track.height,
				hostParagraphFont: getComputedStyle(document.querySelector("p") as Element).fontFamily,
			};
		}, PART);
		// The host page says: button { background: hotpink !important; font-size: 30px }, * { letter-spacing },
		// and for every class the widget uses { display: none; height: 100px }, font: Georgia.
		expect(styles.presetBackground).not.toBe("rgb(255, 105, 180)");
		expect(styles.presetFontSize).toBe("14px");
		expect(styles.letterSpacing).toBe("normal");
		expect(styles.fontFamily).not.toContain("Georgia");
		expect(styles.trackDisplay).toBe("block");
		expect(styles.trackHeight).toBe("10px");
		expect(styles.hostParagraphFont).toContain("Georgia");
		expectClean(await issues());
	});
});

describe("layout stability", () => {
	// An async script can only insert the widget after the host page's first paint,
	// and that insertion pushes what follows down, whatever the widget does (a
	// publisher who wants none at all reserves the box's height in their CSS).
	// What the widget owns: from its first frame it has its final height, and
	// nothing moves after that, however late the data arrives.
	for (const delay of [0, 1000]) {
		it(`shifts no layout once inserted, with the API answering ${delay ? "after 1 s" : "at once"}`, async () => {
			const { page, issues } = await open(script(), {
				setup: async (p) => {
					await p.addInitScript(() => {
						const w = window as unknown as Layout;
						interface Layout {
							__shifts: { t: number; v: number }[];
							__painted: number;
							__firstHeight: number | null;
						}
						w.__shifts = [];
						w.__painted = Number.POSITIVE_INFINITY;
						w.__firstHeight = null;
						new PerformanceObserver((list) => {
							for (const entry of list.getEntries() as unknown as { startTime: number; value: number; hadRecentInput: boolean }[]) {
								if (!entry.hadRecentInput) w.__shifts.push({ t: entry.startTime, v: entry.value });
							}
						}).observe({ type: "layout-shift", buffered: true });
						// Runs right after the widget's script inserted and built it: before any data.
						new MutationObserver((_, observer) => {
							const el = document.querySelector("donation-widget");
							if (!el?.shadowRoot) return;
							observer.disconnect();
							w.__firstHeight = el.getBoundingClientRect().height;
							requestAnimationFrame(() =>
								requestAnimationFrame(() => {
									w.__painted = performance.now();
								}),
							);
						}).observe(document, { childList: true, subtree: true });
					});
					if (delay) {
						await p.route(totalsOf("main"), async (route) => {
							await sleep(delay);
							await route.continue();
						});
					}
				},
			});
			const layout = () =>
				page.evaluate(() => {
					const w = window as unknown as { __shifts: { t: number; v: number }[]; __painted: number; __firstHeight: number };
					return {
						after: w.__shifts.filter((s) => s.t > w.__painted).reduce((sum, s) => sum + s.v, 0),
						firstHeight: w.__firstHeight,
						painted: w.__painted,
					};
				});
			await expect.poll(async () => (await layout()).painted).toBeLessThan(Number.POSITIVE_INFINITY);
			const pending = await page.locator("donation-widget [role=progressbar][aria-valuenow]").count();
			if (delay) expect(pending, "the widget was painted before its data arrived").toBe(0);
			await ready(page);
			await sleep(1200); // the fill's transition
			const result = await layout();
			expect(result.after).toBe(0);
			expect((await page.locator("donation-widget").boundingBox())?.height).toBe(result.firstHeight);
			expectClean(await issues());

			// Control: the observer does report a shift of the paragraphs below the widget.
			await page.evaluate(() => {
				const block = document.createElement("div");
				block.textContent = "late ad";
				(document.querySelectorAll("article p")[1] as HTMLElement).before(block);
			});
			await expect.poll(async () => (await layout()).after).toBeGreaterThan(0);
		});
	}

	it("keeps the same height whatever the number of presets, and in the failure state", async () => {
		const { page } = await open(
			containers(
				'data-campaign="two"',
				'data-campaign="nine"',
				'data-campaign="main" data-amounts="1,2,3,5,8,13,21,34,55"',
				'data-campaign="broken"',
			),
			{
				context: { viewport: { width: 360, height: 1600 } },
				setup: async (p) => {
					await answer(p, "two", campaign({ amounts: [1000, 2000] }));
					await answer(p, "nine", campaign({ amounts: [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000] }));
					await answer(p, "main", campaign());
					await answer(p, "broken", { error: { code: "internal", message: "boom" } }, { status: 500 });
				},
			},
		);
		await ready(page, "[data-campaign=nine]");
		await ready(page, "[data-campaign=main]");
		await ready(page, "[data-campaign=two]");
		await page.locator("[data-campaign=broken] a").waitFor();
		const heights = await page.evaluate(() =>
			Array.from(document.querySelectorAll("[data-donation-widget]"), (el) => el.getBoundingClientRect().height),
		);
		expect(new Set(heights).size, `heights ${heights}`).toBe(1);
		// The nine presets scroll sideways inside their row rather than wrap.
		const row = await page.evaluate((presets) => {
			const a = document.querySelector("[data-campaign=nine]")?.shadowRoot?.querySelector(presets) as HTMLElement;
			return { scroll: a.scrollWidth > a.clientWidth, buttons: a.querySelectorAll("button").length };
		}, PART.presets);
		expect(row).toEqual({ scroll: true, buttons: 9 });
	});
});

describe("accessibility", () => {
	for (const theme of ["light", "dark", "auto"] as const) {
		it(`has no axe-core violations in the ${theme} theme`, async () => {
			const { page, issues } = await open(script(`data-campaign="main" data-theme="${theme}"`), {
				context: { colorScheme: theme === "auto" ? "dark" : "light", reducedMotion: "reduce" },
				setup: (p) => answer(p, "main", campaign()),
			});
			await ready(page);
			await page.addScriptTag({ path: AXE });
			const result = await page.evaluate(async () => {
				const axe = (window as unknown as { axe: { run(): Promise<AxeResult> } }).axe;
				interface AxeResult {
					violations: { id: string; help: string; nodes: { target: unknown; failureSummary?: string }[] }[];
					passes: { id: string; nodes: { target: unknown }[] }[];
				}
				const r = await axe.run();
				return {
					violations: r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => [n.target, n.failureSummary]) })),
					passes: r.passes.map((p) => ({ id: p.id, targets: JSON.stringify(p.nodes.map((n) => n.target)) })),
				};
			});
			expect(result.violations).toEqual([]);
			// Control: axe did look inside the shadow root (contrast and the progressbar's name).
			const inWidget = (id: string) => result.passes.find((p) => p.id === id)?.targets.includes("donation-widget");
			expect(inWidget("color-contrast")).toBe(true);
			expect(inWidget("aria-progressbar-name")).toBe(true);
			expectClean(await issues());
		});
	}

	it("exposes a named progressbar with min, max, now and a readable value text", async () => {
		const { page } = await open(script(), { setup: (p) => answer(p, "main", campaign({ total: 349200 })) });
		await ready(page);
		const info = await inspect(page);
		expect(info.attrs).toMatchObject({
			role: "progressbar",
			"aria-valuemin": "0",
			"aria-valuemax": "5000",
			"aria-valuenow": "3492",
			"aria-valuetext": "3,492 $ raised of 5,000 $",
		});
		expect(info.label).toBe(TITLE);
		// As the accessibility tree computes it (through the shadow root).
		await expect.poll(() => page.getByRole("progressbar", { name: TITLE, exact: true }).count()).toBe(1);
		await expect.poll(() => page.getByRole("group", { name: "Amount", exact: true }).count()).toBe(1);
		await expect.poll(() => page.getByRole("group", { name: "Frequency", exact: true }).count()).toBe(1);
		await expect.poll(() => page.getByRole("spinbutton", { name: "Other amount in USD", exact: true }).count()).toBe(1);
		await expect.poll(() => page.getByRole("button", { name: "10 $", pressed: true, exact: true }).count()).toBe(1);
		await expect.poll(() => page.getByRole("button", { name: "5 $", pressed: false, exact: true }).count()).toBe(1);
		await expect.poll(() => page.getByRole("button", { name: "Once", pressed: true, exact: true }).count()).toBe(1);
		await expect.poll(() => page.getByRole("button", { name: "Monthly", pressed: false, exact: true }).count()).toBe(1);
		expect(await page.locator("donation-widget [aria-live=polite]").count()).toBe(1);
	});

	it("reports the whole total beyond the last goal, on a bar stretched past it", async () => {
		const { page } = await open(script(), { setup: (p) => answer(p, "main", campaign({ total: 612345 })) });
		await ready(page);
		const info = await inspect(page);
		// The total sits at nine tenths of the stretched bar: 612,345 / 0.9 = 680,383.3, rounded up to a cent.
		expect([info.attrs["aria-valuenow"], info.attrs["aria-valuemax"]]).toEqual(["6123.45", "6803.84"]);
		expect(info.attrs["aria-valuetext"]).toBe("6,123.45 $ raised of 5,000 $");
	});

	it("works from the keyboard: Tab reaches every control, Space and Enter press them, focus is visible", async () => {
		const { page } = await open(script(), { setup: (p) => answer(p, "main", campaign()) });
		await ready(page);
		const focused = () =>
			page.evaluate(() => {
				const el = document.activeElement?.shadowRoot?.activeElement as HTMLElement | null | undefined;
				if (!el) return null;
				const style = getComputedStyle(el);
				return {
					name: el.getAttribute("aria-label") ?? el.textContent,
					pressed: el.getAttribute("aria-pressed"),
					outline: `${style.outlineStyle} ${style.outlineWidth}`,
				};
			});
		const order: (string | null | undefined)[] = [];
		for (let i = 0; i < 7; i++) {
			await page.keyboard.press("Tab");
			order.push((await focused())?.name);
		}
		expect(order).toEqual(["5 $", "10 $", "25 $", "50 $", "Other amount in USD", "Once", "Monthly"]);
		await page.keyboard.press("Tab");
		expect((await focused())?.name).toBe("Donate");

		// Back to the first preset: Space presses it.
		for (let i = 0; i < 7; i++) await page.keyboard.press("Shift+Tab");
		expect(await focused()).toMatchObject({ name: "5 $", pressed: "false", outline: "solid 2px" });
		await page.keyboard.press("Space");
		expect((await focused())?.pressed).toBe("true");
		await expect.poll(() => page.getByRole("button", { name: "10 $", pressed: false, exact: true }).count()).toBe(1);
		// Enter presses the next one.
		await page.keyboard.press("Tab");
		await page.keyboard.press("Enter");
		expect(await focused()).toMatchObject({ name: "10 $", pressed: "true" });
		await expect.poll(() => page.getByRole("button", { name: "5 $", pressed: false, exact: true }).count()).toBe(1);
		// And the frequency.
		for (let i = 0; i < 5; i++) await page.keyboard.press("Tab");
		expect((await focused())?.name).toBe("Monthly");
		await page.keyboard.press("Space");
		await expect.poll(() => page.getByRole("button", { name: "Monthly", pressed: true, exact: true }).count()).toBe(1);
		await expect.poll(() => page.getByRole("button", { name: "Once", pressed: false, exact: true }).count()).toBe(1);
	});

	it("honours prefers-reduced-motion", async () => {
		const { page } = await open(script(), { setup: (p) => answer(p, "main", campaign()) });
		await ready(page);
		const duration = () =>
			page.evaluate(
				(fill) =>
					getComputedStyle(document.querySelector("donation-widget")?.shadowRoot?.querySelector(fill) as Element).transitionDuration,
				PART.fill,
			);
		expect(await duration()).toBe("0.8s");
		await page.emulateMedia({ reducedMotion: "reduce" });
		expect(await duration()).toBe("0s");
	});
});

describe("money", () => {
	it("formats like the design by default: en-US digits, a space, the narrow symbol", async () => {
		const { page } = await open(containers('data-campaign="whole"', 'data-campaign="cents"'), {
			setup: async (p) => {
				await answer(p, "whole", campaign({ total: 349200 }));
				await answer(p, "cents", campaign({ total: 123450, amounts: [1250, 2000] }));
			},
		});
		await ready(page, "[data-campaign=whole]");
		await ready(page, "[data-campaign=cents]");
		// The loader tag (no data-campaign) renders nothing where it stands.
		expect(await page.locator("donation-widget").count()).toBe(0);
		const whole = await inspect(page, "[data-campaign=whole]");
		expect(plain(whole.bubble)).toBe("3,492 $");
		expect(whole.labels.map((l) => plain(l.text))).toEqual(["0 $", "2,500 $", "5,000 $"]);
		expect(whole.presets.map(([t]) => plain(t))).toEqual(["5 $", "10 $", "25 $", "50 $"]);
		const cents = await inspect(page, "[data-campaign=cents]");
		expect(plain(cents.bubble)).toBe("1,234.50 $");
		expect(cents.presets.map(([t]) => plain(t))).toEqual(["12.50 $", "20 $"]);
	});

	it("uses Intl for data-locale (de-DE)", async () => {
		const { page } = await open(script('data-campaign="main" data-locale="de-DE"'), {
			setup: (p) => answer(p, "main", campaign({ total: 349250 })),
		});
		await ready(page);
		const info = await inspect(page);
		expect(plain(info.bubble)).toBe("3.492,50 $");
		expect(info.labels.map((l) => plain(l.text))).toEqual(["0 $", "2.500 $", "5.000 $"]);
		expect(plain(info.attrs["aria-valuetext"] ?? "")).toBe("3.492,50 $ raised of 5.000 $");
	});

	it("takes the minor-unit exponent from the worker (Stripe's): JPY has none", async () => {
		const jpy = campaign({
			currency: "jpy",
			currencyExponent: 0,
			total: 349200,
			goals: [500000, 1000000],
			amounts: [500, 1000, 3000],
			minAmount: 100,
			maxAmount: 1000000,
		});
		const { page } = await open(containers('data-campaign="yen"', 'data-campaign="yen" data-locale="ja-JP"'), {
			setup: (p) => answer(p, "yen", jpy),
		});
		await ready(page, "[data-locale]");
		await ready(page, "[data-campaign=yen]:not([data-locale])");
		const info = await inspect(page, "[data-campaign=yen]:not([data-locale])");
		expect(plain(info.bubble)).toBe("349,200 ¥");
		expect(info.labels.map((l) => plain(l.text))).toEqual(["0 ¥", "500,000 ¥", "1,000,000 ¥"]);
		expect(info.presets.map(([t]) => plain(t))).toEqual(["500 ¥", "1,000 ¥", "3,000 ¥"]);
		expect(info.attrs).toMatchObject({ "aria-valuenow": "349200", "aria-valuemax": "1000000" });
		const ja = await inspect(page, "[data-locale]");
		expect(plain(ja.bubble)).toMatch(/^[¥￥]349,200$/);
	});

	it("shows ISK and HUF as Stripe writes them (two decimals in the API, whole units here)", async () => {
		const isk = campaign({ currency: "isk", total: 349_200, goals: [500_000, 1_000_000], amounts: [50_000, 100_000] });
		const huf = campaign({ currency: "huf", total: 349_250, goals: [1_000_000], amounts: [100_000, 250_050] });
		const { page } = await open(containers('data-campaign="isk"', 'data-campaign="huf"'), {
			setup: async (p) => {
				await answer(p, "isk", isk);
				await answer(p, "huf", huf);
			},
		});
		await ready(page, "[data-campaign=isk]");
		await ready(page, "[data-campaign=huf]");
		const krona = await inspect(page, "[data-campaign=isk]");
		expect(plain(krona.bubble)).toBe("3,492 kr");
		expect(krona.presets.map(([t]) => plain(t))).toEqual(["500 kr", "1,000 kr"]);
		const forint = await inspect(page, "[data-campaign=huf]");
		expect(plain(forint.bubble)).toBe("3,492.50 Ft");
		expect(forint.presets.map(([t]) => plain(t))).toEqual(["1,000 Ft", "2,500.50 Ft"]);
	});

	it("overrides the presets with data-amounts (major units)", async () => {
		const { page } = await open(script('data-campaign="main" data-amounts="3, 7.5,20"'), {
			setup: (p) => answer(p, "main", campaign()),
		});
		await ready(page);
		expect((await inspect(page)).presets.map(([t]) => plain(t))).toEqual(["3 $", "7.50 $", "20 $"]);
	});

	it("leaves out data-amounts the campaign would refuse (below its smallest, above its largest gift, not numbers)", async () => {
		const { page } = await open(script('data-campaign="main" data-amounts="-1,abc,1e9,0.001,5, 10000.01"'), {
			setup: (p) => answer(p, "main", campaign({ minAmount: 100, maxAmount: 1_000_000 })),
		});
		await ready(page);
		expect((await inspect(page)).presets.map(([t]) => plain(t))).toEqual(["5 $"]);
	});
});

describe("themes", () => {
	const WHITE = "rgb(255, 255, 255)";
	const DARK = "rgb(27, 30, 36)";

	it("is light by default (even in a dark OS) and dark with data-theme=dark", async () => {
		const { page } = await open(containers('data-campaign="main"', 'data-campaign="main" data-theme="dark"'), {
			context: { colorScheme: "dark" },
			setup: (p) => answer(p, "main", campaign()),
		});
		await ready(page, "[data-theme=dark]");
		await ready(page, "[data-donation-widget]:not([data-theme])");
		expect((await inspect(page, "[data-donation-widget]:not([data-theme])")).background).toBe(WHITE);
		expect((await inspect(page, "[data-theme=dark]")).background).toBe(DARK);
	});

	it("follows prefers-color-scheme live with data-theme=auto", async () => {
		const { page } = await open(script('data-campaign="main" data-theme="auto"'), {
			context: { colorScheme: "light" },
			setup: (p) => answer(p, "main", campaign()),
		});
		await ready(page);
		expect((await inspect(page)).background).toBe(WHITE);
		await page.emulateMedia({ colorScheme: "dark" });
		expect((await inspect(page)).background).toBe(DARK);
		await page.emulateMedia({ colorScheme: "light" });
		expect((await inspect(page)).background).toBe(WHITE);
	});
});

describe("many widgets", () => {
	it("renders every script tag and container once, with one totals request per campaign", async () => {
		const api: string[] = [];
		const { page, issues } = await open(
			[
				script('data-campaign="main"'),
				container('data-campaign="main"'),
				script('data-campaign="another"'),
				container('data-campaign="another" data-theme="dark"'),
			].join("\n"),
			{
				setup: async (p) => {
					p.on("request", (r: Request) => {
						if (r.url().includes("/api/")) api.push(`${r.method()} ${new URL(r.url()).pathname}`);
					});
					// "main" comes from the worker; "another" is not a worker campaign, so answer it here.
					await answer(p, "another", campaign({ id: "another", title: "Keep the night shift running", total: 120000 }));
				},
			},
		);
		await expect.poll(() => page.locator("[role=progressbar][aria-valuenow]").count()).toBe(4);
		expect(await page.locator("donation-widget").count()).toBe(2);
		await expect.poll(() => page.getByRole("progressbar", { name: "Keep the night shift running", exact: true }).count()).toBe(2);
		await expect.poll(() => page.getByRole("progressbar", { name: TITLE, exact: true }).count()).toBe(2);

		// Run the script again (a tag manager re-inserting it) and add one more container.
		await page.evaluate((src) => {
			const div = document.createElement("div");
			div.dataset.donationWidget = "";
			div.dataset.campaign = "main";
			document.querySelector("article")?.append(div);
			const again = document.createElement("script");
			again.src = src;
			document.head.append(again);
		}, `${harness.worker.url}/widget.js`);
		await expect.poll(() => page.locator("[role=progressbar][aria-valuenow]").count()).toBe(5);
		await sleep(300);
		expect(await page.locator("[role=progressbar]").count()).toBe(5);
		expect(await page.locator("donation-widget").count()).toBe(2);
		expect(api.sort()).toEqual(["GET /api/campaigns/another", "GET /api/campaigns/main"]);
		expectClean(await issues());
	});
});

describe("totals", () => {
	it("stretches the bar past the last goal so the total still sits on it, an empty bar with 0 $ at zero", async () => {
		const { page } = await open(containers('data-campaign="over"', 'data-campaign="zero"'), {
			context: { reducedMotion: "reduce" },
			setup: async (p) => {
				await answer(p, "over", campaign({ total: 612300 }));
				await answer(p, "zero", campaign({ total: 0 }));
			},
		});
		await ready(page, "[data-campaign=over]");
		await ready(page, "[data-campaign=zero]");
		const over = await inspect(page, "[data-campaign=over]");
		// Past the last goal the bar stretches: the total at nine tenths (612,300 of 680,334), the goal marked.
		expect(over.fill).toBe(`matrix(${(612_300 / 680_334).toFixed(6).replace(/0+$/, "")}, 0, 0, 1, 0, 0)`);
		expect(plain(over.bubble)).toBe("6,123 $");
		expect(over.labels.map((l) => l.reached)).toEqual([false, true, true]);
		const zero = await inspect(page, "[data-campaign=zero]");
		expect(zero.fill).toBe("matrix(0, 0, 0, 1, 0, 0)");
		expect(plain(zero.bubble)).toBe("0 $");
		expect(zero.attrs["aria-valuenow"]).toBe("0");
		expect(zero.labels.map((l) => l.reached)).toEqual([false, false, false]);
		// Half way: the fill is at 0.6984 of the track, the first milestone is marked reached.
		const { page: mid } = await open(script(), {
			context: { reducedMotion: "reduce" },
			setup: (p) => answer(p, "main", campaign({ total: 349200 })),
		});
		await ready(mid);
		const info = await inspect(mid);
		expect(info.fill).toBe("matrix(0.6984, 0, 0, 1, 0, 0)");
		expect(info.labels.map((l) => l.reached)).toEqual([false, true, false]);
	});

	const totals = [0, 1500, 100000, 240000, 249999, 250000, 262000, 349200, 480000, 499000, 500000, 9999900];
	for (const width of [320, 480, 800, 1200]) {
		it(`never lets the total or milestone labels collide at ${width} px`, async () => {
			const ids = totals.map((_, i) => `t${i}`);
			const { page } = await open(containers(...ids.map((id) => `data-campaign="${id}"`), 'data-campaign="crowded"'), {
				context: { viewport: { width, height: 900 }, reducedMotion: "reduce" },
				page: { width },
				setup: async (p) => {
					for (const [i, total] of totals.entries()) await answer(p, ids[i] as string, campaign({ total }));
					// Milestones too close to all be labelled at narrow widths.
					await answer(p, "crowded", campaign({ total: 260000, goals: [100000, 120000, 250000, 260000, 500000] }));
				},
			});
			for (const id of [...ids, "crowded"]) await ready(page, `[data-campaign=${id}]`);
			const problems = await page.evaluate((part) => {
				const found: string[] = [];
				const overlap = (a: DOMRect, b: DOMRect) => a.left < b.right + 4 && b.left < a.right + 4 && a.top < b.bottom && b.top < a.bottom;
				for (const host of Array.from(document.querySelectorAll<HTMLElement>("[data-donation-widget]"))) {
					const root = host.shadowRoot as ShadowRoot;
					const id = host.dataset.campaign;
					const box = (root.querySelector(part.box) as HTMLElement).getBoundingClientRect();
					const track = (root.querySelector(part.track) as HTMLElement).getBoundingClientRect();
					const bubble = (root.querySelector(part.bubble) as HTMLElement).getBoundingClientRect();
					const pointer = (root.querySelector(part.pointer) as HTMLElement).getBoundingClientRect();
					const labels = Array.from(root.querySelectorAll<HTMLElement>(part.milestone))
						.filter((s) => getComputedStyle(s).visibility === "visible")
						.map((s) => s.getBoundingClientRect());
					const ratio =
						Number(root.querySelector(part.track)?.getAttribute("aria-valuenow")) /
						Number(root.querySelector(part.track)?.getAttribute("aria-valuemax"));
					if (bubble.left < track.left - 0.5 || bubble.right > track.right + 0.5) found.push(`${id}: bubble outside the track`);
					if (bubble.left < box.left || bubble.right > box.right) found.push(`${id}: bubble outside the box`);
					if (bubble.bottom > track.top) found.push(`${id}: bubble over the track`);
					const end = track.left + ratio * track.width;
					const tip = (pointer.left + pointer.right) / 2;
					if (Math.abs(tip - Math.min(Math.max(end, track.left + 6), track.right - 6)) > 1)
						found.push(`${id}: pointer ${tip} not at ${end}`);
					for (const label of labels) {
						if (overlap(label, bubble)) found.push(`${id}: total over a milestone`);
						if (label.left < track.left - 0.5 || label.right > track.right + 0.5) found.push(`${id}: label outside the track`);
					}
					for (let i = 0; i < labels.length; i++)
						for (let j = i + 1; j < labels.length; j++)
							if (overlap(labels[i] as DOMRect, labels[j] as DOMRect)) found.push(`${id}: labels ${i} and ${j} overlap`);
					const first = labels[0] as DOMRect;
					const last = labels[labels.length - 1] as DOMRect;
					if (Math.abs(first.left - track.left) > 0.5) found.push(`${id}: 0 is not at the left`);
					// The last goal at the right edge, unless the total went past it (the bar stretches).
					const past = Number(root.querySelector(part.track)?.getAttribute("aria-valuenow")) > 5000;
					if (!past && Math.abs(last.right - track.right) > 0.5) found.push(`${id}: the last goal is not at the right`);
					if (past && last.right > track.right - 0.1 * track.width + last.width / 2 + 1)
						found.push(`${id}: the last goal is not under its mark`);
				}
				return found;
			}, PART);
			expect(problems).toEqual([]);
			// Crowded milestones: 0 and the last goal always show, some middle ones hide.
			const crowded = await inspect(page, "[data-campaign=crowded]");
			expect(crowded.labels[0]?.visible && crowded.labels[5]?.visible).toBe(true);
			if (width <= 480) expect(crowded.labels.filter((l) => !l.visible).length).toBeGreaterThan(0);
		});
	}
});

describe("donating", () => {
	/** Fulfils checkout requests after `delay` with a Checkout URL on the host server, recording them. */
	async function checkoutRoute(page: Page, reply: (route: Route) => Promise<void>) {
		const seen: { body: unknown; key: string | null; origin: string | null }[] = [];
		await page.route(`${apiUrl("main")}/checkout`, async (route) => {
			const req = route.request();
			if (req.method() === "OPTIONS") return route.fulfill({ status: 204, headers: { ...CORS, "access-control-allow-headers": "*" } });
			seen.push({ body: req.postDataJSON(), key: await req.headerValue("idempotency-key"), origin: await req.headerValue("origin") });
			await reply(route);
		});
		return seen;
	}

	it("posts the chosen amount once on a double click, with an Idempotency-Key, then goes to Checkout", async () => {
		const checkoutPage = harness.host.serve("/fake-checkout", "<!doctype html><title>Checkout</title><p>Checkout</p>");
		let seen: Awaited<ReturnType<typeof checkoutRoute>> = [];
		const { page, url } = await open(script(), {
			setup: async (p) => {
				await answer(p, "main", campaign());
				seen = await checkoutRoute(p, async (route) => {
					await sleep(400);
					await route.fulfill({ json: { id: "cs_test_1", url: checkoutPage }, headers: CORS });
				});
			},
		});
		await ready(page);
		await page.getByRole("button", { name: "Donate", exact: true }).dblclick();
		await page.waitForURL(checkoutPage);
		expect(seen).toHaveLength(1);
		const page_ = new URL(url);
		expect(seen[0]?.body).toEqual({ amount: 1000, interval: "once", returnUrl: url, page: page_.origin + page_.pathname });
		expect(seen[0]?.key).toMatch(UUID);
		expect(seen[0]?.origin).toBe(harness.host.url);
	});

	it("sends a custom amount in minor units and the monthly interval", async () => {
		let seen: Awaited<ReturnType<typeof checkoutRoute>> = [];
		const { page } = await open(script(), {
			setup: async (p) => {
				await answer(p, "main", campaign());
				seen = await checkoutRoute(p, (route) =>
					route.fulfill({ status: 400, json: { error: { code: "x", message: "Stop here." } }, headers: CORS }),
				);
			},
		});
		await ready(page);
		await page.getByRole("spinbutton", { name: "Other amount in USD", exact: true }).fill("12.5");
		await expect.poll(() => page.getByRole("button", { name: "10 $", pressed: true, exact: true }).count()).toBe(0);
		await page.getByRole("button", { name: "Monthly", exact: true }).click();
		await page.getByRole("button", { name: "Donate", exact: true }).click();
		await expect.poll(() => seen.length).toBe(1);
		expect(seen[0]?.body).toMatchObject({ amount: 1250, interval: "month" });
		// The answer has arrived (until then a second attempt is refused, by design).
		await expect.poll(() => page.locator("donation-widget [aria-live=polite]").textContent()).toBe("Stop here.");
		// Enter in the amount field donates too, with a fresh key after an answered attempt.
		await page.getByRole("spinbutton", { name: "Other amount in USD", exact: true }).press("Enter");
		await expect.poll(() => seen.length).toBe(2);
		expect(seen[1]?.key).not.toBe(seen[0]?.key);
	});

	it("validates the custom amount against the campaign's min and max without a request", async () => {
		let seen: Awaited<ReturnType<typeof checkoutRoute>> = [];
		const { page } = await open(script(), {
			setup: async (p) => {
				await answer(p, "main", campaign({ minAmount: 100, maxAmount: 1000000 }));
				seen = await checkoutRoute(p, (route) => route.abort());
			},
		});
		await ready(page);
		const input = page.getByRole("spinbutton", { name: "Other amount in USD", exact: true });
		for (const value of ["0.5", "10000.01"]) {
			await input.fill(value);
			await page.getByRole("button", { name: "Donate", exact: true }).click();
			await expect
				.poll(() => page.locator("donation-widget [aria-live=polite]").textContent())
				.toBe("Please enter an amount from 1 $ to 10,000 $.");
			await expect.poll(() => input.getAttribute("aria-invalid")).toBe("true");
		}
		await sleep(200);
		expect(seen).toHaveLength(0);
	});

	for (const [status, body, shown] of [
		[
			429,
			{ error: { code: "rate_limited", message: "Too many checkout attempts; please wait a minute." } },
			"Too many checkout attempts; please wait a minute.",
		],
		[502, { error: { code: "stripe_error", message: "Stripe could not start the checkout." } }, "Stripe could not start the checkout."],
		[503, "<html>Service Unavailable</html>", "The payment page could not be opened. Please try again."],
		[0, null, "The payment page could not be opened. Please try again."],
	] as const) {
		it(`shows a polite inline message on a checkout ${status ? `${status} answer` : "network failure"} and can retry`, async () => {
			const { page, issues } = await open(script(), {
				setup: async (p) => {
					await answer(p, "main", campaign());
					await checkoutRoute(p, (route) =>
						status === 0
							? route.abort("connectionrefused")
							: typeof body === "string"
								? route.fulfill({ status, body, contentType: "text/html", headers: CORS })
								: route.fulfill({ status, json: body, headers: CORS }),
					);
				},
			});
			await ready(page);
			const donate = page.getByRole("button", { name: "Donate", exact: true });
			await donate.click();
			await expect.poll(() => page.locator("donation-widget [aria-live=polite]").textContent()).toBe(shown);
			await expect.poll(() => donate.getAttribute("aria-disabled")).toBeNull();
			expect(new URL(page.url()).pathname).toMatch(/^\/article-/);
			expectClean(await issues());
		});
	}

	it("passes the real worker's CORS preflight and shows its error message", async () => {
		const answers: { status: number; body: string }[] = [];
		const { page, issues } = await open(script(), {
			setup: (p) => {
				p.on("response", async (res) => {
					if (res.url().endsWith("/checkout") && res.request().method() === "POST")
						answers.push({ status: res.status(), body: await res.text().catch(() => "") });
				});
			},
		});
		await ready(page);
		await page.getByRole("button", { name: "Donate", exact: true }).click();
		await expect.poll(() => answers.length).toBe(1);
		// No Stripe secret in this worker: an error JSON whose message the widget shows.
		const message = (JSON.parse(answers[0]?.body ?? "{}") as { error?: { message?: string } }).error?.message;
		expect(answers[0]?.status).toBeGreaterThanOrEqual(400);
		expect(message).toBeTruthy();
		await expect.poll(() => page.locator("donation-widget [aria-live=polite]").textContent()).toBe(message as string);
		expectClean(await issues());
	});

	it("thanks the donor back from Checkout with ?donation=success, and says nothing on cancel", async () => {
		const { page } = await open(script(), { query: "?donation=success", setup: (p) => answer(p, "main", campaign()) });
		await ready(page);
		// The thank-you takes the controls' place (announced: role=status).
		await expect.poll(() => page.locator("donation-widget [role=status]").textContent()).toBe("Thank you for your donation!");
		const { page: cancelled } = await open(script(), { query: "?donation=cancelled", setup: (p) => answer(p, "main", campaign()) });
		await ready(cancelled);
		await expect.poll(() => cancelled.locator("donation-widget [aria-live=polite]").textContent()).toBe("");
	});
});

describe("failure", () => {
	const modes: [string, string, (page: Page) => Promise<unknown>][] = [
		["the API is unreachable", "main", (p) => p.route(totalsOf("main"), (r) => r.abort("connectionrefused"))],
		["the API answers 500", "main", (p) => answer(p, "main", { error: { code: "internal", message: "boom" } }, { status: 500 })],
		["the campaign is unknown (the worker's 404)", "no-such-campaign", async () => {}],
		[
			"the API answers HTML",
			"main",
			(p) => p.route(totalsOf("main"), (r) => r.fulfill({ body: "<html>oops</html>", contentType: "text/html", headers: CORS })),
		],
		["the API answers JSON of another shape", "main", (p) => answer(p, "main", { hello: "world" })],
		["the API never answers", "main", (p) => p.route(totalsOf("main"), () => {})],
		// The bar draws (and shows its total), then the controls fail on the presets.
		["the campaign's presets are not a list", "main", (p) => answer(p, "main", { ...campaign(), amounts: 5 })],
	];
	for (const [name, id, setup] of modes) {
		it(`shows only a plain donate link in the reserved space when ${name}`, async () => {
			const { page, issues } = await open([script(`data-campaign="${id}"`), container('data-campaign="ok"')].join("\n"), {
				setup: async (p) => {
					await setup(p);
					await answer(p, "ok", campaign({ id: "ok" }));
				},
			});
			await page.locator(`donation-widget ${PART.box}`).waitFor();
			const before = await page.locator("donation-widget").boundingBox();
			const link = page.locator("donation-widget").getByRole("link", { name: "Donate", exact: true });
			await link.waitFor({ timeout: 9000 });
			expect(await link.getAttribute("href")).toBe(`${harness.worker.url}/donate/${id}`);
			// Nothing else of the widget is visible or reachable.
			await expect.poll(() => page.locator("donation-widget").getByRole("progressbar").count()).toBe(0);
			await expect.poll(() => page.locator("donation-widget").getByRole("button").count()).toBe(0);
			expect(await page.locator(`donation-widget ${PART.bubble}`).isVisible()).toBe(false);
			const after = await page.locator("donation-widget").boundingBox();
			expect(after?.height).toBe(before?.height);
			await ready(page, "[data-campaign=ok]");
			expect(after?.height).toBe((await page.locator("[data-campaign=ok]").boundingBox())?.height);
			await sleep(200);
			expectClean(await issues());
		});
	}
});

describe("a host page with polluted prototypes", () => {
	// Prototype pollution on the host page (say, a query-string parser that merges
	// `?__proto__[onfocus]=...`) sets enumerable properties that every plain object
	// or array inherits. The widget must read only its own properties: no inherited
	// name may become an attribute, a setting, an Intl or fetch option, or an answer.
	const payload = (what: string) => `window.__pwned=(window.__pwned||[]).concat('${what}')`;
	const handlers = [
		"onclick",
		"onfocus",
		"onfocusin",
		"onblur",
		"onmouseover",
		"onmouseenter",
		"onpointerdown",
		"onpointerenter",
		"onkeydown",
		"oninput",
		"onchange",
		"onsubmit",
		"ontransitionrun",
		"ontransitionend",
		"onanimationstart",
		"onload",
		"onerror",
	];
	const named: Record<string, string> = {
		...Object.fromEntries(handlers.map((name) => [name, payload(name)])),
		// Attributes that would carry script, style or hide things.
		href: `javascript:${payload("href")}`,
		src: `javascript:${payload("src")}`,
		formaction: `javascript:${payload("formaction")}`,
		style: "outline: 9px solid red; --pwned: 1",
		class: "pwned",
		id: "pwned",
		hidden: "pwned",
		slot: "pwned",
		tabindex: "pwned",
		// The widget's settings (data-campaign, data-theme, data-amounts, data-locale).
		campaign: "pwned",
		theme: "dark",
		amounts: "1,2,3",
		locale: "ar-EG",
		// Intl.NumberFormat options.
		notation: "compact",
		maximumSignificantDigits: "1",
		signDisplay: "always",
		numberingSystem: "arab",
		// fetch() options.
		credentials: "include",
		integrity: "sha256-pwned",
		mode: "no-cors",
		signal: "pwned",
		headers: "pwned",
		body: "pwned",
		// attachShadow() options.
		delegatesFocus: "pwned",
		serializable: "pwned",
		clonable: "pwned",
		// Fields an answer may leave out: the Checkout URL and the error message.
		url: "https://pwned.example/",
		error: "pwned",
		message: "pwned message",
	};
	const indexed: Record<string, string> = { 0: "pwned", 1: "pwned", "-1": "pwned", pwned: "pwned" };
	const cases: [string, Record<string, string>, Record<string, string>][] = [
		["Object.prototype with inline event handlers", Object.fromEntries(handlers.map((name) => [name, payload(name)])), {}],
		["Object.prototype with handlers, attributes and option names", named, {}],
		["Array.prototype and Object.prototype with index keys and extra enumerable properties", indexed, indexed],
	];

	/** A classic script that runs before the widget's. */
	const pollute = (objects: Record<string, string>, arrays: Record<string, string>) =>
		`<script>
for (const [name, value] of Object.entries(${JSON.stringify(objects)})) Object.prototype[name] = value;
for (const [name, value] of Object.entries(${JSON.stringify(arrays)})) Array.prototype[name] = value;
</script>`;

	/** Attributes in any widget's shadow root that the widget never sets, or that carry the payload. */
	const strays = (page: Page) =>
		page.evaluate(() => {
			const allowed = /^(class|id|role|type|placeholder|inputmode|min|max|step|novalidate|style|aria-[a-z]+)$/;
			const found: string[] = [];
			for (const host of Array.from(document.querySelectorAll("donation-widget, [data-donation-widget]"))) {
				for (const el of Array.from(host.shadowRoot?.querySelectorAll("*") ?? [])) {
					for (const { name, value } of Array.from(el.attributes)) {
						if (!allowed.test(name) || /pwned/i.test(value)) found.push(`<${el.localName}> ${name}="${value}"`);
					}
				}
			}
			return found;
		});

	for (const [what, objects, arrays] of cases) {
		it(`adds no attribute, runs no script and renders the same widget when the host polluted ${what}`, async () => {
			const gets: string[] = [];
			const posted: unknown[] = [];
			// A tag with data-campaign, a container without it (the default campaign), a tag that only loads the script.
			const { page, issues, url } = await open([pollute(objects, arrays), script(), containers("")].join("\n"), {
				setup: async (p) => {
					p.on("request", (r) => {
						if (r.url().includes("/api/") && r.method() === "GET") gets.push(new URL(r.url()).pathname);
					});
					await answer(p, "main", campaign());
					// Checkout answers 200 without a URL, and an error without a message: nothing may fill them in.
					await p.route(`${apiUrl("main")}/checkout`, async (route) => {
						const req = route.request();
						if (req.method() === "OPTIONS")
							return route.fulfill({ status: 204, headers: { ...CORS, "access-control-allow-headers": "*" } });
						posted.push(req.postDataJSON());
						await route.fulfill({ json: { error: { code: "no_url" } }, headers: CORS });
					});
				},
			});
			const widget = page.locator("donation-widget");
			await widget.locator("[role=progressbar]").first().waitFor({ state: "attached" });
			expect(await strays(page), "attributes on the structure").toEqual([]);

			await ready(page);
			await ready(page, "[data-donation-widget]");
			const info = await inspect(page);
			expect(info.label).toBe(TITLE);
			expect(plain(info.bubble)).toBe("3,492 $");
			expect(plain(info.attrs["aria-valuetext"])).toBe("3,492 $ raised of 5,000 $");
			expect(info.labels.map((l) => plain(l.text))).toEqual(["0 $", "2,500 $", "5,000 $"]);
			expect(info.presets.map(([text, pressed]) => [plain(text), pressed])).toEqual([
				["5 $", "false"],
				["10 $", "true"],
				["25 $", "false"],
				["50 $", "false"],
			]);
			expect(info.background).toBe("rgb(255, 255, 255)");
			// The container without data-campaign shows the default campaign, "main"; the loader tag shows nothing.
			expect(plain((await inspect(page, "[data-donation-widget]")).bubble)).toBe("3,492 $");
			expect(await page.locator("donation-widget").count()).toBe(1);
			expect(gets).toEqual(["/api/campaigns/main"]);
			const init = await page.evaluate(() => {
				const root = document.querySelector("donation-widget")?.shadowRoot as unknown as Record<string, unknown>;
				return { mode: root.mode, delegatesFocus: root.delegatesFocus, serializable: root.serializable, clonable: root.clonable };
			});
			expect(init).toEqual({ mode: "open", delegatesFocus: false, serializable: false, clonable: false });

			// Focus, hover and press the controls: an inline handler would run now.
			for (let i = 0; i < 8; i++) await page.keyboard.press("Tab");
			await widget.hover();
			await widget.getByRole("button", { name: "25 $", exact: true }).click();
			await expect.poll(() => widget.getByRole("button", { name: "25 $", pressed: true, exact: true }).count()).toBe(1);
			expect(await widget.getByRole("button", { name: "10 $", pressed: false, exact: true }).count()).toBe(1);
			await widget.getByRole("button", { name: "Donate", exact: true }).click();
			await expect
				.poll(() => page.locator("donation-widget [aria-live=polite]").textContent())
				.toBe("The payment page could not be opened. Please try again.");
			const here = new URL(url);
			expect(posted).toEqual([{ amount: 2500, interval: "once", returnUrl: url, page: here.origin + here.pathname }]);
			expect(page.url()).toBe(url);
			await sleep(1000); // the fill's transition has ended

			expect(await strays(page), "attributes after data and interaction").toEqual([]);
			expect(await page.evaluate(() => (window as unknown as { __pwned?: string[] }).__pwned ?? null), "handlers that ran").toBeNull();
			expectClean(await issues());
		});
	}
});

describe("screenshots", () => {
	const shots: [string, number, string][] = [
		["widget-light", 800, "light"],
		["widget-dark", 800, "dark"],
		["widget-320", 320, "light"],
		["widget-1200", 1200, "light"],
	];
	for (const [name, width, theme] of shots) {
		it(`saves docs/screenshots/${name}.png`, async () => {
			mkdirSync(SHOTS, { recursive: true });
			const { page } = await open(script(`data-campaign="main" data-theme="${theme}"`), {
				context: { viewport: { width, height: 700 }, reducedMotion: "reduce", deviceScaleFactor: 2 },
				page: { width },
				setup: (p) => answer(p, "main", campaign({ total: 349200 })),
			});
			await ready(page);
			await page.locator("donation-widget").screenshot({ path: resolve(SHOTS, `${name}.png`) });
			const box = await page.locator("donation-widget").boundingBox();
			expect(box?.width).toBeLessThanOrEqual(width);
		});
	}
});
