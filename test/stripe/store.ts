// What the double's modules (webhooks.ts, money.ts, portal.ts) see of its
// object store. Objects are live (callers mutate them, then `put` again).
import type { DoubleObjectType, JsonObject } from "./objects.ts";
import type { RenderContext } from "./versions.ts";

export interface DoubleStore {
	/** The stored object with this id and type, live, or undefined. */
	get(type: DoubleObjectType, id: string): JsonObject | undefined;
	/** Stores (or replaces) an object; it keeps its id. */
	put(type: DoubleObjectType, object: JsonObject): JsonObject;
	/** Every stored object of `type`, newest first, live. */
	all(type: DoubleObjectType): JsonObject[];
}

function ofPaymentIntent(store: DoubleStore, type: "charge" | "refund", id: string): JsonObject[] {
	return store.all(type).filter((o) => o.payment_intent === id);
}

/** Lookups renderObject needs, answered from the store. */
export function renderContext(store: DoubleStore): RenderContext {
	const invoicePaymentOf = (pi: string) =>
		store.all("invoice_payment").find((p) => (p.payment as JsonObject | null)?.payment_intent === pi && p.status === "paid");
	return {
		paymentOfInvoice(invoice) {
			const link = store.all("invoice_payment").find((p) => p.invoice === invoice && p.status === "paid");
			const pi = (link?.payment as JsonObject | undefined)?.payment_intent;
			if (typeof pi !== "string") return undefined;
			const charge = ofPaymentIntent(store, "charge", pi)[0];
			return { paymentIntent: pi, charge: typeof charge?.id === "string" ? charge.id : null };
		},
		invoiceOfPaymentIntent(pi) {
			const invoice = invoicePaymentOf(pi)?.invoice;
			return typeof invoice === "string" ? invoice : null;
		},
		refundsOfCharge: (charge) => store.all("refund").filter((r) => r.charge === charge),
		chargesOfPaymentIntent: (pi) => ofPaymentIntent(store, "charge", pi),
	};
}
