// `npm run bench` (after `npm run build`): measures everything in
// BENCHMARKS.md in one run, prints each figure, rewrites BENCHMARKS.md, and
// exits 1 only when a budget is broken (2 when a measurement could not run).
// Loopback only; every loop is bounded; the whole run stays under
// BENCH_MINUTES (default 9.5) by skipping growth stages that would not fit.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { type HostPages, startPages, strictCsp } from "../test/browser/pages.ts";
import { launchBrowser } from "../test/support/browser.ts";
import { firstSnippet } from "../test/support/readme.ts";
import { WIDGET_GZIP_BUDGET } from "../widget/budget.mjs";
import { type Baseline, prepareBaseline } from "./baseline.ts";
import { median, percentile, round, startBenchWorker, startStripeDouble, workerdRssMiB } from "./env.ts";
import { type FunnelCost, funnelSection, measureFunnelCost } from "./funnel.ts";
import { type GrowthResult, measureGrowth } from "./growth.ts";
import { type LoadResult, runLoad } from "./load.ts";
import { measurePageViews, type PageViewResult, summarize } from "./pageview.ts";
import { LEDGER_INNER, PROFILE_ROWS, type ProfileResult, profileWritePath, summarizePhases, withDerived } from "./profile.ts";
import { measureReadPath, type ReadPathResult } from "./readpath.ts";
import { type BundleWeight, bundleWeight, type Weight, widgetWeight } from "./sizes.ts";
import {
	blockingCost,
	measureShiftByWidth,
	measureSnippetCost,
	type ShiftSample,
	type SnippetCell,
	summarizeCell,
	THROTTLED,
} from "./snippet.ts";

const root = resolve(import.meta.dirname, "..");
const startedAt = new Date();
const t0 = Date.now();
const deadline = t0 + Number(process.env.BENCH_MINUTES ?? 9.5) * 60_000;
const growthSizes = (process.env.BENCH_GROWTH ?? "1000,10000,100000").split(",").map(Number);
// Signed deliveries per write-path run (4 runs); 1,200 keeps the whole bench under 10 minutes.
const LOAD_DELIVERIES = 1200;

const READ_RATIO_BUDGET = 0.8;
/** Deliveries/s over the ceiling's (POST /healthz, same bodies) req/s, median of runs, one and three campaigns (issue #17). */
const WRITE_RATIO_BUDGET = 0.5;
const FREE_LIMIT = 3 * 1024 * 1024;
const PAID_LIMIT = 10 * 1024 * 1024;

const log = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${line}`);

interface Budget {
	name: string;
	limit: string;
	measured: string;
	ok: boolean;
}
const budgets: Budget[] = [];
const errors: { section: string; message: string }[] = [];

async function section<T>(name: string, work: () => Promise<T>): Promise<T | null> {
	log(`--- ${name}`);
	try {
		return await work();
	} catch (err) {
		const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
		errors.push({ section: name, message: message.split("\n").slice(0, 6).join("\n") });
		log(`${name} FAILED: ${message}`);
		return null;
	}
}

// ------------------------------------------------------------------ code version

/** A hash of everything the worker is built from, to notice edits made while the bench runs. */
function sourceHash(): string {
	const hash = createHash("sha256");
	const walk = (dir: string) => {
		for (const name of readdirSync(dir).sort()) {
			const full = join(dir, name);
			if (statSync(full).isDirectory()) walk(full);
			else hash.update(full).update(readFileSync(full));
		}
	};
	for (const dir of ["src", "widget/src"]) walk(resolve(root, dir));
	hash.update(readFileSync(resolve(root, "wrangler.toml")));
	return hash.digest("hex").slice(0, 12);
}

function git(...args: string[]): string {
	try {
		return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
	} catch {
		return "";
	}
}

const code = {
	commit: git("rev-parse", "--short", "HEAD") || "unknown",
	dirty: git("status", "--porcelain", "--", "src", "widget/src", "wrangler.toml") !== "",
	hashBefore: sourceHash(),
	hashAfter: "",
};
log(`code: commit ${code.commit}${code.dirty ? " with uncommitted changes to src/, widget/src or wrangler.toml" : ""}`);

// ------------------------------------------------------------------ machine

const cpus = os.cpus();
const machine = {
	cpu: cpus[0]?.model ?? "unknown",
	cores: cpus.length,
	memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
	node: process.version,
	os: `${os.type()} ${os.release()} ${os.arch()}`,
	wrangler: (JSON.parse(readFileSync(resolve(root, "node_modules/wrangler/package.json"), "utf8")) as { version: string }).version,
	chromium: "",
	loadBefore: os.loadavg().map((v) => round(v, 2)),
	loadAfter: [] as number[],
};
log(
	`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, load ${machine.loadBefore.join(" ")}`,
);

// ------------------------------------------------------------------ static weights

const widget = await section("widget weight", async () => {
	const w = widgetWeight();
	log(`widget.js: ${w.raw} B raw, ${w.gzip} B gzip -9, ${w.brotli} B brotli q11 (budget ${WIDGET_GZIP_BUDGET} B gzip)`);
	budgets.push({
		name: "widget.js gzip",
		limit: `<= ${fmt(WIDGET_GZIP_BUDGET)} B`,
		measured: `${fmt(w.gzip)} B`,
		ok: w.gzip <= WIDGET_GZIP_BUDGET,
	});
	return w;
});

const bundle = await section("worker bundle", async () => {
	const b = await bundleWeight();
	log(`worker bundle: ${b.raw} B raw, ${b.gzip} B gzip -9 (${b.files.map((f) => f.name).join(", ")}); wrangler: ${b.wranglerSays}`);
	budgets.push({
		name: "worker bundle, compressed",
		limit: `<= 3 MiB (Workers Free)`,
		measured: `${kib(b.gzip)} KiB`,
		ok: b.gzip <= FREE_LIMIT,
	});
	return b;
});

// ------------------------------------------------------------------ against the running worker

const double = await startStripeDouble();
// Publishers' pages: another origin than the worker's, no CSS, the README's strict CSP.
const host: HostPages = await startPages();
let pageViews: PageViewResult | null = null;
let snippetCost: { cells: SnippetCell[]; shifts: ShiftSample[] } | null = null;
let readPath: ReadPathResult | null = null;
let idleRss: number | null = null;
let snapshotBytes: number | null = null;
let rssAfterReads: number | null = null;
/** "after": this checkout; "before": the baseline commit (BENCH_BASELINE), run in the same bench. */
type Build = "after" | "before";
interface LoadRun {
	label: string;
	build: Build;
	campaigns: number;
	result: LoadResult;
}
const loads: LoadRun[] = [];
const profiles: { build: Build; result: ProfileResult }[] = [];
let baseline: Baseline | null = null;
let readLoad: { before: number[]; after: number[] } | null = null;
let growth: GrowthResult | null = null;
let funnel: FunnelCost | null = null;
try {
	const worker = await startBenchWorker(double);
	try {
		// A reader's page view on a warm edge: the worker has served the script and the totals once.
		snapshotBytes = Buffer.byteLength(await (await fetch(`${worker.url}/api/campaigns/main`)).text());
		await (await fetch(`${worker.url}/widget.js`)).text();
		idleRss = workerdRssMiB(worker);
		pageViews = await section("page-view cost (Chromium)", async () => {
			const browser = await launchBrowser();
			machine.chromium = browser.version();
			await browser.close();
			const article = host.article(firstSnippet(worker.url), { csp: strictCsp(worker.url) });
			const result = await measurePageViews(article, 5, { afterMaxAge: true, log });
			const first = summarize(result.first);
			const repeat = summarize(result.repeat);
			for (const [name, s] of [
				["first view", first],
				["repeat view", repeat],
			] as const) {
				log(
					`${name}: ${s.widgetRequests} widget requests (${s.workerInvocations} worker invocations, ${s.assetRequests} static assets, ` +
						`${s.networkRequests} over the network, ${s.networkBytes} B on the wire), ` +
						`cookies ${s.cookiesMax}, script start ${s.scriptStartAt} ms, bar painted ${s.paintedAt} ms ` +
						`(start to paint ${s.startToPaint} ms), CLS ${s.clsMax}; ${s.urls.join("; ")}`,
				);
			}
			const all = [...result.first, ...result.repeat, ...(result.repeatAfterMaxAge ? [result.repeatAfterMaxAge] : [])];
			const cookies = Math.max(...all.map((s) => s.cookies));
			const cls = Math.max(...all.map((s) => s.cls));
			const painted = all.filter((s) => s.paintedAt !== null).length;
			const invocations = Math.max(...result.first.map((s) => s.workerInvocations));
			budgets.push({
				name: "worker invocations per first page view",
				limit: "1 (the totals)",
				measured: String(invocations),
				ok: invocations <= 1,
			});
			budgets.push({ name: "cookies set by a page view", limit: "0", measured: String(cookies), ok: cookies === 0 });
			budgets.push({ name: "cumulative layout shift", limit: "0", measured: String(round(cls, 4)), ok: cls === 0 });
			budgets.push({
				name: "bar painted with the total",
				limit: `every view (${all.length})`,
				measured: `${painted} of ${all.length}`,
				ok: painted === all.length,
			});
			return result;
		});
		snippetCost = await section("the embed snippet's cost (Chromium)", async () => {
			const cells = await measureSnippetCost(worker.url, host, { samples: 7, log });
			const cls = Math.max(...cells.filter((c) => c.variant === "blocking").map((c) => summarizeCell(c).clsMax));
			budgets.push({ name: "layout shift of the README's first snippet, no host CSS", limit: "0", measured: String(cls), ok: cls === 0 });
			for (const network of ["loopback", "throttled"] as const) {
				const cost = blockingCost(cells, network);
				log(`blocking snippet, ${network}: text below ${cost.first} ms later on a first view, ${cost.repeat} ms on a repeat view`);
			}
			const shifts = await measureShiftByWidth(worker.url, host);
			for (const s of shifts) log(`layout shift, ${s.variant} at ${s.width} px: ${s.cls.join(", ")}`);
			const blockingShift = Math.max(...shifts.filter((s) => s.variant === "blocking").flatMap((s) => s.cls));
			budgets.push({
				name: "layout shift of the README's first snippet at 320, 560, 1200 px",
				limit: "0",
				measured: String(blockingShift),
				ok: blockingShift === 0,
			});
			return { cells, shifts };
		});
		readPath = await section("read path (autocannon)", async () => {
			const before = os.loadavg().map((v) => round(v, 2));
			const r = await measureReadPath(worker.url, { rounds: 6, seconds: 3, connections: 50, log });
			readLoad = { before, after: os.loadavg().map((v) => round(v, 2)) };
			log(
				`read path: totals ${r.totals.rps} req/s (p50 ${r.totals.p50} ms, p99 ${r.totals.p99} ms), ` +
					`healthz ${r.healthz.rps} req/s (p50 ${r.healthz.p50} ms, p99 ${r.healthz.p99} ms); ratio ${r.ratio} (median of rounds ${r.roundRatios.join(", ")})`,
			);
			budgets.push({
				name: "totals throughput vs /healthz",
				limit: `>= ${READ_RATIO_BUDGET * 100} %`,
				measured: `${round(r.ratio * 100)} %`,
				ok: r.ratio >= READ_RATIO_BUDGET && r.totals.errors === 0 && r.totals.non2xx === 0,
			});
			return r;
		});
		rssAfterReads = workerdRssMiB(worker);
	} finally {
		await worker.stop();
	}

	funnel = await section("read path with and without counting (autocannon)", async () => {
		const f = await measureFunnelCost(double, log);
		budgets.push({
			name: "totals (with ?page=, a running A/B test, counting on) vs /healthz",
			limit: `>= ${READ_RATIO_BUDGET * 100} %`,
			measured: `${round(f.on.ratio * 100)} % (counting off: ${round(f.off.ratio * 100)} %; on / off ${f.onOverOff})`,
			ok: f.on.ratio >= READ_RATIO_BUDGET && f.on.errors === 0,
		});
		return f;
	});

	if (process.env.BENCH_BASELINE) {
		baseline = await section("baseline checkout", async () => {
			const b = prepareBaseline(root, process.env.BENCH_BASELINE as string);
			log(`baseline: commit ${b.commit} (${b.subject}) exported to ${b.root}`);
			return b;
		});
	}
	const builds: { build: Build; root?: string }[] = [
		{ build: "after" },
		...(baseline ? [{ build: "before" as const, root: baseline.root }] : []),
	];

	for (const { build, root: buildRoot } of builds) {
		const result = await section(`write path profile (${build})`, () => profileWritePath(double, { label: build, root: buildRoot, log }));
		if (result) profiles.push({ build, result });
	}

	// Alternating order (three, one, one, three; and which build goes first) so drifts in the machine's load hit all alike.
	for (const [index, campaigns] of [3, 1, 1, 3].entries()) {
		for (const { build, root: buildRoot } of index % 2 === 0 ? builds : [...builds].reverse()) {
			const label = `${campaigns === 1 ? "one campaign" : "three campaigns"} #${index < 2 ? 1 : 2}${baseline ? `, ${build}` : ""}`;
			const result = await section(`write path: ${label}`, () =>
				runLoad({
					deliveries: LOAD_DELIVERIES,
					campaigns,
					duplicateRate: 0.2,
					concurrency: 50,
					readers: 50,
					restart: true,
					prefix: `w${index + 1}${build === "after" ? "a" : "b"}`,
					seed: index + 1,
					double,
					root: buildRoot,
					log,
				}),
			);
			if (result) loads.push({ label, build, campaigns, result });
		}
	}
	const inexact = loads.filter((l) => !l.result.exact);
	budgets.push({
		name: `totals exact after every load run (${fmt(LOAD_DELIVERIES)} deliveries each, restart midway)`,
		limit: "exact",
		measured: `${loads.length - inexact.length} of ${loads.length} runs exact`,
		ok: inexact.length === 0 && loads.length > 0,
	});
	for (const campaigns of [1, 3]) {
		const ratio = writeRatio("after", campaigns);
		budgets.push({
			name: `webhook deliveries/s ÷ POST /healthz req/s, ${campaigns === 1 ? "one campaign" : "three campaigns"} (median of runs)`,
			limit: `>= ${WRITE_RATIO_BUDGET}`,
			measured: ratio === null ? "n/a" : String(ratio),
			ok: ratio !== null && ratio >= WRITE_RATIO_BUDGET,
		});
	}

	growth = await section("growth", async () => {
		const g = await measureGrowth(double, growthSizes, { deadline, log });
		const allExact = g.stages.every((s) => s.exact);
		budgets.push({
			name: "totals exact at every ledger size",
			limit: "exact",
			measured: allExact ? `exact (${g.stages.map((s) => fmt(s.size)).join(", ")})` : "NOT exact",
			ok: allExact,
		});
		return g;
	});
} finally {
	await double.close();
	await host.stop();
	baseline?.remove();
}

machine.loadAfter = os.loadavg().map((v) => round(v, 2));
code.hashAfter = sourceHash();
if (code.hashAfter !== code.hashBefore) {
	log("WARNING: src/, widget/src or wrangler.toml changed while the bench ran (wrangler dev reloaded): the figures mix versions");
}
const minutes = round((Date.now() - t0) / 60_000, 1);
const broken = budgets.filter((b) => !b.ok);
log(
	`done in ${minutes} min; budgets: ${budgets.length - broken.length} of ${budgets.length} kept${errors.length ? `; ${errors.length} sections failed` : ""}`,
);
for (const b of budgets) log(`${b.ok ? "ok    " : "BROKEN"} ${b.name}: ${b.measured} (${b.limit})`);

writeFileSync(resolve(root, "BENCHMARKS.md"), markdown());
log("wrote BENCHMARKS.md");
process.exit(broken.length ? 1 : errors.length ? 2 : 0);

// ------------------------------------------------------------------ BENCHMARKS.md

function fmt(n: number | null | undefined, digits = 0): string {
	if (n === null || n === undefined || Number.isNaN(n)) return "n/a";
	return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function kib(n: number): string {
	return fmt(n / 1024, 1);
}

function table(head: string[], rows: (string | number | null)[][]): string {
	const line = (cells: (string | number | null)[]) => `| ${cells.map((c) => (c === null ? "n/a" : String(c))).join(" | ")} |`;
	return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

function markdown(): string {
	const date = startedAt.toISOString().slice(0, 10);
	const out: string[] = [];
	out.push(`# Benchmarks

Measured by \`npm run bench\` (\`bench/run.ts\`) on ${date}, in one run of ${minutes} min. Every figure
below comes from that run on this machine; rerun the command to refresh the file.

| machine | |
|---|---|
| code | commit \`${code.commit}\`${code.dirty ? " plus uncommitted changes" : ""}${code.hashAfter !== code.hashBefore ? " (**the source changed during the run**: figures mix versions)" : ""} |
| CPU | ${machine.cpu} |
| cores | ${machine.cores} |
| memory | ${machine.memoryGiB} GiB |
| OS | ${machine.os} |
| Node | ${machine.node} |
| wrangler (workerd) | ${machine.wrangler} |
| Chromium | ${machine.chromium || "n/a"} |
| load average (1/5/15 min) at start / end | ${machine.loadBefore.join(" / ")} &nbsp;→&nbsp; ${machine.loadAfter.join(" / ")} |

**Read these as local figures.** Everything runs on one small machine: the worker under
\`wrangler dev\` (workerd with the local, on-disk emulations of KV, the Cache API and Durable
Objects), the load generator, the Stripe double and Chromium share ${machine.cores} cores. Absolute
throughput is far below Cloudflare's edge; ratios measured in the same run (totals vs \`/healthz\`,
one campaign vs three, 1k vs 10k donations) are the meaningful part. Noisy figures are medians.
`);

	out.push(`## Budgets

${table(
	["budget", "limit", "measured", "status"],
	budgets.map((b) => [b.name, b.limit, b.measured, b.ok ? "kept" : "**broken**"]),
)}
${errors.length ? `\nSections that could not run:\n\n${errors.map((e) => `- ${e.section}: \`${e.message.split("\n")[0]}\``).join("\n")}\n` : ""}
\`npm run bench\` exits 1 when a budget is broken.
`);

	out.push(widgetSection(widget));
	out.push(pageViewSection(pageViews));
	out.push(snippetSection(snippetCost));
	out.push(readPathSection(readPath));
	out.push(funnelSection(funnel));
	out.push(writePathSection());
	out.push(growthSection(growth));
	out.push(bundleSection(bundle));
	out.push(`## Reproduce

\`\`\`sh
npm run bench                       # everything above; rewrites this file
node_modules/.bin/node bench/load.ts 2000 3 50 50   # the load run alone (Node 24): deliveries, campaigns, concurrency, readers
BENCH_GROWTH=1000,10000,100000 BENCH_MINUTES=60 npm run bench   # let the 100k stage run
\`\`\`

The load run is also a test: \`test/browser/load.test.ts\` runs it at 300 deliveries.
`);
	return `${out.join("\n")}`;
}

function widgetSection(w: (Weight & { path: string }) | null): string {
	if (!w) return "## Widget weight\n\nNot measured (see above).\n";
	return `## Widget weight

${table(
	["file", "raw", "gzip -9", "brotli q11", "budget (gzip)"],
	[[`\`${w.path}\``, `${fmt(w.raw)} B`, `${fmt(w.gzip)} B`, `${fmt(w.brotli)} B`, `${fmt(WIDGET_GZIP_BUDGET)} B`]],
)}

Method: the file \`npm run build\` writes, compressed with \`node:zlib\` (gzip level 9, brotli
quality 11). That one file is the whole widget: no fonts, images, style sheets or other requests
besides one totals request per campaign. Over the wire the page-view section below shows what
\`wrangler dev\` actually sent (it compresses with gzip).

For context only, published sizes of other small scripts that publishers embed. These are **as
published by the vendor or a third party, not measured here**, and versions change:

| script | published size | source |
|---|---|---|
| Plausible Analytics tracking script | "< 1 KB" | M. Schmitt, "How Plausible Analytics Keeps a Tiny (< 1KB) Tracking Script", maxschmitt.me, 2023-10-26 |
| Google Analytics 4 \`gtag.js\` | about 45 KB | Copper Analytics, "Why Analytics Script Size Matters", copperanalytics.com/blog/lightweight-analytics-scripts, 2026-03-16 |
| Preact (a whole UI library, for scale) | "3kB" | the vendor (preactjs.com tagline) |
`;
}

function pageViewSection(result: PageViewResult | null): string {
	if (!result) return "## Page-view cost\n\nNot measured (see above).\n";
	const first = summarize(result.first);
	const repeat = summarize(result.repeat);
	const late = result.repeatAfterMaxAge;
	const rows: (string | number | null)[][] = [
		["samples", first.samples, repeat.samples, late ? 1 : "n/a"],
		["requests for /widget.js + /api/campaigns/*", first.widgetRequests, repeat.widgetRequests, late?.widgetRequests ?? null],
		[
			"**worker invocations** (billed requests)",
			`**${first.workerInvocations}**`,
			`**${repeat.workerInvocations}**`,
			late?.workerInvocations ?? null,
		],
		["static asset requests (not billed)", first.assetRequests, repeat.assetRequests, late?.assetRequests ?? null],
		["... of them over the network", first.networkRequests, repeat.networkRequests, late?.networkRequests ?? null],
		["bytes on the wire (headers + compressed bodies)", fmt(first.networkBytes), fmt(repeat.networkBytes), fmt(late?.networkBytes)],
		["compressed body bytes", fmt(first.bodyBytes), fmt(repeat.bodyBytes), fmt(late?.bodyBytes)],
		["cookies set", first.cookiesMax, repeat.cookiesMax, late?.cookies ?? null],
		["widget.js loaded (ms after navigation start)", first.scriptLoadedAt, repeat.scriptLoadedAt, late?.scriptLoadedAt ?? null],
		["script started (ms)", first.scriptStartAt, repeat.scriptStartAt, late?.scriptStartAt ?? null],
		["totals response received (ms)", first.totalsLoadedAt, repeat.totalsLoadedAt, late?.totalsLoadedAt ?? null],
		["bar has the total (ms)", first.valueAt, repeat.valueAt, late?.valueAt ?? null],
		["bar painted with the total (ms)", first.paintedAt, repeat.paintedAt, late?.paintedAt ?? null],
		["**script start → bar painted (ms)**", first.startToPaint, repeat.startToPaint, late?.startToPaint ?? null],
		["cumulative layout shift (max)", first.clsMax, repeat.clsMax, late?.cls ?? null],
	];
	return `## Page-view cost (Chromium)

A publisher's article (served from another origin, no CSS of its own, the README's strict CSP)
embedding the README's first snippet, in headless Chromium ${machine.chromium || ""} (1280×900, the
widget inside the first screen), against the worker under \`wrangler dev\` on loopback, whose edge
cache already held the totals (a warm page view). Medians of ${first.samples} first views (each in a fresh browser context:
empty HTTP cache, no cookies) and of the repeat view that followed each one in the same context, plus one
repeat view after the totals' 10 s browser \`max-age\` ran out.

${table(["", "first view", "repeat view (< 10 s later)", "repeat view (11 s later)"], rows)}

First view, per request: ${first.urls.join("; ")}.
Repeat views: \`/widget.js\` came from the HTTP cache in ${repeat.scriptFromCache} of ${repeat.samples}, the totals in
${repeat.totalsFromCache} of ${repeat.samples}.${late ? ` Eleven seconds later: ${late.urls.join("; ")}.` : ""}${
		repeat.totalsFromCache < repeat.samples
			? `
Why the totals sometimes miss the browser cache a few seconds after the first view: the edge copy
keeps the \`Date\` header of the moment it was stored (up to 30 s earlier, \`s-maxage=30\`), and the
browser counts its 10 s \`max-age\` from that \`Date\`, so an edge copy older than 10 s is already
stale when it arrives (observed with \`wrangler dev\`'s cache emulation).`
			: ""
	}
The bar read "${first.valueText ?? "n/a"}".

Method: a CDP session counts the requests whose URL is \`/widget.js\` or \`/api/campaigns/*\` (CORS
preflights excluded; there are none, the totals GET is a simple request), marks those served from
the HTTP cache (\`requestServedFromCache\` / \`fromDiskCache\`), counts as a worker invocation each
answer that carries the worker's \`Content-Security-Policy\` (its \`secureHeaders\` middleware adds it
to everything the worker answers; Workers Static Assets answer with the \`_headers\` headers only, and
\`test/deploy/assets.test.ts\` checks both sides), and sums \`Network.loadingFinished\`
\`encodedDataLength\` (bytes received for the response, headers included) and \`dataReceived\` (body
bytes as sent) for the rest. Cookies: \`context.cookies()\` plus \`document.cookie\` after the view.
Times are \`performance.now()\` (ms since navigation start) from a script injected before the page's
own: "script started" is the widget's first \`attachShadow\` call (it runs synchronously when
\`widget.js\` executes); "bar has the total" is the first animation frame in which the shadow root's
\`[role="progressbar"]\` has \`aria-valuenow\`; "painted" is the start of the next animation frame,
i.e. after the frame showing the total was painted (an upper bound, at most one frame late).
"loaded"/"received" are Resource Timing \`responseEnd\`. CLS sums \`layout-shift\` entries
without recent input (buffered observer, read 1 s after the paint).

**KV and ledger reads per page view** (reasoned from the code at this commit, \`src/routes/public-api.ts\`
and \`src/campaigns/store.ts\`): \`/widget.js\` is a static asset (the worker does not run, no storage at all).
\`GET /api/campaigns/:id\` is answered, in order, from: the isolate's memory (a copy at most 1 s old: no
I/O at all); else the Cache API (a hit: **0 KV reads, 0 ledger calls**, and the copy goes into memory);
else **1 KV read** of the snapshot (the response then goes into the Cache API); and only if KV has no
snapshot, **1 ledger call** (the campaign's Durable Object, which writes the snapshot back to KV). A warm
page view (the case measured above: the edge holds the totals) therefore costs 0 KV reads and 0 ledger
calls; a write purges the edge copy and the memory copy of the isolate that handled it, so the next view
at that location pays 1 KV read. A browser that viewed a page less than 10 s ago makes no request at all
(repeat view).
`;
}

function snippetSection(result: { cells: SnippetCell[]; shifts: ShiftSample[] } | null): string {
	if (!result) return "## The embed snippet's cost (Chromium)\n\nNot measured (see above).\n";
	const { cells, shifts } = result;
	const shiftRows = [320, 560, 1200].map((width) => [
		`${width} px`,
		...(["blocking", "async"] as const).map((variant) => {
			const s = shifts.find((x) => x.variant === variant && x.width === width);
			return s ? `${Math.max(...s.cls)} (${s.cls.join(", ")})` : null;
		}),
	]);
	const name = { none: "no widget (baseline)", blocking: "**the README's snippet** (parser-blocking)", async: "the same tag with `async`" };
	const rows = cells.map((cell) => {
		const s = summarizeCell(cell);
		return [cell.network, name[cell.variant], s.firstFcp, s.firstBelow, s.repeatBelow, s.clsMax];
	});
	const cost = (network: "loopback" | "throttled") => {
		const c = blockingCost(cells, network);
		return `${fmt(c.first, 1)} ms on a first view, ${fmt(c.repeat, 1)} ms on a repeat view`;
	};
	const samples = cells[0]?.first.length ?? 0;
	return `## The embed snippet's cost (Chromium)

The README's first snippet is a parser-blocking \`<script>\`: the widget is built in place, at its final
height, before the browser lays out the text below it, so nothing shifts; the price is that the text
below waits for \`widget.js\`. **What it costs, over a page without the widget: ${cost("loopback")} here
on loopback; ${cost("throttled")} on a throttled connection** (${THROTTLED.latency} ms round trip,
${round((THROTTLED.downloadThroughput * 8) / 1024 / 1024, 1)} Mbit/s down, Lighthouse's mobile setting). The same tag with \`async\` costs the text nothing
and shifts the page instead (last column).

${table(["network", "page", "first contentful paint, first view (ms)", "**text below painted, first view (ms)**", "**text below painted, repeat view (ms)**", "layout shift (max)"], rows)}

Layout shift of a first view by width (loopback, totals at once; the largest of ${shifts[0]?.cls.length ?? 0} views, then each):

${table(["viewport width", "**the README's snippet**", "the same tag with `async`"], shiftRows)}

Method (\`bench/snippet.ts\`): an article page from another origin (no CSS, the README's strict CSP) with
the snippet taken from README.md and a paragraph right below it marked \`elementtiming\`; "text below
painted" is that paragraph's Element Timing \`renderTime\` (ms after navigation start). Medians of
${samples} first views (a fresh browser context each: empty cache) and the repeat view right after each
(\`widget.js\` then comes from the browser's cache), the variants taken in turn sample by sample; the
cost is the median of the ${samples} differences between the snippet's sample and the no-widget sample
taken next to it, so it can differ from the difference of the medians in the table. Throttling is Chromium's own
(\`Network.emulateNetworkConditions\`) and applies to the host page too, so its first paint moves with it.
The widget's script is under 6 KiB gzipped (the budget); its first view pays a new connection to the worker's origin
(on loopback that is free: on a real network, a publisher can save it with
\`<link rel="preconnect" href="https://donate.example.org">\` in \`<head>\`).
`;
}

function readPathSection(r: ReadPathResult | null): string {
	if (!r) return "## Read path\n\nNot measured (see above).\n";
	const rows = r.rounds.map((x, i) => [
		i + 1,
		i % 2 === 0 ? "totals, then healthz" : "healthz, then totals",
		fmt(x.totals.rps),
		`${x.totals.p50} / ${x.totals.p99}`,
		fmt(x.healthz.rps),
		`${x.healthz.p50} / ${x.healthz.p99}`,
		`${round(r.roundRatios[i] ?? Number.NaN, 3)}`,
	]);
	rows.push([
		"**median**",
		"",
		`**${fmt(r.totals.rps)}**`,
		`${r.totals.p50} / ${r.totals.p99}`,
		`**${fmt(r.healthz.rps)}**`,
		`${r.healthz.p50} / ${r.healthz.p99}`,
		`**${r.ratio}**`,
	]);
	const ok = r.ratio >= READ_RATIO_BUDGET;
	const spread = `${Math.min(...r.roundRatios)} to ${Math.max(...r.roundRatios)}`;
	return `## Read path: public totals vs \`/healthz\`

${table(["round", "order", "totals req/s", "totals p50 / p99 ms", "healthz req/s", "healthz p50 / p99 ms", "totals / healthz"], rows)}

Totals / healthz: **${round(r.ratio * 100, 1)} %** (median of the rounds' ratios; ratio of the medians ${round(r.ratioOfMedians * 100, 1)} %;
rounds ranged ${spread}). Budget >= ${READ_RATIO_BUDGET * 100} %: **${ok ? "kept" : "broken"}**.
Errors: totals ${r.totals.errors} (non-2xx ${r.totals.non2xx}), healthz ${r.healthz.errors} (non-2xx ${r.healthz.non2xx}).
Load average during the measurement: ${readLoad ? `${readLoad.before.join(" / ")} before, ${readLoad.after.join(" / ")} after` : "n/a"}.

Method: autocannon (in-process, loopback), ${r.connections} connections, ${r.seconds} s per measurement, against
one \`wrangler dev\` whose edge cache holds the totals: \`GET /api/campaigns/main\` (a hit in memory or in the Cache API) and
\`GET /healthz\` (a constant JSON reply behind the same global middleware) back to back, alternating which
goes first, ${r.rounds.length} rounds after a 2 s warm-up of each. Each round's ratio compares two measurements
taken seconds apart; the headline is the median of those ratios. Latencies are autocannon's p50 / p99
(ms) under saturation, so they mostly measure queueing. The load generator shares the ${machine.cores} cores with workerd.

What the gap is made of (from the code at this commit): \`/healthz\` builds a constant JSON reply; the totals
route also runs the CORS middleware and the route's parameter check, then answers from the isolate's
one-second memory copy (no I/O), and about once a second per isolate asks the Cache API instead
(under \`wrangler dev\` a local emulation that keeps entries on disk). Under autocannon's hundreds of requests
per second nearly every request is a memory hit. This is the most load-sensitive figure in this file:
on this shared 2-core machine the per-round ratio moves by tens of percent (see the rounds above), which is
why the budget is judged on the median of the rounds.${
		ok ? "" : " Here the median fell below the budget; rerun on a quieter machine before concluding that the route got slower."
	}
`;
}

// ------------------------------------------------------------------ write path

function runsOf(build: Build, campaigns: number): LoadRun[] {
	return loads.filter((l) => l.build === build && l.campaigns === campaigns);
}

/** Median over runs of deliveries/s ÷ the ceiling's req/s in the rounds without readers; null when not measured. */
function writeRatio(build: Build, campaigns: number): number | null {
	const ratios = runsOf(build, campaigns)
		.map((l) => l.result.alone?.ratio)
		.filter((r): r is number => r !== undefined);
	return ratios.length ? round(median(ratios), 3) : null;
}

function buildName(build: Build): string {
	return build === "after" ? `after (\`${code.commit}\`)` : `before (\`${baseline?.commit ?? "?"}\`)`;
}

function sourcesOf(r: LoadResult): string {
	const s = r.readsDuringDeliveries.sources;
	return `memory or edge ${fmt(s.cache)}, joined a load ${fmt(s.shared)}, KV ${fmt(s.kv)}, ledger ${fmt(s.ledger)}`;
}

function writePathSection(): string {
	if (loads.length === 0) return "## Write path\n\nNot measured (see above).\n";
	const present: Build[] = baseline ? ["before", "after"] : ["after"];
	const columns = [1, 3].flatMap((campaigns) => present.map((build) => ({ campaigns, build, runs: runsOf(build, campaigns) })));
	const med = (runs: LoadRun[], pick: (r: LoadResult) => number | undefined | null, digits = 1) => {
		const values = runs.map((l) => pick(l.result)).filter((v): v is number => typeof v === "number" && !Number.isNaN(v));
		return values.length ? fmt(round(median(values), digits), digits) : "n/a";
	};
	const summaryRows: (string | number | null)[][] = [
		["runs", ...columns.map((c) => c.runs.length)],
		["deliveries/s (rounds without readers, median of runs)", ...columns.map((c) => med(c.runs, (r) => r.alone?.deliveriesPerSecond))],
		["`POST /healthz` req/s, same bodies, same rounds", ...columns.map((c) => med(c.runs, (r) => r.alone?.ceilingPerSecond))],
		[
			"**deliveries/s ÷ `POST /healthz` req/s** (median of runs)",
			...columns.map((c) => `**${writeRatio(c.build, c.campaigns) ?? "n/a"}**`),
		],
		["… per run", ...columns.map((c) => c.runs.map((l) => l.result.alone?.ratio ?? "n/a").join(", "))],
		[
			"… per round (each round paired with its ceiling round)",
			...columns.map((c) =>
				c.runs
					.flatMap((l) => l.result.pairs.filter((p) => !p.readers))
					.map((p) => p.ratio)
					.join(", "),
			),
		],
		[
			"the same ratio with 50 readers polling the totals (median of runs)",
			...columns.map((c) => med(c.runs, (r) => r.withReaders?.ratio, 3)),
		],
		[
			"delivery latency p50 / p99 ms, rounds without readers (median of runs)",
			...columns.map((c) => `${med(c.runs, (r) => latencyOf(r, false).p50)} / ${med(c.runs, (r) => latencyOf(r, false).p99)}`),
		],
		[
			"**totals reads while 50 writers deliver**: p50 / p99 ms (median of runs)",
			...columns.map((c) => `**${med(c.runs, (r) => r.readsDuringDeliveries.p50)} / ${med(c.runs, (r) => r.readsDuringDeliveries.p99)}**`),
		],
		[
			"totals reads while 50 clients POST `/healthz` instead: p50 / p99 ms",
			...columns.map((c) => `${med(c.runs, (r) => r.readsDuringCeiling?.p50)} / ${med(c.runs, (r) => r.readsDuringCeiling?.p99)}`),
		],
		[
			"reads while writers deliver that asked the ledger (of all reads then, all runs)",
			...columns.map((c) => {
				const all = c.runs.reduce((a, l) => a + l.result.readsDuringDeliveries.reads, 0);
				const ledger = c.runs.reduce((a, l) => a + l.result.readsDuringDeliveries.sources.ledger, 0);
				return `${fmt(ledger)} of ${fmt(all)}`;
			}),
		],
		[
			"**totals exact** after every run",
			...columns.map((c) => (c.runs.every((l) => l.result.exact) ? `**yes** (${c.runs.length} of ${c.runs.length})` : "**NO**")),
		],
	];

	const rows: (string | number | null)[][] = [];
	const row = (name: string, pick: (r: LoadResult, l: LoadRun) => string | number | null) =>
		rows.push([name, ...loads.map((l) => pick(l.result, l))]);
	row("code", (_, l) => buildName(l.build));
	row("deliveries (unique gifts + duplicates)", (r) => `${fmt(r.deliveries)} (${fmt(r.unique)} + ${fmt(r.duplicates)})`);
	row("campaigns", (r) => r.campaigns.length);
	row("without readers: deliveries/s, `POST /healthz` req/s", (r) =>
		r.alone ? `${fmt(r.alone.deliveriesPerSecond, 1)}, ${fmt(r.alone.ceilingPerSecond, 1)}` : "n/a",
	);
	row("**ratio**, and per round", (r) =>
		r.alone
			? `**${r.alone.ratio}** (${r.pairs
					.filter((p) => !p.readers)
					.map((p) => p.ratio)
					.join(", ")})`
			: "n/a",
	);
	row("with 50 readers: deliveries/s, `POST /healthz` req/s, ratio", (r) =>
		r.withReaders
			? `${fmt(r.withReaders.deliveriesPerSecond, 1)}, ${fmt(r.withReaders.ceilingPerSecond, 1)}, ${r.withReaders.ratio}`
			: "n/a",
	);
	row("all deliveries/s (restart and ceiling rounds excluded)", (r) => fmt(r.deliveriesPerSecond, 1));
	row("delivery latency p50 / p99 ms, first half / second half", (r) =>
		r.halves.map((h) => `${h.latencyMs.p50} / ${h.latencyMs.p99}`).join("; "),
	);
	row("outcomes", (r) => {
		const sum: Record<string, number> = {};
		for (const h of r.halves) for (const [k, v] of Object.entries(h.outcomes)) sum[k] = (sum[k] ?? 0) + v;
		return Object.entries(sum)
			.sort()
			.map(([k, v]) => `${k} ${fmt(v)}`)
			.join(", ");
	});
	row(
		"non-2xx attempts (retried) / never acknowledged",
		(r) => `${r.halves.reduce((a, h) => a + h.failedAttempts, 0)} / ${r.halves.reduce((a, h) => a + h.lost, 0)}`,
	);
	row("what the non-2xx attempts were", (r) => {
		const sum: Record<string, number> = {};
		for (const h of r.halves) for (const [k, v] of Object.entries(h.failures)) sum[k] = (sum[k] ?? 0) + v;
		const list = Object.entries(sum).map(([k, v]) => `${v} × ${k.replace(/\|/g, "/")}`);
		return list.length ? list.join("; ") : "none";
	});
	row("ceiling requests not answered 200", (r) => r.pairs.reduce((a, p) => a + p.ceiling.failed, 0));
	row("worker restart (stop + start on the same state)", (r) => (r.restartSeconds === null ? "n/a" : `${r.restartSeconds} s`));
	row("every gift acknowledged before the stop still there after", (r) => (r.survivedRestart ? "yes" : "**no**"));
	row(
		"reads while writers deliver: count, p50 / p99 ms",
		(r) => `${fmt(r.readsDuringDeliveries.reads)}, ${r.readsDuringDeliveries.p50} / ${r.readsDuringDeliveries.p99}`,
	);
	row("… answered from", sourcesOf);
	row("reads while `POST /healthz` runs: count, p50 / p99 ms", (r) =>
		r.readsDuringCeiling ? `${fmt(r.readsDuringCeiling.reads)}, ${r.readsDuringCeiling.p50} / ${r.readsDuringCeiling.p99}` : "n/a",
	);
	row("read errors", (r) => {
		const kinds: Record<string, number> = {};
		for (const x of r.reads) for (const [k, v] of Object.entries(x.failures)) kinds[k] = (kinds[k] ?? 0) + v;
		const detail = Object.entries(kinds).map(([k, v]) => `${v} × ${k.replace(/\|/g, "/")}`);
		return `${r.reads.reduce((a, x) => a + x.errors, 0)}${detail.length ? ` (${detail.join("; ")})` : ""}`;
	});
	row("reads that showed a lower total than that reader saw before", (r) => r.reads.reduce((a, x) => a + x.wentBack, 0));
	row("public API showed the exact total after (ms, slowest campaign)", (r) => Math.max(...r.checks.map((c) => c.publicSettleMs)));
	row("**totals exact** (public API and admin export, every campaign)", (r) => (r.exact ? "**yes**" : "**NO**"));
	const checks = loads.flatMap((l) =>
		l.result.checks.map((c) => [
			l.label,
			c.id,
			fmt(c.expectedCount),
			fmt(c.expectedTotal),
			`${fmt(c.publicCount)} / ${fmt(c.publicTotal)}`,
			`${fmt(c.exportRows)} / ${fmt(c.exportNet)}`,
			`${c.missing} / ${c.extra}`,
		]),
	);
	const headline = [1, 3]
		.map((campaigns) => {
			const after = writeRatio("after", campaigns);
			const before = baseline ? writeRatio("before", campaigns) : null;
			const where = campaigns === 1 ? "into one campaign" : "across three";
			return before === null ? `**${after ?? "n/a"}** ${where}` : `**${before} → ${after ?? "n/a"}** ${where}`;
		})
		.join(", ");
	return `## Write path: signed webhook deliveries against a trivial POST

Deliveries/s ÷ \`POST /healthz\` req/s (the ceiling: the same signed bodies and headers, behind the same
middleware, at the same concurrency of 50, in rounds back to back): ${headline}${
		baseline
			? ` (before: commit \`${baseline.commit}\`, after: commit \`${code.commit}\`${code.dirty ? " plus uncommitted changes" : ""}, both in this run)`
			: ""
	}. Medians over runs; budget >= ${WRITE_RATIO_BUDGET}.

${table(["", ...columns.map((c) => `${c.campaigns === 1 ? "one campaign" : "three campaigns"}${baseline ? `, ${c.build}` : ""}`)], summaryRows)}

${table(["", ...loads.map((l) => l.label)], rows)}

${table(["run", "campaign", "gifts expected", "total expected (cents)", "public API gifts / total", "admin export rows / net", "missing / extra keys"], checks)}

Method (\`bench/load.ts\`, \`runLoad\`): a plan of ${fmt(LOAD_DELIVERIES)} deliveries of signed
\`checkout.session.completed\` events (one-time gifts of 1 to 1,000 $, random amounts), 20 % of them
duplicates of another gift in the plan (two thirds exact redeliveries of the same event id, one third a
second event about the same Checkout Session, \`checkout.session.async_payment_succeeded\`, which must
dedupe by the session), spread round robin over the campaigns and shuffled (a duplicate may arrive
before its original). Each delivery is built from the Stripe fixture event and signed with the
endpoint secret just before it is POSTed (as Stripe signs each attempt), 50 in flight; a non-2xx would be
retried up to 3 times. The worker runs under \`wrangler dev --persist-to <dir>\`; after the first half of the
deliveries it is stopped (SIGTERM to its process group) and started again on the same directory; the admin
export before and after the restart must both hold every gift of the first half. Each half runs in two
rounds: the first alone, the second while 50 readers loop on \`GET /api/campaigns/:id\` over the campaigns.
Each round is paired with a **ceiling round**: the same bodies, signed the same way, POSTed to
\`/healthz\` at the same concurrency (a route behind the webhook's 512 KiB body limit and the global
middleware that reads the body and answers \`{ok, bytes}\`); which of the two goes first alternates. The
ratio of a run is its deliveries/s over its ceiling req/s in the rounds without readers; the headline is
the median over runs. Reads are split by the round they started in (deliveries or ceiling), and by what
answered them (the route's \`Server-Timing\`). Afterwards each campaign's admin CSV export must hold exactly
the expected gifts (keys, count, sum of \`net\`), and the public API must show the exact total and count
(polled until it does, up to 40 s; the time it took is in the table). Runs alternate one campaign / three
campaigns (3, 1, 1, 3)${baseline ? ", each with both commits, which one first alternating too" : ""}; a fresh worker and state directory for each run.${
		baseline
			? ` The "before" worker is commit \`${baseline.commit}\` (${baseline.subject.replace(/\|/g, "/").slice(0, 160)}), exported with
\`git archive\` into a temporary directory with this checkout's \`node_modules\` and built there
(\`BENCH_BASELINE=${process.env.BENCH_BASELINE} npm run bench\`, \`bench/baseline.ts\`).`
			: ""
	}

${profileSection()}`;
}

/** p50 / p99 over the deliveries of a run's rounds with (or without) readers. */
function latencyOf(r: LoadResult, withReaders: boolean): { p50: number; p99: number } {
	const all = r.pairs
		.filter((p) => p.readers === withReaders)
		.flatMap((p) => p.deliveries.latencies)
		.sort((a, b) => a - b);
	return { p50: round(percentile(all, 50)), p99: round(percentile(all, 99)) };
}

function profileSection(): string {
	if (profiles.length === 0) return "### Where a delivery's time goes\n\nNot measured (see above).\n";
	const present: Build[] = baseline ? ["before", "after"] : ["after"];
	const alone = (build: Build) => profiles.find((p) => p.build === build)?.result ?? null;
	const underLoad = (build: Build) =>
		summarizePhases(
			loads
				.filter((l) => l.build === build)
				.flatMap((l) => l.result.pairs.filter((p) => !p.readers))
				.flatMap((p) => p.deliveries.phases)
				.map(withDerived),
		);
	const loaded = new Map(present.map((b) => [b, underLoad(b)]));
	const cell = (summary: Record<string, { mean: number; p50: number; share: number }> | undefined, key: string) => {
		const s = summary?.[key];
		return s ? `${fmt(s.mean, 2)} (${fmt(s.p50, 0)})` : "—";
	};
	const shareOf = (summary: Record<string, { share: number }> | undefined, key: string) => {
		const s = summary?.[key];
		return s && key !== "client" && key !== "outside" ? `${fmt(s.share, 1)} %` : "";
	};
	const head = [
		"phase",
		...present.map((b) => `one at a time, ${b}: mean (p50) ms`),
		"share of the handler, after",
		...present.map((b) => `at 50, ${b}: mean (p50) ms`),
		"share, at 50, after",
	];
	const profileRows = PROFILE_ROWS.map((r) => [
		r.label,
		...present.map((b) => cell(alone(b)?.phases, r.key)),
		shareOf(alone("after")?.phases, r.key),
		...present.map((b) => cell(loaded.get(b), r.key)),
		shareOf(loaded.get("after"), r.key),
	]);
	const cpuRows: (string | number | null)[][] = [
		["worker CPU per delivery, one at a time (ms)", ...present.map((b) => fmt(alone(b)?.cpuPerDelivery, 2))],
		["worker CPU per `POST /healthz`, one at a time (ms)", ...present.map((b) => fmt(alone(b)?.cpuPerCeiling, 2))],
		["worker CPU per delivery, 50 at a time (ms)", ...present.map((b) => fmt(alone(b)?.saturated.cpuPerDelivery, 2))],
		["worker CPU per `POST /healthz`, 50 at a time (ms)", ...present.map((b) => fmt(alone(b)?.saturated.cpuPerCeiling, 2))],
		[
			"deliveries/s and `POST /healthz` req/s, 50 at a time, no readers",
			...present.map((b) => {
				const p = alone(b);
				return p
					? `${fmt(p.saturated.deliveriesPerSecond, 1)}, ${fmt(p.saturated.ceilingPerSecond, 1)} (ratio ${p.saturated.ratio})`
					: "n/a";
			}),
		],
		[
			"latency p50 one at a time: delivery, `POST /healthz` (ms, client)",
			...present.map((b) => {
				const p = alone(b);
				return p ? `${p.delivery.latencyMs.p50}, ${p.ceiling.latencyMs.p50}` : "n/a";
			}),
		],
	];
	const after = alone("after");
	const inHandler = after
		? PROFILE_ROWS.filter((r) => !["total", "client", "outside", "ledger"].includes(r.key))
				.map((r) => ({
					label: r.label.replace(/^… in the object: /, "in the ledger: ").replace(/\*\*/g, ""),
					mean: after.phases[r.key]?.mean ?? 0,
				}))
				.sort((a, b) => b.mean - a.mean)
				.slice(0, 3)
				.map((r) => `${r.label} ${fmt(r.mean, 2)} ms`)
				.join("; ")
		: "n/a";
	return `### Where a delivery's time goes

Measured, not estimated: every delivery's answer carries a \`Server-Timing\` header
(\`src/http/server-timing.ts\`) with the time of each step as the worker saw it, and the ledger object
returns the time of its own steps in its answer (${LEDGER_INNER.map((p) => `\`${p}\``).join(", ")}). "One at a time":
${after?.deliveries ?? 200} new gifts into one campaign, one delivery in flight, on a fresh worker after a warm-up
(\`bench/profile.ts\`); "at 50": every delivery of the write-path runs' rounds without readers. Each cell is the
mean over deliveries with the median in brackets: workerd's clock ticks in whole milliseconds, so single
values are whole ms (and most steps take less than one), while the mean of many resolves below a tick.
Shares are of the handler's mean time. Derived rows: the ledger call itself is the round trip minus the
object's own steps; "outside the handler" is the client's latency minus the handler's (HTTP, the
\`wrangler dev\` proxy, routing, and at 50 the wait for the isolate).

${table(head, profileRows)}

The three largest steps in the handler after, one at a time: ${inHandler}.

Throughput on this machine is bounded by CPU, so the cost that decides the ratio is the CPU time per
request, here of both workerd processes behind \`wrangler dev\` (\`/proc/<pid>/stat\`; the proxy in front of
the worker and the runtime that runs the worker, the ledger object and the local emulations of KV, the
Cache API and Durable Object storage):

${table(["", ...present.map(buildName)], cpuRows)}

Reading it: a \`POST /healthz\` costs the proxy, the HTTP parsing, the middleware and the body read; a
delivery costs those plus the signature check, the plan, the ledger call and what the ledger does. Under
\`wrangler dev\` every KV write, Cache API call and Durable Object storage commit is emulated in the same
workerd process on the same 2 cores, so each one is CPU taken from the requests. Before this change a
delivery waited for its gift's payment-index KV write (at 50, the largest step), for a KV write of the
snapshot that included it and for an edge-cache delete of its own. Now the index is written after the
answer (it is a shortcut: attribution asks Stripe without it), a change made while a snapshot write is
under way rides with the next one (at most one per second per campaign), and the purge runs after the
answer, one delete at a time per campaign (see the README's write path). Group commit keeps two ledger
calls under way per campaign, so while one waits for its KV snapshot write the next one's change rides
with the following write (with one call, each batch found no write under way and waited for its own).
What remains at 50 is CPU: the machine's two cores are busy, so the ledger call's time is mostly the
wait for the object and the isolate, and the ratio follows the CPU rows above, a delivery's CPU (the
signature's HMAC, JSON, the RPC to the object, its SQLite commit, the emulated KV and Durable Object
storage) against the ceiling's. Left out: keeping the publisher busy for a second after every write even
at rest; it would end the promise that a change made at rest is in KV before its 2xx (seven tests hold it).

On Cloudflare's network (on paper, not measured here): KV writes, Cache API calls and the Durable Object's
storage are I/O to other machines, not CPU in the worker's isolate, and \`performance.now()\` advances
only on I/O there (developers.cloudflare.com/workers/runtime-apis/performance), so the same
\`Server-Timing\` header would show I/O waits only. Deliveries spread over isolates; the one serial point per
campaign is its ledger object, whose own work per delivery is the rows "in the object" above minus the
awaited KV write; an object has a soft limit of about 1,000 requests per second
(developers.cloudflare.com/durable-objects/platform/limits, "How much work can a single Durable Object
do?"). What binds there is KV: one write per second per key and, on the Workers Free plan, 1,000 writes a
day to different keys (developers.cloudflare.com/kv/platform/limits). The snapshot publisher keeps to one
write per second per campaign while changes keep coming; the payment index writes one new key per gift,
so on the Free plan it alone caps a day at about 1,000 gifts.
`;
}

function growthSection(g: GrowthResult | null): string {
	if (!g) return "## Growth\n\nNot measured (see above).\n";
	const stages = g.stages;
	const col = (pick: (s: (typeof stages)[number]) => string | number | null) => stages.map(pick);
	const rows: (string | number | null)[][] = [
		["filling the ledger: gifts/s (first stage: webhooks at concurrency 50; later: re-sync)", ...col((s) => fmt(s.fill.perSecond, 1))],
		["write: 200 deliveries at concurrency 20, deliveries/s", ...col((s) => fmt(s.write.perSecond, 1))],
		["write: delivery latency p50 / p99 ms", ...col((s) => `${s.write.latencyMs.p50} / ${s.write.latencyMs.p99}`)],
		["warm totals read (memory / edge cache hits): req/s (median)", ...col((s) => fmt(s.warmRead.rps))],
		["warm totals read: p50 / p99 ms", ...col((s) => `${s.warmRead.p50} / ${s.warmRead.p99}`)],
		["/healthz in the same rounds: req/s (median)", ...col((s) => fmt(s.healthz.rps))],
		["**warm totals / healthz** (median of rounds)", ...col((s) => `**${s.healthz.ratio}**`)],
		["warm totals / healthz: ratio of the medians", ...col((s) => s.healthz.ratioOfMedians)],
		[
			"warm totals / healthz: lowest – highest round",
			...col((s) => `${Math.min(...s.healthz.roundRatios)} – ${Math.max(...s.healthz.roundRatios)}`),
		],
		["cold totals read (right after a write: KV): p50 / max ms", ...col((s) => `${s.coldRead.p50} / ${s.coldRead.max}`)],
		["CSV export of the whole period: s", ...col((s) => s.exportCsv.seconds)],
		["CSV export: size", ...col((s) => `${kib(s.exportCsv.bytes)} KiB`)],
		["re-sync (Stripe and ledger agree): s", ...col((s) => s.resync.seconds)],
		["re-sync: already recorded / added", ...col((s) => `${fmt(s.resync.alreadyRecorded)} / ${s.resync.added}`)],
		[
			"workerd RSS before export → peak during export → peak during re-sync, MiB",
			...col((s) => `${s.rssBeforeMiB ?? "n/a"} → ${s.exportCsv.peakRssMiB ?? "n/a"} → ${s.resync.peakRssMiB ?? "n/a"}`),
		],
		["workerd RSS after the stage, MiB", ...col((s) => s.rssMiB)],
		["totals exact (public API, export, re-sync)", ...col((s) => (s.exact ? "yes" : "**NO**"))],
	];
	const [small, large] = [stages[0], stages[stages.length - 1]];
	const both = small && large && stages.length > 1;
	const x = (a: number, b: number) => round(b / a, 2);
	const comparison = both
		? `
From ${fmt(small.size)} to ${fmt(large.size)} donations, same run: warm totals read throughput ×${x(small.warmRead.rps, large.warmRead.rps)}
(relative to \`/healthz\` in the same rounds: ${small.healthz.ratio} → ${large.healthz.ratio}; rounds of 2 s on this
shared machine scatter by tens of percent, see the lowest and highest round above), cold (KV) read p50
×${x(small.coldRead.p50, large.coldRead.p50)}, write throughput ×${x(small.write.perSecond, large.write.perSecond)}, CSV export time
×${x(small.exportCsv.seconds, large.exportCsv.seconds)}, re-sync time ×${x(small.resync.seconds, large.resync.seconds)}.

Reading it: the totals read never touches the ledger (isolate memory, else the edge cache, else the KV
snapshot, a value of constant size: ${fmt(snapshotBytes)} bytes for \`main\`), so its cost per request does not depend on the ledger's size; compare it
with \`/healthz\` at the same moment, since the whole worker process (and this shared machine) can be slower
at one stage than at another. Each write rebuilds the snapshot with a \`SUM()\` over the period's gifts (read from a
covering index of the period's amounts, minus the few reversed gifts), so write cost grows with the ledger in
the end: in SQLite that sum takes about 10 ms at 100,000 gifts (it took 116 ms through the \`donation_net\` view
before commit \`8a57907\`); compare the write rows above to see how it shows next to the other costs of a
delivery (signature check, KV writes, cache purge). Export and re-sync read every gift, so they are linear: the export
streams pages of 500 rows; the re-sync lists Stripe 100 objects per request and records them 500 per
ledger call, all inside one HTTP request (${fmt(large.size)} gifts took ${large.resync.seconds} s here, which includes
the local Stripe double answering the ${fmt(Math.ceil(large.size / 100))} list pages).
Memory: the RSS is that of the two local workerd processes behind \`wrangler dev\` (the worker plus
miniflare's emulated KV, Cache and Durable Object storage), not an isolate's memory (the Workers limit,
128 MB, applies per isolate). It is dominated by the dev runtime itself, which grows with the number of
requests served, whatever they are: the worker of the page-view and read-path sections went from
${idleRss ?? "n/a"} MiB idle to ${rssAfterReads ?? "n/a"} MiB after serving ${fmt(readPath ? readPath.totals.requests + readPath.healthz.requests : null)} read-path requests (plus warm-ups and
the page views), with no writes at all. So the RSS rising between stages mostly counts requests, not
ledger rows; what the ledger's size does show is the step during export and re-sync (before → peak).
`
		: "";
	const skipped = g.skipped.map((s) => `- **${fmt(s.size)} donations: not measured.** Reason: ${s.reason}.`).join("\n");
	return `## Growth: 1k, 10k, 100k donations in one ledger

${table(["", ...stages.map((s) => `${fmt(s.size)} donations`)], rows)}
${comparison}
${skipped ? `${skipped}\n` : ""}

Method (\`bench/growth.ts\`): one campaign on a fresh worker (state persisted on tmpfs, \`/dev/shm\`, when there is one), filled through the real
worker: the first stage with signed \`checkout.session.completed\` deliveries at concurrency 50, later
stages through re-sync (the Stripe double holds the paid Checkout Sessions; one admin request lists them
and records them 500 per ledger transaction), the two recording paths the product has; there is no bulk
import. The Stripe double always holds the same paid Checkout Sessions as the ledger, so the measured
re-sync finds Stripe and the ledger in agreement (the steady state: it lists everything and adds nothing). At each size: 200
deliveries at concurrency 20 (write), 20 × (one delivery, then one timed read: the delivery purged the
cached totals, so the read goes to KV), autocannon with 50 connections on the totals (cache hits) and on
\`/healthz\` in 6 alternating rounds of 2 s after a 1 s warm-up of each, the CSV export (timed to the last byte, rows and sum checked), a re-sync, and the RSS
of the worker's workerd processes (\`VmRSS\` in \`/proc/<pid>/status\`, summed; sampled every 100 ms during
export and re-sync). A stage that would not fit in the bench's time limit (\`BENCH_MINUTES\`, 9.5 by
default) is skipped, with the projection from the measured fill rate that ruled it out.
`;
}

function bundleSection(b: BundleWeight | null): string {
	if (!b) return "## Worker bundle\n\nNot measured (see above).\n";
	return `## Worker bundle

${table(
	["file", "raw", "gzip -9"],
	[
		...b.files.map((f) => [`\`${f.name}\``, `${kib(f.raw)} KiB`, `${kib(f.gzip)} KiB`]),
		["**total**", `**${kib(b.raw)} KiB**`, `**${kib(b.gzip)} KiB**`],
	],
)}

Wrangler's own figure: \`${b.wranglerSays ?? "n/a"}\`.
Against the Workers script size limits (compressed): ${round((b.gzip / FREE_LIMIT) * 100, 1)} % of 3 MiB (Free),
${round((b.gzip / PAID_LIMIT) * 100, 1)} % of 10 MiB (Paid).

Method: \`npx wrangler deploy --dry-run --outdir <tmp>\` (bundles exactly what \`wrangler deploy\` would
upload, without uploading), then every output file except source maps, raw and gzip level 9 (\`node:zlib\`).
`;
}
