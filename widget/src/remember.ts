// Courtesy to people who just gave, opt-in per embed (data-remember-days):
// the browser that came back from a completed gift shows the thank-you
// instead of the ask for that many days. Kept in localStorage on the
// publisher's own origin: the day of the gift and nothing else (no id, no
// amount), under a key per campaign. Off unless the attribute is set.

const key = (campaign: string) => `donation-widget:gave:${campaign}`;
const DAY_MS = 86_400_000;

/**
 * Whether this browser gave to `campaign` within `days` days. A return from a
 * completed gift (`gaveNow`) is written down first. Storage may be off or
 * full: then it simply remembers nothing.
 */
export function rememberGift(campaign: string, days: string | undefined, gaveNow: boolean): boolean {
	const window = Number(days);
	if (!(window > 0)) return false;
	try {
		if (gaveNow) localStorage.setItem(key(campaign), new Date().toISOString().slice(0, 10));
		const day = localStorage.getItem(key(campaign));
		return day !== null && Date.now() - Date.parse(day) < window * DAY_MS;
	} catch {
		return false;
	}
}
