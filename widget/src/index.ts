// Entry point: finds the embedding <script> and every [data-donation-widget]
// container, and renders each one once, even when the script runs again.
import { shared } from "./api";
import { mount } from "./render";

function run(el: Element, config: HTMLElement, origin: string): void {
	if (shared.s.has(el)) return;
	shared.s.add(el);
	try {
		const d = config.dataset;
		mount(el, { origin, id: d.campaign || "main", locale: d.locale, theme: d.theme, amounts: d.amounts });
	} catch {}
}

try {
	const scripts = document.querySelectorAll<HTMLScriptElement>('script[src*="/widget.js"]');
	const current = document.currentScript as HTMLScriptElement | null;
	const script = current?.src ? current : scripts[scripts.length - 1];
	if (script) {
		const origin = new URL(script.src).origin;
		// In place: a <donation-widget> right after a script tag with data-campaign
		// outside <head>. A tag without it only loads the script for the containers.
		if (!shared.s.has(script)) {
			shared.s.add(script);
			if (script.dataset.campaign && script.parentElement !== document.head) {
				const el = document.createElement("donation-widget");
				script.after(el);
				run(el, script, origin);
			}
		}
		const scan = () => {
			for (const el of document.querySelectorAll<HTMLElement>("[data-donation-widget]")) run(el, el, origin);
		};
		scan();
		if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
	}
} catch {}
