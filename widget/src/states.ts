// What the widget says besides the bar: whether the campaign still takes
// gifts, the line of news under the controls (time left, the sponsor's match,
// a reached goal), and the message that takes the controls' place when there
// is nothing to ask (a thank-you, a closed or an ended campaign).
import type { CampaignSnapshot } from "./api";
import type { Money } from "./format";
import { withoutPrototype } from "./own";

/** Taking gifts, closed past its last goal, or past its deadline (by this browser's clock too). */
export function phase(campaign: CampaignSnapshot, now: number): "open" | "closed" | "ended" {
	const endsAt = campaign.period?.endsAt;
	if (campaign.status === "ended" || (endsAt && Date.parse(endsAt) <= now)) return "ended";
	return campaign.status === "closed" ? "closed" : "open";
}

/** "Ends in 3 days", "Ends tomorrow": the largest whole unit left, in English like the widget's other words. */
export function timeLeft(endsAt: string, now: number): string {
	const seconds = (Date.parse(endsAt) - now) / 1000;
	const [unit, size] = seconds >= 86_400 ? ["day", 86_400] : seconds >= 3_600 ? ["hour", 3_600] : ["minute", 60];
	const relative = new Intl.RelativeTimeFormat("en", withoutPrototype({ numeric: "auto" } as const)).format(
		Math.max(1, Math.floor(seconds / size)),
		unit as "day",
	);
	return `Ends ${relative}`;
}

/** The news line: a reached goal (while still asking), the time left, the sponsor's match; joined by dots. */
export function news(campaign: CampaignSnapshot, { format_: format }: Money, now: number, asking: boolean): string {
	const parts: string[] = [];
	if (asking && campaign.total >= (campaign.goals.at(-1) ?? Number.POSITIVE_INFINITY)) parts.push(campaign.goalReachedText);
	const endsAt = campaign.period?.endsAt;
	if (endsAt && Date.parse(endsAt) > now) parts.push(timeLeft(endsAt, now));
	const match = campaign.match;
	if (match && phase(campaign, now) === "ended") parts.push(`${match.sponsor} matched ${format(match.matched)}`);
	else if (match) {
		const how = match.percent === 100 ? "doubles every gift" : `adds ${match.percent} % to every gift`;
		parts.push(`${match.sponsor} ${how} up to ${format(match.cap)}`);
	}
	return parts.join(" · ");
}
