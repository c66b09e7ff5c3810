// The double's stand-in for Stripe's hosted Checkout page (/c/pay/:id): the
// session's amount (formatted as Stripe writes the currency), campaign and
// Pay / Cancel links to its success and cancel URLs. Runtime-neutral.
import { formatStripeAmount } from "./currencies.ts";
import { CAMPAIGN_KEY, type JsonObject } from "./objects.ts";
import { asObject, escapeHtml, str } from "./wire.ts";

function formatAmount(amount: number | null, currency: string | null): string {
	return amount === null || currency === null ? "—" : formatStripeAmount(amount, currency);
}

export function hostedCheckoutPage(id: string, session: JsonObject | undefined): Response {
	if (!session) {
		return new Response("<!doctype html><title>Not found</title><h1>No such Checkout Session</h1>", {
			status: 404,
			headers: { "content-type": "text/html; charset=utf-8" },
		});
	}
	const s = session;
	const amount = typeof s.amount_total === "number" ? s.amount_total : null;
	const currency = str(s.currency) ?? null;
	const campaign = str(asObject(s.metadata)?.[CAMPAIGN_KEY]) ?? "";
	const success = str(s.success_url)?.replaceAll("{CHECKOUT_SESSION_ID}", id);
	const cancel = str(s.cancel_url)?.replaceAll("{CHECKOUT_SESSION_ID}", id);
	const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Checkout (Stripe test double)</title>
</head>
<body>
<main>
<h1>Checkout (Stripe test double)</h1>
<dl>
<dt>Session</dt><dd data-field="id">${escapeHtml(id)}</dd>
<dt>Amount</dt><dd data-field="amount" data-amount="${amount ?? ""}">${escapeHtml(formatAmount(amount, currency))}</dd>
<dt>Currency</dt><dd data-field="currency">${escapeHtml(currency ?? "")}</dd>
<dt>Mode</dt><dd data-field="mode">${escapeHtml(str(s.mode) ?? "")}</dd>
<dt>Campaign</dt><dd data-field="campaign">${escapeHtml(campaign)}</dd>
<dt>Status</dt><dd data-field="status">${escapeHtml(str(s.status) ?? "")}</dd>
</dl>
<p>
${success ? `<a id="pay" href="${escapeHtml(success)}">Pay</a>` : ""}
${cancel ? `<a id="cancel" href="${escapeHtml(cancel)}">Cancel</a>` : ""}
</p>
</main>
</body>
</html>
`;
	return new Response(html, {
		status: 200,
		headers: {
			"content-type": "text/html; charset=utf-8",
			"cache-control": "no-store",
		},
	});
}
