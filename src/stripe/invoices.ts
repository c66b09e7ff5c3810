// Which PaymentIntent paid an invoice, and which invoice a PaymentIntent paid.
// Stripe's webhooks leave an invoice's `payments` out (it is only there when
// expanded), and a monthly gift's PaymentIntent carries no campaign: without
// these lookups a refund or dispute of a monthly gift could not come off.
import type Stripe from "stripe";
import { campaignOf } from "../domain/metadata";
import { invoiceMetadata, paymentIntentOf } from "./events";

/** The PaymentIntent that paid `invoiceId`, or null when Stripe lists none. */
export async function paymentOfInvoice(stripe: Stripe, invoiceId: string): Promise<string | null> {
	const payments = await stripe.invoicePayments.list({ invoice: invoiceId, status: "paid", limit: 10 });
	return paymentIntentOf(payments.data);
}

/** The campaign of the invoice that `paymentIntent` paid, or null when it paid none of ours. */
export async function campaignOfInvoicePayment(stripe: Stripe, paymentIntent: string): Promise<string | null> {
	const payments = await stripe.invoicePayments.list({
		payment: { type: "payment_intent", payment_intent: paymentIntent },
		limit: 1,
	});
	const invoice = payments.data[0]?.invoice;
	if (!invoice) return null;
	const id = typeof invoice === "string" ? invoice : invoice.id;
	if (!id) return null;
	return campaignOf(invoiceMetadata(await stripe.invoices.retrieve(id)));
}
