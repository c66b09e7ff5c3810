// What happens to money after Checkout: completing a session (PaymentIntent,
// charge; for a subscription also customer, subscription, paid invoice and
// its invoice payment), renewals, refunds (POST /v1/refunds), refund
// failures, disputes and subscription cancellation, each with the events
// Stripe sends. Runtime-neutral.
import { customerObject, subscriptionObject, succeededPaymentIntent } from "./billing.ts";
import { chargeAmountProblem, formatStripeAmount } from "./currencies.ts";
import {
	capturedCharge,
	disputeObject,
	donorDetails,
	invoicePayment,
	type JsonObject,
	nowSeconds,
	paidInvoice,
	randomId,
	refundObject,
} from "./objects.ts";
import type { DoubleStore } from "./store.ts";
import type { EmitOptions, EmittedEvent, Webhooks } from "./webhooks.ts";
import { asObject, fail, invalid, parseInteger, parseMetadata, rejectUnknown, str } from "./wire.ts";

/** Control routes' delivery switch: emit the events and wait for their deliveries. */
export interface DeliverOptions {
	deliver?: boolean;
	/** Only these endpoints (test isolation). */
	endpoints?: string[];
}

export interface Outcome {
	object: JsonObject;
	/** The events emitted, with their deliveries (empty unless `deliver`). */
	events: EmittedEvent[];
}

/** What the double knows of a session beyond the object: its create params' metadata. */
export interface SessionExtras {
	paymentIntentMetadata: Record<string, string> | null;
	subscriptionMetadata: Record<string, string> | null;
	interval?: "day" | "week" | "month" | "year";
}

const REFUND_PARAMS = [
	"amount",
	"charge",
	"currency",
	"customer",
	"expand",
	"instructions_email",
	"metadata",
	"origin",
	"payment_intent",
	"reason",
	"refund_application_fee",
	"reverse_transfer",
];
const REFUND_REASONS = ["duplicate", "fraudulent", "requested_by_customer"];

function missingObject(type: string, param: string, id: string): never {
	fail(404, { type: "invalid_request_error", code: "resource_missing", param, message: `No such ${type}: '${id}'` });
}

/** "$20.00" for USD as Stripe's refund errors write it, else "20.00 EUR". */
function money(amount: number, currency: string): string {
	return currency === "usd" ? `$${(amount / 100).toFixed(2)}` : formatStripeAmount(amount, currency);
}

export function createMoney(store: DoubleStore, webhooks: Webhooks) {
	async function send(steps: [string, JsonObject, JsonObject?][], opts: DeliverOptions): Promise<EmittedEvent[]> {
		if (!opts.deliver) return [];
		const events: EmittedEvent[] = [];
		for (const [type, object, previousAttributes] of steps) {
			const emitOpts: EmitOptions = { endpoints: opts.endpoints, previousAttributes };
			events.push(await webhooks.emit(type, structuredClone(object), emitOpts));
		}
		return events;
	}

	/** A succeeded PaymentIntent and its captured charge, stored. */
	function pay(amount: number, currency: string, customer: string | null, metadata: Record<string, string>, paymentIntentId?: string) {
		const chargeId = randomId("ch_");
		const pi = succeededPaymentIntent({ paymentIntentId, amount, currency, customer, metadata, latestCharge: chargeId });
		const charge = capturedCharge({ chargeId, paymentIntent: String(pi.id), amount, currency });
		Object.assign(charge, { customer, metadata: { ...metadata } });
		store.put("payment_intent", pi);
		store.put("charge", charge);
		return { pi, charge };
	}

	/** A paid subscription invoice, its payment and the link between them. */
	function invoiceFor(sub: JsonObject, billingReason: "subscription_create" | "subscription_cycle", invoiceId?: string) {
		const item = (sub.items as { data: JsonObject[] }).data[0] as JsonObject;
		const price = item.price as JsonObject;
		const amount = Number(price.unit_amount);
		const currency = String(sub.currency);
		const customer = String(sub.customer);
		const { pi, charge } = pay(amount, currency, customer, {});
		const invoice = paidInvoice({ invoiceId, amount, currency, subscription: String(sub.id), customer, billingReason });
		const details = (invoice.parent as { subscription_details: JsonObject }).subscription_details;
		details.metadata = structuredClone(sub.metadata);
		const line = (invoice.lines as { data: JsonObject[] }).data[0] as JsonObject;
		line.metadata = structuredClone(sub.metadata);
		(line.parent as { subscription_item_details: JsonObject }).subscription_item_details.subscription_item = item.id;
		store.put("invoice", invoice);
		store.put("invoice_payment", invoicePayment({ invoice: String(invoice.id), paymentIntent: String(pi.id), amount, currency }));
		sub.latest_invoice = invoice.id;
		return { invoice, pi, charge };
	}

	async function completeSession(
		session: JsonObject,
		extras: SessionExtras,
		opts: DeliverOptions & { paymentStatus?: string },
	): Promise<Outcome> {
		const s = session;
		s.status = "complete";
		s.payment_status = opts.paymentStatus ?? (s.mode === "setup" ? "no_payment_required" : "paid");
		s.customer_details = donorDetails();
		s.url = null;
		const paid = s.payment_status === "paid";
		const amount = typeof s.amount_total === "number" ? s.amount_total : 0;
		const currency = str(s.currency) ?? "usd";
		if (s.mode === "payment") {
			if (!s.payment_intent) s.payment_intent = randomId("pi_");
			if (paid && !store.get("payment_intent", String(s.payment_intent))) {
				pay(amount, currency, str(s.customer) ?? null, extras.paymentIntentMetadata ?? {}, String(s.payment_intent));
			}
			store.put("checkout.session", s);
			return { object: s, events: await send([["checkout.session.completed", s]], opts) };
		}
		if (s.mode !== "subscription") {
			store.put("checkout.session", s);
			return { object: s, events: await send([["checkout.session.completed", s]], opts) };
		}
		if (!s.subscription) s.subscription = randomId("sub_");
		if (!s.customer) s.customer = randomId("cus_");
		if (!s.invoice) s.invoice = randomId("in_");
		store.put("checkout.session", s);
		if (!paid || store.get("subscription", String(s.subscription))) {
			return { object: s, events: await send([["checkout.session.completed", s]], opts) };
		}
		const details = asObject(s.customer_details);
		const customer = customerObject({ customerId: String(s.customer), email: str(details?.email), name: str(details?.name) });
		store.put("customer", customer);
		const sub = subscriptionObject({
			subscriptionId: String(s.subscription),
			customer: String(s.customer),
			amount,
			currency,
			interval: extras.interval,
			metadata: extras.subscriptionMetadata ?? {},
		});
		const { invoice } = invoiceFor(sub, "subscription_create", String(s.invoice));
		store.put("subscription", sub);
		const events = await send(
			[
				["checkout.session.completed", s],
				["invoice.paid", invoice],
			],
			opts,
		);
		return { object: s, events };
	}

	async function renewSubscription(id: string, opts: DeliverOptions): Promise<Outcome> {
		const sub = store.get("subscription", id);
		if (!sub) throw new Error(`No such subscription: ${id}`);
		if (sub.status !== "active") throw new Error(`Subscription ${id} is ${String(sub.status)}, not active`);
		const item = (sub.items as { data: JsonObject[] }).data[0] as JsonObject;
		const length = Number(item.current_period_end) - Number(item.current_period_start);
		item.current_period_start = item.current_period_end;
		item.current_period_end = Number(item.current_period_end) + length;
		const { invoice } = invoiceFor(sub, "subscription_cycle");
		store.put("subscription", sub);
		return { object: invoice, events: await send([["invoice.paid", invoice]], opts) };
	}

	function createRefund(params: JsonObject): JsonObject {
		rejectUnknown("", params, REFUND_PARAMS);
		const piId = str(params.payment_intent);
		const chargeId = str(params.charge);
		let charge: JsonObject | undefined;
		if (chargeId) charge = store.get("charge", chargeId) ?? missingObject("charge", "charge", chargeId);
		else if (piId) {
			const pi = store.get("payment_intent", piId) ?? missingObject("payment_intent", "payment_intent", piId);
			charge = store.get("charge", String(pi.latest_charge)) ?? store.all("charge").find((c) => c.payment_intent === piId);
			if (!charge) invalid("payment_intent", "This PaymentIntent does not have a successful charge to refund.");
		} else {
			invalid("charge", "One of the following params should be provided for this request: payment_intent or charge.");
		}
		const total = Number(charge.amount);
		const remaining = total - Number(charge.amount_refunded ?? 0);
		const currency = String(charge.currency);
		if (remaining <= 0) {
			fail(400, {
				type: "invalid_request_error",
				code: "charge_already_refunded",
				message: `Charge ${String(charge.id)} has already been refunded.`,
			});
		}
		const amount = params.amount === undefined ? remaining : parseInteger("amount", params.amount);
		if (amount < 1) invalid("amount", "This value must be greater than or equal to 1.", "parameter_invalid_integer");
		if (amount > remaining) {
			invalid(
				"amount",
				`Refund amount (${money(amount, currency)}) is greater than unrefunded amount on charge (${money(remaining, currency)})`,
			);
		}
		const problem = chargeAmountProblem(amount, currency);
		if (problem) invalid("amount", problem.message, problem.code);
		const reason = params.reason === undefined ? null : str(params.reason);
		if (reason !== null && (reason === undefined || !REFUND_REASONS.includes(reason))) {
			invalid("reason", `Invalid reason: must be one of ${REFUND_REASONS.join(", ")}`);
		}
		const refund = refundObject({ amount, paymentIntent: String(charge.payment_intent), chargeId: String(charge.id), currency });
		Object.assign(refund, { metadata: parseMetadata("metadata", params.metadata), reason });
		store.put("refund", refund);
		charge.amount_refunded = Number(charge.amount_refunded ?? 0) + amount;
		charge.refunded = Number(charge.amount_refunded) >= total;
		store.put("charge", charge);
		webhooks.emitLater("refund.created", structuredClone(refund));
		webhooks.emitLater("charge.refunded", structuredClone(charge));
		return structuredClone(refund);
	}

	/** A refund that did not reach the donor: its amount goes back on the charge. */
	async function endRefund(id: string, to: "failed" | "canceled", opts: DeliverOptions & { reason?: string }): Promise<Outcome> {
		const refund = store.get("refund", id);
		if (!refund) throw new Error(`No such refund: ${id}`);
		const from = String(refund.status);
		if (!["succeeded", "pending", "requires_action"].includes(from)) throw new Error(`Refund ${id} is already ${from}`);
		refund.status = to;
		if (to === "failed") {
			refund.failure_reason = opts.reason ?? "expired_or_canceled_card";
			refund.failure_balance_transaction = randomId("txn_");
		}
		store.put("refund", refund);
		const charge = store.get("charge", String(refund.charge));
		if (charge) {
			charge.amount_refunded = Math.max(0, Number(charge.amount_refunded ?? 0) - Number(refund.amount));
			charge.refunded = Number(charge.amount_refunded) >= Number(charge.amount);
			store.put("charge", charge);
		}
		const previous = { status: from };
		const steps: [string, JsonObject, JsonObject?][] = [["refund.updated", refund, previous]];
		if (to === "failed") steps.push(["refund.failed", refund]);
		steps.push(["charge.refund.updated", refund, previous]);
		return { object: refund, events: await send(steps, opts) };
	}

	async function openDispute(body: JsonObject, opts: DeliverOptions): Promise<Outcome> {
		const piId = str(body.payment_intent);
		const charge = str(body.charge) ? store.get("charge", String(body.charge)) : store.all("charge").find((c) => c.payment_intent === piId);
		if (!charge) throw new Error(`No charge for ${String(body.charge ?? body.payment_intent)}`);
		const amount = typeof body.amount === "number" ? body.amount : Number(charge.amount);
		const dispute = disputeObject(
			{ paymentIntent: String(charge.payment_intent), chargeId: String(charge.id), amount, currency: String(charge.currency) },
			"funds_withdrawn",
		);
		if (typeof body.reason === "string") dispute.reason = body.reason;
		store.put("dispute", dispute);
		charge.disputed = true;
		store.put("charge", charge);
		const events = await send(
			[
				["charge.dispute.created", dispute],
				["charge.dispute.funds_withdrawn", dispute],
			],
			opts,
		);
		return { object: dispute, events };
	}

	async function closeDispute(id: string, outcome: "won" | "lost", opts: DeliverOptions): Promise<Outcome> {
		const dispute = store.get("dispute", id);
		if (!dispute) throw new Error(`No such dispute: ${id}`);
		if (dispute.status === "won" || dispute.status === "lost") throw new Error(`Dispute ${id} is already ${String(dispute.status)}`);
		const previous = { status: dispute.status };
		if (outcome === "lost") {
			dispute.status = "lost";
			store.put("dispute", dispute);
			return { object: dispute, events: await send([["charge.dispute.closed", dispute, previous]], opts) };
		}
		const won = disputeObject(
			{
				disputeId: id,
				paymentIntent: String(dispute.payment_intent),
				chargeId: String(dispute.charge),
				amount: Number(dispute.amount),
				currency: String(dispute.currency),
				created: Number(dispute.created),
			},
			"funds_reinstated",
		);
		const withdrawal = (dispute.balance_transactions as JsonObject[])[0];
		const reversal = (won.balance_transactions as JsonObject[])[1];
		dispute.balance_transactions = [withdrawal, reversal];
		dispute.status = "won";
		store.put("dispute", dispute);
		const events = await send(
			[
				["charge.dispute.funds_reinstated", dispute],
				["charge.dispute.closed", dispute, previous],
			],
			opts,
		);
		return { object: dispute, events };
	}

	/** Cancels now (DELETE /v1/subscriptions/:id, or the portal): `customer.subscription.deleted`. */
	function cancelSubscription(id: string, reason: "cancellation_requested" = "cancellation_requested"): JsonObject {
		const sub = store.get("subscription", id) ?? missingObject("subscription", "id", id);
		if (sub.status === "canceled") return structuredClone(sub);
		const now = nowSeconds();
		Object.assign(sub, {
			status: "canceled",
			canceled_at: now,
			ended_at: now,
			cancellation_details: { comment: null, feedback: null, reason },
		});
		store.put("subscription", sub);
		webhooks.emitLater("customer.subscription.deleted", structuredClone(sub));
		return structuredClone(sub);
	}

	function route(method: string, path: string, params: JsonObject): JsonObject | undefined {
		if (method === "POST" && path === "/v1/refunds") return createRefund(params);
		const sub = /^\/v1\/subscriptions\/([^/]+)$/.exec(path);
		if (method === "DELETE" && sub) {
			rejectUnknown("", params, ["cancellation_details", "expand", "invoice_now", "prorate"]);
			return cancelSubscription(decodeURIComponent(sub[1] ?? ""));
		}
		return undefined;
	}

	return { completeSession, renewSubscription, endRefund, openDispute, closeDispute, cancelSubscription, route };
}

export type Money = ReturnType<typeof createMoney>;
