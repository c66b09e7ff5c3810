// Every state of the widget in a real Chromium: the ask with fee cover, a
// goal reached (keep asking, or closed), a deadline ahead and passed (with a
// controlled clock), a sponsor's match, the thank-you back from Checkout with
// the monthly donors' portal, and the opt-in memory of a recent gift. Each
// fits the same box (no layout shift), has no axe violations in light and
// dark, and runs under a strict CSP; the screenshots go to the README.
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations, strictCsp } from "./pages.ts";
import {
	answer,
	apiUrl,
	type CampaignData,
	CORS,
	campaign,
	containers,
	expectClean,
	harness,
	open,
	plain,
	ready,
	SHOTS,
	script,
	totalsOf,
	useWidgetHarness,
} from "./widget-harness.ts";

useWidgetHarness();

const LOOK = resolve(import.meta.dirname, "../../test-results/screenshots");
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1, 12);
const soon = new Date(NOW + 3 * DAY + 3_600_000).toISOString();

/** The campaign in each state, as the worker would answer it. */
const STATES: Record<string, Partial<CampaignData>> = {
	ask: {},
	"fee-cover": { feeCover: { percent: 2.9, fixed: 30 } },
	"goal-reached": { total: 612_300, gifts: 612_300 },
	closed: { total: 612_300, gifts: 612_300, afterGoal: "close", status: "closed", goalReachedText: "We made it. Thank you!" },
	"deadline-and-match": {
		total: 349_200,
		gifts: 299_200,
		match: { sponsor: "The Riverside Foundation", percent: 100, cap: 50_000, matched: 50_000 },
		period: { id: 1, startedAt: "2026-11-01T00:00:00.000Z", endsAt: soon },
	},
	ended: { period: { id: 1, startedAt: "2026-11-01T00:00:00.000Z", endsAt: new Date(NOW - DAY).toISOString() } },
};

/** A campaign with every field the worker sends, in `state`. */
function inState(state: string): CampaignData {
	return campaign(STATES[state]);
}

const root = (page: Page) => page.locator("donation-widget");
const message = (page: Page) => page.locator("donation-widget [role=status]");
const news = (page: Page) => page.locator("donation-widget [aria-live=polite]");

/** Opens the article with the widget in `state`, at the fixed clock NOW. */
async function openState(
	state: string,
	options: { width?: number; theme?: string; query?: string; csp?: boolean; extra?: (p: Page) => Promise<unknown> } = {},
) {
	const width = options.width ?? 560;
	const theme = options.theme ?? "light";
	return open(script(`data-campaign="main" data-theme="${theme}"`), {
		context: { viewport: { width, height: 900 }, reducedMotion: "reduce", colorScheme: theme === "dark" ? "dark" : "light" },
		// A strict CSP, unless axe is to run (it injects an inline script).
		page: { width, hostStyles: false, ...(options.csp === false ? {} : { csp: strictCsp(harness.worker.url) }) },
		query: options.query,
		setup: async (p) => {
			await p.clock.install({ time: NOW });
			await answer(p, "main", inState(state));
			await options.extra?.(p);
		},
	});
}

const ALL_STATES = [...Object.keys(STATES), "thank-you", "loading"];

/** What a state needs beyond its campaign: the donor's return, or a totals request that never answers. */
function stateSetup(state: string) {
	const query = state === "thank-you" ? `?donation=success&session_id=cs_test_${"a".repeat(30)}` : undefined;
	const extra =
		state === "thank-you"
			? (p: Page) => answerReturn(p, { amount: 2_500, interval: "month" }, true)
			: state === "loading"
				? (p: Page) => p.route(totalsOf("main"), () => {})
				: undefined;
	return { query, extra, campaignState: state === "loading" || state === "thank-you" ? "ask" : state };
}

async function settled(page: Page, state: string) {
	if (state === "loading") await page.locator("donation-widget [role=progressbar]").waitFor();
	else await ready(page);
}

describe("every state fits the same box, under a strict CSP", () => {
	for (const width of [320, 560, 1200]) {
		it(`keeps one height at ${width} px in every state, light and dark`, async () => {
			const heights = new Map<string, number>();
			for (const theme of ["light", "dark"]) {
				for (const state of ALL_STATES) {
					const { query, extra, campaignState } = stateSetup(state);
					const { page, issues } = await openState(campaignState, { width, theme, query, extra });
					await settled(page, state);
					heights.set(`${theme} ${state}`, (await root(page).boundingBox())?.height ?? 0);
					// The README shows 560 px light and dark and 320 px light; the rest go to test-results/ to look at.
					const inReadme = width === 560 || (width === 320 && theme === "light");
					await root(page).screenshot({ path: resolve(inReadme ? SHOTS : LOOK, `state-${state}-${theme}-${width}.png`) });
					expectClean(await issues());
					await page.context().close();
				}
			}
			expect(new Set(heights.values()).size, JSON.stringify(Object.fromEntries(heights))).toBe(1);
		});
	}
});

describe("every state is accessible", () => {
	for (const theme of ["light", "dark"]) {
		it(`has no axe-core violations in any state, ${theme}`, async () => {
			for (const state of ALL_STATES.filter((s) => s !== "loading")) {
				const { query, extra, campaignState } = stateSetup(state);
				const { page } = await openState(campaignState, { theme, query, extra, csp: false });
				await settled(page, state);
				expect([state, await axeViolations(page)]).toEqual([state, []]);
				await page.context().close();
			}
		});
	}
});

/** Answers the donor's return with the campaign and their gift. */
async function answerReturn(page: Page, gift: { amount: number; interval: string }, manage: boolean) {
	await page.route(`${apiUrl("main")}/return?**`, (route) =>
		route.fulfill({ json: { campaign: inState("ask"), gift, manage }, headers: { ...CORS, "cache-control": "no-store" } }),
	);
}

describe("covering the card fees", () => {
	it("says exactly what the fee cover adds for the chosen amount, and sends it when ticked", async () => {
		const bodies: unknown[] = [];
		const { page } = await openState("fee-cover", {
			extra: (p) =>
				p.route(`${apiUrl("main")}/checkout`, async (route) => {
					bodies.push(JSON.parse(route.request().postData() ?? "{}"));
					await route.fulfill({ json: { error: { code: "x", message: "Stopped here by the test." } }, status: 400, headers: CORS });
				}),
		});
		await ready(page);
		const fee = page.locator("donation-widget label");
		expect(plain(await fee.textContent())).toBe("Add 0.61 $ so all 10 $ reach us");
		await page.getByRole("button", { name: "25 $" }).click();
		expect(plain(await fee.textContent())).toBe("Add 1.06 $ so all 25 $ reach us");
		await page.getByRole("checkbox").check();
		await page.getByRole("button", { name: "Donate", exact: true }).click();
		await expect.poll(() => bodies.length).toBe(1);
		expect(bodies[0]).toMatchObject({ amount: 2_500, coverFees: true });
	});
});

describe("goals", () => {
	it("says the goal is reached and keeps the real total on a bar stretched past it, still asking", async () => {
		const { page } = await openState("goal-reached");
		await ready(page);
		expect(await news(page).textContent()).toBe("Goal reached — thank you!");
		expect(plain(await page.locator("donation-widget [role=progressbar]").getAttribute("aria-valuetext"))).toBe(
			"6,123 $ raised of 5,000 $",
		);
		expect(await page.getByRole("button", { name: "Donate", exact: true }).isVisible()).toBe(true);
	});

	it("closes with its own words: no donate buttons, a thank-you line", async () => {
		const { page } = await openState("closed");
		await ready(page);
		await expect.poll(() => message(page).textContent()).toBe("We made it. Thank you!");
		expect(await page.getByRole("button", { name: "Donate", exact: true }).isVisible()).toBe(false);
		expect(await page.locator("donation-widget button:visible").count()).toBe(0);
	});
});

describe("deadlines and the match, with a controlled clock", () => {
	it("counts down and says who matches what, in one language whatever the locale (a broken one too)", async () => {
		const { page } = await openState("deadline-and-match");
		await ready(page);
		expect(plain(await news(page).textContent())).toBe("Ends in 3 days · The Riverside Foundation doubles every gift up to 500 $");
		expect(plain(await page.locator("donation-widget [role=progressbar]").getAttribute("aria-valuetext"))).toBe(
			"3,492 $ raised of 5,000 $, 500 $ of it matched",
		);
		const { page: german } = await open(script('data-campaign="main" data-locale="de-DE"'), {
			setup: async (p) => {
				await p.clock.install({ time: NOW });
				await answer(p, "main", inState("deadline-and-match"));
			},
		});
		await ready(german);
		// The locale shapes numbers and money; the words stay English ("Ends in 3 Tagen" mixed two languages).
		expect(plain(await news(german).textContent())).toBe("Ends in 3 days · The Riverside Foundation doubles every gift up to 500 $");
		expect(plain(await german.locator("donation-widget [role=progressbar]").getAttribute("aria-valuetext"))).toBe(
			"3.492 $ raised of 5.000 $, 500 $ of it matched",
		);
		// A locale Intl refuses falls back to the design's look instead of failing the widget.
		const { page: broken, issues } = await open(script('data-campaign="main" data-locale="not a locale!!"'), {
			setup: async (p) => {
				await p.clock.install({ time: NOW });
				await answer(p, "main", inState("deadline-and-match"));
			},
		});
		await ready(broken);
		expect(plain(await news(broken).textContent())).toBe("Ends in 3 days · The Riverside Foundation doubles every gift up to 500 $");
		expect((await issues()).errors).toEqual([]);
	});

	it("shows the final result and no donate buttons once the deadline passed, by the reader's clock too", async () => {
		const { page } = await openState("deadline-and-match", { extra: (p) => p.clock.install({ time: NOW + 4 * DAY }) });
		await ready(page);
		await expect.poll(() => message(page).textContent()).toBe("This campaign has ended: 3,492 $ raised. Thank you!");
		expect(await page.locator("donation-widget button:visible").count()).toBe(0);
		// The sponsor's part, in the past tense.
		expect(plain(await news(page).textContent())).toBe("The Riverside Foundation matched 500 $");
	});
});

describe("back from Checkout", () => {
	it("thanks the donor for their gift, on a bar that includes it, and opens the portal for a monthly gift", async () => {
		const posted: unknown[] = [];
		const portal = `${harness.host.url}/portal-stand-in`;
		const sessionId = `cs_test_${"b".repeat(40)}`;
		const { page } = await openState("ask", {
			query: `?donation=success&session_id=${sessionId}`,
			extra: async (p) => {
				await answerReturn(p, { amount: 1_000, interval: "month" }, true);
				await p.route(`${apiUrl("main")}/portal`, async (route) => {
					posted.push(JSON.parse(route.request().postData() ?? "{}"));
					await route.fulfill({ json: { url: portal }, headers: CORS });
				});
				await p.route(portal, (route) => route.fulfill({ body: "<title>portal</title>", contentType: "text/html" }));
			},
		});
		await ready(page);
		await expect.poll(() => message(page).textContent()).toBe("Thank you for your gift of 10 $!Manage your monthly gift");
		await page.getByRole("button", { name: "Manage your monthly gift" }).click();
		await page.waitForURL(portal);
		expect(posted).toEqual([{ sessionId, returnUrl: expect.stringContaining("donation=success") }]);
	});

	it("remembers a recent gift only where the publisher opted in, with a date and nothing else", async () => {
		const sessionId = `cs_test_${"c".repeat(40)}`;
		const query = `?donation=success&session_id=${sessionId}`;
		const embed = (attrs: string) => containers(`data-campaign="main" ${attrs}`);
		const context = await harness.browser.newContext();
		const page = await context.newPage();
		await answer(page, "main", inState("ask"));
		await answerReturn(page, { amount: 1_000, interval: "once" }, false);
		// Without the attribute: nothing stored, and the next visit asks again.
		await page.goto(harness.host.article(embed(""), {}) + query);
		await ready(page, "[data-donation-widget]");
		expect(await page.evaluate(() => ({ ...localStorage }))).toEqual({});
		await page.goto(harness.host.article(embed(""), {}));
		await ready(page, "[data-donation-widget]");
		expect(await page.getByRole("button", { name: "Donate", exact: true }).isVisible()).toBe(true);
		// With data-remember-days: the day of the gift, and the thank-you on later visits.
		await page.goto(harness.host.article(embed('data-remember-days="90"'), {}) + query);
		await ready(page, "[data-donation-widget]");
		const stored = await page.evaluate(() => ({ ...localStorage }));
		expect(stored).toEqual({ "donation-widget:gave:main": new Date().toISOString().slice(0, 10) });
		await page.goto(harness.host.article(embed('data-remember-days="90"'), {}));
		await ready(page, "[data-donation-widget]");
		await expect.poll(() => page.locator("[data-donation-widget] [role=status]").textContent()).toBe("Thank you for your donation!");
		await context.close();
	});
});
