// The admin page's script (/admin.js): talks only to the same-origin admin API.
// Built by esbuild (scripts/build.mjs) into the static assets; type-checked with site/tsconfig.json.

import type { ResyncReport } from "../src/domain/reports";
import type { AdminSettings } from "../src/domain/settings";
import type { CampaignSnapshot } from "../src/domain/snapshot";
import { api, byId, getJson, saveDonations, say, showSignedIn, TOKEN_KEY } from "./api";
import { showCampaign, showUnplaced } from "./campaign-view";
import { type AdminTools, showFunnel, wireFunnel } from "./funnel";
import { money, toMajor, toMinor } from "./money";
import { fillSettings, readSettings } from "./settings-form";

let current: CampaignSnapshot | undefined;
let editing: AdminSettings | undefined;

async function loadCampaigns(select?: string): Promise<void> {
	const { campaigns } = await getJson<{ campaigns: CampaignSnapshot[] }>("/campaigns");
	const list = byId<HTMLSelectElement>("campaign");
	list.replaceChildren(...campaigns.map((campaign) => new Option(`${campaign.id} · ${campaign.title}`, campaign.id)));
	if (select) list.value = select;
	await loadCampaign(list.value);
}

async function loadCampaign(id: string): Promise<void> {
	const { campaigns } = await getJson<{ campaigns: CampaignSnapshot[] }>("/campaigns");
	current = campaigns.find((campaign) => campaign.id === id);
	if (!current) return;
	editing = await getJson<AdminSettings>(`/campaigns/${id}`);
	fillSettings(editing);
	await Promise.all([showCampaign(current), showUnplaced(), showFunnel(current, funnelTools)]);
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
	if (!campaign || !editing) return;
	await api(`/campaigns/${campaign.id}`, { method: "PUT", json: readSettings(editing) });
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
	const placed = report.settled ? `, ${report.settled} unplaced placed` : "";
	say(
		`Re-sync: ${report.added.length} added, ${report.alreadyRecorded} already recorded, ${report.notInStripe.length} not found at Stripe${placed}. ` +
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
	// The browser refused a field before anything was sent: say so instead of leaving an older "Saved." up.
	for (const form of ["settings", "test-form"]) {
		byId(form).addEventListener(
			"invalid",
			(event) => {
				const field = event.target as HTMLInputElement;
				say(`Not saved: ${field.labels?.[0]?.textContent ?? field.id}: ${field.validationMessage}`);
			},
			true,
		);
	}
	byId("reset").addEventListener("click", guarded(startNewPeriod));
	byId("resync").addEventListener("click", guarded(resyncFromStripe));
	byId("export-csv").addEventListener(
		"click",
		guarded((campaign) => campaign && saveDonations(campaign.id, campaign.period.id, "csv")),
	);
	byId("export-json").addEventListener(
		"click",
		guarded((campaign) => campaign && saveDonations(campaign.id, campaign.period.id, "json")),
	);
	// With a stored token, or behind Cloudflare Access without one, the API answers; otherwise sign in.
	loadCampaigns().then(
		() => showSignedIn(true),
		() => {
			if (!sessionStorage.getItem(TOKEN_KEY)) showSignedIn(false);
		},
	);
});
