// The billing customer portal: /v1/billing_portal/configurations and
// /v1/billing_portal/sessions, and a stand-in portal page (/p/session/:id)
// where the donor can cancel a subscription. Runtime-neutral.
//
// A configuration created through the API is not the default one (Stripe
// creates the default when the portal settings are saved in the Dashboard);
// the control route POST /__double/billing_portal/configurations/:id/default
// plays that part.
import { portalConfigurationBase, portalSessionBase } from "./billing.ts";
import { type JsonObject, randomChars } from "./objects.ts";
import type { DoubleStore } from "./store.ts";
import type { Webhooks } from "./webhooks.ts";
import { asObject, checkUrl, escapeHtml, fail, invalid, missing, parseMetadata, rejectUnknown, str } from "./wire.ts";

const CONFIG_PARAMS = ["features", "business_profile", "default_return_url", "expand", "login_page", "metadata", "name"];
const FEATURES = ["customer_update", "invoice_history", "payment_method_update", "subscription_cancel", "subscription_update"];
const SESSION_PARAMS = ["customer", "customer_account", "configuration", "return_url", "locale", "on_behalf_of", "flow_data", "expand"];
const CANCEL_MODES = ["at_period_end", "immediately"];
const PRORATIONS = ["always_invoice", "create_prorations", "none"];

function bool(param: string, value: unknown): boolean {
	if (value === "true") return true;
	if (value === "false") return false;
	invalid(param, `Invalid boolean: ${String(value)}`);
}

function oneOf(param: string, value: unknown, allowed: string[]): string {
	if (typeof value !== "string" || !allowed.includes(value)) invalid(param, `Invalid ${param}: must be one of ${allowed.join(", ")}`);
	return value;
}

function noSuch(type: string, param: string, id: string): never {
	fail(404, { type: "invalid_request_error", code: "resource_missing", param, message: `No such ${type}: '${id}'` });
}

/** Applies `features[...]` params onto a configuration's features. */
function applyFeatures(features: JsonObject, raw: unknown): void {
	const params = asObject(raw) ?? invalid("features", "Invalid object");
	rejectUnknown("features", params, FEATURES);
	for (const [name, value] of Object.entries(params)) {
		const p = asObject(value) ?? invalid(`features[${name}]`, "Invalid object");
		if (!asObject(features[name])) features[name] = {};
		const target = features[name] as JsonObject;
		if (p.enabled !== undefined) target.enabled = bool(`features[${name}][enabled]`, p.enabled);
		if (name === "subscription_cancel") {
			rejectUnknown(`features[${name}]`, p, ["enabled", "mode", "proration_behavior", "cancellation_reason"]);
			if (p.mode !== undefined) target.mode = oneOf(`features[${name}][mode]`, p.mode, CANCEL_MODES);
			if (p.proration_behavior !== undefined) {
				target.proration_behavior = oneOf(`features[${name}][proration_behavior]`, p.proration_behavior, PRORATIONS);
			}
		} else if (name === "payment_method_update") {
			rejectUnknown(`features[${name}]`, p, ["enabled", "payment_method_configuration"]);
		}
	}
}

export function createPortal(store: DoubleStore, webhooks: Webhooks, cancelSubscription: (id: string) => JsonObject) {
	function configure(config: JsonObject, params: JsonObject, origin: string): void {
		if (params.features !== undefined) applyFeatures(config.features as JsonObject, params.features);
		const profile = asObject(params.business_profile);
		if (params.business_profile !== undefined) {
			if (!profile) invalid("business_profile", "Invalid object");
			rejectUnknown("business_profile", profile, ["headline", "privacy_policy_url", "terms_of_service_url"]);
			for (const key of ["privacy_policy_url", "terms_of_service_url"]) {
				if (profile[key]) checkUrl(`business_profile[${key}]`, str(profile[key]) ?? null);
			}
			Object.assign(config.business_profile as JsonObject, profile);
		}
		if (params.default_return_url !== undefined) {
			const url = str(params.default_return_url) || null;
			checkUrl("default_return_url", url);
			config.default_return_url = url;
		}
		const login = asObject(params.login_page);
		if (params.login_page !== undefined) {
			if (!login) invalid("login_page", "Invalid object");
			rejectUnknown("login_page", login, ["enabled"]);
			const enabled = bool("login_page[enabled]", login.enabled);
			const url = str((config.login_page as JsonObject).url);
			config.login_page = { enabled, url: enabled ? (url ?? `${origin}/p/login/test_${randomChars(24)}`) : null };
		}
		if (params.metadata !== undefined) config.metadata = parseMetadata("metadata", params.metadata);
		if (params.name !== undefined) config.name = str(params.name) || null;
		if (params.active !== undefined) config.active = bool("active", params.active);
	}

	function createConfiguration(params: JsonObject, origin: string): JsonObject {
		rejectUnknown("", params, CONFIG_PARAMS);
		if (params.features === undefined) missing("features");
		const config = portalConfigurationBase();
		configure(config, params, origin);
		return structuredClone(store.put("billing_portal.configuration", config));
	}

	function updateConfiguration(id: string, params: JsonObject, origin: string): JsonObject {
		const config = store.get("billing_portal.configuration", id) ?? noSuch("configuration", "configuration", id);
		rejectUnknown("", params, [...CONFIG_PARAMS, "active"]);
		configure(config, params, origin);
		config.updated = Math.floor(Date.now() / 1000);
		return structuredClone(store.put("billing_portal.configuration", config));
	}

	function createSession(params: JsonObject, origin: string): JsonObject {
		rejectUnknown("", params, SESSION_PARAMS);
		const customerId = str(params.customer);
		if (!customerId) missing("customer");
		if (!store.get("customer", customerId)) noSuch("customer", "customer", customerId);
		let config: JsonObject | undefined;
		const configId = str(params.configuration);
		if (configId) config = store.get("billing_portal.configuration", configId) ?? noSuch("configuration", "configuration", configId);
		else config = store.all("billing_portal.configuration").find((c) => c.is_default === true && c.active === true);
		if (!config) {
			invalid(
				"configuration",
				"No configuration provided and your test mode default configuration has not been created. Provide a configuration or create your default by saving your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal.",
			);
		}
		const returnUrl = str(params.return_url) ?? str(config.default_return_url) ?? null;
		checkUrl("return_url", returnUrl);
		const session = portalSessionBase();
		Object.assign(session, {
			configuration: config.id,
			customer: customerId,
			locale: str(params.locale) ?? null,
			on_behalf_of: null,
			return_url: returnUrl,
			url: `${origin}/p/session/${String(session.id)}`,
		});
		return structuredClone(store.put("billing_portal.session", session));
	}

	function route(method: string, path: string, params: JsonObject, origin: string): JsonObject | undefined {
		if (method !== "POST") return undefined;
		if (path === "/v1/billing_portal/configurations") return createConfiguration(params, origin);
		if (path === "/v1/billing_portal/sessions") return createSession(params, origin);
		const match = /^\/v1\/billing_portal\/configurations\/([^/]+)$/.exec(path);
		return match ? updateConfiguration(decodeURIComponent(match[1] ?? ""), params, origin) : undefined;
	}

	/** As if the portal settings were saved in the Dashboard: `id` becomes the default configuration. */
	function makeDefault(id: string): JsonObject | undefined {
		const config = store.get("billing_portal.configuration", id);
		if (!config) return undefined;
		for (const other of store.all("billing_portal.configuration")) other.is_default = other === config;
		return structuredClone(config);
	}

	function page(id: string, method: string, form: URLSearchParams): Response {
		const session = store.get("billing_portal.session", id);
		const html = (status: number, body: string) =>
			new Response(
				`<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Customer portal (Stripe test double)</title></head>\n<body><main>\n${body}\n</main></body>\n</html>\n`,
				{
					status,
					headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
				},
			);
		if (!session) return html(404, "<h1>No such portal session</h1>");
		const config = store.get("billing_portal.configuration", String(session.configuration));
		const cancel = asObject(asObject(config?.features)?.subscription_cancel);
		const subscriptions = store.all("subscription").filter((s) => s.customer === session.customer);
		if (method === "POST") {
			const sub = subscriptions.find((s) => s.id === form.get("subscription"));
			if (!sub || cancel?.enabled !== true) return html(400, "<h1>Cannot cancel this subscription</h1>");
			if (cancel.mode === "immediately") cancelSubscription(String(sub.id));
			else if (sub.cancel_at_period_end !== true) {
				const item = (sub.items as { data: JsonObject[] }).data[0];
				Object.assign(sub, {
					cancel_at_period_end: true,
					cancel_at: item?.current_period_end ?? null,
					canceled_at: Math.floor(Date.now() / 1000),
				});
				store.put("subscription", sub);
				webhooks.emitLater("customer.subscription.updated", structuredClone(sub), {
					previousAttributes: { cancel_at_period_end: false, cancel_at: null, canceled_at: null },
				});
			}
			return new Response(null, { status: 303, headers: { location: `/p/session/${encodeURIComponent(id)}` } });
		}
		const rows = subscriptions.map((s) => {
			const live = s.status !== "canceled" && s.cancel_at_period_end !== true;
			const button =
				live && cancel?.enabled === true
					? `<form method="post"><input type="hidden" name="subscription" value="${escapeHtml(String(s.id))}"><button id="cancel-${escapeHtml(String(s.id))}" type="submit">Cancel subscription</button></form>`
					: "";
			const state = s.cancel_at_period_end === true && s.status !== "canceled" ? "cancels at period end" : String(s.status);
			return `<li data-subscription="${escapeHtml(String(s.id))}" data-status="${escapeHtml(state)}">${escapeHtml(String(s.id))}: ${escapeHtml(state)}${button}</li>`;
		});
		const back = str(session.return_url);
		return html(
			200,
			`<h1>Customer portal (Stripe test double)</h1>\n<ul>${rows.join("\n")}</ul>\n${back ? `<a id="return" href="${escapeHtml(back)}">Return</a>` : ""}`,
		);
	}

	return { route, makeDefault, page };
}

export type Portal = ReturnType<typeof createPortal>;
