// Proves the local Stripe double against the real stripe SDK, configured the
// way the worker configures it (fetch HTTP client, host/port/protocol from
// STRIPE_API_URL), and the webhook signing helpers against Stripe's verifier.
import { env } from "cloudflare:workers";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import {
	cancelRefund,
	closeDispute,
	completeSessionAndDeliver,
	emitEvent,
	emittedEvents,
	failRefund,
	injectFault,
	makeDefaultPortalConfiguration,
	openDispute,
	recordedRequests,
	renewSubscription,
	seedObject,
	sinkRequests,
	sinkUrl,
	storedObject,
} from "../stripe/control.ts";
import { currencyFact, formatStripeAmount, STRIPE_CURRENCIES } from "../stripe/currencies.ts";
import {
	chargeRefunded,
	checkoutSessionCompleted,
	disputeFundsWithdrawn,
	invoicePaid,
	refundEvent,
	signedDelivery,
} from "../stripe/events.ts";
import { CAMPAIGN_KEY, capturedCharge, invoicePayment, PAGE_KEY, paidInvoice, refundObject } from "../stripe/objects.ts";
import { RENDERED_API_VERSIONS, renderObject } from "../stripe/versions.ts";

const DOUBLE_URL = env.STRIPE_API_URL;
const SECRET = "whsec_test_secret";

function client(key = "sk_test_double"): Stripe {
	const url = new URL(DOUBLE_URL);
	return new Stripe(key, {
		httpClient: Stripe.createFetchHttpClient(),
		protocol: url.protocol === "http:" ? "http" : "https",
		host: url.hostname,
		port: Number(url.port),
		timeout: 8_000,
		maxNetworkRetries: 1,
	});
}

function campaignId(): string {
	return `c-${crypto.randomUUID()}`;
}

function paymentParams(campaign: string, amount = 2500): Stripe.Checkout.SessionCreateParams {
	return {
		mode: "payment",
		submit_type: "donate",
		line_items: [
			{
				quantity: 1,
				price_data: {
					currency: "USD",
					unit_amount: amount,
					product_data: { name: "Donation" },
				},
			},
		],
		metadata: { [CAMPAIGN_KEY]: campaign, [PAGE_KEY]: "https://publisher.example/story" },
		payment_intent_data: { metadata: { [CAMPAIGN_KEY]: campaign } },
		success_url: "https://publisher.example/thanks?session_id={CHECKOUT_SESSION_ID}",
		cancel_url: "https://publisher.example/story",
	};
}

/** With the fetch HTTP client, `lastResponse` is the fetch Response itself. */
function responseHeader(result: { lastResponse: { headers: unknown } }, name: string): string | null {
	const headers = result.lastResponse.headers;
	if (headers instanceof Headers) return headers.get(name);
	return (headers as Record<string, string>)[name] ?? null;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	throw new Error("expected the call to fail");
}

describe("Stripe double with the real SDK", () => {
	it("creates a payment-mode session and records what was sent", async () => {
		const campaign = campaignId();
		const key = `idem-${crypto.randomUUID()}`;
		const stripe = client();
		const before = Math.floor(Date.now() / 1000);
		const session = await stripe.checkout.sessions.create(paymentParams(campaign, 2500), {
			idempotencyKey: key,
		});

		expect(session.id).toMatch(/^cs_test_[A-Za-z0-9]{20,}$/);
		expect(session.object).toBe("checkout.session");
		expect(session.url).toBe(`${DOUBLE_URL}/c/pay/${session.id}`);
		expect(session.mode).toBe("payment");
		expect(session.amount_total).toBe(2500);
		expect(session.amount_subtotal).toBe(2500);
		expect(session.currency).toBe("usd");
		expect(session.metadata).toEqual({
			[CAMPAIGN_KEY]: campaign,
			[PAGE_KEY]: "https://publisher.example/story",
		});
		expect(session.status).toBe("open");
		expect(session.payment_status).toBe("unpaid");
		expect(session.payment_intent).toBeNull();
		expect(session.subscription).toBeNull();
		expect(session.submit_type).toBe("donate");
		expect(session.livemode).toBe(false);
		expect(session.success_url).toBe("https://publisher.example/thanks?session_id={CHECKOUT_SESSION_ID}");
		expect(session.created).toBeGreaterThanOrEqual(before);
		// Fixture fields the double did not touch are still there.
		expect(session.payment_method_types).toEqual(["card"]);

		const recorded = await recordedRequests(DOUBLE_URL, {
			path: "/v1/checkout/sessions",
			campaign,
		});
		expect(recorded).toHaveLength(1);
		const [request] = recorded;
		expect(request?.method).toBe("POST");
		expect(request?.headers).toEqual({
			idempotencyKey: key,
			stripeVersion: Stripe.API_VERSION,
			authorized: true,
		});
		expect(request?.params).toMatchObject({
			mode: "payment",
			line_items: [
				{
					quantity: "1",
					price_data: {
						currency: "USD",
						unit_amount: "2500",
						product_data: { name: "Donation" },
					},
				},
			],
			metadata: { [CAMPAIGN_KEY]: campaign },
			payment_intent_data: { metadata: { [CAMPAIGN_KEY]: campaign } },
		});
		const stored = await storedObject(DOUBLE_URL, session.id);
		expect(stored.createParams).toMatchObject({
			payment_intent_data: { metadata: { [CAMPAIGN_KEY]: campaign } },
		});

		const retrieved = await stripe.checkout.sessions.retrieve(session.id);
		expect(retrieved.id).toBe(session.id);
		expect(retrieved.amount_total).toBe(2500);

		const page = await fetch(session.url ?? "");
		const html = await page.text();
		expect(page.status).toBe(200);
		expect(html).toContain("<title>Checkout (Stripe test double)</title>");
		expect(html).toContain("25.00 USD");
		expect(html).toContain(campaign);
		expect(html).toContain(`href="https://publisher.example/thanks?session_id=${session.id}">Pay</a>`);
		expect(html).toContain(`href="https://publisher.example/story">Cancel</a>`);
	});

	it("creates a subscription-mode session", async () => {
		const campaign = campaignId();
		const stripe = client();
		const session = await stripe.checkout.sessions.create({
			mode: "subscription",
			line_items: [
				{
					quantity: 2,
					price_data: {
						currency: "eur",
						unit_amount: 500,
						recurring: { interval: "month" },
						product_data: { name: "Monthly donation" },
					},
				},
			],
			metadata: { [CAMPAIGN_KEY]: campaign },
			subscription_data: {
				metadata: { [CAMPAIGN_KEY]: campaign, [PAGE_KEY]: "https://publisher.example/p" },
			},
			success_url: "https://publisher.example/thanks",
		});
		expect(session.mode).toBe("subscription");
		expect(session.amount_total).toBe(1000);
		expect(session.currency).toBe("eur");
		expect(session.subscription).toBeNull();
		expect(session.cancel_url).toBeNull();

		const [request] = await recordedRequests(DOUBLE_URL, { campaign });
		expect(request?.params).toMatchObject({
			subscription_data: {
				metadata: { [CAMPAIGN_KEY]: campaign, [PAGE_KEY]: "https://publisher.example/p" },
			},
			line_items: [{ price_data: { recurring: { interval: "month" } } }],
		});
		// The SDK keys every POST itself.
		expect(request?.headers.idempotencyKey).toMatch(/^stripe-node-retry-/);

		const noInterval = await rejection(
			stripe.checkout.sessions.create({
				mode: "subscription",
				line_items: [
					{
						price_data: {
							currency: "usd",
							unit_amount: 500,
							product_data: { name: "D" },
						},
					},
				],
				metadata: { [CAMPAIGN_KEY]: campaign },
				success_url: "https://publisher.example/thanks",
			}),
		);
		expect(noInterval).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
		expect((noInterval as Stripe.errors.StripeError).param).toBe("line_items[0][price_data][recurring][interval]");

		const submitType = await rejection(
			stripe.checkout.sessions.create({
				mode: "subscription",
				submit_type: "donate",
				line_items: [
					{
						price_data: {
							currency: "usd",
							unit_amount: 500,
							recurring: { interval: "month" },
							product_data: { name: "D" },
						},
					},
				],
				success_url: "https://publisher.example/thanks",
			}),
		);
		expect(submitType).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
		expect((submitType as Stripe.errors.StripeError).param).toBe("submit_type");
	});

	it("replays an idempotent request and rejects a key reused with other params", async () => {
		const campaign = campaignId();
		const key = `idem-${crypto.randomUUID()}`;
		const stripe = client();
		const first = await stripe.checkout.sessions.create(paymentParams(campaign, 1500), {
			idempotencyKey: key,
		});
		const again = await stripe.checkout.sessions.create(paymentParams(campaign, 1500), {
			idempotencyKey: key,
		});
		expect(again.id).toBe(first.id);
		expect(responseHeader(again, "idempotent-replayed")).toBe("true");

		const conflict = await rejection(
			stripe.checkout.sessions.create(paymentParams(campaign, 9900), {
				idempotencyKey: key,
			}),
		);
		expect(conflict).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
		expect((conflict as Error).message).toContain("Keys for idempotent requests can only be used with the same parameters");

		const sent = await recordedRequests(DOUBLE_URL, { idempotencyKey: key });
		expect(sent).toHaveLength(3);
		expect(sent.map((r) => r.status)).toEqual([200, 200, 400]);
	});

	it("answers validation, auth and missing-object errors as Stripe does", async () => {
		const campaign = campaignId();
		const stripe = client();
		const params = paymentParams(campaign);
		delete params.line_items?.[0]?.price_data?.unit_amount;
		const missing = await rejection(stripe.checkout.sessions.create(params));
		expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
		const err = missing as Stripe.errors.StripeError;
		expect(err.statusCode).toBe(400);
		expect(err.code).toBe("parameter_missing");
		expect(err.param).toBe("line_items[0][price_data][unit_amount]");

		const notInteger = await rejection(
			stripe.checkout.sessions.create({
				...paymentParams(campaign),
				line_items: [
					{
						price_data: {
							currency: "usd",
							unit_amount: 0,
							product_data: { name: "D" },
						},
					},
				],
			}),
		);
		expect((notInteger as Stripe.errors.StripeError).param).toBe("line_items[0][price_data][unit_amount]");

		const noSuccessUrl = await rejection(
			stripe.checkout.sessions.create({
				...paymentParams(campaign),
				success_url: undefined,
			}),
		);
		expect((noSuccessUrl as Stripe.errors.StripeError).param).toBe("success_url");

		const badKey = await rejection(client("sk_live_wrong").checkout.sessions.create(params));
		expect(badKey).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
		expect((badKey as Error).message).toMatch(/^Invalid API Key provided: /);
		const unauthorized = await recordedRequests(DOUBLE_URL, { campaign });
		expect(unauthorized.at(-1)?.headers.authorized).toBe(false);

		const notFound = await rejection(stripe.checkout.sessions.retrieve("cs_x"));
		expect(notFound).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
		expect((notFound as Stripe.errors.StripeError).statusCode).toBe(404);
		expect((notFound as Stripe.errors.StripeError).code).toBe("resource_missing");
		expect((notFound as Error).message).toBe("No such checkout.session: 'cs_x'");
	});

	it("auto-paginates 25 seeded sessions newest first", async () => {
		const campaign = campaignId();
		const stripe = client();
		// A created window no other test uses: far in the future, random.
		const base = 4_000_000_000 + Math.floor(Math.random() * 100_000_000);
		const seeded: string[] = [];
		for (let i = 0; i < 25; i++) {
			// Pairs share a timestamp, so ties fall back to insertion order.
			const s = await seedObject<{ id: string }>(DOUBLE_URL, "checkout.session", {
				created: base + Math.floor(i / 2),
				status: "complete",
				payment_status: "paid",
				amount_total: 100 + i,
				metadata: { [CAMPAIGN_KEY]: campaign },
			});
			seeded.push(s.id);
		}
		const created = { gte: base, lte: base + 100 };
		const found: Stripe.Checkout.Session[] = [];
		for await (const s of stripe.checkout.sessions.list({
			created,
			status: "complete",
			limit: 10,
		})) {
			found.push(s);
		}
		expect(found.map((s) => s.id)).toEqual([...seeded].reverse());
		expect(found.every((s) => s.metadata?.[CAMPAIGN_KEY] === campaign)).toBe(true);

		const pages = (
			await recordedRequests(DOUBLE_URL, {
				path: "/v1/checkout/sessions",
				method: "GET",
			})
		).filter((r) => (r.query.created as { gte?: string } | undefined)?.gte === String(base));
		expect(pages.map((r) => r.query.starting_after ?? null)).toEqual([null, found[9]?.id, found[19]?.id]);
		expect(pages.every((r) => r.query.limit === "10")).toBe(true);

		const before = await stripe.checkout.sessions.list({
			created,
			limit: 3,
			ending_before: found[10]?.id,
		});
		expect(before.data.map((s) => s.id)).toEqual(found.slice(7, 10).map((s) => s.id));
		expect(before.has_more).toBe(true);
		expect(before.url).toBe("/v1/checkout/sessions");
	});

	it("links invoices and PaymentIntents through invoice payments, and expands an invoice's payments only on request", async () => {
		const stripe = client();
		const paymentIntent = `pi_${crypto.randomUUID().replaceAll("-", "")}`;
		const invoice = await seedObject<{ id: string }>(DOUBLE_URL, "invoice", {});
		const link = await seedObject<{ id: string }>(
			DOUBLE_URL,
			"invoice_payment",
			invoicePayment({ invoice: invoice.id, paymentIntent, amount: 1000 }),
		);
		await seedObject(DOUBLE_URL, "invoice_payment", invoicePayment({ invoice: "in_other", paymentIntent: "pi_other", amount: 1000 }));

		const byInvoice = await stripe.invoicePayments.list({ invoice: invoice.id, status: "paid" });
		expect(byInvoice.data.map((p) => p.id)).toEqual([link.id]);
		expect(byInvoice.data[0]?.payment).toEqual({ type: "payment_intent", payment_intent: paymentIntent });
		const byIntent = await stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: paymentIntent } });
		expect(byIntent.data.map((p) => p.invoice)).toEqual([invoice.id]);
		expect((await stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: "pi_none" } })).data).toEqual([]);
		await expect(stripe.invoicePayments.list({ payment: { type: "payment_intent", colour: "red" } } as never)).rejects.toMatchObject({
			statusCode: 400,
		});

		expect("payments" in (await stripe.invoices.retrieve(invoice.id))).toBe(false);
		const expanded = await stripe.invoices.retrieve(invoice.id, { expand: ["payments"] });
		expect(expanded.payments?.data.map((p) => p.id)).toEqual([link.id]);
		const listed = await stripe.invoices.list({ limit: 100, expand: ["data.payments"] });
		expect(listed.data.find((i) => i.id === invoice.id)?.payments?.data.map((p) => p.id)).toEqual([link.id]);
	});

	it("lists seeded invoices, refunds, disputes and charges by their filters", async () => {
		const stripe = client();
		const subscription = `sub_${crypto.randomUUID().replaceAll("-", "")}`;
		const paymentIntent = `pi_${crypto.randomUUID().replaceAll("-", "")}`;
		const invoice = await seedObject<{ id: string }>(DOUBLE_URL, "invoice", {
			parent: {
				type: "subscription_details",
				quote_details: null,
				subscription_details: { subscription, metadata: { [CAMPAIGN_KEY]: "x" } },
			},
		});
		const invoices = await stripe.invoices.list({
			subscription,
			status: "paid",
		});
		expect(invoices.data.map((i) => i.id)).toEqual([invoice.id]);

		const charge = await seedObject<{ id: string }>(DOUBLE_URL, "charge", {
			payment_intent: paymentIntent,
		});
		const refund = await seedObject<{ id: string }>(DOUBLE_URL, "refund", {
			payment_intent: paymentIntent,
			charge: charge.id,
		});
		const dispute = await seedObject<{ id: string }>(DOUBLE_URL, "dispute", {
			payment_intent: paymentIntent,
			charge: charge.id,
		});
		expect((await stripe.charges.list({ payment_intent: paymentIntent })).data.map((c) => c.id)).toEqual([charge.id]);
		expect((await stripe.refunds.list({ charge: charge.id })).data.map((r) => r.id)).toEqual([refund.id]);
		expect((await stripe.disputes.list({ payment_intent: paymentIntent })).data.map((d) => d.id)).toEqual([dispute.id]);
		expect(refund.id).toMatch(/^re_/);
		expect(dispute.id).toMatch(/^dp_/);
		expect((await stripe.invoices.retrieve(invoice.id)).id).toBe(invoice.id);
	});

	it("surfaces injected faults", async () => {
		const stripe = client();

		// The SDK retries a 500 once (maxNetworkRetries: 1) with the same key.
		const failing = campaignId();
		await injectFault(DOUBLE_URL, {
			method: "POST",
			path: "/v1/checkout/sessions",
			status: 500,
			times: 2,
			campaign: failing,
		});
		const down = await rejection(stripe.checkout.sessions.create(paymentParams(failing)));
		expect(down).toBeInstanceOf(Stripe.errors.StripeAPIError);
		expect((down as Stripe.errors.StripeError).statusCode).toBe(500);
		const attempts = await recordedRequests(DOUBLE_URL, { campaign: failing });
		expect(attempts.map((r) => r.status)).toEqual([500, 500]);
		expect(new Set(attempts.map((r) => r.headers.idempotencyKey)).size).toBe(1);

		const flaky = campaignId();
		await injectFault(DOUBLE_URL, {
			status: 503,
			campaign: flaky,
			path: "/v1/checkout/*",
		});
		const recovered = await stripe.checkout.sessions.create(paymentParams(flaky));
		expect(recovered.metadata?.[CAMPAIGN_KEY]).toBe(flaky);
		const tries = await recordedRequests(DOUBLE_URL, { campaign: flaky });
		expect(tries.map((r) => r.status)).toEqual([503, 200]);

		const slow = campaignId();
		await injectFault(DOUBLE_URL, { status: 0, delayMs: 300, campaign: slow });
		const started = Date.now();
		await stripe.checkout.sessions.create(paymentParams(slow));
		expect(Date.now() - started).toBeGreaterThanOrEqual(280);
	});
});

describe("signed webhook deliveries", () => {
	it("verify with Stripe's own verifier, and a tampered body fails", async () => {
		const campaign = campaignId();
		const event = checkoutSessionCompleted({
			campaign,
			page: "https://publisher.example/p",
			amount: 2500,
		});
		const { body, headers } = await signedDelivery(event, SECRET);
		expect(headers["content-type"]).toBe("application/json");
		const provider = Stripe.createSubtleCryptoProvider();

		const verified = await Stripe.webhooks.constructEventAsync(body, headers["stripe-signature"] ?? "", SECRET, undefined, provider);
		expect(verified.id).toBe(event.id);
		expect(verified.type).toBe("checkout.session.completed");
		expect(verified.api_version).toBe(Stripe.API_VERSION);
		const session = verified.data.object as Stripe.Checkout.Session;
		expect(session.metadata).toEqual({
			[CAMPAIGN_KEY]: campaign,
			[PAGE_KEY]: "https://publisher.example/p",
		});
		expect(session.amount_total).toBe(2500);
		expect(session.payment_intent).toMatch(/^pi_/);
		expect(session.payment_status).toBe("paid");

		const tampered = body.replace('"amount_total": 2500', '"amount_total": 250000');
		expect(tampered).not.toBe(body);
		await expect(
			Stripe.webhooks.constructEventAsync(tampered, headers["stripe-signature"] ?? "", SECRET, undefined, provider),
		).rejects.toBeInstanceOf(Stripe.errors.StripeSignatureVerificationError);
		await expect(
			Stripe.webhooks.constructEventAsync(body, headers["stripe-signature"] ?? "", "whsec_other", undefined, provider),
		).rejects.toBeInstanceOf(Stripe.errors.StripeSignatureVerificationError);
		const old = await signedDelivery(event, SECRET, {
			timestamp: Math.floor(Date.now() / 1000) - 3600,
		});
		await expect(
			Stripe.webhooks.constructEventAsync(old.body, old.headers["stripe-signature"] ?? "", SECRET, 300, provider),
		).rejects.toBeInstanceOf(Stripe.errors.StripeSignatureVerificationError);
	});

	it("builds the other events in this API version's shapes", () => {
		const sub = checkoutSessionCompleted({
			amount: 500,
			mode: "subscription",
			campaign: "c",
		});
		const subSession = sub.data.object as Stripe.Checkout.Session;
		expect(subSession.payment_intent).toBeNull();
		expect(subSession.subscription).toMatch(/^sub_/);

		const invoice = invoicePaid({
			amount: 500,
			campaign: "c",
			page: "p",
			subscription: "sub_1",
		}).data.object as Stripe.Invoice;
		expect(invoice.parent?.subscription_details).toEqual({
			subscription: "sub_1",
			metadata: { [CAMPAIGN_KEY]: "c", [PAGE_KEY]: "p" },
		});
		expect(invoice.amount_paid).toBe(500);
		// `payments` is only there when expanded, never in a webhook.
		expect("payments" in invoice).toBe(false);
		expect("subscription" in invoice).toBe(false);

		const charge = chargeRefunded({
			paymentIntent: "pi_1",
			amount: 1000,
			amountRefunded: 400,
		}).data.object as Stripe.Charge;
		expect(charge.refunded).toBe(false);
		expect(charge.amount_refunded).toBe(400);

		const refund = refundEvent("refund.failed", {
			amount: 400,
			paymentIntent: "pi_1",
		});
		expect((refund.data.object as Stripe.Refund).status).toBe("failed");

		const dispute = disputeFundsWithdrawn({
			paymentIntent: "pi_1",
			amount: 1000,
		}).data.object as Stripe.Dispute;
		expect(dispute.status).toBe("needs_response");
		expect(dispute.payment_intent).toBe("pi_1");
	});
});

describe("currencies as Stripe writes them", () => {
	function oneItem(currency: string, unit_amount: number, campaign: string): Stripe.Checkout.SessionCreateParams {
		return {
			...paymentParams(campaign),
			line_items: [{ quantity: 1, price_data: { currency, unit_amount, product_data: { name: "Donation" } } }],
		};
	}

	it("has the special cases in its table", () => {
		expect(currencyFact("JPY")).toMatchObject({ exponent: 0, chargeDivisibleBy: 1 });
		// UGX is in Stripe's zero-decimal list but is written with two decimals (special case).
		expect(currencyFact("ugx")).toMatchObject({ exponent: 2, chargeDivisibleBy: 100, displayDecimals: 0 });
		expect(currencyFact("isk")).toMatchObject({ exponent: 2, chargeDivisibleBy: 100, displayDecimals: 0 });
		expect(currencyFact("huf")).toMatchObject({ exponent: 2, chargeDivisibleBy: 1, payoutDivisibleBy: 100 });
		expect(currencyFact("twd")).toMatchObject({ exponent: 2, chargeDivisibleBy: 1, payoutDivisibleBy: 100 });
		expect(currencyFact("kwd")).toMatchObject({ exponent: 3, chargeDivisibleBy: 10 });
		expect(currencyFact("chf")).toEqual(currencyFact("usd"));
		expect(Object.keys(STRIPE_CURRENCIES)).toContain("ugx");
		expect(formatStripeAmount(2500, "usd")).toBe("25.00 USD");
		expect(formatStripeAmount(500, "jpy")).toBe("500 JPY");
		expect(formatStripeAmount(10000, "isk")).toBe("100 ISK");
		expect(formatStripeAmount(1230, "kwd")).toBe("1.230 KWD");
	});

	it("refuses ISK and UGX amounts that are not whole units, and shows them as whole units", async () => {
		const stripe = client();
		for (const currency of ["isk", "ugx"]) {
			const campaign = campaignId();
			const err = (await rejection(stripe.checkout.sessions.create(oneItem(currency, 1050, campaign)))) as Stripe.errors.StripeError;
			expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
			expect(err.code).toBe("invalid_charge_amount_no_decimal_compatible");
			expect(err.param).toBe("line_items[0][price_data][unit_amount]");
			const ok = await stripe.checkout.sessions.create(oneItem(currency, 150000, campaign));
			expect(ok.amount_total).toBe(150000);
			const html = await (await fetch(ok.url ?? "")).text();
			expect(html).toContain(`1500 ${currency.toUpperCase()}`);
		}
		const yen = await stripe.checkout.sessions.create(oneItem("jpy", 1050, campaignId()));
		expect(await (await fetch(yen.url ?? "")).text()).toContain("1050 JPY");
		const forint = await stripe.checkout.sessions.create(oneItem("huf", 1050, campaignId()));
		expect(forint.amount_total).toBe(1050);
		expect(await (await fetch(forint.url ?? "")).text()).toContain("10.50 HUF");
	});
});

describe("events rendered per API version", () => {
	it("lists the versions it renders, oldest first, ending with the SDK's", () => {
		expect(RENDERED_API_VERSIONS[0]).toBe("2020-08-27");
		expect(RENDERED_API_VERSIONS.at(-1)).toBe(Stripe.API_VERSION);
		expect([...RENDERED_API_VERSIONS].sort()).toEqual([...RENDERED_API_VERSIONS]);
	});

	it("sends a pre-basil invoice with its subscription, metadata and payment at the top level", async () => {
		for (const apiVersion of ["2020-08-27", "2022-11-15", "2024-06-20"]) {
			const event = invoicePaid({
				amount: 500,
				campaign: "c",
				page: "p",
				subscription: "sub_1",
				paymentIntent: "pi_1",
				charge: "ch_1",
				apiVersion,
			});
			expect(event.api_version).toBe(apiVersion);
			const { body, headers } = await signedDelivery(event, SECRET);
			const verified = await Stripe.webhooks.constructEventAsync(
				body,
				headers["stripe-signature"] ?? "",
				SECRET,
				undefined,
				Stripe.createSubtleCryptoProvider(),
			);
			const invoice = verified.data.object as unknown as Record<string, unknown>;
			expect(invoice).not.toHaveProperty("parent");
			expect(invoice).not.toHaveProperty("payments");
			expect(invoice).toMatchObject({
				subscription: "sub_1",
				subscription_details: { metadata: { [CAMPAIGN_KEY]: "c", [PAGE_KEY]: "p" } },
				payment_intent: "pi_1",
				charge: "ch_1",
				paid: true,
			});
			const line = (invoice.lines as { data: Record<string, unknown>[] }).data[0];
			expect(line).toMatchObject({ type: "subscription", subscription: "sub_1", proration: false });
			expect(line).not.toHaveProperty("parent");
			expect(line?.subscription_item).toMatch(/^si_/);
		}
		const basil = invoicePaid({ amount: 500, campaign: "c", subscription: "sub_1", apiVersion: "2025-03-31.basil" }).data
			.object as Stripe.Invoice;
		expect(basil.parent?.subscription_details?.metadata).toEqual({ [CAMPAIGN_KEY]: "c" });
		expect(basil).not.toHaveProperty("subscription");
		expect(basil).not.toHaveProperty("payment_intent");
	});

	it("leaves subscription metadata out of invoices created before 2023-06-29", () => {
		const old = paidInvoice({ amount: 500, campaign: "c", created: Date.UTC(2023, 0, 10) / 1000 });
		expect(renderObject("invoice", old, "2022-11-15").subscription_details).toEqual({ metadata: null });
	});

	it("renders charges, PaymentIntents and Checkout Sessions as older versions send them", () => {
		const refund = refundObject({ amount: 400, paymentIntent: "pi_1", chargeId: "ch_1" });
		const charge = capturedCharge({ chargeId: "ch_1", paymentIntent: "pi_1", amount: 1000, amountRefunded: 400 });
		const ctx = { refundsOfCharge: () => [refund], chargesOfPaymentIntent: () => [charge], invoiceOfPaymentIntent: () => "in_1" };
		const old = renderObject("charge", charge, "2022-08-01", ctx);
		expect(old.refunds).toMatchObject({ object: "list", data: [{ id: refund.id, amount: 400 }], total_count: 1 });
		expect(old.invoice).toBe("in_1");
		const newer = renderObject("charge", charge, "2022-11-15", ctx);
		expect(newer).not.toHaveProperty("refunds");
		expect(newer.invoice).toBe("in_1");
		expect(renderObject("charge", charge, Stripe.API_VERSION, ctx)).not.toHaveProperty("invoice");
		const intent = renderObject("payment_intent", { id: "pi_1", object: "payment_intent", latest_charge: "ch_1" }, "2020-08-27", ctx);
		expect(intent).not.toHaveProperty("latest_charge");
		expect((intent.charges as { data: { id: string }[] }).data.map((c) => c.id)).toEqual(["ch_1"]);

		const session = checkoutSessionCompleted({ amount: 500, apiVersion: "2025-09-30.clover" }).data.object as unknown as Record<
			string,
			unknown
		>;
		expect(session.ui_mode).toBe("hosted");
		expect(session).not.toHaveProperty("shipping_details");
		const basil = checkoutSessionCompleted({ amount: 500, apiVersion: "2024-06-20" }).data.object as unknown as Record<string, unknown>;
		expect(basil.shipping_details).toBeNull();
		expect(basil).not.toHaveProperty("collected_information");
		const ancient = checkoutSessionCompleted({ amount: 500, apiVersion: "2020-08-27" }).data.object as unknown as Record<string, unknown>;
		expect(ancient).toHaveProperty("shipping", null);
		expect(ancient).not.toHaveProperty("shipping_details");
		expect((checkoutSessionCompleted({ amount: 500 }).data.object as Stripe.Checkout.Session).ui_mode).toBe("hosted_page");
	});
});

/** A webhook endpoint at one of the double's sinks, so a test can read what Stripe would have POSTed. */
async function sinkEndpoint(
	stripe: Stripe,
	enabled_events: Stripe.WebhookEndpointCreateParams.EnabledEvent[],
	api_version?: Stripe.WebhookEndpointCreateParams.ApiVersion,
): Promise<{ endpoint: Stripe.WebhookEndpoint; sink: string }> {
	const sink = `sink-${crypto.randomUUID()}`;
	const endpoint = await stripe.webhookEndpoints.create({ url: sinkUrl(DOUBLE_URL, sink), enabled_events, api_version });
	return { endpoint, sink };
}

async function verifiedSinkEvents(sink: string, secret: string): Promise<Stripe.Event[]> {
	const received = await sinkRequests(DOUBLE_URL, sink);
	const provider = Stripe.createSubtleCryptoProvider();
	return Promise.all(
		received.map((r) => Stripe.webhooks.constructEventAsync(r.body, r.headers["stripe-signature"] ?? "", secret, 300, provider)),
	);
}

describe("webhook endpoints", () => {
	it("are created, listed, updated and deleted with Stripe's shapes and validation", async () => {
		const stripe = client();
		const created = await stripe.webhookEndpoints.create({
			url: "https://publisher.example/api/webhook",
			enabled_events: ["checkout.session.completed", "invoice.paid"],
			api_version: "2024-06-20",
			description: "Donations",
			metadata: { env: "test" },
		});
		expect(created.id).toMatch(/^we_/);
		expect(created.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
		expect(created).toMatchObject({ status: "enabled", api_version: "2024-06-20", description: "Donations", livemode: false });
		const retrieved = await stripe.webhookEndpoints.retrieve(created.id);
		expect(retrieved).not.toHaveProperty("secret");
		expect((await stripe.webhookEndpoints.list({ limit: 100 })).data.map((e) => e.id)).toContain(created.id);

		const updated = await stripe.webhookEndpoints.update(created.id, {
			enabled_events: ["*"],
			disabled: true,
			metadata: { env: "", team: "money" },
		});
		expect(updated).toMatchObject({ enabled_events: ["*"], status: "disabled", metadata: { team: "money" }, api_version: "2024-06-20" });
		expect(updated).not.toHaveProperty("secret");
		// "You can't change this value after you create the endpoint."
		const version = (await rejection(
			stripe.webhookEndpoints.update(created.id, { api_version: "2025-03-31.basil" } as Stripe.WebhookEndpointUpdateParams),
		)) as Stripe.errors.StripeError;
		expect(version).toMatchObject({ code: "parameter_unknown", param: "api_version" });

		const badEvent = (await rejection(
			stripe.webhookEndpoints.create({ url: "https://x.example/h", enabled_events: ["charge.nope" as "charge.refunded"] }),
		)) as Stripe.errors.StripeError;
		expect(badEvent).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
		expect(badEvent.param).toBe("enabled_events[0]");
		const noUrl = (await rejection(
			stripe.webhookEndpoints.create({ enabled_events: ["*"] } as Stripe.WebhookEndpointCreateParams),
		)) as Stripe.errors.StripeError;
		expect(noUrl).toMatchObject({ code: "parameter_missing", param: "url" });
		const badVersion = (await rejection(
			stripe.webhookEndpoints.create({ url: "https://x.example/h", enabled_events: ["*"], api_version: "2019-13-01" as "2024-06-20" }),
		)) as Stripe.errors.StripeError;
		expect(badVersion.param).toBe("api_version");

		expect(await stripe.webhookEndpoints.del(created.id)).toMatchObject({ id: created.id, object: "webhook_endpoint", deleted: true });
		const gone = (await rejection(stripe.webhookEndpoints.retrieve(created.id))) as Stripe.errors.StripeError;
		expect(gone).toMatchObject({ statusCode: 404, code: "resource_missing" });
	});

	it("receive each event in their own API version, signed with their own secret", async () => {
		const stripe = client();
		const old = await sinkEndpoint(stripe, ["invoice.paid"], "2024-06-20");
		const current = await sinkEndpoint(stripe, ["*"]);
		const other = await sinkEndpoint(stripe, ["checkout.session.completed"]);
		try {
			const endpoints = [old.endpoint.id, current.endpoint.id, other.endpoint.id];
			const invoice = paidInvoice({ amount: 700, campaign: "c1", subscription: "sub_deliver" });
			const emitted = await emitEvent(DOUBLE_URL, "invoice.paid", invoice, endpoints);
			expect(emitted.id).toMatch(/^evt_/);
			// Also at GET /v1/events, in the account's default version.
			const stored = await stripe.events.retrieve(emitted.id);
			expect(stored).toMatchObject({ type: "invoice.paid", api_version: Stripe.API_VERSION, pending_webhooks: 2 });
			expect(emitted.deliveries.map((d) => [d.endpoint, d.apiVersion, d.status]).sort()).toEqual(
				[
					[old.endpoint.id, "2024-06-20", 200],
					[current.endpoint.id, Stripe.API_VERSION, 200],
				].sort(),
			);
			const [legacy] = await verifiedSinkEvents(old.sink, old.endpoint.secret ?? "");
			expect(legacy?.id).toBe(emitted.id);
			expect(legacy?.api_version).toBe("2024-06-20");
			expect(legacy?.data.object).toMatchObject({
				subscription: "sub_deliver",
				subscription_details: { metadata: { [CAMPAIGN_KEY]: "c1" } },
			});
			const [now] = await verifiedSinkEvents(current.sink, current.endpoint.secret ?? "");
			expect((now?.data.object as Stripe.Invoice | undefined)?.parent?.subscription_details?.subscription).toBe("sub_deliver");
			expect(await sinkRequests(DOUBLE_URL, other.sink)).toEqual([]);
			// Another endpoint's secret does not verify.
			const [raw] = await sinkRequests(DOUBLE_URL, old.sink);
			await expect(
				Stripe.webhooks.constructEventAsync(
					raw?.body ?? "",
					raw?.headers["stripe-signature"] ?? "",
					current.endpoint.secret ?? "",
					300,
					Stripe.createSubtleCryptoProvider(),
				),
			).rejects.toBeInstanceOf(Stripe.errors.StripeSignatureVerificationError);
			expect(raw?.headers["content-type"]).toBe("application/json; charset=utf-8");
		} finally {
			for (const e of [old, current, other]) await stripe.webhookEndpoints.del(e.endpoint.id);
		}
	});
});

function monthlyParams(campaign: string, amount = 500): Stripe.Checkout.SessionCreateParams {
	return {
		mode: "subscription",
		line_items: [
			{
				quantity: 1,
				price_data: { currency: "usd", unit_amount: amount, recurring: { interval: "month" }, product_data: { name: "Monthly" } },
			},
		],
		metadata: { [CAMPAIGN_KEY]: campaign },
		subscription_data: { metadata: { [CAMPAIGN_KEY]: campaign, [PAGE_KEY]: "https://publisher.example/p" } },
		success_url: "https://publisher.example/thanks",
	};
}

describe("money lifecycles", () => {
	it("completes a monthly gift: customer, subscription, paid invoice and its payment, then renews it", async () => {
		const stripe = client();
		const campaign = campaignId();
		const hook = await sinkEndpoint(stripe, ["checkout.session.completed", "invoice.paid"], "2024-06-20");
		try {
			const session = await stripe.checkout.sessions.create(monthlyParams(campaign));
			const done = await completeSessionAndDeliver(DOUBLE_URL, session.id, { endpoints: [hook.endpoint.id] });
			expect(done.events.map((e) => e.type)).toEqual(["checkout.session.completed", "invoice.paid"]);
			expect(done.events.every((e) => e.deliveries.length === 1 && e.deliveries[0]?.status === 200)).toBe(true);
			const subId = String(done.object.subscription);
			const subscription = await stripe.subscriptions.retrieve(subId);
			expect(subscription).toMatchObject({
				status: "active",
				customer: done.object.customer,
				metadata: { [CAMPAIGN_KEY]: campaign, [PAGE_KEY]: "https://publisher.example/p" },
			});
			expect(subscription.items.data[0]?.price.unit_amount).toBe(500);
			expect((await stripe.customers.retrieve(String(done.object.customer))).object).toBe("customer");
			const [invoice] = (await stripe.invoices.list({ subscription: subId })).data;
			expect(invoice?.id).toBe(done.object.invoice);
			expect(invoice?.parent?.subscription_details?.metadata).toEqual(subscription.metadata);
			const [payment] = (await stripe.invoicePayments.list({ invoice: invoice?.id ?? "" })).data;
			const pi = String(payment?.payment.payment_intent);
			expect((await stripe.paymentIntents.retrieve(pi)).status).toBe("succeeded");
			expect((await stripe.charges.list({ payment_intent: pi })).data[0]?.amount).toBe(500);

			// The endpoint pinned to 2024-06-20 got the invoice in that version's shape.
			const [, paid] = await verifiedSinkEvents(hook.sink, hook.endpoint.secret ?? "");
			expect(paid?.type).toBe("invoice.paid");
			expect(paid?.data.object).toMatchObject({
				subscription: subId,
				payment_intent: pi,
				subscription_details: { metadata: { [CAMPAIGN_KEY]: campaign } },
			});

			const renewal = await renewSubscription(DOUBLE_URL, subId, { deliver: true, endpoints: [hook.endpoint.id] });
			expect(renewal.object).toMatchObject({ billing_reason: "subscription_cycle", amount_paid: 500 });
			expect(renewal.events.map((e) => e.type)).toEqual(["invoice.paid"]);
			expect((await stripe.invoices.list({ subscription: subId })).data).toHaveLength(2);
			expect((await stripe.subscriptions.retrieve(subId)).latest_invoice).toBe(renewal.object.id);
		} finally {
			await stripe.webhookEndpoints.del(hook.endpoint.id);
		}
	});

	it("refunds like Stripe: partial, over the rest, already refunded; failures and cancellations give the amount back", async () => {
		const stripe = client();
		const campaign = campaignId();
		const hook = await sinkEndpoint(stripe, [
			"refund.created",
			"charge.refunded",
			"refund.updated",
			"refund.failed",
			"charge.refund.updated",
		]);
		try {
			const session = await stripe.checkout.sessions.create(paymentParams(campaign, 2500));
			const done = await completeSessionAndDeliver(DOUBLE_URL, session.id, { endpoints: [] });
			expect(done.events).toEqual([{ ...done.events[0], deliveries: [] }]);
			const pi = String(done.object.payment_intent);
			expect((await stripe.paymentIntents.retrieve(pi)).metadata).toEqual({ [CAMPAIGN_KEY]: campaign });

			const first = await stripe.refunds.create({ payment_intent: pi, amount: 1000, metadata: { [CAMPAIGN_KEY]: campaign } });
			expect(first).toMatchObject({ amount: 1000, status: "succeeded", payment_intent: pi, metadata: { [CAMPAIGN_KEY]: campaign } });
			const [charge] = (await stripe.charges.list({ payment_intent: pi })).data;
			expect(charge).toMatchObject({ amount_refunded: 1000, refunded: false });
			const over = (await rejection(stripe.refunds.create({ payment_intent: pi, amount: 2000 }))) as Stripe.errors.StripeError;
			expect(over).toMatchObject({
				param: "amount",
				message: "Refund amount ($20.00) is greater than unrefunded amount on charge ($15.00)",
			});
			const rest = await stripe.refunds.create({ charge: charge?.id ?? "" });
			expect(rest.amount).toBe(1500);
			expect((await stripe.charges.retrieve(charge?.id ?? "")).refunded).toBe(true);
			const again = (await rejection(stripe.refunds.create({ payment_intent: pi }))) as Stripe.errors.StripeError;
			expect(again).toMatchObject({ code: "charge_already_refunded", message: `Charge ${charge?.id} has already been refunded.` });
			const unknown = (await rejection(stripe.refunds.create({ payment_intent: "pi_missing" }))) as Stripe.errors.StripeError;
			expect(unknown).toMatchObject({ statusCode: 404, code: "resource_missing", param: "payment_intent" });

			// API calls deliver in the background, like Stripe.
			const created = await emittedEvents(DOUBLE_URL, { object: first.id });
			expect(created.map((e) => [e.type, e.deliveries.map((d) => d.status)])).toEqual([["refund.created", [200]]]);
			const refunded = await emittedEvents(DOUBLE_URL, { object: charge?.id ?? "", type: "charge.refunded" });
			expect(refunded).toHaveLength(2);

			const failed = await failRefund(DOUBLE_URL, first.id, { deliver: true, endpoints: [hook.endpoint.id] });
			expect(failed.object).toMatchObject({ status: "failed", failure_reason: "expired_or_canceled_card" });
			expect(failed.events.map((e) => e.type)).toEqual(["refund.updated", "refund.failed", "charge.refund.updated"]);
			expect(await stripe.charges.retrieve(charge?.id ?? "")).toMatchObject({ amount_refunded: 1500, refunded: false });
			const canceled = await cancelRefund(DOUBLE_URL, rest.id, { deliver: true, endpoints: [hook.endpoint.id] });
			expect(canceled.events.map((e) => e.type)).toEqual(["refund.updated", "charge.refund.updated"]);
			expect(await stripe.charges.retrieve(charge?.id ?? "")).toMatchObject({ amount_refunded: 0, refunded: false });
			const updates = (await verifiedSinkEvents(hook.sink, hook.endpoint.secret ?? "")).filter((e) => e.type === "refund.updated");
			expect(updates.map((e) => e.data.previous_attributes)).toEqual([{ status: "succeeded" }, { status: "succeeded" }]);
		} finally {
			await stripe.webhookEndpoints.del(hook.endpoint.id);
		}
	});

	it("opens a dispute and closes it won", async () => {
		const stripe = client();
		const session = await stripe.checkout.sessions.create(paymentParams(campaignId(), 3000));
		const done = await completeSessionAndDeliver(DOUBLE_URL, session.id, { endpoints: [] });
		const pi = String(done.object.payment_intent);
		const hook = await sinkEndpoint(stripe, [
			"charge.dispute.created",
			"charge.dispute.funds_withdrawn",
			"charge.dispute.funds_reinstated",
			"charge.dispute.closed",
		]);
		try {
			const opened = await openDispute(DOUBLE_URL, { payment_intent: pi }, { deliver: true, endpoints: [hook.endpoint.id] });
			expect(opened.object).toMatchObject({ amount: 3000, status: "needs_response", payment_intent: pi });
			expect(opened.events.map((e) => e.type)).toEqual(["charge.dispute.created", "charge.dispute.funds_withdrawn"]);
			const closed = await closeDispute(DOUBLE_URL, String(opened.object.id), "won", { deliver: true, endpoints: [hook.endpoint.id] });
			expect(closed.events.map((e) => e.type)).toEqual(["charge.dispute.funds_reinstated", "charge.dispute.closed"]);
			const dispute = await stripe.disputes.retrieve(String(opened.object.id));
			expect(dispute.status).toBe("won");
			expect(dispute.balance_transactions.map((t) => t.reporting_category)).toEqual(["dispute", "dispute_reversal"]);
			expect((await verifiedSinkEvents(hook.sink, hook.endpoint.secret ?? "")).map((e) => e.type)).toHaveLength(4);
		} finally {
			await stripe.webhookEndpoints.del(hook.endpoint.id);
		}
	});
});

describe("billing customer portal", () => {
	it("configures the portal, opens a session for a customer and cancels a subscription from its page", async () => {
		const stripe = client();
		const campaign = campaignId();
		const session = await stripe.checkout.sessions.create(monthlyParams(campaign, 800));
		const done = await completeSessionAndDeliver(DOUBLE_URL, session.id, { endpoints: [] });
		const customer = String(done.object.customer);
		const subscription = String(done.object.subscription);

		const noCustomer = (await rejection(
			stripe.billingPortal.sessions.create({} as Stripe.BillingPortal.SessionCreateParams),
		)) as Stripe.errors.StripeError;
		expect(noCustomer).toMatchObject({ code: "parameter_missing", param: "customer" });
		const unknown = (await rejection(stripe.billingPortal.sessions.create({ customer: "cus_missing" }))) as Stripe.errors.StripeError;
		expect(unknown).toMatchObject({ statusCode: 404, code: "resource_missing", message: "No such customer: 'cus_missing'" });
		const noFeatures = (await rejection(
			stripe.billingPortal.configurations.create({} as Stripe.BillingPortal.ConfigurationCreateParams),
		)) as Stripe.errors.StripeError;
		expect(noFeatures).toMatchObject({ code: "parameter_missing", param: "features" });

		const config = await stripe.billingPortal.configurations.create({
			features: {
				subscription_cancel: { enabled: true, mode: "immediately" },
				payment_method_update: { enabled: true },
			},
			business_profile: { headline: "Thank you for your support" },
			default_return_url: "https://publisher.example/account",
			login_page: { enabled: true },
		});
		expect(config.id).toMatch(/^bpc_/);
		expect(config).toMatchObject({ is_default: false, active: true, default_return_url: "https://publisher.example/account" });
		expect(config.features.subscription_cancel).toMatchObject({ enabled: true, mode: "immediately" });
		expect(config.features.payment_method_update.enabled).toBe(true);
		expect(config.business_profile.headline).toBe("Thank you for your support");
		expect(config.login_page.url).toMatch(/\/p\/login\/test_/);
		const renamed = await stripe.billingPortal.configurations.update(config.id, { login_page: { enabled: false }, name: "Donors" });
		expect(renamed).toMatchObject({ name: "Donors", login_page: { enabled: false, url: null } });
		expect((await stripe.billingPortal.configurations.list({ limit: 100 })).data.map((c) => c.id)).toContain(config.id);

		// API-created configurations are not the default: without one, Stripe refuses a session.
		// (Only this test makes a default, once, in the shared double.)
		const noDefault = (await rejection(stripe.billingPortal.sessions.create({ customer }))) as Stripe.errors.StripeError;
		expect(noDefault).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
		expect(noDefault.message).toMatch(/^No configuration provided and your test mode default configuration has not been created\./);
		const explicit = await stripe.billingPortal.sessions.create({ customer, configuration: config.id });
		expect(explicit.return_url).toBe("https://publisher.example/account");
		await makeDefaultPortalConfiguration(DOUBLE_URL, config.id);
		const portal = await stripe.billingPortal.sessions.create({ customer, return_url: "https://publisher.example/back" });
		expect(portal).toMatchObject({ configuration: config.id, customer, return_url: "https://publisher.example/back" });
		expect(portal.url).toBe(`${DOUBLE_URL}/p/session/${portal.id}`);

		const hook = await sinkEndpoint(stripe, ["customer.subscription.deleted"]);
		try {
			const page = await (await fetch(portal.url)).text();
			expect(page).toContain("Cancel subscription");
			expect(page).toContain('href="https://publisher.example/back"');
			const cancel = await fetch(portal.url, {
				method: "POST",
				headers: { "content-type": "application/x-www-form-urlencoded" },
				body: new URLSearchParams({ subscription }).toString(),
				redirect: "manual",
			});
			expect(cancel.status).toBe(303);
			expect(await stripe.subscriptions.retrieve(subscription)).toMatchObject({
				status: "canceled",
				cancellation_details: { reason: "cancellation_requested" },
			});
			const deleted = await emittedEvents(DOUBLE_URL, { object: subscription, type: "customer.subscription.deleted" });
			expect(deleted.flatMap((e) => e.deliveries.filter((d) => d.endpoint === hook.endpoint.id).map((d) => d.status))).toEqual([200]);
			expect(await (await fetch(portal.url)).text()).not.toContain("Cancel subscription");
		} finally {
			await stripe.webhookEndpoints.del(hook.endpoint.id);
		}
	});

	it("cancels a subscription through DELETE /v1/subscriptions/:id", async () => {
		const stripe = client();
		const session = await stripe.checkout.sessions.create(monthlyParams(campaignId()));
		const done = await completeSessionAndDeliver(DOUBLE_URL, session.id, { endpoints: [] });
		const canceled = await stripe.subscriptions.cancel(String(done.object.subscription));
		expect(canceled).toMatchObject({ status: "canceled", id: done.object.subscription });
		expect(canceled.ended_at).toBeGreaterThan(0);
		const missing = (await rejection(stripe.subscriptions.cancel("sub_missing"))) as Stripe.errors.StripeError;
		expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing" });
	});
});

describe("Checkout Sessions whose amounts differ", () => {
	it("builds discounted and taxed sessions", () => {
		const discounted = checkoutSessionCompleted({ amount: 2000, discount: 500 }).data.object as Stripe.Checkout.Session;
		expect(discounted).toMatchObject({ amount_subtotal: 2500, amount_total: 2000, total_details: { amount_discount: 500, amount_tax: 0 } });
		const taxed = checkoutSessionCompleted({ amount: 2400, tax: 400 }).data.object as Stripe.Checkout.Session;
		expect(taxed).toMatchObject({ amount_subtotal: 2000, amount_total: 2400, total_details: { amount_tax: 400 } });
	});

	it("builds Adaptive Pricing sessions in both of Stripe's shapes", () => {
		// Since 2025-03-31: the totals stay in the merchant's currency, the donor's are in presentment_details.
		const now = checkoutSessionCompleted({ amount: 2500, currency: "usd", presentment: { currency: "EUR", amount: 2318 } }).data
			.object as Stripe.Checkout.Session;
		expect(now).toMatchObject({
			currency: "usd",
			amount_total: 2500,
			presentment_details: { presentment_currency: "eur", presentment_amount: 2318 },
		});
		// Before: the totals are the donor's, the merchant's are in currency_conversion.
		const legacy = checkoutSessionCompleted({
			amount: 2318,
			currency: "eur",
			currencyConversion: { sourceCurrency: "usd", amountTotal: 2500, fxRate: "0.9272" },
		}).data.object as Stripe.Checkout.Session;
		expect(legacy).toMatchObject({ currency: "eur", amount_total: 2318 });
		expect(legacy.currency_conversion).toMatchObject({
			source_currency: "usd",
			amount_total: 2500,
			amount_subtotal: 2500,
			fx_rate: "0.9272",
		});
		const preBasil = checkoutSessionCompleted({ amount: 2500, presentment: { currency: "eur", amount: 2318 }, apiVersion: "2024-06-20" })
			.data.object as Stripe.Checkout.Session;
		expect(preBasil).not.toHaveProperty("presentment_details");
	});
});
