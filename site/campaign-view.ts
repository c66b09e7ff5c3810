// What the admin page shows of a campaign: the live bar, the current period
// in a sentence (with gifts in other currencies and the sponsor's match), the
// periods, the audit log (the articles: ./funnel.ts), and money no campaign could take.
import type { AuditEntry, PeriodSummary, UnplacedEntry } from "../src/domain/reports";
import type { CampaignSnapshot } from "../src/domain/snapshot";
import { byId, getJson, saveDonations, say } from "./api";
import { money } from "./money";

function row(...cells: string[]): HTMLTableRowElement {
	const tr = document.createElement("tr");
	for (const text of cells) {
		const td = document.createElement("td");
		td.textContent = text;
		tr.append(td);
	}
	return tr;
}

const when = (iso: string) => new Date(iso).toLocaleString();
const gifts = (count: number) => `${count} gift${count === 1 ? "" : "s"}`;

/** A cell with a period's exports: its donations as CSV and as JSON. */
function exportCell(campaign: string, period: number): HTMLTableCellElement {
	const cell = document.createElement("td");
	for (const format of ["csv", "json"] as const) {
		const button = document.createElement("button");
		button.type = "button";
		button.className = "small";
		button.textContent = format.toUpperCase();
		button.setAttribute("aria-label", `Export period ${period} as ${format.toUpperCase()}`);
		button.addEventListener("click", () => saveDonations(campaign, period, format).catch((err: Error) => say(err.message)));
		cell.append(button, " ");
	}
	return cell;
}

export function showLiveBar(campaign: CampaignSnapshot): void {
	const goal = campaign.goals[campaign.goals.length - 1] ?? 0;
	const bar = document.createElement("progress");
	bar.max = Math.max(goal, campaign.total);
	bar.value = campaign.total;
	bar.setAttribute("aria-label", campaign.title);
	const label = document.createElement("p");
	label.textContent = `${money(campaign.total, campaign.currency)} raised of ${money(goal, campaign.currency)}`;
	byId("bar").replaceChildren(bar, label);
}

/** The current period in words: what it raised, what the match added, what came in other currencies. */
function periodSentence(campaign: CampaignSnapshot, period: PeriodSummary | undefined): string {
	const { currency } = campaign;
	const parts = [
		`Period ${campaign.period.id} since ${when(campaign.period.startedAt)}: ${money(campaign.total, currency)} from ${gifts(campaign.donations)}`,
	];
	if (campaign.match) parts.push(`${money(campaign.match.matched, currency)} of it matched by ${campaign.match.sponsor}`);
	if (period?.feeCover) parts.push(`donors also covered ${money(period.feeCover, currency)} of card fees`);
	if (campaign.period.endsAt) parts.push(`ends ${when(campaign.period.endsAt)}`);
	for (const foreign of period?.foreign ?? []) {
		parts.push(
			`${foreign.donations} gift(s) in ${foreign.currency.toUpperCase()} (${money(foreign.total, foreign.currency)}) kept apart, not in this total: see the export`,
		);
	}
	return `${parts.join("; ")}.`;
}

export async function showCampaign(campaign: CampaignSnapshot): Promise<void> {
	const { id } = campaign;
	showLiveBar(campaign);
	const { periods } = await getJson<{ periods: PeriodSummary[] }>(`/campaigns/${id}/periods`);
	byId("period").textContent = periodSentence(
		campaign,
		periods.find((p) => p.id === campaign.period.id),
	);
	byId<HTMLTableElement>("periods").tBodies[0]?.replaceChildren(
		...periods.map((p) => {
			const tr = row(
				String(p.id),
				when(p.startedAt),
				p.endedAt ? when(p.endedAt) : "current",
				String(p.donations),
				money(p.gifts, p.currency),
				money(p.matched, p.currency),
				money(p.total, p.currency),
				p.goals.map((goal) => money(goal, p.currency)).join(" / "),
			);
			tr.append(exportCell(id, p.id));
			return tr;
		}),
	);
	const { entries } = await getJson<{ entries: AuditEntry[] }>(`/campaigns/${id}/audit`);
	byId("audit").replaceChildren(
		...entries.slice(0, 20).map((entry) => {
			const item = document.createElement("li");
			const change = entry.after ? ` → ${JSON.stringify(entry.after)}` : "";
			item.textContent = `${when(entry.at)} · ${entry.actor} · ${entry.action}${change}`;
			return item;
		}),
	);
}

/** Money that is ours but went to no campaign: a campaign id that did not exist when it came. */
export async function showUnplaced(): Promise<void> {
	const { unplaced } = await getJson<{ unplaced: UnplacedEntry[] }>("/unplaced");
	byId("unplaced-card").hidden = unplaced.length === 0;
	byId<HTMLTableElement>("unplaced").tBodies[0]?.replaceChildren(
		...unplaced.map((u) =>
			row(when(u.receivedAt), u.campaign || "(none)", u.key, u.currency ? money(u.amount, u.currency) : String(u.amount), u.reason),
		),
	);
}
