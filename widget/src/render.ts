// Builds one widget inside a shadow root. The whole structure, with fixed row
// heights, exists before any data arrives, so nothing moves when it does:
// the progress rows, the donate controls and the status line, each filled in
// or enabled when the campaign arrives.
import { checkout, load, uuid } from "./api";
import { add } from "./dom";
import { buildControls } from "./donate";
import { money } from "./format";
import { withoutPrototype } from "./own";
import { buildProgress } from "./progress";
import { sheet } from "./styles";
import { Class } from "./widget.css";

/** One widget's settings: the data-* attributes of its tag. */
export interface Settings {
	/** data-campaign: the campaign's id, "main" when absent */
	campaign?: string;
	/** data-locale: Intl's currency format instead of the design's */
	locale?: string;
	/** data-theme: "dark", "auto" (follows prefers-color-scheme), else light */
	theme?: string;
	/** data-amounts: preset amounts in major units, comma-separated */
	amounts?: string;
}

/** Renders a widget into `host`, with the worker at `origin`. */
export function mount(host: Element, origin: string, settings: Settings): void {
	const id = settings.campaign || "main";
	const root = host.attachShadow(withoutPrototype({ mode: "open" }));
	root.adoptedStyleSheets = [sheet()];
	const theme = settings.theme === "dark" ? Class.themeDark : settings.theme === "auto" ? Class.themeAuto : "";
	const box = add("div", root, `${Class.widget} ${theme}`);
	const showProgress = buildProgress(box);
	const enableControls = buildControls(box, settings.amounts, (body) => checkout(origin, id, body, uuid()));

	load(origin, id)
		.then((campaign) => {
			const currency = money(campaign.currency, campaign.currencyExponent ?? 2, settings.locale);
			showProgress(campaign, currency);
			enableControls(campaign, currency);
		})
		.catch(() => {
			// The API failed: the same reserved space, only a plain link.
			box.className += ` ${Class.failed}`;
			add("a", box, Class.fallback, "Donate", { href: `${origin}/donate/${encodeURIComponent(id)}` });
		});
}
