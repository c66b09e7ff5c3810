// Two small SVG charts for the admin page, built with DOM calls (no innerHTML,
// no inline styles: the page's CSP allows neither); colours come from
// site/funnel.css classes, so light and dark themes both work.
const SVG = "http://www.w3.org/2000/svg";
const W = 640;
const H = 240;
const PAD = { left: 92, right: 16, top: 16, bottom: 28 };

type Attrs = Record<string, string | number>;

function el<K extends keyof SVGElementTagNameMap>(tag: K, parent: Element, attrs: Attrs = {}, text?: string): SVGElementTagNameMap[K] {
	const node = document.createElementNS(SVG, tag);
	for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
	if (text !== undefined) node.textContent = text;
	parent.append(node);
	return node;
}

function frame(label: string): {
	svg: SVGSVGElement;
	x: (t: number) => number;
	y: (v: number) => number;
	plot: (xs: [number, number], ys: [number, number]) => void;
} {
	const svg = document.createElementNS(SVG, "svg");
	svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
	svg.setAttribute("role", "img");
	svg.setAttribute("aria-label", label);
	svg.classList.add("chart");
	el("title", svg, {}, label);
	let xs: [number, number] = [0, 1];
	let ys: [number, number] = [0, 1];
	const x = (t: number) => PAD.left + ((t - xs[0]) / (xs[1] - xs[0] || 1)) * (W - PAD.left - PAD.right);
	const y = (v: number) => H - PAD.bottom - ((v - ys[0]) / (ys[1] - ys[0] || 1)) * (H - PAD.top - PAD.bottom);
	return {
		svg,
		x,
		y,
		plot: (nextX, nextY) => {
			xs = nextX;
			ys = nextY;
			el("line", svg, { x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0), class: "axis" });
		},
	};
}

const DAY = 86_400_000;
const dayLabel = (ms: number) => new Date(ms).toISOString().slice(5, 10);

export interface DayPoint {
	day: string;
	donations: number;
	total: number;
}

/** Every day from `start` to `end` (UTC), with the gifts of the days that had any. */
export function everyDay(daily: DayPoint[], start: number, end: number): DayPoint[] {
	const byDay = new Map(daily.map((d) => [d.day, d]));
	const days: DayPoint[] = [];
	const first = Math.floor(Math.min(start, ...daily.map((d) => Date.parse(d.day))) / DAY) * DAY;
	const last = Math.max(end, ...daily.map((d) => Date.parse(d.day)));
	for (let t = first; t <= last && days.length < 400; t += DAY) {
		const day = new Date(t).toISOString().slice(0, 10);
		days.push(byDay.get(day) ?? { day, donations: 0, total: 0 });
	}
	return days;
}

/** The period's running total, day by day, against its goals (dashed lines). */
export function cumulativeChart(days: DayPoint[], goals: number[], money: (minor: number) => string): SVGSVGElement {
	let running = 0;
	const points = days.map((d) => {
		running += d.total;
		return { t: Date.parse(d.day) + DAY, v: running };
	});
	const label = `Total over time: ${money(running)} of ${money(goals.at(-1) ?? 0)}`;
	const chart = frame(label);
	const start = Date.parse(days[0]?.day ?? new Date().toISOString());
	const top = Math.max(running, ...goals, 1) * 1.08;
	chart.plot([start, points.at(-1)?.t ?? start + DAY], [0, top]);
	for (const goal of goals) {
		el("line", chart.svg, { x1: PAD.left, x2: W - PAD.right, y1: chart.y(goal), y2: chart.y(goal), class: "goal" });
		el(
			"text",
			chart.svg,
			{ x: PAD.left - 6, y: chart.y(goal) + 5, "text-anchor": "end", class: "label" },
			money(goal).replace(/\.0+$/, ""),
		);
	}
	const path = [`M${chart.x(start)},${chart.y(0)}`, ...points.map((p) => `L${chart.x(p.t)},${chart.y(p.v)}`)].join(" ");
	el("path", chart.svg, { d: `${path} L${chart.x(points.at(-1)?.t ?? start)},${chart.y(0)} Z`, class: "area" });
	el("path", chart.svg, { d: path, class: "line" });
	const end = points.at(-1);
	if (end) el("circle", chart.svg, { cx: chart.x(end.t), cy: chart.y(end.v), r: 4, class: "dot" });
	el("text", chart.svg, { x: PAD.left, y: H - 8, class: "label" }, dayLabel(start));
	el("text", chart.svg, { x: W - PAD.right, y: H - 8, "text-anchor": "end", class: "label" }, dayLabel((end?.t ?? start) - DAY));
	return chart.svg;
}

/** Gifts per day, as bars. */
export function dailyChart(days: DayPoint[]): SVGSVGElement {
	const most = Math.max(1, ...days.map((d) => d.donations));
	const chart = frame(`Gifts per day: ${days.reduce((n, d) => n + d.donations, 0)} in ${days.length} days, at most ${most} a day`);
	chart.plot([0, Math.max(days.length, 1)], [0, most * 1.1]);
	const slot = (W - PAD.left - PAD.right) / Math.max(days.length, 1);
	days.forEach((d, i) => {
		if (d.donations === 0) return;
		const bar = el("rect", chart.svg, {
			x: chart.x(i) + slot * 0.15,
			y: chart.y(d.donations),
			width: Math.max(1, slot * 0.7),
			height: chart.y(0) - chart.y(d.donations),
			class: "bar",
		});
		el("title", bar, {}, `${d.day}: ${d.donations} gifts`);
	});
	for (const tick of [0, Math.round(most / 2), most].filter((v, i, all) => all.indexOf(v) === i)) {
		el("text", chart.svg, { x: PAD.left - 6, y: chart.y(tick) + 5, "text-anchor": "end", class: "label" }, String(tick));
	}
	el("text", chart.svg, { x: PAD.left, y: H - 8, class: "label" }, days[0]?.day.slice(5) ?? "");
	el("text", chart.svg, { x: W - PAD.right, y: H - 8, "text-anchor": "end", class: "label" }, days.at(-1)?.day.slice(5) ?? "");
	return chart.svg;
}
