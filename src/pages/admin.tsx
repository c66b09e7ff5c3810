// GET /admin: a server-rendered page over the admin API. The token is typed
// once and kept in sessionStorage (never in a URL); /admin.js (a static asset,
// built from site/admin.ts) does the rest.
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import type { AppEnv } from "../config";
import { AbTestCard, ArticleTable, FunnelOverview } from "./funnel-admin";
import { Layout } from "./layout";

export const adminPage = new Hono<AppEnv>();

/** A table the admin script fills: a caption-like heading and column names. */
function DataTable(props: { id: string; title: string; columns: string[] }) {
	return (
		<div class="card">
			<h2>{props.title}</h2>
			<div class="table-scroll">
				<table id={props.id}>
					<thead>
						<tr>
							{props.columns.map((column) => (
								<th scope="col">{column}</th>
							))}
						</tr>
					</thead>
					<tbody></tbody>
				</table>
			</div>
		</div>
	);
}

function SignIn() {
	return (
		<form id="login" class="card" hidden>
			<h1>Sign in</h1>
			<label for="token">Admin token</label>
			<input id="token" name="token" type="password" autocomplete="current-password" required />
			<button type="submit">Sign in</button>
			<p class="note">The token stays in this tab (sessionStorage) until you close it.</p>
		</form>
	);
}

/** A labelled field; `hint` is read with it. */
function Field(props: { id: string; label: string; hint?: string; children: Child }) {
	return (
		<>
			<label for={props.id}>{props.label}</label>
			{props.children}
			{props.hint && (
				<p class="note" id={`${props.id}-hint`}>
					{props.hint}
				</p>
			)}
		</>
	);
}

function SettingsForm() {
	return (
		<form id="settings" class="card">
			<h2>Settings</h2>
			<Field id="title" label="Title">
				<input id="title" name="title" required maxlength={200} />
			</Field>
			<Field
				id="goals"
				label="Goals (major units, ascending, comma-separated)"
				hint="Add a stretch goal here at any time: every widget follows."
			>
				<input id="goals" name="goals" required pattern="[0-9., ]+" aria-describedby="goals-hint" />
			</Field>
			<Field id="amounts" label="Preset amounts (major units, comma-separated)">
				<input id="amounts" name="amounts" required pattern="[0-9., ]+" />
			</Field>
			<Field id="min-amount" label="Smallest gift (major units)">
				<input id="min-amount" name="minAmount" required inputmode="decimal" pattern="[0-9.]+" />
			</Field>
			<Field id="max-amount" label="Largest gift (major units)">
				<input id="max-amount" name="maxAmount" required inputmode="decimal" pattern="[0-9.]+" />
			</Field>
			<Field id="interval" label="The widget starts on">
				<select id="interval" name="interval">
					<option value="once">a one-time gift</option>
					<option value="month">a monthly gift</option>
				</select>
			</Field>
			<Field id="currency" label="Currency">
				<input id="currency" name="currency" required pattern="[A-Za-z]{3}" maxlength={3} aria-describedby="currency-note" />
			</Field>
			<p class="note" id="currency-note" hidden>
				This period has gifts in its currency: start a new period to use another.
			</p>
			<DonorFields />
			<button type="submit">Save</button>
		</form>
	);
}

/** What donors meet past the goal, the fee-cover offer, and the current period's deadline and match. */
function DonorFields() {
	return (
		<>
			<fieldset>
				<legend>When the last goal is reached</legend>
				<Field id="after-goal" label="Then">
					<select id="after-goal" name="afterGoal">
						<option value="ask">keep asking</option>
						<option value="close">close: no donate buttons, a thank-you line</option>
					</select>
				</Field>
				<Field id="goal-text" label="What the widget says">
					<input id="goal-text" name="goalReachedText" required maxlength={120} />
				</Field>
			</fieldset>
			<fieldset>
				<legend>Covering the card fees</legend>
				<label class="inline">
					<input id="fee-enabled" name="feeEnabled" type="checkbox" /> Offer donors to add the fees
				</label>
				<Field
					id="fee-percent"
					label="Fee percent"
					hint="An estimate: Stripe's standard US card pricing is 2.9 % + 0.30 $; EEA cards 1.5 % + 0.25 €; UK cards 1.5 % + 0.20 £."
				>
					<input id="fee-percent" name="feePercent" type="number" min="0" max="99.99" step="0.01" aria-describedby="fee-percent-hint" />
				</Field>
				<Field id="fee-fixed" label="Fixed fee per charge (major units)">
					<input id="fee-fixed" name="feeFixed" type="number" min="0" step="any" />
				</Field>
			</fieldset>
			<fieldset>
				<legend>This period</legend>
				<Field id="ends-at" label="Ends at (your local time; empty: no deadline)">
					<input id="ends-at" name="endsAt" type="datetime-local" />
				</Field>
				<Field id="match-sponsor" label="Sponsor who matches gifts (empty: no match)">
					<input id="match-sponsor" name="matchSponsor" maxlength={80} />
				</Field>
				<Field id="match-percent" label="Match percent (100 doubles every gift)">
					<input id="match-percent" name="matchPercent" type="number" min="1" max="1000" step="1" />
				</Field>
				<Field id="match-cap" label="Match cap (major units)">
					<input id="match-cap" name="matchCap" type="number" min="0" step="any" />
				</Field>
			</fieldset>
		</>
	);
}

function PeriodActions() {
	return (
		<div class="card">
			<h2>Period</h2>
			<p id="period"></p>
			<button type="button" id="reset">
				Start a new period…
			</button>{" "}
			<button type="button" id="resync">
				Re-sync from Stripe
			</button>{" "}
			<button type="button" id="export-csv">
				Export CSV
			</button>{" "}
			<button type="button" id="export-json">
				Export JSON
			</button>
			<p id="status" role="status" aria-live="polite"></p>
		</div>
	);
}

adminPage.get("/admin", (c) => {
	c.header("Cache-Control", "no-store");
	return c.html(
		<Layout title="Donations admin" scripts={["/admin.js"]}>
			<header class="site">
				<h1>Donations admin</h1>
			</header>
			<main class="admin">
				<SignIn />
				<section id="app" hidden>
					<p class="toolbar">
						<label for="campaign">Campaign</label> <select id="campaign"></select>{" "}
						<button type="button" id="logout">
							Sign out
						</button>
					</p>
					<div id="bar"></div>
					<SettingsForm />
					<PeriodActions />
					<DataTable
						id="periods"
						title="Periods"
						columns={["Period", "Started", "Ended", "Gifts", "Given", "Matched", "Total", "Goals", "Export"]}
					/>
					<FunnelOverview />
					<ArticleTable />
					<AbTestCard />
					<div id="unplaced-card" hidden>
						<DataTable
							id="unplaced"
							title="Money no campaign took (it named a campaign that did not exist; create it, then re-sync it)"
							columns={["Received", "Campaign", "Stripe object", "Amount", "Why"]}
						/>
					</div>
					<div class="card">
						<h2>Audit log</h2>
						<ul id="audit"></ul>
					</div>
				</section>
			</main>
		</Layout>,
	);
});
