// The admin page's script (/admin.js): talks only to the same-origin admin API.
// Built by esbuild (scripts/build-site.ts); type-checked with site/tsconfig.json.
import { currencyExponent, formatMoney } from "../src/domain/currency";
import type { CampaignSnapshot } from "../src/domain/snapshot";
import { type AdminTools, showFunnel, wireFunnel } from "./funnel";

interface PeriodSummary {
	id: number;
	startedAt: string;
	endedAt: string | null;
	goals: number[];
	total: number;
	donations: number;
}
interface AuditEntry {
	at: string;
	actor: string;
	action: string;
	after: unknown;
}
interface ResyncReport {
	added: unknown[];
	alreadyRecorded: number;
	notInStripe: unknown[];
	totalBefore: number;
	totalAfter: number;
}

const TOKEN_KEY = "donation-admin-token";
const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
let current: CampaignSnapshot | undefined;

async function api(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	// No token stored: Cloudflare Access (when set up) signs the request in on its own.
	const token = sessionStorage.getItem(TOKEN_KEY);
	if (token) headers.set("Authorization", `Bearer ${token}`);
	// Every change is JSON, even without a body: the worker refuses anything a cross-site form could send.
	const changes = (init.method ?? "GET") !== "GET";
	const body = changes ? JSON.stringify(init.json ?? {}) : undefined;
	if (changes) headers.set("Content-Type", "application/json");
	const res = await fetch(`/api/admin${path}`, { ...init, headers, body });
	if (res.status === 401) {
		// Forget the token only if it is still the one that failed (a sign-in may have happened meanwhile).
		if (sessionStorage.getItem(TOKEN_KEY) === token) {
			sessionStorage.removeItem(TOKEN_KEY);
			showSignedIn(false);
		}
		throw new Error(token ? "Wrong token: please sign in again." : "Please sign in.");
	}
	if (!res.ok) {
		let message = `${res.status} ${res.statusText}`;
		try {
			message = ((await res.json()) as { error: { message: string } }).error.message;
		} catch {}
		throw new Error(message);
	}
	return res;
}

const getJson = async <T>(path: string): Promise<T> => (await api(path)).json() as Promise<T>;

/** Minor units per major unit, as Stripe writes amounts (100 for ISK and HUF, which Intl shows without decimals). */
const minorPerMajor = (currency: string) => 10 ** currencyExponent(currency);
/** Like an accounts page: "$3,502.00", "ISK 3,492"; Stripe's decimals where an amount has them ("HUF 3,492.50"). */
function money(minor: number, currency: string): string {
	const format = new Intl.NumberFormat("en-US", { style: "currency", currency });
	const major = minor / minorPerMajor(currency);
	if (Number.isInteger(major) || (format.resolvedOptions().maximumFractionDigits ?? 0) > 0) return format.format(major);
	return formatMoney(minor, currency, "en-US");
}
const toMinor = (text: string, currency: string) =>
	text
		.split(",")
		.map((part) => part.trim())
		.filter(Boolean)
		.map((part) => Math.round(Number(part) * minorPerMajor(currency)));
const toMajor = (amounts: number[], currency: string) => amounts.map((minor) => minor / minorPerMajor(currency)).join(", ");
const say = (text: string) => {
	byId("status").textContent = text;
};

function row(...cells: string[]): HTMLTableRowElement {
	const tr = document.createElement("tr");
	for (const text of cells) {
		const td = document.createElement("td");
		td.textContent = text;
		tr.append(td);
	}
	return tr;
}

function showSignedIn(signedIn: boolean): void {
	byId("login").hidden = signedIn;
	byId("app").hidden = !signedIn;
	if (!signedIn) byId("token").focus();
}

async function loadCampaigns(select?: string): Promise<void> {
	const { campaigns } = await getJson<{ campaigns: CampaignSnapshot[] }>("/campaigns");
	const list = byId<HTMLSelectElement>("campaign");
	list.replaceChildren(...campaigns.map((campaign) => new Option(`${campaign.id} · ${campaign.title}`, campaign.id)));
	if (select) list.value = select;
	await loadCampaign(list.value);
}

function showLiveBar(campaign: CampaignSnapshot): void {
	const goal = campaign.goals[campaign.goals.length - 1] ?? 0;
	const bar = document.createElement("progress");
	bar.max = goal;
	bar.value = Math.min(campaign.total, goal);
	bar.setAttribute("aria-label", campaign.title);
	const label = document.createElement("p");
	label.textContent = `${money(campaign.total, campaign.currency)} raised of ${money(goal, campaign.currency)}`;
	byId("bar").replaceChildren(bar, label);
}

async function loadCampaign(id: string): Promise<void> {
	const { campaigns } = await getJson<{ campaigns: CampaignSnapshot[] }>("/campaigns");
	current = campaigns.find((campaign) => campaign.id === id);
	if (!current) return;
	const { currency } = current;
	byId<HTMLInputElement>("title").value = current.title;
	byId<HTMLInputElement>("goals").value = toMajor(current.goals, currency);
	byId<HTMLInputElement>("amounts").value = toMajor(current.amounts, currency);
	byId<HTMLInputElement>("currency").value = currency.toUpperCase();
	byId("period").textContent =
		`Period ${current.period.id} since ${new Date(current.period.startedAt).toLocaleString()}: ${money(current.total, currency)} from ${current.donations} gifts.`;
	showLiveBar(current);

	const { periods } = await getJson<{ periods: PeriodSummary[] }>(`/campaigns/${id}/periods`);
	byId<HTMLTableElement>("periods").tBodies[0]?.replaceChildren(
		...periods.map((p) =>
			row(
				String(p.id),
				new Date(p.startedAt).toLocaleString(),
				p.endedAt ? new Date(p.endedAt).toLocaleString() : "current",
				String(p.donations),
				money(p.total, currency),
				p.goals.map((goal) => money(goal, currency)).join(" / "),
			),
		),
	);
	await showFunnel(current, funnelTools);
	const { entries } = await getJson<{ entries: AuditEntry[] }>(`/campaigns/${id}/audit`);
	byId("audit").replaceChildren(
		...entries.slice(0, 20).map((entry) => {
			const item = document.createElement("li");
			const change = entry.after ? ` → ${JSON.stringify(entry.after)}` : "";
			item.textContent = `${new Date(entry.at).toLocaleString()} · ${entry.actor} · ${entry.action}${change}`;
			return item;
		}),
	);
}

async function download(campaign: CampaignSnapshot, format: "csv" | "json"): Promise<void> {
	const res = await api(`/campaigns/${campaign.id}/donations?format=${format}&period=${campaign.period.id}`);
	const url = URL.createObjectURL(await res.blob());
	const link = document.createElement("a");
	link.href = url;
	link.download = `donations-${campaign.id}-period-${campaign.period.id}.${format}`;
	document.body.append(link);
	link.click();
	link.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** An event handler whose failure is shown in the status line, never thrown at the page. */
function guarded(handler: (campaign: CampaignSnapshot | undefined) => Promise<void> | void) {
	return async (event?: Event) => {
		event?.preventDefault();
		try {
			await handler(current);
		} catch (err) {
			say((err as Error).message);
		}
	};
}

async function saveSettings(campaign: CampaignSnapshot | undefined): Promise<void> {
	if (!campaign) return;
	const currency = byId<HTMLInputElement>("currency").value.trim().toLowerCase();
	const json = {
		title: byId<HTMLInputElement>("title").value.trim(),
		currency,
		goals: toMinor(byId<HTMLInputElement>("goals").value, currency),
		amounts: toMinor(byId<HTMLInputElement>("amounts").value, currency),
	};
	await api(`/campaigns/${campaign.id}`, { method: "PUT", json });
	await loadCampaigns(campaign.id);
	say("Saved. The widget shows the change now.");
}

async function startNewPeriod(campaign: CampaignSnapshot | undefined): Promise<void> {
	if (!campaign) return;
	const next = campaign.period.id + 1;
	const goals = prompt(
		`Start period ${next} at 0. Goals for the new period (major units, comma-separated):`,
		byId<HTMLInputElement>("goals").value,
	);
	if (goals === null) return;
	const question = `Start a new period for '${campaign.id}'? The current total goes back to 0; period ${campaign.period.id} and its gifts stay in the history.`;
	if (!confirm(question)) return;
	await api(`/campaigns/${campaign.id}/reset`, { method: "POST", json: { goals: toMinor(goals, campaign.currency) } });
	await loadCampaigns(campaign.id);
	say("New period started.");
}

async function resyncFromStripe(campaign: CampaignSnapshot | undefined): Promise<void> {
	if (!campaign) return;
	say("Re-syncing from Stripe…");
	const report = (await (await api(`/campaigns/${campaign.id}/resync`, { method: "POST" })).json()) as ResyncReport;
	await loadCampaigns(campaign.id);
	const { currency } = campaign;
	say(
		`Re-sync: ${report.added.length} added, ${report.alreadyRecorded} already recorded, ${report.notInStripe.length} not found at Stripe. ` +
			`Total ${money(report.totalBefore, currency)} → ${money(report.totalAfter, currency)}.`,
	);
}

/** What the funnel (site/funnel.ts) uses of this script. */
const funnelTools: AdminTools = { api, money, toMinor, toMajor, say, reload: () => loadCampaigns(current?.id) };

document.addEventListener("DOMContentLoaded", () => {
	wireFunnel(() => current, funnelTools);
	byId("login").addEventListener(
		"submit",
		guarded(async () => {
			const field = byId<HTMLInputElement>("token");
			sessionStorage.setItem(TOKEN_KEY, field.value);
			field.value = "";
			await loadCampaigns();
			showSignedIn(true);
		}),
	);
	byId("logout").addEventListener("click", () => {
		sessionStorage.removeItem(TOKEN_KEY);
		showSignedIn(false);
	});
	byId("campaign").addEventListener(
		"change",
		guarded(() => loadCampaign(byId<HTMLSelectElement>("campaign").value)),
	);
	byId("settings").addEventListener("submit", guarded(saveSettings));
	byId("reset").addEventListener("click", guarded(startNewPeriod));
	byId("resync").addEventListener("click", guarded(resyncFromStripe));
	byId("export-csv").addEventListener(
		"click",
		guarded((campaign) => campaign && download(campaign, "csv")),
	);
	byId("export-json").addEventListener(
		"click",
		guarded((campaign) => campaign && download(campaign, "json")),
	);
	// With a stored token, or behind Cloudflare Access without one, the API answers; otherwise sign in.
	loadCampaigns().then(
		() => showSignedIn(true),
		() => {
			if (!sessionStorage.getItem(TOKEN_KEY)) showSignedIn(false);
		},
	);
});
