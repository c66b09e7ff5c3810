// Validation of POST /v1/checkout/sessions as Stripe does it: accepted params,
// line items with price_data, modes, URLs and amounts. Runtime-neutral.
import { chargeAmountProblem } from "./currencies.ts";
import type { JsonObject } from "./objects.ts";
import { asObject, checkUrl, fail, invalid, missing, parseInteger, parseMetadata, rejectUnknown, str } from "./wire.ts";

// Checkout.SessionCreateParams); anything else is rejected like Stripe does.
const SESSION_CREATE_PARAMS = [
	"adaptive_pricing",
	"after_expiration",
	"allow_promotion_codes",
	"allowed_payment_method_types",
	"automatic_tax",
	"billing_address_collection",
	"branding_settings",
	"cancel_url",
	"client_reference_id",
	"consent_collection",
	"currency",
	"custom_fields",
	"custom_text",
	"customer",
	"customer_account",
	"customer_creation",
	"customer_email",
	"customer_update",
	"discounts",
	"excluded_payment_method_types",
	"expand",
	"expires_at",
	"integration_identifier",
	"invoice_creation",
	"line_items",
	"locale",
	"managed_payments",
	"metadata",
	"mode",
	"name_collection",
	"optional_items",
	"origin_context",
	"payment_intent_data",
	"payment_method_collection",
	"payment_method_configuration",
	"payment_method_data",
	"payment_method_options",
	"payment_method_types",
	"permissions",
	"phone_number_collection",
	"redirect_on_completion",
	"return_url",
	"saved_payment_method_options",
	"setup_intent_data",
	"shipping_address_collection",
	"shipping_options",
	"submit_type",
	"subscription_data",
	"success_url",
	"tax_id_collection",
	"ui_mode",
	"wallet_options",
] as const;
const LINE_ITEM_PARAMS = ["adjustable_quantity", "dynamic_tax_rates", "metadata", "price", "price_data", "quantity", "tax_rates"] as const;
const PRICE_DATA_PARAMS = [
	"currency",
	"product",
	"product_data",
	"recurring",
	"tax_behavior",
	"unit_amount",
	"unit_amount_decimal",
] as const;
const PRODUCT_DATA_PARAMS = ["description", "images", "metadata", "name", "tax_code", "tax_details", "unit_label"] as const;
const MODES = ["payment", "subscription", "setup"];
const SUBMIT_TYPES = ["auto", "book", "donate", "pay", "subscribe"];
const UI_MODES = ["hosted_page", "embedded_page", "elements", "form", "hosted", "embedded", "custom"];
export const HOSTED_UI_MODES = ["hosted_page", "hosted"];
const INTERVALS = ["day", "week", "month", "year"];
export interface ValidatedSession {
	mode: string;
	currency: string | null;
	amount: number | null;
	metadata: Record<string, string>;
	successUrl: string | null;
	cancelUrl: string | null;
	returnUrl: string | null;
	submitType: string | null;
	uiMode: string;
	paymentIntentMetadata: Record<string, string> | null;
	subscriptionMetadata: Record<string, string> | null;
}

export function validateSessionCreate(p: JsonObject): ValidatedSession {
	rejectUnknown("", p, SESSION_CREATE_PARAMS);
	const mode = p.mode;
	if (mode === undefined || mode === "") missing("mode");
	if (typeof mode !== "string" || !MODES.includes(mode)) {
		invalid("mode", `Invalid mode: must be one of payment, setup, or subscription`);
	}
	const uiMode = p.ui_mode === undefined ? "hosted_page" : p.ui_mode;
	if (typeof uiMode !== "string" || !UI_MODES.includes(uiMode)) {
		invalid("ui_mode", `Invalid ui_mode: must be one of ${UI_MODES.slice(0, 4).join(", ")}`);
	}
	const hosted = HOSTED_UI_MODES.includes(uiMode);
	const successUrl = str(p.success_url) ?? null;
	const cancelUrl = str(p.cancel_url) ?? null;
	const returnUrl = str(p.return_url) ?? null;
	if (hosted) {
		if (!successUrl) missing("success_url");
		checkUrl("success_url", successUrl);
		if (cancelUrl) checkUrl("cancel_url", cancelUrl);
		if (returnUrl) {
			invalid("return_url", `You can only set return_url when ui_mode is embedded_page or elements.`);
		}
	} else {
		if (successUrl) {
			invalid("success_url", `You can only set success_url when ui_mode is hosted_page.`);
		}
		if (cancelUrl) {
			invalid("cancel_url", `You can only set cancel_url when ui_mode is hosted_page.`);
		}
	}
	const submitType = p.submit_type === undefined ? null : p.submit_type;
	if (submitType !== null) {
		if (typeof submitType !== "string" || !SUBMIT_TYPES.includes(submitType)) {
			invalid("submit_type", `Invalid submit_type: must be one of ${SUBMIT_TYPES.join(", ")}`);
		}
		if (mode === "subscription") {
			invalid("submit_type", "`submit_type` can only be used with Checkout Sessions in `payment` or `setup` mode.");
		}
	}
	const metadata = parseMetadata("metadata", p.metadata);
	let paymentIntentMetadata: Record<string, string> | null = null;
	let subscriptionMetadata: Record<string, string> | null = null;
	if (p.payment_intent_data !== undefined) {
		if (mode !== "payment") {
			invalid("payment_intent_data", "You can not pass `payment_intent_data` in `subscription` or `setup` mode.");
		}
		const pid = asObject(p.payment_intent_data) ?? {};
		paymentIntentMetadata = parseMetadata("payment_intent_data[metadata]", pid.metadata);
	}
	if (p.subscription_data !== undefined) {
		if (mode !== "subscription") {
			invalid("subscription_data", "You can only pass `subscription_data` in `subscription` mode.");
		}
		const sd = asObject(p.subscription_data) ?? {};
		subscriptionMetadata = parseMetadata("subscription_data[metadata]", sd.metadata);
	}

	let currency: string | null = str(p.currency)?.toLowerCase() ?? null;
	let amount: number | null = null;
	if (mode !== "setup") {
		const items = p.line_items;
		if (items === undefined || (Array.isArray(items) && items.length === 0)) missing("line_items");
		if (!Array.isArray(items)) invalid("line_items", "Invalid array");
		amount = 0;
		items.forEach((raw, i) => {
			const base = `line_items[${i}]`;
			const item = asObject(raw);
			if (!item) invalid(base, "Invalid object");
			rejectUnknown(base, item, LINE_ITEM_PARAMS);
			if (item.price !== undefined) {
				fail(400, {
					type: "invalid_request_error",
					code: "resource_missing",
					param: `${base}[price]`,
					message: `No such price: '${String(item.price)}'`,
				});
			}
			if (item.price_data === undefined) missing(`${base}[price_data]`);
			const pd = asObject(item.price_data);
			if (!pd) invalid(`${base}[price_data]`, "Invalid object");
			rejectUnknown(`${base}[price_data]`, pd, PRICE_DATA_PARAMS);
			const cur = pd.currency;
			if (cur === undefined || cur === "") missing(`${base}[price_data][currency]`);
			if (typeof cur !== "string" || !/^[a-zA-Z]{3}$/.test(cur)) {
				invalid(
					`${base}[price_data][currency]`,
					`Invalid currency: ${String(cur).toLowerCase()}. Stripe currently supports these currencies: usd, eur, gbp, ...`,
				);
			}
			if (currency !== null && currency !== cur.toLowerCase()) {
				invalid(`${base}[price_data][currency]`, "All line items must have the same currency as the Checkout Session.");
			}
			currency = cur.toLowerCase();
			if (pd.unit_amount === undefined && pd.unit_amount_decimal === undefined) {
				missing(`${base}[price_data][unit_amount]`);
			}
			const unit =
				pd.unit_amount !== undefined
					? parseInteger(`${base}[price_data][unit_amount]`, pd.unit_amount)
					: parseInteger(`${base}[price_data][unit_amount_decimal]`, pd.unit_amount_decimal);
			if (unit < 1) {
				invalid(`${base}[price_data][unit_amount]`, "This value must be greater than or equal to 1.", "parameter_invalid_integer");
			}
			if (unit > 99_999_999) {
				invalid(`${base}[price_data][unit_amount]`, "This value must be less than or equal to 99999999.", "parameter_invalid_integer");
			}
			const problem = chargeAmountProblem(unit, cur);
			if (problem) invalid(`${base}[price_data][unit_amount]`, problem.message, problem.code);
			if (pd.product === undefined) {
				if (pd.product_data === undefined) missing(`${base}[price_data][product_data]`);
				const product = asObject(pd.product_data);
				if (!product) invalid(`${base}[price_data][product_data]`, "Invalid object");
				rejectUnknown(`${base}[price_data][product_data]`, product, PRODUCT_DATA_PARAMS);
				if (typeof product.name !== "string" || product.name.trim() === "") {
					missing(`${base}[price_data][product_data][name]`);
				}
			}
			const recurring = pd.recurring === undefined ? undefined : asObject(pd.recurring);
			if (mode === "subscription") {
				if (!recurring || recurring.interval === undefined) {
					missing(`${base}[price_data][recurring][interval]`);
				}
				const interval = recurring.interval;
				if (typeof interval !== "string" || !INTERVALS.includes(interval)) {
					invalid(`${base}[price_data][recurring][interval]`, `Invalid interval: must be one of ${INTERVALS.join(", ")}`);
				}
				if (recurring.interval_count !== undefined) {
					const count = parseInteger(`${base}[price_data][recurring][interval_count]`, recurring.interval_count);
					if (count < 1) {
						invalid(`${base}[price_data][recurring][interval_count]`, "This value must be greater than or equal to 1.");
					}
				}
			} else if (pd.recurring !== undefined) {
				invalid(
					`${base}[price_data][recurring]`,
					"You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.",
				);
			}
			const quantity = item.quantity === undefined ? 1 : parseInteger(`${base}[quantity]`, item.quantity);
			if (quantity < 1) {
				invalid(`${base}[quantity]`, "This value must be greater than or equal to 1.", "parameter_invalid_integer");
			}
			amount = (amount ?? 0) + unit * quantity;
		});
	}
	return {
		mode,
		currency,
		amount,
		metadata,
		successUrl,
		cancelUrl,
		returnUrl,
		submitType,
		uiMode,
		paymentIntentMetadata,
		subscriptionMetadata,
	};
}
