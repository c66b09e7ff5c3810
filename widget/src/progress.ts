// The campaign's progress: the sentence, the total's bubble, the bar and the
// milestone labels. Built empty with the rest of the widget; filled in when
// the campaign arrives; placed in pixels whenever the track resizes.
import type { CampaignSnapshot } from "./api";
import { add, clamp, moveTo, setAttributes } from "./dom";
import type { Money } from "./format";
import { Class } from "./widget.css";

/** Builds the progress rows in `box`; returns what fills them in with the campaign. */
export function buildProgress(box: HTMLElement): (campaign: CampaignSnapshot, money: Money) => void {
	const hidden = { "aria-hidden": "true" };
	// The sentence names the progress bar; its id is its (short) class name, unique in the shadow root.
	const title = add("p", box, Class.title, "", { id: Class.title });
	// The row above the track: the total's bubble and the pointer under it.
	const totalRow = add("div", box, Class.totalRow, "", hidden);
	const pointer = add("span", totalRow, Class.pointer);
	const bubble = add("span", totalRow, Class.total);
	const track = add("div", box, Class.track, "", { role: "progressbar", "aria-labelledby": Class.title, "aria-valuemin": "0" });
	const fill = add("div", track, Class.fill);
	const milestones = add("div", box, Class.milestones, "", hidden);
	let place = () => {};
	new ResizeObserver(() => place()).observe(track);

	return (campaign, { unit_: unit, format_: format }) => {
		const goals = campaign.goals.filter((goal) => goal > 0);
		const total = campaign.total;
		if (!(total >= 0)) throw 0;
		// The bar ends at the last goal (at the total when there is none); past it, the bar stretches
		// so the total still sits on it (at nine tenths), with the goal marked where it was reached.
		const last = goals.at(-1) || total || 1;
		const end = total > last ? Math.ceil(total / 0.9) : last;
		const marks = [0, ...goals];
		const matched = campaign.match?.matched;
		title.textContent = campaign.title || "Do you like this content? Consider helping us!";
		setAttributes(track, {
			"aria-valuemax": `${end / unit}`,
			"aria-valuenow": `${total / unit}`,
			"aria-valuetext": `${format(total)} raised of ${format(last)}${matched ? `, ${format(matched)} of it matched` : ""}`,
		});
		fill.style.transform = `scaleX(${total / end})`;
		bubble.textContent = format(total);
		const labels = marks.map((mark) => add("span", milestones, mark && total >= mark ? Class.reached : "", format(mark)));
		for (const goal of goals) if (goal < end) add("span", track, Class.notch).style.left = `${(goal / end) * 100}%`;
		place = () => placeLabels(track, bubble, pointer, labels, marks, total, end);
		place();
		totalRow.style.visibility = "visible";
	};
}

/**
 * Pixel positions for the track's current width: the total's bubble stays
 * inside the box; a middle milestone label that would overlap another hides.
 * `marks` are the labels' amounts; the bar is `filled` up to an `end` amount.
 */
function placeLabels(
	track: HTMLElement,
	bubble: HTMLElement,
	pointer: HTMLElement,
	labels: HTMLElement[],
	marks: number[],
	filled: number,
	end: number,
): void {
	const width = track.clientWidth;
	const x = (filled / end) * width;
	const bubbleWidth = bubble.offsetWidth;
	moveTo(bubble, clamp(x - bubbleWidth / 2, width - bubbleWidth));
	moveTo(pointer, clamp(x, width - 6, 6) - 6);
	const lastIndex = labels.length - 1;
	const underMark = (index: number, labelWidth: number) =>
		clamp(((marks[index] as number) / end) * width - labelWidth / 2, width - labelWidth);
	// The last goal's label sits at the right edge and always shows, unless the bar stretched past it:
	// then it sits under its mark, and shows where there is room, like the ones between.
	const stretched = marks[lastIndex] !== end;
	const lastLeft = stretched
		? underMark(lastIndex, (labels[lastIndex] as HTMLElement).offsetWidth)
		: width - (labels[lastIndex] as HTMLElement).offsetWidth;
	let shownUpTo = -1e9;
	labels.forEach((label, index) => {
		const labelWidth = label.offsetWidth;
		// The first label at the left edge, the others centred under their mark.
		const left = index ? (index < lastIndex ? underMark(index, labelWidth) : lastLeft) : 0;
		const roomBefore = left > shownUpTo + 8;
		const shown = !index || (index === lastIndex ? !stretched || roomBefore : roomBefore && left + labelWidth + 8 < lastLeft);
		moveTo(label, left);
		label.style.visibility = shown ? "" : "hidden";
		if (shown) shownUpTo = left + labelWidth;
	});
}
