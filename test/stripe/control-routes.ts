// The double's control routes for events and money lifecycles (not Stripe's
// API; control.ts has typed helpers for them):
//   POST /__double/events {type, object, endpoints?}        emit + deliver an event
//   GET  /__double/events?object=&type=                      emitted events with their deliveries
//   POST /__double/subscriptions/:id/renew {deliver?, endpoints?}
//   POST /__double/refunds/:id/fail {reason?, deliver?, endpoints?}
//   POST /__double/refunds/:id/cancel {deliver?, endpoints?}
//   POST /__double/disputes {payment_intent | charge, amount?, reason?, deliver?, endpoints?}
//   POST /__double/disputes/:id/close {outcome: "won" | "lost", deliver?, endpoints?}
//   POST /__double/billing_portal/configurations/:id/default
//   POST /__double/sink/:name   records a request (a webhook endpoint for tests)
//   GET  /__double/sink/:name   the requests recorded there

import type { Money } from "./money.ts";
import type { JsonObject } from "./objects.ts";
import type { Portal } from "./portal.ts";
import type { Webhooks } from "./webhooks.ts";
import { asObject, json, readJson, str } from "./wire.ts";

export interface LifecycleDeps {
	webhooks: Webhooks;
	money: Money;
	portal: Portal;
	sinks: Map<string, { headers: Record<string, string>; body: string }[]>;
}

export function endpointsOf(body: JsonObject): string[] | undefined {
	return Array.isArray(body.endpoints) ? body.endpoints.map(String) : undefined;
}

function deliverOpts(body: JsonObject) {
	return { deliver: body.deliver === true, endpoints: endpointsOf(body) };
}

/** Answers a lifecycle control route, or undefined when `path` is none of them. */
export async function lifecycleControl(
	method: string,
	path: string,
	url: URL,
	request: Request,
	deps: LifecycleDeps,
): Promise<Response | undefined> {
	const { webhooks, money, portal, sinks } = deps;
	const sink = /^\/__double\/sink\/([^/]+)$/.exec(path);
	if (sink) {
		const name = decodeURIComponent(sink[1] ?? "");
		if (method === "GET") return json(200, { requests: sinks.get(name) ?? [] });
		const headers: Record<string, string> = {};
		request.headers.forEach((value, key) => {
			headers[key] = value;
		});
		const list = sinks.get(name) ?? [];
		list.push({ headers, body: await request.text() });
		sinks.set(name, list);
		return json(200, { received: true });
	}
	if (path === "/__double/events") {
		if (method === "GET") {
			const q = url.searchParams;
			return json(200, { events: await webhooks.events({ object: q.get("object") ?? undefined, type: q.get("type") ?? undefined }) });
		}
		const body = await readJson(request);
		const type = str(body.type);
		const object = asObject(body.object);
		if (!type || !object || typeof object.object !== "string")
			return json(400, { error: "Expected {type, object} with object.object set" });
		return json(200, await webhooks.emit(type, object, { endpoints: endpointsOf(body) }));
	}
	if (method !== "POST") return undefined;
	const renew = /^\/__double\/subscriptions\/([^/]+)\/renew$/.exec(path);
	if (renew) return json(200, await money.renewSubscription(decodeURIComponent(renew[1] ?? ""), deliverOpts(await readJson(request))));
	const refund = /^\/__double\/refunds\/([^/]+)\/(fail|cancel)$/.exec(path);
	if (refund) {
		const body = await readJson(request);
		const to = refund[2] === "fail" ? "failed" : "canceled";
		return json(200, await money.endRefund(decodeURIComponent(refund[1] ?? ""), to, { ...deliverOpts(body), reason: str(body.reason) }));
	}
	if (path === "/__double/disputes") {
		const body = await readJson(request);
		return json(200, await money.openDispute(body, deliverOpts(body)));
	}
	const close = /^\/__double\/disputes\/([^/]+)\/close$/.exec(path);
	if (close) {
		const body = await readJson(request);
		const outcome = body.outcome === "lost" ? "lost" : "won";
		return json(200, await money.closeDispute(decodeURIComponent(close[1] ?? ""), outcome, deliverOpts(body)));
	}
	const byDefault = /^\/__double\/billing_portal\/configurations\/([^/]+)\/default$/.exec(path);
	if (byDefault) {
		const config = portal.makeDefault(decodeURIComponent(byDefault[1] ?? ""));
		return config ? json(200, config) : json(404, { error: "No such billing_portal.configuration" });
	}
	return undefined;
}
