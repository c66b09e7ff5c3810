// Delivering signed webhooks to the worker, as Stripe does.
import { env } from "cloudflare:workers";
import { seedObject } from "../../stripe/control";
import { chargeRefunded, signedDelivery } from "../../stripe/events";
import { invoicePayment, paidInvoice, refundObject } from "../../stripe/objects";
import { fetchWorker } from "./campaigns";

export const WEBHOOK_SECRET = env.STRIPE_WEBHOOK_SECRET ?? "";

export async function deliver(event: object, opts: { secret?: string; timestamp?: number } = {}): Promise<Response> {
	const { body, headers } = await signedDelivery(event, opts.secret ?? WEBHOOK_SECRET, { timestamp: opts.timestamp });
	return fetchWorker("/api/stripe/webhook", { method: "POST", body, headers });
}

/** Delivers and insists on a 2xx, returning the worker's answer. */
export async function deliverOk(event: object): Promise<{ outcome: string; campaign?: string; reason?: string }> {
	const res = await deliver(event);
	if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
	return res.json();
}

/**
 * A monthly gift as Stripe holds it: a PaymentIntent without a campaign, the paid
 * invoice (campaign in its subscription's metadata) and the invoice payment linking them.
 */
export async function seedMonthlyGift(campaign: string, amount: number): Promise<{ invoice: string; paymentIntent: string }> {
	const invoice = `in_${crypto.randomUUID().replaceAll("-", "")}`;
	const paymentIntent = (await seedObject<{ id: string }>(env.STRIPE_API_URL, "payment_intent", { amount, metadata: {} })).id;
	await seedObject(env.STRIPE_API_URL, "invoice", paidInvoice({ invoiceId: invoice, campaign, amount }));
	await seedObject(env.STRIPE_API_URL, "invoice_payment", invoicePayment({ invoice, paymentIntent, amount }));
	return { invoice, paymentIntent };
}

export function shuffle<T>(items: T[], seed: number): T[] {
	const out = [...items];
	let state = seed;
	for (let i = out.length - 1; i > 0; i--) {
		state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
		const j = state % (i + 1);
		[out[i], out[j]] = [out[j] as T, out[i] as T];
	}
	return out;
}

/**
 * A refund as Stripe holds it, and the `charge.refunded` event Stripe sends
 * for it: the worker reads the charge's refunds at Stripe when told. Pass the
 * same `chargeId` for several refunds of one charge; `amountRefunded` is the
 * charge's cumulative figure the event carries.
 */
export async function refundAtStripe(opts: {
	paymentIntent: string;
	amount: number;
	chargeAmount: number;
	amountRefunded?: number;
	chargeId?: string;
	refundId?: string;
	status?: "succeeded" | "pending" | "failed" | "canceled";
}): Promise<{ refundId: string; chargeId: string; chargeRefunded: object }> {
	const chargeId = opts.chargeId ?? `ch_${crypto.randomUUID().replaceAll("-", "")}`;
	const refund = await seedObject<{ id: string }>(
		env.STRIPE_API_URL,
		"refund",
		refundObject({ refundId: opts.refundId, amount: opts.amount, paymentIntent: opts.paymentIntent, chargeId, status: opts.status }),
	);
	const chargeEvent = chargeRefunded({
		paymentIntent: opts.paymentIntent,
		chargeId,
		amount: opts.chargeAmount,
		amountRefunded: opts.amountRefunded ?? opts.amount,
	});
	return { refundId: refund.id, chargeId, chargeRefunded: chargeEvent };
}
