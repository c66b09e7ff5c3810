// Small DOM helpers. The widget only uses createElement, textContent,
// setAttribute and single style properties: no HTML strings.

export type Attributes = Record<string, string>;

/** Own properties only: `for...in` would also set what a polluted Object.prototype adds (onfocus="..."). */
export const setAttributes = (element: Element, attributes: Attributes) => {
	for (const name of Object.keys(attributes)) element.setAttribute(name, attributes[name] as string);
};

/** Creates an element, appends it to `parent`, sets its class, text and attributes. */
export const add = <Tag extends keyof HTMLElementTagNameMap>(
	tag: Tag,
	parent: ParentNode,
	className = "",
	text = "",
	attributes: Attributes = {},
): HTMLElementTagNameMap[Tag] => {
	const element = document.createElement(tag);
	element.className = className;
	element.textContent = text;
	setAttributes(element, attributes);
	parent.append(element);
	return element;
};

/** A plain button (type="button": it does not submit the form). */
export const addButton = (parent: ParentNode, text: string, className = "") => add("button", parent, className, text, { type: "button" });

/** Buttons that behave as one choice: aria-pressed on the picked one. */
export const press = (buttons: Element[], picked?: Element) => {
	for (const button of buttons) button.setAttribute("aria-pressed", `${button === picked}`);
};

/** Presses the clicked button and tells `pick` its index. */
export const oneChoice = (buttons: HTMLElement[], pick: (index: number) => void) =>
	buttons.map((button, index) =>
		button.addEventListener("click", () => {
			press(buttons, button);
			pick(index);
		}),
	);

export const clamp = (value: number, max: number, min = 0) => Math.max(min, Math.min(value, max));

export const moveTo = (element: HTMLElement, x: number) => {
	element.style.transform = `translateX(${x}px)`;
};
