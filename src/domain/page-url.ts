/**
 * The article a gift came from, as publishers think of it: scheme, host and
 * path, without query string or fragment (which carry tracking noise and, at
 * times, personal data). Anything that is not an http(s) URL is dropped.
 */
export function normalizePage(raw: unknown): string | null {
	// Long query strings are fine (they are dropped); a URL longer than any request we accept is not.
	if (typeof raw !== "string" || raw.length === 0 || raw.length > 16_384) return null;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		return null;
	}
	if (url.protocol !== "https:" && url.protocol !== "http:") return null;
	const page = `${url.origin}${url.pathname}`;
	// Stripe metadata values hold at most 500 characters.
	return page.length <= 500 ? page : null;
}
