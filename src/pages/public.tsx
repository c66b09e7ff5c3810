// The worker's public pages: a demo article with the widget embedded, the
// thank-you page Checkout returns to, and a no-JavaScript donate page.
import { Hono } from "hono";
import { raw } from "hono/html";
import { campaignStore } from "../campaigns/store";
import { type AppEnv, defaultCampaign } from "../config";
import { isCampaignId } from "../domain/campaign-id";
import { formatMoney } from "../domain/currency";
import { ApiError } from "../http/errors";
import { campaignIdParam } from "../http/validate";
import { Layout } from "./layout";

export const pages = new Hono<AppEnv>();

pages.get("/", (c) => {
	const campaign = defaultCampaign(c.env);
	const origin = new URL(c.req.url).origin;
	const snippet = `<script src="${origin}/widget.js" data-campaign="${campaign}"></script>`;
	return c.html(
		<Layout title="The Riverside Ledger: a demo article">
			<header class="site">The Riverside Ledger</header>
			<main>
				<article>
					<h1>How a small town kept its library open</h1>
					<p class="byline">By the newsroom · a demo article with the donation widget embedded</p>
					<p>
						When the county cut its budget, the library on Mill Street had three months of funding left. What happened next is a story about
						volunteers, bake sales and a spreadsheet that went around the whole town.
					</p>
					<p>
						Independent reporting like this is paid for by readers. The bar below shows how close this month's fundraising is to its goals;
						the buttons open Stripe Checkout.
					</p>
					{/* A container whose height site.css reserves: the article never shifts. */}
					<div data-donation-widget data-campaign={campaign}></div>
					<p>
						The librarians started by counting what they really needed: heat, light, and one paid position. Everything else, they decided,
						could be done by the people who used the building every day.
					</p>
					<p>
						Within a week, the sign-up sheet by the returns desk had ninety names on it. Within a month, the library was open two more
						evenings a week than before the cuts.
					</p>
					<h2>Embed this widget</h2>
					<p class="note">Paste this where the bar should appear in an article:</p>
					<pre>
						<code>{snippet}</code>
					</pre>
				</article>
			</main>
			{/* Written raw: Hono's JSX would hoist an async <script> into <head>. */}
			{raw('<script src="/widget.js" async></script>')}
		</Layout>,
	);
});

pages.get("/thanks", async (c) => {
	const id = c.req.query("campaign") ?? defaultCampaign(c.env);
	return c.html(
		<Layout title="Thank you">
			<main>
				<h1>Thank you for your support!</h1>
				<p>Your gift helps keep independent reporting free for everyone. A receipt is on its way to your inbox.</p>
				<p class="note">
					Campaign: <code>{isCampaignId(id) ? id : ""}</code>
				</p>
				<p>
					<a href="/">Back to the article</a>
				</p>
			</main>
		</Layout>,
	);
});

// Works with JavaScript off: one form per preset amount, posted to Checkout.
pages.get("/donate/:id", campaignIdParam, async (c) => {
	const { id } = c.req.valid("param");
	const campaign = await campaignStore({ env: c.env, origin: new URL(c.req.url).origin }, id).published();
	if (!campaign) throw new ApiError(404, "campaign_not_found", `No campaign '${id}'.`);
	const action = `/api/campaigns/${id}/checkout`;
	return c.html(
		<Layout title={`Donate: ${campaign.title}`}>
			<main>
				<h1>{campaign.title}</h1>
				<p>
					Raised so far: <strong>{formatMoney(campaign.total, campaign.currency)}</strong> of{" "}
					{formatMoney(campaign.goals[campaign.goals.length - 1] ?? 0, campaign.currency)}
				</p>
				{c.req.query("donation") === "cancelled" && <p class="note">No payment was made. You can try again below.</p>}
				<div class="amounts">
					{campaign.amounts.map((amount) => (
						<form method="post" action={action}>
							<input type="hidden" name="amount" value={String(amount)} />
							<input type="hidden" name="interval" value="once" />
							<button type="submit">Give {formatMoney(amount, campaign.currency)}</button>
						</form>
					))}
				</div>
			</main>
		</Layout>,
	);
});
