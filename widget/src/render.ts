// Builds one widget inside a shadow root. The whole structure, with fixed row
// heights, exists before any data arrives, so nothing moves when it does.
// Only createElement/textContent/setAttribute and single style properties.
import { type CampaignSnapshot, checkout, load, uuid } from "./api";
import { money } from "./format";
import { sheet } from "./styles";
import { Class } from "./widget.css";

export interface Options {
	origin: string;
	id: string;
	locale?: string;
	theme?: string;
	amounts?: string;
}

type Attrs = Record<string, string>;

/** Creates an element, appends it to `parent`, sets its class, text and attributes. */
const add = <K extends keyof HTMLElementTagNameMap>(
	tag: K,
	parent: ParentNode,
	cls = "",
	text = "",
	attrs: Attrs = {},
): HTMLElementTagNameMap[K] => {
	const el = document.createElement(tag);
	el.className = cls;
	el.textContent = text;
	set(el, attrs);
	parent.append(el);
	return el;
};

const set = (el: Element, attrs: Attrs) => {
	for (const name in attrs) el.setAttribute(name, attrs[name] as string);
};

/** Buttons that behave as one choice: aria-pressed on the picked one. */
const press = (list: Element[], on?: Element) => {
	for (const el of list) el.setAttribute("aria-pressed", `${el === on}`);
};
const choice = (list: HTMLElement[], pick: (i: number) => void) =>
	list.map((el, i) =>
		el.addEventListener("click", () => {
			press(list, el);
			pick(i);
		}),
	);

const clamp = (n: number, max: number, min = 0) => Math.max(min, Math.min(n, max));
const move = (el: HTMLElement, x: number) => {
	el.style.transform = `translateX(${x}px)`;
};

export function mount(host: Element, o: Options): void {
	const root = host.attachShadow({ mode: "open" });
	root.adoptedStyleSheets = [sheet()];
	const hidden = { "aria-hidden": "true" };
	const button = (parent: ParentNode, text: string, cls = "") => add("button", parent, cls, text, { type: "button" });

	const wrap = add("div", root, `${Class.widget} ${o.theme === "dark" ? Class.themeDark : o.theme === "auto" ? Class.themeAuto : ""}`);
	const title = add("p", wrap, Class.title, "", { id: "t" });
	const row = add("div", wrap, Class.totalRow, "", hidden);
	const pointer = add("span", row, Class.pointer);
	const bubble = add("span", row, Class.total);
	const track = add("div", wrap, Class.track, "", { role: "progressbar", "aria-labelledby": "t", "aria-valuemin": "0" });
	const fill = add("div", track, Class.fill);
	const labels = add("div", wrap, Class.milestones, "", hidden);
	const form = add("form", wrap, Class.controls);
	const presets = add("div", form, Class.presets, "", { role: "group", "aria-label": "Amount" });
	const bar = add("div", form, Class.donateRow);
	const freq = add("div", bar, Class.frequency, "", { role: "group", "aria-label": "Frequency" });
	const intervals = [button(freq, "Once"), button(freq, "Monthly")];
	const donate = add("button", bar, Class.donate, "Donate", { "aria-disabled": "true" });
	const status = add("p", wrap, Class.status, "", { "aria-live": "polite" });
	const say = (text: string, error?: boolean) => {
		status.textContent = text;
		status.className = error ? `${Class.status} ${Class.error}` : Class.status;
	};
	if (/[?&]donation=success/.test(location.search)) say("Thank you for your donation!");
	form.noValidate = true;

	let interval = "once";
	press(intervals, intervals[0]);
	choice(intervals, (i) => {
		interval = i ? "month" : "once";
	});

	// Set when the campaign arrives.
	let place = () => {};
	let submit = () => {};
	form.addEventListener("submit", (event) => {
		event.preventDefault();
		submit();
	});
	new ResizeObserver(() => place()).observe(track);

	const show = (c: CampaignSnapshot) => {
		const { u, f, c: code } = money(c.currency, o.locale);
		const goals = c.goals.filter((g) => g > 0);
		const total = c.total;
		if (!(total >= 0)) throw 0;
		const last = goals[goals.length - 1] || total || 1;
		const now = Math.min(total, last);
		const marks = [0, ...goals];
		title.textContent = c.title || "Do you like this content? Consider helping us!";
		set(track, {
			"aria-valuemax": `${last / u}`,
			"aria-valuenow": `${now / u}`,
			"aria-valuetext": `${f(total)} raised of ${f(last)}`,
		});
		fill.style.transform = `scaleX(${now / last})`;
		bubble.textContent = f(total);
		const spans = marks.map((mark) => add("span", labels, mark && total >= mark ? Class.reached : "", f(mark)));
		for (const goal of goals.slice(0, -1)) add("span", track, Class.notch).style.left = `${(goal / last) * 100}%`;

		// Amounts: data-amounts (major units) or the campaign's presets.
		const own = `${o.amounts}`
			.split(",")
			.map((a) => Math.round(+a * u))
			.filter((a) => a > 0);
		const amounts = own.length ? own : c.amounts;
		let chosen = amounts[amounts.length > 1 ? 1 : 0];
		const min = c.minAmount || 1;
		const max = c.maxAmount || 1e12;
		const options = amounts.map((a) => button(presets, f(a), Class.amount));
		const custom = add("input", presets, Class.amount, "", {
			type: "number",
			placeholder: "Other",
			"aria-label": `Other amount in ${code}`,
			inputmode: "decimal",
			min: `${min / u}`,
			max: `${max / u}`,
			step: `${1 / u}`,
		});
		const fresh = () => custom.removeAttribute("aria-invalid");
		choice(options, (i) => {
			chosen = amounts[i];
			custom.value = "";
			fresh();
		});
		custom.addEventListener("input", () => {
			fresh();
			press(options, custom.value ? undefined : options[amounts.indexOf(chosen as number)]);
		});
		press(options, options[amounts.indexOf(chosen as number)]);
		donate.removeAttribute("aria-disabled");

		// One attempt at a time: its Idempotency-Key lives while it is pending.
		let busy = false;
		const idle = () => {
			busy = false;
			donate.removeAttribute("aria-disabled");
		};
		addEventListener("pageshow", idle);
		submit = async () => {
			if (busy) return;
			const amount = custom.value ? Math.round(+custom.value * u) : chosen;
			if (!amount || amount < min || amount > max) {
				custom.setAttribute("aria-invalid", "true");
				return say(`Please enter an amount from ${f(min)} to ${f(max)}.`, true);
			}
			busy = true;
			set(donate, { "aria-disabled": "true" });
			say("");
			const body = JSON.stringify({
				amount,
				interval,
				returnUrl: location.href,
				page: location.origin + location.pathname,
			});
			try {
				// Leaving: stays busy unless the page comes back from the back/forward cache.
				return location.assign(await checkout(o.origin, o.id, body, uuid()));
			} catch (message) {
				say(message as string, true);
			}
			idle();
		};

		// Pixel positions, recomputed on every resize of the track: the total's
		// bubble stays inside the box; a middle milestone that would overlap hides.
		place = () => {
			const width = track.clientWidth;
			const x = (now / last) * width;
			const bw = bubble.offsetWidth;
			move(bubble, clamp(x - bw / 2, width - bw));
			move(pointer, clamp(x, width - 6, 6) - 6);
			const end = spans.length - 1;
			const right = width - (spans[end] as HTMLElement).offsetWidth;
			let edge = -1e9;
			spans.forEach((span, i) => {
				const sw = span.offsetWidth;
				const left = i ? (i < end ? clamp(((marks[i] as number) / last) * width - sw / 2, width - sw) : right) : 0;
				const shown = !i || i === end || (left > edge + 8 && left + sw + 8 < right);
				move(span, left);
				span.style.visibility = shown ? "" : "hidden";
				if (shown) edge = left + sw;
			});
		};
		place();
		row.style.visibility = "visible";
	};

	// The API failed: the same reserved space, only a plain link.
	load(o.origin, o.id)
		.then(show)
		.catch(() => {
			wrap.className += ` ${Class.failed}`;
			add("a", wrap, Class.fallback, "Donate", { href: `${o.origin}/donate/${encodeURIComponent(o.id)}` });
		});
}
