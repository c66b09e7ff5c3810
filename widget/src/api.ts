// Talks to the worker: campaign totals (one request per campaign per page,
// shared across script executions) and Checkout creation.
// The campaign is the worker's own type: what GET /api/campaigns/:id answers.
import type { CampaignSnapshot } from "../../src/domain/snapshot";
import { withoutPrototype } from "./own";
import { type Campaign, withVariant } from "./variant";

export type { CampaignSnapshot };

/**
 * What every copy of widget.js that runs on the page shares, kept on window.
 * Copies may come from different builds (two publishers' workers, or an older
 * cached file), so the short names of these properties are an interface: the
 * build pins them (widget/build.mjs, REGISTRY_NAMES).
 */
interface Registry {
	/** in-flight or settled totals requests, by origin and campaign */
	requests_: Map<string, Promise<Campaign>>;
	/** elements already rendered (script tags and containers) */
	rendered_: WeakSet<Element>;
}

const REGISTRY = Symbol.for("donation-widget");
const page = window as unknown as Record<symbol, Registry | undefined>;
page[REGISTRY] ||= { requests_: new Map(), rendered_: new WeakSet() };
export const registry = page[REGISTRY];

const campaignUrl = (origin: string, id: string) => `${origin}/api/campaigns/${encodeURIComponent(id)}`;

/**
 * GET the campaign; rejects on a network error, a non-2xx, non-JSON or after 5 s.
 * Cross-origin requests carry no cookies (credentials mode "same-origin").
 */
export function load(origin: string, id: string): Promise<Campaign> {
	const key = `${origin} ${id}`;
	let pending = registry.requests_.get(key);
	if (!pending) {
		// The article rides along for the publisher's funnel (origin and path; the worker drops the rest).
		const url = `${campaignUrl(origin, id)}?page=${encodeURIComponent(location.origin + location.pathname)}`;
		pending = fetch(url, withoutPrototype({ signal: AbortSignal.timeout(5000) })).then((response) => {
			if (!response.ok) throw response.status;
			return response.json().then((campaign) => withVariant(withoutPrototype(campaign), response.headers.get("Donation-Variant")));
		});
		registry.requests_.set(key, pending);
	}
	return pending;
}

/** What the worker answers a donor back from Checkout: the campaign with their gift counted. */
export interface DonorReturn {
	campaign: CampaignSnapshot;
	gift: { amount: number; interval: string };
	/** A monthly gift whose donor may open the Stripe portal now. */
	manage: boolean;
}

/**
 * The donor's return (one request per campaign per page, shared like `load`):
 * the worker records the gift from the completed Checkout Session at once.
 */
export function loadReturn(origin: string, id: string, sessionId: string): Promise<DonorReturn> {
	const key = `${origin} ${id} ${sessionId}`;
	let pending = registry.requests_.get(key) as Promise<unknown> | undefined;
	if (!pending) {
		const url = `${campaignUrl(origin, id)}/return?session_id=${encodeURIComponent(sessionId)}`;
		pending = fetch(url, withoutPrototype({ signal: AbortSignal.timeout(8000) })).then((response) => {
			if (!response.ok) throw response.status;
			return response.json().then((answer: DonorReturn) => withoutPrototype({ ...answer, campaign: withoutPrototype(answer.campaign) }));
		});
		registry.requests_.set(key, pending as Promise<CampaignSnapshot>);
	}
	return pending as Promise<DonorReturn>;
}

/** POSTs JSON to one of the campaign's routes; resolves to the `url` it answers, rejects with a message for the donor. */
export async function post(origin: string, path: string, body: string, idempotencyKey?: string): Promise<string> {
	let answer: { url?: string; error?: { message?: string } } | undefined;
	try {
		const headers: Record<string, string> = { "Content-Type": "application/json" };
		if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
		const response = await fetch(
			`${origin}/api/campaigns/${path}`,
			withoutPrototype({ method: "POST", headers: withoutPrototype(headers), body }),
		);
		answer = withoutPrototype(await response.json());
		if (response.ok && /^https?:/.test(answer?.url as string)) return answer?.url as string;
	} catch {}
	// The error's own message only (a copy without prototype; nothing to copy when there is no error).
	throw withoutPrototype({ ...answer?.error }).message || "The payment page could not be opened. Please try again.";
}

/** POST a Checkout request; resolves to the Checkout URL, rejects with a message for the donor. */
export const checkout = (origin: string, id: string, body: string, idempotencyKey: string) =>
	post(origin, `${encodeURIComponent(id)}/checkout`, body, idempotencyKey);

/** crypto.randomUUID where the page is a secure context; elsewhere (plain http) unique enough for a retry key. */
export const uuid = (): string => {
	try {
		return crypto.randomUUID();
	} catch {
		// Not there outside secure contexts, and the lookup then reaches Object.prototype.
		return Math.random().toString(36).slice(2) + Date.now();
	}
};
