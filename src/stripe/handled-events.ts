// The Stripe event types the webhook acts on, in a module of its own (no
// imports) so that Node scripts (npm run stripe:setup, doctor) and tests can
// read the one list too.
/**
 * The event types the webhook acts on: what the Stripe endpoint must send
 * (npm run stripe:setup subscribes exactly these). Anything else is answered
 * 200 and ignored.
 */
export const HANDLED_EVENTS = [
	"checkout.session.completed",
	"checkout.session.async_payment_succeeded",
	"checkout.session.async_payment_failed",
	"invoice.paid",
	"charge.refunded",
	"charge.refund.updated",
	"refund.created",
	"refund.updated",
	"refund.failed",
	"charge.dispute.funds_withdrawn",
	"charge.dispute.funds_reinstated",
] as const;
