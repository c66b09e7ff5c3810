// The donor's pages that work without JavaScript: the donate page the
// <noscript> link and the widget's fallback lead to, and the thank-you page
// Checkout returns to when the article's own URL could not be used.
import { Hono } from "hono";
import { campaignStore } from "../campaigns/store";
import { type AppEnv, allowedOrigins, defaultCampaign } from "../config";
import { isCampaignId } from "../domain/campaign-id";
import { formatMoney } from "../domain/currency";
import { grossUp } from "../domain/gift";
import type { CampaignSnapshot } from "../domain/snapshot";
import { ApiError } from "../http/errors";
import { campaignIdParam } from "../http/validate";
import { type DonorReturn, recordReturn, SESSION_ID } from "../recording/donor-return";
import { stripeClient } from "../stripe/client";
import { Layout } from "./layout";

export const donorPages = new Hono<AppEnv>();

/** Where the campaign stands: raised of the last goal, the sponsor's match, the deadline (ahead or past). */
function Standing(props: { campaign: CampaignSnapshot }) {
	const { campaign } = props;
	const money = (minor: number) => formatMoney(minor, campaign.currency);
	const goal = campaign.goals.at(-1) ?? 0;
	const endsAt = campaign.period.endsAt;
	const ended = endsAt !== null && Date.parse(endsAt) <= Date.now();
	const when = endsAt && new Date(endsAt).toUTCString().replace(" GMT", " UTC");
	return (
		<>
			<p>
				{ended ? "Raised" : "Raised so far"}: <strong>{money(campaign.total)}</strong> of {money(goal)}
				{/* A closed campaign says it in the ask's place. */}
				{campaign.status === "open" && campaign.total >= goal && ` · ${campaign.goalReachedText}`}
			</p>
			{campaign.match && (
				<p class="note">
					{campaign.match.sponsor} {ended ? "added" : "adds"} {campaign.match.percent} % to every gift, up to {money(campaign.match.cap)}:{" "}
					{money(campaign.match.matched)} {ended ? "in all" : "so far"} (included above).
				</p>
			)}
			{when && <p class="note">{ended ? `Ended ${when}.` : `Ends ${when}.`}</p>}
		</>
	);
}

/** One form: once or monthly, the fee cover if offered, and a submit button per preset amount. */
function GiveForm(props: { campaign: CampaignSnapshot }) {
	const { campaign } = props;
	const money = (minor: number) => formatMoney(minor, campaign.currency);
	const example = campaign.amounts.at(1) ?? campaign.amounts[0] ?? 0;
	return (
		<form method="post" action={`/api/campaigns/${campaign.id}/checkout`} class="give">
			<fieldset>
				<legend>How often</legend>
				<label>
					<input type="radio" name="interval" value="once" checked /> Once
				</label>
				<label>
					<input type="radio" name="interval" value="month" /> Monthly
				</label>
			</fieldset>
			{campaign.feeCover && (
				<label>
					<input type="checkbox" name="coverFees" value="on" /> Add the card fees (about{" "}
					{money(grossUp(example, campaign.feeCover, campaign.amountStep) - example)} on {money(example)}) so all of my gift reaches you
				</label>
			)}
			<div class="amounts">
				{campaign.amounts.map((amount) => (
					<button type="submit" name="amount" value={String(amount)}>
						Give {money(amount)}
					</button>
				))}
			</div>
		</form>
	);
}

donorPages.get("/donate/:id", campaignIdParam, async (c) => {
	const { id } = c.req.valid("param");
	const campaign = await campaignStore({ env: c.env, origin: new URL(c.req.url).origin }, id).published();
	if (!campaign) throw new ApiError(404, "campaign_not_found", `No campaign '${id}'.`);
	const ended = campaign.period.endsAt !== null && Date.parse(campaign.period.endsAt) <= Date.now();
	const login = c.env.STRIPE_PORTAL_LOGIN_URL;
	return c.html(
		<Layout title={`Donate: ${campaign.title}`}>
			<main>
				<h1>{campaign.title}</h1>
				<Standing campaign={campaign} />
				{c.req.query("donation") === "cancelled" && <p class="note">No payment was made. You can try again below.</p>}
				{ended ? (
					<p>This campaign has ended. Thank you to everyone who gave!</p>
				) : campaign.status === "closed" ? (
					<p>{campaign.goalReachedText}</p>
				) : (
					<GiveForm campaign={campaign} />
				)}
				{login && (
					<p class="note">
						<a href={login}>Manage my monthly gift</a> (Stripe sends you a sign-in code by email)
					</p>
				)}
			</main>
		</Layout>,
	);
});

/** The donor's return, recorded at once when the session says so; null when it cannot be read (the page still thanks). */
async function donorReturn(c: { env: AppEnv["Bindings"]; req: { url: string } }, id: string, sessionId: string | undefined) {
	if (!sessionId || !SESSION_ID.test(sessionId) || !isCampaignId(id) || !c.env.STRIPE_SECRET_KEY) return null;
	try {
		return await recordReturn({ env: c.env, origin: new URL(c.req.url).origin }, stripeClient(c.env), id, sessionId);
	} catch {
		return null;
	}
}

function Gift(props: { back: DonorReturn; sessionId: string }) {
	const { campaign, gift } = props.back;
	const money = (minor: number) => formatMoney(minor, campaign.currency);
	return (
		<>
			<p>
				Your {gift.interval === "month" ? "monthly " : ""}gift of <strong>{money(gift.amount)}</strong> is on the bar.
			</p>
			<Standing campaign={campaign} />
			{gift.interval === "month" && props.back.customer && (
				<form method="post" action={`/api/campaigns/${campaign.id}/portal`}>
					<input type="hidden" name="sessionId" value={props.sessionId} />
					<button type="submit">Manage your monthly gift</button>
					<p class="note">
						Change the card or cancel at Stripe. This button works for a day; later,{" "}
						{campaign.manageUrl
							? "“Manage my monthly gift” under the bar signs you in with your email."
							: "write to us and we will change it."}
					</p>
				</form>
			)}
		</>
	);
}

/** The article a gift came from, when it is on one of the publisher's sites (never a link elsewhere). */
function articleOf(page: string | null, allowed: Set<string>): string | null {
	try {
		return page && allowed.has(new URL(page).origin) ? new URL(page).href : null;
	} catch {
		return null;
	}
}

donorPages.get("/thanks", async (c) => {
	const id = c.req.query("campaign") ?? defaultCampaign(c.env);
	const sessionId = c.req.query("session_id");
	const back = await donorReturn(c, id, sessionId);
	const article = articleOf(back?.page ?? null, allowedOrigins(c.env));
	c.header("Cache-Control", "no-store");
	return c.html(
		<Layout title="Thank you">
			<main>
				<h1>Thank you for your support!</h1>
				<p>Your gift helps keep independent reporting free for everyone.</p>
				{back && sessionId && <Gift back={back} sessionId={sessionId} />}
				{article && (
					<p>
						<a href={article}>Back to the article</a>
					</p>
				)}
			</main>
		</Layout>,
	);
});
