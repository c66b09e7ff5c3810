// The admin page's funnel: numbers, charts, the sortable per-article table,
// the A/B test's results and editor. Data from GET /api/admin/campaigns/:id/funnel.
import type { CampaignSnapshot } from "../src/domain/snapshot";
import { saveFile } from "./api";
import { cumulativeChart, dailyChart, everyDay } from "./charts";

interface Line {
	loads: number;
	checkouts: number;
	donations: number;
	total: number;
	conversion: number | null;
}
interface PageLine extends Line {
	page: string | null;
}
interface VariantLine extends Line {
	variant: string;
	interval: { low: number; high: number };
	running: boolean;
}
interface Funnel {
	period: { id: number; startedAt: string; endedAt: string | null; goals: number[]; currency: string };
	totals: Line;
	pages: PageLine[];
	variants: VariantLine[];
	verdict: { state: string; leader: string | null; message: string } | null;
	daily: { day: string; donations: number; total: number }[];
}

/** What the funnel needs from the admin page's script. */
export interface AdminTools {
	api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
	money(minor: number, currency: string): string;
	toMinor(text: string, currency: string): number[];
	toMajor(amounts: number[], currency: string): string;
	say(text: string): void;
	reload(): Promise<void>;
}

const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const percent = (value: number | null) => (value === null ? "–" : `${(value * 100).toFixed(value < 0.1 ? 2 : 1)} %`);

function cells(tr: HTMLTableRowElement, values: [string, string?][]): HTMLTableRowElement {
	for (const [text, className] of values) {
		const td = document.createElement("td");
		td.textContent = text;
		if (className) td.className = className;
		tr.append(td);
	}
	return tr;
}

let sortKey: keyof Line = "total";
let descending = true;
let shown: { funnel: Funnel; tools: AdminTools } | null = null;

function showNumbers(f: Funnel, tools: AdminTools): void {
	const items: [string, string][] = [
		["Widget loads", String(f.totals.loads)],
		["Checkouts started", String(f.totals.checkouts)],
		["Gifts", String(f.totals.donations)],
		["Amount", tools.money(f.totals.total, f.period.currency)],
		["Conversion", percent(f.totals.conversion)],
	];
	byId("funnel-numbers").replaceChildren(
		...items.map(([label, value]) => {
			const div = document.createElement("div");
			const dt = document.createElement("dt");
			const dd = document.createElement("dd");
			dt.textContent = label;
			dd.textContent = value;
			div.append(dt, dd);
			return div;
		}),
	);
	const end = f.period.endedAt ? Date.parse(f.period.endedAt) : Date.now();
	const days = everyDay(f.daily, Date.parse(f.period.startedAt), end);
	byId("chart-total").replaceChildren(cumulativeChart(days, f.period.goals, (minor) => tools.money(minor, f.period.currency)));
	byId("chart-daily").replaceChildren(dailyChart(days));
}

/** An article as a link: its path when every article is on one site, else host and path. */
function articleCell(page: string | null, oneSite: boolean): HTMLTableCellElement {
	const td = document.createElement("td");
	td.className = "page";
	if (page === null || page === "other" || !/^https?:/.test(page)) {
		td.textContent = page === null ? "(unknown page)" : page === "other" ? "other (past the cap, or not a URL)" : page;
		return td;
	}
	const url = new URL(page);
	const link = document.createElement("a");
	link.href = page;
	link.title = page;
	link.rel = "noreferrer";
	link.textContent = oneSite ? url.pathname : `${url.host}${url.pathname}`;
	td.append(link);
	return td;
}

function showPages(): void {
	if (!shown) return;
	const { funnel, tools } = shown;
	const sites = new Set(funnel.pages.flatMap((p) => (p.page && /^https?:/.test(p.page) ? [new URL(p.page).origin] : [])));
	const value = (line: PageLine) => line[sortKey] ?? -1;
	const sorted = [...funnel.pages].sort((a, b) => (descending ? value(b) - value(a) : value(a) - value(b)));
	for (const th of byId<HTMLTableElement>("pages").tHead?.querySelectorAll<HTMLElement>("th[data-sort]") ?? []) {
		if (th.dataset.sort === sortKey) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
		else th.removeAttribute("aria-sort");
	}
	byId<HTMLTableElement>("pages").tBodies[0]?.replaceChildren(
		...sorted.map((p) =>
			cells(document.createElement("tr"), [
				[String(p.loads), "num"],
				[String(p.checkouts), "num"],
				[String(p.donations), "num"],
				[tools.money(p.total, funnel.period.currency), "num"],
				[percent(p.conversion), "num"],
			]),
		),
	);
	for (const [i, tr] of [...(byId<HTMLTableElement>("pages").tBodies[0]?.rows ?? [])].entries()) {
		tr.prepend(articleCell(sorted[i]?.page ?? null, sites.size <= 1));
	}
	if (sorted.length === 0) {
		// An empty table reads as broken; say why it is empty.
		const td = document.createElement("td");
		td.colSpan = byId<HTMLTableElement>("pages").tHead?.rows[0]?.cells.length ?? 1;
		td.textContent = "No widget loads yet in this period.";
		const tr = document.createElement("tr");
		tr.append(td);
		byId<HTMLTableElement>("pages").tBodies[0]?.append(tr);
	}
}

function showVariants(f: Funnel, campaign: CampaignSnapshot, tools: AdminTools): void {
	const running = f.variants.filter((v) => v.running);
	byId("verdict").textContent = f.verdict ? f.verdict.message : "No test is running.";
	byId<HTMLTableElement>("variants").tBodies[0]?.replaceChildren(
		...running.map((v) => {
			const tr = cells(document.createElement("tr"), [
				[v.variant],
				[String(v.loads), "num"],
				[String(v.checkouts), "num"],
				[String(v.donations), "num"],
				[tools.money(v.total, f.period.currency), "num"],
				[`${percent(v.conversion)} (${percent(v.interval.low)} – ${percent(v.interval.high)})`, "num"],
			]);
			const td = document.createElement("td");
			const end = document.createElement("button");
			end.type = "button";
			end.textContent = `End test, keep ${v.variant}`;
			end.addEventListener("click", () => endTest(campaign, v.variant, tools).catch((err: Error) => tools.say(err.message)));
			td.append(end);
			tr.append(td);
			return tr;
		}),
	);
	fillEditor(campaign, tools);
}

function fillEditor(campaign: CampaignSnapshot, tools: AdminTools): void {
	const variants = campaign.test?.variants ?? [];
	for (let n = 1; n <= 4; n++) {
		const v = variants[n - 1];
		byId<HTMLInputElement>(`variant-${n}-id`).value = v?.id ?? "";
		byId<HTMLInputElement>(`variant-${n}-title`).value = v?.title ?? "";
		byId<HTMLInputElement>(`variant-${n}-amounts`).value = v?.amounts ? tools.toMajor(v.amounts, campaign.currency) : "";
		byId<HTMLSelectElement>(`variant-${n}-interval`).value = v?.interval ?? "";
	}
	byId<HTMLSelectElement>("test-mode").value = campaign.test?.mode ?? "even";
	byId<HTMLInputElement>("test-epsilon").value = String(campaign.test?.epsilon ?? 0.1);
}

/** The test the editor describes (variants with an id), as PUT /campaigns/:id takes it. */
function editedTest(campaign: CampaignSnapshot, tools: AdminTools) {
	const variants = [1, 2, 3, 4]
		.map((n) => {
			const field = (name: string) => byId<HTMLInputElement>(`variant-${n}-${name}`).value.trim();
			const amounts = tools.toMinor(field("amounts"), campaign.currency);
			return {
				id: field("id"),
				...(field("title") ? { title: field("title") } : {}),
				...(amounts.length ? { amounts } : {}),
				...(field("interval") ? { interval: field("interval") } : {}),
			};
		})
		.filter((v) => v.id);
	return { variants, mode: byId<HTMLSelectElement>("test-mode").value, epsilon: Number(byId<HTMLInputElement>("test-epsilon").value) };
}

async function endTest(campaign: CampaignSnapshot, keep: string, tools: AdminTools): Promise<void> {
	if (!confirm(`End the test and make variant '${keep}' the campaign's own ask?`)) return;
	await tools.api(`/campaigns/${campaign.id}/test/end`, { method: "POST", json: { keep } });
	await tools.reload();
	tools.say(`Test ended; '${keep}' is now the campaign's ask.`);
}

/** Loads and shows the campaign's funnel for its current period. */
export async function showFunnel(campaign: CampaignSnapshot, tools: AdminTools): Promise<void> {
	const funnel = (await (await tools.api(`/campaigns/${campaign.id}/funnel`)).json()) as Funnel;
	shown = { funnel, tools };
	showNumbers(funnel, tools);
	showPages();
	showVariants(funnel, campaign, tools);
}

/** Wires the funnel's controls once; `current` answers the campaign on screen. */
export function wireFunnel(current: () => CampaignSnapshot | undefined, tools: AdminTools): void {
	for (const th of byId<HTMLTableElement>("pages").tHead?.querySelectorAll<HTMLElement>("th[data-sort]") ?? []) {
		th.querySelector("button")?.addEventListener("click", () => {
			const key = th.dataset.sort as keyof Line;
			descending = key === sortKey ? !descending : true;
			sortKey = key;
			showPages();
		});
	}
	const guard = (work: (campaign: CampaignSnapshot) => Promise<void>) => async (event: Event) => {
		event.preventDefault();
		const campaign = current();
		if (campaign) await work(campaign).catch((err: Error) => tools.say(err.message));
	};
	byId("test-form").addEventListener(
		"submit",
		guard(async (campaign) => {
			await tools.api(`/campaigns/${campaign.id}`, { method: "PUT", json: { test: editedTest(campaign, tools) } });
			await tools.reload();
			tools.say("Test saved. Each view now shows one of its variants.");
		}),
	);
	byId("test-stop").addEventListener(
		"click",
		guard(async (campaign) => {
			if (!confirm("Stop the test? The campaign keeps its own ask.")) return;
			await tools.api(`/campaigns/${campaign.id}`, { method: "PUT", json: { test: null } });
			await tools.reload();
			tools.say("Test stopped.");
		}),
	);
	byId("export-funnel").addEventListener(
		"click",
		guard(async (campaign) => {
			const { id, period } = campaign;
			await saveFile(`/campaigns/${id}/pages?format=csv&period=${period.id}`, `funnel-${id}-period-${period.id}.csv`);
		}),
	);
}
