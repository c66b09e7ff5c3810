// The donate controls: preset amounts and a custom one, once or monthly,
// Donate, which opens Checkout; under them the options row (covering the card
// fees, the monthly donors' portal link) and the status line (news and
// errors). Built empty with the rest of the widget; enabled when the campaign
// arrives. A message takes the controls' place when there is nothing to ask.
import { grossUp } from "../../src/domain/gift";
import { add, addButton, oneChoice, press } from "./dom";
import type { Money } from "./format";
import type { Campaign } from "./variant";
import { Class } from "./widget.css";

/** Shows a message in the status line, in the error colour when `error`. */
type Say = (text: string, error?: boolean) => void;

/** Sends a Checkout request body; resolves to the Checkout URL, rejects with a message for the donor. */
export type Send = (body: string) => Promise<string>;

/** What the controls offer once the campaign is known. */
export interface Controls {
	/** Enables the ask for the campaign. */
	enable_(campaign: Campaign, money: Money): void;
	/** Puts `text` (and a button, when given) in the controls' place: a thank-you, a closed or an ended campaign. */
	replace_(text: string, button?: [label: string, action: () => void]): void;
	/** The status line: news, or an error in the error colour. */
	say_: Say;
}

/** Builds the controls in `box`; returns what enables them with the campaign. */
export function buildControls(box: HTMLElement, ownAmounts: string | undefined, send: Send): Controls {
	const form = add("form", box, Class.controls);
	const presets = add("div", form, Class.presets, "", { role: "group", "aria-label": "Amount" });
	const donateRow = add("div", form, Class.donateRow);
	const frequency = add("div", donateRow, Class.frequency, "", { role: "group", "aria-label": "Frequency" });
	const intervals = [addButton(frequency, "Once"), addButton(frequency, "Monthly")];
	// A submit button: Enter in the amount field donates too.
	const donate = add("button", donateRow, Class.donate, "Donate", { "aria-disabled": "true" });
	form.noValidate = true;
	// What takes the controls' place (role=status: announced when it changes).
	const message = add("p", form, Class.message, "", { role: "status" });
	// The options row: covering the card fees, and the way back to a monthly gift.
	const options = add("div", box, Class.options);
	// The status line: news and errors, announced politely.
	const status = add("p", box, Class.status, "", { "aria-live": "polite" });
	const say: Say = (text, error) => {
		status.textContent = text;
		status.className = error ? `${Class.status} ${Class.error}` : Class.status;
	};

	let interval = "once";
	press(intervals, intervals[0]);
	oneChoice(intervals, (index) => {
		interval = index ? "month" : "once";
	});

	let submit = () => {};
	form.addEventListener("submit", (event) => {
		event.preventDefault();
		submit();
	});
	return {
		enable_(campaign, money) {
			// The campaign's (or its A/B variant's) default interval.
			if (campaign.interval === "month") intervals[1]?.click();
			const amount = chooseAmount(presets, campaign, money, ownAmounts, say);
			const coverFees = feeCoverOption(options, campaign, money, amount);
			if (campaign.manageUrl) add("a", options, Class.manage, "Manage my monthly gift", { href: campaign.manageUrl });
			submit = checkoutSubmit(donate, send, amount, () => interval, coverFees, say, campaign.variant);
		},
		replace_(text, button) {
			form.className = `${Class.controls} ${Class.replaced}`;
			message.textContent = text;
			if (button) addButton(message, button[0], Class.donate).addEventListener("click", button[1]);
		},
		say_: say,
	};
}

/**
 * The offer to cover the card fees, when the campaign makes it: a checkbox
 * whose words follow the chosen amount ("Add 0.61 $ so all 10 $ reach us").
 * Returns whether it is ticked.
 */
function feeCoverOption(
	options: HTMLElement,
	campaign: Campaign,
	{ format_: format }: Money,
	amount: (quiet?: boolean) => number | undefined,
) {
	const rule = campaign.feeCover;
	if (!rule) return () => false;
	const label = add("label", options, Class.fee);
	const box = add("input", label, "", "", { type: "checkbox" });
	const words = add("span", label);
	const update = () => {
		const gift = amount(true);
		words.textContent = gift
			? `Add ${format(grossUp(gift, rule, campaign.amountStep) - gift)} so all ${format(gift)} reach us`
			: "Add the card fees so all of my gift reaches you";
	};
	update();
	// Any click or keystroke in the form may change the amount.
	options.parentElement?.addEventListener("click", update);
	options.parentElement?.addEventListener("input", update);
	return () => box.checked;
}

/**
 * The preset buttons (data-amounts, in major units, or the campaign's) and the
 * custom amount field. Returns what reads the amount to donate, in minor units;
 * out of the campaign's range it marks the field, says why and gives undefined.
 */
function chooseAmount(
	presets: HTMLElement,
	campaign: Campaign,
	{ unit_: unit, format_: format }: Money,
	ownAmounts: string | undefined,
	say: Say,
): (quiet?: boolean) => number | undefined {
	const own = `${ownAmounts}`
		.split(",")
		.map((amount) => Math.round(+amount * unit))
		// Only amounts the campaign takes: a preset the worker refuses would be a button that always fails.
		.filter((amount) => amount >= campaign.minAmount && amount <= campaign.maxAmount);
	const amounts = own.length ? own : campaign.amounts;
	// The second preset, or the only one (at(): no index lookup past the end, where Array.prototype answers).
	let chosen = amounts.at(amounts.length > 1 ? 1 : 0);
	const min = campaign.minAmount || 1;
	const max = campaign.maxAmount || 1e12;
	const buttons = amounts.map((amount) => addButton(presets, format(amount), Class.amount));
	const custom = add("input", presets, Class.amount, "", {
		type: "number",
		placeholder: "Other",
		"aria-label": `Other amount in ${campaign.currency.toUpperCase()}`,
		inputmode: "decimal",
		min: `${min / unit}`,
		max: `${max / unit}`,
		step: `${1 / unit}`,
	});
	const valid = () => custom.removeAttribute("aria-invalid");
	oneChoice(buttons, (index) => {
		chosen = amounts[index];
		custom.value = "";
		valid();
	});
	// Typing a custom amount unpresses the presets; emptying the field presses the chosen one again.
	custom.addEventListener("input", () => {
		valid();
		press(buttons, custom.value ? undefined : buttons[amounts.indexOf(chosen as number)]);
	});
	press(buttons, buttons[amounts.indexOf(chosen as number)]);
	return (quiet) => {
		const amount = custom.value ? Math.round(+custom.value * unit) : chosen;
		if (amount && amount >= min && amount <= max) return amount;
		if (quiet) return;
		custom.setAttribute("aria-invalid", "true");
		say(`Please enter an amount from ${format(min)} to ${format(max)}.`, true);
	};
}

/**
 * Enables Donate and returns the form's submit: one attempt at a time, whose
 * Idempotency-Key lives while it is pending; then off to Checkout.
 */
function checkoutSubmit(
	donate: HTMLButtonElement,
	send: Send,
	chosenAmount: () => number | undefined,
	interval: () => string,
	coverFees: () => boolean,
	say: Say,
	variant?: string,
): () => void {
	let busy = false;
	const idle = () => {
		busy = false;
		donate.removeAttribute("aria-disabled");
	};
	idle();
	addEventListener("pageshow", idle);
	return async () => {
		if (busy) return;
		const amount = chosenAmount();
		if (!amount) return;
		busy = true;
		donate.setAttribute("aria-disabled", "true");
		say("");
		const body = JSON.stringify({
			amount,
			interval: interval(),
			coverFees: coverFees() || undefined,
			// Back to this very page, unless its URL is too long to travel (the worker's thank-you page then).
			returnUrl: location.href.length > 2048 ? undefined : location.href,
			page: location.origin + location.pathname,
			variant,
		});
		try {
			// Leaving: stays busy unless the page comes back from the back/forward cache.
			return location.assign(await send(body));
		} catch (message) {
			say(message as string, true);
		}
		idle();
	};
}
