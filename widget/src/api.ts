// Talks to the worker: campaign totals (one request per campaign per page,
// shared across script executions) and Checkout creation.
// The campaign is the worker's own type: what GET /api/campaigns/:id answers.
import type { CampaignSnapshot } from "../../src/campaigns/snapshot";

export type { CampaignSnapshot };

interface Shared {
	/** in-flight or settled totals requests, by origin + campaign */
	r: Map<string, Promise<CampaignSnapshot>>;
	/** elements already rendered (script tags and containers) */
	s: WeakSet<Element>;
}

const KEY = Symbol.for("donation-widget");
const w = window as unknown as Record<symbol, Shared | undefined>;
w[KEY] ||= { r: new Map(), s: new WeakSet() };
export const shared = w[KEY];

const path = (origin: string, id: string) => `${origin}/api/campaigns/${encodeURIComponent(id)}`;

/**
 * GET the campaign; rejects on a network error, a non-2xx, non-JSON or after 5 s.
 * Cross-origin requests carry no cookies (credentials mode "same-origin").
 */
export function load(origin: string, id: string): Promise<CampaignSnapshot> {
	const key = `${origin} ${id}`;
	let pending = shared.r.get(key);
	if (!pending) {
		pending = fetch(path(origin, id), { signal: AbortSignal.timeout(5000) }).then((res) => {
			if (!res.ok) throw res.status;
			return res.json();
		});
		shared.r.set(key, pending);
	}
	return pending;
}

/** POST a Checkout request; resolves to the Checkout URL, rejects with a message for the donor. */
export async function checkout(origin: string, id: string, body: string, key: string): Promise<string> {
	let data: { url?: string; error?: { message?: string } } | undefined;
	try {
		const res = await fetch(`${path(origin, id)}/checkout`, {
			method: "POST",
			headers: { "Content-Type": "application/json", "Idempotency-Key": key },
			body,
		});
		data = await res.json();
		if (res.ok && /^https?:/.test(data?.url as string)) return data?.url as string;
	} catch {}
	throw data?.error?.message || "The payment page could not be opened. Please try again.";
}

/** crypto.randomUUID where the page is a secure context; elsewhere (plain http) unique enough for a retry key. */
export const uuid = (): string => crypto.randomUUID?.() || Math.random().toString(36).slice(2) + Date.now();
