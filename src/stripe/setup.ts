// What the worker needs set up in the Stripe account, in one place:
// - the webhook endpoint: `<origin>/api/stripe/webhook`, exactly the event
//   types the webhook acts on (HANDLED_EVENTS) and the API version the `stripe`
//   SDK pins (events are rendered in the endpoint's version);
// - a customer portal configuration where monthly donors cancel.
// `npm run stripe:setup` (scripts/stripe-setup.ts) creates them from this;
// GET /api/admin/config, and through it `npm run doctor`, checks Stripe's
// copies against it. Runs in the worker and on Node.
import Stripe from "stripe";
import { METADATA_KEYS } from "../domain/metadata";
import { HANDLED_EVENTS } from "./handled-events";

export const WEBHOOK_PATH = "/api/stripe/webhook";

/** The API version the `stripe` SDK pins (Stripe.API_VERSION): the shapes its types describe. */
export const PINNED_API_VERSION: string = Stripe.API_VERSION;

/** The webhook URL of the worker at `origin` (no trailing slash, no path). */
export function webhookUrl(origin: string): string {
	return `${new URL(origin).origin}${WEBHOOK_PATH}`;
}

/**
 * Marks what stripe:setup created, so a rerun finds it again (and a person reading the Dashboard knows
 * why it is there). The worker opens donors' portal sessions with the configuration marked so
 * (routes/donors.ts).
 */
export const ENDPOINT_METADATA: Record<string, string> = { donation_widget_webhook: "1" };
export const PORTAL_METADATA: Record<string, string> = { [METADATA_KEYS.portal]: "1" };

/** Whether `metadata` carries all of `marker`. */
export function marked(metadata: Record<string, string> | null | undefined, marker: Record<string, string>): boolean {
	return Object.entries(marker).every(([key, value]) => metadata?.[key] === value);
}

/**
 * The customer portal configuration for monthly donors. Cancelling takes effect
 * at the end of the period already paid for: the donor keeps what the month's
 * gift paid for, nothing is prorated or refunded (a refund would come off the
 * campaign's total), and until then the donor can change their mind in the
 * portal. The login page is Stripe's no-code link where donors sign in with a
 * one-time code sent to their email.
 */
export const PORTAL_FEATURES = {
	subscription_cancel: { enabled: true, mode: "at_period_end" },
	payment_method_update: { enabled: true },
	invoice_history: { enabled: true },
} as const;

/** The fields of a webhook endpoint compared here (Stripe.WebhookEndpoint has them). */
export interface EndpointFields {
	id: string;
	url: string;
	enabled_events: string[];
	api_version: string | null;
	status: string;
}

/** One Stripe webhook endpoint held against what the worker needs. */
export interface EndpointCheck {
	id: string;
	url: string;
	status: string;
	/** null: the account's default version at the time the endpoint was made. */
	apiVersion: string | null;
	urlMatches: boolean;
	enabled: boolean;
	/** Handled event types the endpoint does not send: those gifts, refunds or disputes would never count. */
	missingEvents: string[];
	/** Types it sends that the worker ignores (answered 200): harmless, but each is a request. "*" is all of them. */
	extraEvents: string[];
	/** Exactly HANDLED_EVENTS, nothing more. */
	eventsMatch: boolean;
	apiVersionMatches: boolean;
	/** Everything the worker needs: URL, enabled, no missing event, the pinned version. */
	ok: boolean;
}

export function checkEndpoint(endpoint: EndpointFields, expectedUrl: string): EndpointCheck {
	const sends = new Set(endpoint.enabled_events);
	const handled: readonly string[] = HANDLED_EVENTS;
	const missingEvents = sends.has("*") ? [] : handled.filter((type) => !sends.has(type));
	const extraEvents = [...sends].filter((type) => !handled.includes(type)).sort();
	const urlMatches = endpoint.url === expectedUrl;
	const enabled = endpoint.status === "enabled";
	const apiVersionMatches = endpoint.api_version === PINNED_API_VERSION;
	return {
		id: endpoint.id,
		url: endpoint.url,
		status: endpoint.status,
		apiVersion: endpoint.api_version,
		urlMatches,
		enabled,
		missingEvents,
		extraEvents,
		eventsMatch: missingEvents.length === 0 && extraEvents.length === 0,
		apiVersionMatches,
		ok: urlMatches && enabled && missingEvents.length === 0 && apiVersionMatches,
	};
}

/** Whether an endpoint points at some worker's webhook route (another host, or another copy of this worker). */
export function isWebhookRoute(url: string): boolean {
	try {
		return new URL(url).pathname === WEBHOOK_PATH;
	} catch {
		return false;
	}
}
