// The worker's demo article, with the widget embedded (the donor's own pages
// are in donor-pages.tsx).
import { Hono } from "hono";
import { raw } from "hono/html";
import { type AppEnv, defaultCampaign } from "../config";
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
