// One constructed stylesheet, adopted by every widget's shadow root: no <style>
// element and no style attribute, so a host CSP with style-src 'none' is fine.
import css from "./widget.css";

let stylesheet: CSSStyleSheet | undefined;

export function sheet(): CSSStyleSheet {
	if (!stylesheet) {
		stylesheet = new CSSStyleSheet();
		stylesheet.replaceSync(css);
	}
	return stylesheet;
}
