// GET /admin: a server-rendered page over the admin API. The token is typed
// once and kept in sessionStorage (never in a URL); /admin.js does the rest.
import { Hono } from "hono";
import type { AppEnv } from "../config";
import { ADMIN_JS } from "../generated/site";
import { AbTestCard, ArticleTable, FunnelOverview } from "./funnel-admin";
import { Layout } from "./layout";

export const adminPage = new Hono<AppEnv>();

adminPage.get("/admin.js", (c) => {
	c.header("Content-Type", "text/javascript; charset=utf-8");
	c.header("Cache-Control", "no-cache");
	return c.body(ADMIN_JS);
});

/** A table the admin script fills: a caption-like heading and column names. */
function DataTable(props: { id: string; title: string; columns: string[] }) {
	return (
		<div class="card">
			<h2>{props.title}</h2>
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

function SettingsForm() {
	return (
		<form id="settings" class="card">
			<h2>Settings</h2>
			<label for="title">Title</label>
			<input id="title" name="title" required maxlength={200} />
			<label for="goals">Goals (major units, ascending, comma-separated)</label>
			<input id="goals" name="goals" required pattern="[0-9., ]+" />
			<label for="amounts">Preset amounts (major units, comma-separated)</label>
			<input id="amounts" name="amounts" required pattern="[0-9., ]+" />
			<label for="currency">Currency</label>
			<input id="currency" name="currency" required pattern="[A-Za-z]{3}" maxlength={3} />
			<button type="submit">Save</button>
		</form>
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
			<header class="site">Donations admin</header>
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
					<DataTable id="periods" title="Periods" columns={["Period", "Started", "Ended", "Gifts", "Total", "Goals"]} />
					<FunnelOverview />
					<ArticleTable />
					<AbTestCard />
					<div class="card">
						<h2>Audit log</h2>
						<ul id="audit"></ul>
					</div>
				</section>
			</main>
		</Layout>,
	);
});
