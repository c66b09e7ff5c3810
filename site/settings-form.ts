// The settings form: filled from what the campaign holds, read into the
// patch that PUT /api/admin/campaigns/:id takes (the worker validates it).
import type { AdminSettings, SettingsPatch } from "../src/domain/settings";
import { byId } from "./api";
import { minorPerMajor, toMajor, toMinor } from "./money";

const input = (id: string) => byId<HTMLInputElement>(id);

/** An ISO time as the datetime-local field shows it (local time, minutes). */
const localTime = (iso: string) => {
	const date = new Date(iso);
	return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

export function fillSettings(view: AdminSettings): void {
	const { settings, period } = view;
	const currency = settings.currency;
	input("title").value = settings.title;
	input("goals").value = toMajor(settings.goals, currency);
	input("amounts").value = toMajor(settings.amounts, currency);
	input("min-amount").value = toMajor([settings.minAmount], currency);
	input("max-amount").value = toMajor([settings.maxAmount], currency);
	byId<HTMLSelectElement>("interval").value = settings.interval ?? "once";
	input("currency").value = currency.toUpperCase();
	// A period with gifts keeps its currency: a new one may have another.
	input("currency").readOnly = view.currencyLocked;
	byId("currency-note").hidden = !view.currencyLocked;
	byId<HTMLSelectElement>("after-goal").value = settings.afterGoal;
	input("goal-text").value = settings.goalReachedText;
	input("fee-enabled").checked = settings.feeCover.enabled;
	input("fee-percent").value = String(settings.feeCover.percent);
	input("fee-fixed").value = String(settings.feeCover.fixed / minorPerMajor(currency));
	input("ends-at").value = period.endsAt ? localTime(period.endsAt) : "";
	input("match-sponsor").value = period.match?.sponsor ?? "";
	input("match-percent").value = String(period.match?.percent ?? 100);
	input("match-cap").value = period.match ? String(period.match.cap / minorPerMajor(currency)) : "";
}

/** The form as a settings patch; endsAt and match apply to the current period. */
export function readSettings(view: AdminSettings): SettingsPatch {
	const currency = input("currency").value.trim().toLowerCase();
	const endsAt = input("ends-at").value;
	const sponsor = input("match-sponsor").value.trim();
	const patch: SettingsPatch = {
		title: input("title").value.trim(),
		goals: toMinor(input("goals").value, currency),
		amounts: toMinor(input("amounts").value, currency),
		minAmount: Math.round(Number(input("min-amount").value) * minorPerMajor(currency)),
		maxAmount: Math.round(Number(input("max-amount").value) * minorPerMajor(currency)),
		interval: byId<HTMLSelectElement>("interval").value === "month" ? "month" : "once",
		afterGoal: byId<HTMLSelectElement>("after-goal").value === "close" ? "close" : "ask",
		goalReachedText: input("goal-text").value.trim(),
		feeCover: {
			enabled: input("fee-enabled").checked,
			percent: Number(input("fee-percent").value),
			fixed: Math.round(Number(input("fee-fixed").value) * minorPerMajor(currency)),
		},
		// Unchanged deadlines are left alone (one in the past would be refused).
		...(endsAt === (view.period.endsAt ? localTime(view.period.endsAt) : "")
			? {}
			: { endsAt: endsAt ? new Date(endsAt).toISOString() : null }),
		match: sponsor
			? {
					sponsor,
					percent: Math.round(Number(input("match-percent").value)),
					cap: Math.round(Number(input("match-cap").value) * minorPerMajor(currency)),
				}
			: null,
	};
	// Sent only when it changes: the worker refuses another currency for a period with gifts.
	if (currency !== view.settings.currency) patch.currency = currency;
	return patch;
}
