// The admin page's script, served at /admin.js. Plain browser JavaScript with
// no build step; it talks only to the same-origin admin API.
export const ADMIN_SCRIPT = `(() => {
"use strict";
const KEY = "donation-admin-token";
const $ = (id) => document.getElementById(id);
let current = null;

async function api(path, init = {}) {
	const headers = new Headers(init.headers);
	// No token stored: Cloudflare Access (when set up) signs the request in on its own.
	const token = sessionStorage.getItem(KEY);
	if (token) headers.set("Authorization", "Bearer " + token);
	if (init.json !== undefined) { headers.set("Content-Type", "application/json"); init.body = JSON.stringify(init.json); }
	const res = await fetch("/api/admin" + path, { ...init, headers });
	if (res.status === 401) {
		// Forget the token only if it is still the one that failed (a sign-in may have happened meanwhile).
		if (sessionStorage.getItem(KEY) === token) { sessionStorage.removeItem(KEY); show(false); }
		throw new Error(token ? "Wrong token: please sign in again." : "Please sign in.");
	}
	if (!res.ok) {
		let message = res.status + " " + res.statusText;
		try { message = (await res.json()).error.message; } catch {}
		throw new Error(message);
	}
	return res;
}

const money = (minor, currency) => {
	const f = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() });
	const digits = f.resolvedOptions().maximumFractionDigits;
	return f.format(minor / 10 ** digits);
};
const toMinor = (text, currency) => {
	const digits = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits;
	return text.split(",").map((s) => s.trim()).filter(Boolean).map((s) => Math.round(Number(s) * 10 ** digits));
};
const toMajor = (list, currency) => {
	const digits = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits;
	return list.map((m) => m / 10 ** digits).join(", ");
};
const status = (text) => { $("status").textContent = text; };
function cell(row, text) { const td = document.createElement("td"); td.textContent = text; row.append(td); }

function show(signedIn) {
	$("login").hidden = signedIn;
	$("app").hidden = !signedIn;
	if (!signedIn) $("token").focus();
}

async function loadCampaigns(select) {
	const { campaigns } = await (await api("/campaigns")).json();
	const list = $("campaign");
	list.replaceChildren(...campaigns.map((c) => new Option(c.id + " · " + c.title, c.id)));
	if (select) list.value = select;
	await loadCampaign(list.value);
}

async function loadCampaign(id) {
	const { campaigns } = await (await api("/campaigns")).json();
	current = campaigns.find((c) => c.id === id);
	if (!current) return;
	$("title").value = current.title;
	$("goals").value = toMajor(current.goals, current.currency);
	$("amounts").value = toMajor(current.amounts, current.currency);
	$("currency").value = current.currency.toUpperCase();
	$("period").textContent = "Period " + current.period.id + " since " + new Date(current.period.startedAt).toLocaleString() + ": " +
		money(current.total, current.currency) + " from " + current.donations + " gifts.";
	// The live bar: the current total against the last goal.
	const bar = document.createElement("progress");
	const goal = current.goals[current.goals.length - 1];
	bar.max = goal;
	bar.value = Math.min(current.total, goal);
	bar.setAttribute("aria-label", current.title);
	const label = document.createElement("p");
	label.textContent = money(current.total, current.currency) + " raised of " + money(goal, current.currency);
	$("bar").replaceChildren(bar, label);

	const { periods } = await (await api("/campaigns/" + id + "/periods")).json();
	$("periods").tBodies[0].replaceChildren(...periods.map((p) => {
		const row = document.createElement("tr");
		cell(row, String(p.id));
		cell(row, new Date(p.startedAt).toLocaleString());
		cell(row, p.endedAt ? new Date(p.endedAt).toLocaleString() : "current");
		cell(row, String(p.donations));
		cell(row, money(p.total, current.currency));
		cell(row, p.goals.map((g) => money(g, current.currency)).join(" / "));
		return row;
	}));
	const { pages } = await (await api("/campaigns/" + id + "/pages")).json();
	$("pages").tBodies[0].replaceChildren(...pages.map((p) => {
		const row = document.createElement("tr");
		cell(row, p.page ?? "(unknown page)");
		cell(row, String(p.donations));
		cell(row, money(p.total, current.currency));
		return row;
	}));
	const { entries } = await (await api("/campaigns/" + id + "/audit")).json();
	$("audit").replaceChildren(...entries.slice(0, 20).map((e) => {
		const li = document.createElement("li");
		li.textContent = new Date(e.at).toLocaleString() + " · " + e.actor + " · " + e.action + (e.after ? " → " + JSON.stringify(e.after) : "");
		return li;
	}));
}

async function download(format) {
	const res = await api("/campaigns/" + current.id + "/donations?format=" + format + "&period=" + current.period.id);
	const url = URL.createObjectURL(await res.blob());
	const a = document.createElement("a");
	a.href = url;
	a.download = "donations-" + current.id + "-period-" + current.period.id + "." + format;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function guard(fn) {
	return async (event) => {
		event?.preventDefault?.();
		try { await fn(event); } catch (err) { status(err.message); }
	};
}

document.addEventListener("DOMContentLoaded", () => {
	$("login").addEventListener("submit", guard(async () => {
		sessionStorage.setItem(KEY, $("token").value);
		$("token").value = "";
		await loadCampaigns();
		show(true);
	}));
	$("logout").addEventListener("click", () => { sessionStorage.removeItem(KEY); show(false); });
	$("campaign").addEventListener("change", guard(() => loadCampaign($("campaign").value)));
	$("settings").addEventListener("submit", guard(async () => {
		const currency = $("currency").value.trim().toLowerCase();
		await api("/campaigns/" + current.id, { method: "PUT", json: {
			title: $("title").value.trim(),
			currency,
			goals: toMinor($("goals").value, currency),
			amounts: toMinor($("amounts").value, currency),
		} });
		await loadCampaigns(current.id);
		status("Saved. The widget shows the change now.");
	}));
	$("reset").addEventListener("click", guard(async () => {
		const goals = prompt("Start period " + (current.period.id + 1) + " at 0. Goals for the new period (major units, comma-separated):", $("goals").value);
		if (goals === null) return;
		if (!confirm("Start a new period for '" + current.id + "'? The current total goes back to 0; period " + current.period.id + " and its gifts stay in the history.")) return;
		await api("/campaigns/" + current.id + "/reset", { method: "POST", json: { goals: toMinor(goals, current.currency) } });
		await loadCampaigns(current.id);
		status("New period started.");
	}));
	$("resync").addEventListener("click", guard(async () => {
		status("Re-syncing from Stripe…");
		const report = await (await api("/campaigns/" + current.id + "/resync", { method: "POST" })).json();
		await loadCampaigns(current.id);
		status("Re-sync: " + report.added.length + " added, " + report.alreadyRecorded + " already recorded, " + report.notInStripe.length + " not found at Stripe. Total " +
			money(report.totalBefore, current.currency) + " → " + money(report.totalAfter, current.currency) + ".");
	}));
	$("export-csv").addEventListener("click", guard(() => download("csv")));
	$("export-json").addEventListener("click", guard(() => download("json")));

	// With a stored token, or behind Cloudflare Access without one, the API answers; otherwise sign in.
	loadCampaigns().then(() => show(true), () => { if (!sessionStorage.getItem(KEY)) show(false); });
});
})();
`;
