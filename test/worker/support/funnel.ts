// Helpers for funnel tests: reads as the widget makes them, checkouts, and the admin's view.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { fetchWorker } from "./campaigns";

const TOKEN = env.ADMIN_TOKEN ?? "";

export function adminFetch(path: string, init: RequestInit & { json?: unknown } = {}) {
	const headers = new Headers(init.headers);
	headers.set("Authorization", `Bearer ${TOKEN}`);
	if (init.json !== undefined) headers.set("Content-Type", "application/json");
	return fetchWorker(`/api/admin${path}`, { ...init, headers, body: init.json === undefined ? init.body : JSON.stringify(init.json) });
}

/** GET the totals as the widget does, naming the article; the variant header it got back. */
export async function widgetLoad(campaign: string, page: string | null): Promise<string | null> {
	const query = page === null ? "" : `?page=${encodeURIComponent(page)}`;
	const res = await fetchWorker(`/api/campaigns/${campaign}${query}`);
	expect(res.status).toBe(200);
	await res.arrayBuffer();
	return res.headers.get("Donation-Variant");
}

export async function startCheckout(campaign: string, body: Record<string, unknown>): Promise<Response> {
	return fetchWorker(`/api/campaigns/${campaign}/checkout`, {
		method: "POST",
		body: JSON.stringify({ amount: 1_000, ...body }),
		headers: { "content-type": "application/json", "cf-connecting-ip": `198.51.100.${crypto.randomUUID()}` },
	});
}

export interface Line {
	page?: string | null;
	variant?: string;
	loads: number;
	checkouts: number;
	donations: number;
	total: number;
	conversion: number | null;
}

export async function pagesOf(campaign: string, period = ""): Promise<{ pages: Line[]; totals: Line }> {
	const res = await adminFetch(`/campaigns/${campaign}/pages${period ? `?period=${period}` : ""}`);
	expect(res.status).toBe(200);
	return res.json();
}

/** Polls until the flushed counts (batches leave isolates after FUNNEL_FLUSH_MS) show `loads` and `checkouts` in all. */
export async function settled(campaign: string, loads: number, checkouts = 0): Promise<{ pages: Line[]; totals: Line }> {
	await expect
		.poll(
			async () => {
				const { totals } = await pagesOf(campaign);
				return [totals.loads, totals.checkouts];
			},
			{ timeout: 5_000, interval: 50 },
		)
		.toEqual([loads, checkouts]);
	return pagesOf(campaign);
}
