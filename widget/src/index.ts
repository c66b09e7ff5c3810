// Entry point: finds the embedding <script> and every [data-donation-widget]
// container, and renders each one once, even when the script runs again.
import { registry } from "./api";
import { withoutPrototype } from "./own";
import { mount } from "./render";

/** The data-* attributes of `element`, own properties only: `dataset.theme` of a tag without data-theme reads Object.prototype.theme. */
const settings = (element: HTMLElement) => withoutPrototype({ ...element.dataset });

/** Renders `host` once, with the settings in the data-* attributes of `config`. */
function render(host: Element, config: HTMLElement, origin: string): void {
	if (registry.rendered_.has(host)) return;
	registry.rendered_.add(host);
	try {
		mount(host, origin, settings(config));
	} catch {}
}

try {
	const scripts = document.querySelectorAll<HTMLScriptElement>('script[src*="/widget.js"]');
	const current = document.currentScript as HTMLScriptElement | null;
	const script = current?.src ? current : scripts.item(scripts.length - 1);
	if (script) {
		const origin = new URL(script.src).origin;
		// In place: a <donation-widget> right after a script tag with data-campaign
		// outside <head>. A tag without it only loads the script for the containers.
		if (!registry.rendered_.has(script)) {
			registry.rendered_.add(script);
			if (settings(script).campaign && script.parentElement !== document.head) {
				const host = document.createElement("donation-widget");
				script.after(host);
				render(host, script, origin);
			}
		}
		const renderContainers = () => {
			for (const container of document.querySelectorAll<HTMLElement>("[data-donation-widget]")) render(container, container, origin);
		};
		renderContainers();
		if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", renderContainers);
	}
} catch {}
