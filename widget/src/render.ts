// Builds one widget inside a shadow root. The whole structure, with fixed row
// heights, exists before any data arrives, so nothing moves when it does:
// the progress rows, the donate controls and the status line, each filled in
// or enabled when the campaign arrives.
import { type CampaignSnapshot, checkout, type DonorReturn, load, loadReturn, post, uuid } from "./api";
import { add } from "./dom";
import { buildControls, type Controls } from "./donate";
import { type Money, money } from "./format";
import { withoutPrototype } from "./own";
import { buildProgress } from "./progress";
import { rememberGift } from "./remember";
import { news, phase } from "./states";
import { sheet } from "./styles";
import { Class } from "./widget.css";

/** One widget's settings: the data-* attributes of its tag. */
export interface Settings {
	/** data-campaign: the campaign's id, "main" when absent */
	campaign?: string;
	/** data-locale: Intl's number and currency format instead of the design's (the words stay English) */
	locale?: string;
	/** data-theme: "dark", "auto" (follows prefers-color-scheme), else light */
	theme?: string;
	/** data-amounts: preset amounts in major units, comma-separated */
	amounts?: string;
	/** data-remember-days: after a gift, show this browser the thank-you instead of the ask for so many days */
	rememberDays?: string;
}

/** Renders a widget into `host`, with the worker at `origin`. */
export function mount(host: Element, origin: string, settings: Settings): void {
	const id = settings.campaign || "main";
	const root = host.attachShadow(withoutPrototype({ mode: "open" }));
	root.adoptedStyleSheets = [sheet()];
	const theme = settings.theme === "dark" ? Class.themeDark : settings.theme === "auto" ? Class.themeAuto : "";
	const box = add("div", root, `${Class.widget} ${theme}`);
	const showProgress = buildProgress(box);
	const controls = buildControls(box, settings.amounts, (body) => checkout(origin, id, body, uuid()));
	// Back from Checkout: the worker counts the gift at once and answers with the campaign as it is now.
	const sessionId = /[?&]donation=success(?:&session_id=(cs_\w+))?/.exec(location.search);
	const gaveRecently = rememberGift(id, settings.rememberDays, !!sessionId);
	const show = (campaign: CampaignSnapshot, back?: DonorReturn | null) => {
		const currency = money(campaign.currency, campaign.currencyExponent ?? 2, settings.locale);
		showProgress(campaign, currency);
		ask(controls, campaign, currency, back === undefined && gaveRecently ? null : back, origin, id);
	};

	const returning = sessionId?.[1] ? loadReturn(origin, id, sessionId[1]).catch(() => null) : Promise.resolve(undefined);
	returning
		.then(async (back) => show(back?.campaign ?? (await load(origin, id)), sessionId ? (back ?? null) : undefined))
		.catch(() => {
			// The API failed (or showing it did): the same reserved space, only a plain link. Inline, since the
			// bar may already have shown its row inline.
			box.className += ` ${Class.failed}`;
			for (const part of box.children) (part as HTMLElement).style.visibility = "hidden";
			add("a", box, Class.fallback, "Donate", { href: `${origin}/donate/${encodeURIComponent(id)}` });
		});
}

/**
 * The ask, or what takes its place: a thank-you for a donor back from
 * Checkout (`back`: their return; null when it could not be read), or the
 * result of a closed or ended campaign. The news line says the rest.
 */
function ask(
	controls: Controls,
	campaign: CampaignSnapshot,
	currency: Money,
	back: DonorReturn | null | undefined,
	origin: string,
	id: string,
) {
	const now = Date.now();
	const state = phase(campaign, now);
	controls.say_(news(campaign, currency, now, state === "open" && back === undefined));
	if (back !== undefined) {
		const gift = back?.gift.amount;
		const thanks = gift ? `Thank you for your gift of ${currency.format_(gift)}!` : "Thank you for your donation!";
		const sessionId = /session_id=(cs_\w+)/.exec(location.search)?.[1] ?? "";
		const manage = (): void => {
			const body = JSON.stringify({ sessionId, returnUrl: location.href });
			post(origin, `${encodeURIComponent(id)}/portal`, body).then((url) => location.assign(url), controls.say_);
		};
		return controls.replace_(thanks, back?.manage ? ["Manage your monthly gift", manage] : undefined);
	}
	if (state === "ended") return controls.replace_(`This campaign has ended: ${currency.format_(campaign.total)} raised. Thank you!`);
	if (state === "closed") return controls.replace_(campaign.goalReachedText);
	controls.enable_(campaign, currency);
}
