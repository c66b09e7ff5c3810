// The admin page's funnel, charts and A/B test: server-rendered shells that
// site/funnel.ts fills from GET /api/admin/campaigns/:id/funnel.

const SORTABLE: [key: string, label: string][] = [
	["loads", "Loads"],
	["checkouts", "Checkouts"],
	["donations", "Gifts"],
	["total", "Amount"],
	["conversion", "Conversion"],
];

export function FunnelOverview() {
	return (
		<div class="card">
			<h2>Funnel (this period)</h2>
			<dl id="funnel-numbers" class="numbers"></dl>
			<div class="charts">
				<figure>
					<figcaption>Total over time, against the goals</figcaption>
					<div id="chart-total"></div>
				</figure>
				<figure>
					<figcaption>Gifts per day</figcaption>
					<div id="chart-daily"></div>
				</figure>
			</div>
			<button type="button" id="export-funnel">
				Export funnel CSV
			</button>
		</div>
	);
}

/** Per article: every numeric column sorts (a button in its header). */
export function ArticleTable() {
	return (
		<div class="card">
			<h2>Articles (this period)</h2>
			<p class="note">Conversion = gifts ÷ widget loads of the article in this period.</p>
			<div class="table-scroll">
				<table id="pages">
					<thead>
						<tr>
							<th scope="col">Article</th>
							{SORTABLE.map(([key, label]) => (
								<th scope="col" class="num" data-sort={key}>
									<button type="button" class="sort">
										{label}
									</button>
								</th>
							))}
						</tr>
					</thead>
					<tbody></tbody>
				</table>
			</div>
		</div>
	);
}

/** One variant's fields, each with its own visible label (a grid row on wide screens, stacked on narrow ones). */
function VariantRow(props: { n: number }) {
	const id = (field: string) => `variant-${props.n}-${field}`;
	return (
		<fieldset class="variant-row">
			<legend>Variant {props.n}</legend>
			<label for={id("id")}>Id</label>
			<input id={id("id")} pattern="[a-z][a-z0-9_\-]{0,15}" maxlength={16} />
			<label for={id("title")}>Title</label>
			<input id={id("title")} maxlength={200} />
			<label for={id("amounts")}>Amounts</label>
			<input id={id("amounts")} pattern="[0-9., ]*" />
			<label for={id("interval")}>Starts on</label>
			<select id={id("interval")}>
				<option value="">the campaign's</option>
				<option value="once">once</option>
				<option value="month">monthly</option>
			</select>
		</fieldset>
	);
}

export function AbTestCard() {
	return (
		<div class="card" id="ab-test">
			<h2>A/B test of the ask</h2>
			<p id="verdict" class="verdict" role="status"></p>
			<div class="table-scroll">
				<table id="variants">
					<thead>
						<tr>
							{["Variant", "Loads", "Checkouts", "Gifts", "Amount", "Conversion (95 % interval)"].map((c) => (
								<th scope="col">{c}</th>
							))}
							<th scope="col">
								<span class="visually-hidden">End the test</span>
							</th>
						</tr>
					</thead>
					<tbody></tbody>
				</table>
			</div>
			<form id="test-form">
				<p class="note">
					2 to 4 variants; leave a field empty to keep the campaign's own. Amounts in major units. Each view shows one variant at random.
				</p>
				<div class="variant-editor">
					{[1, 2, 3, 4].map((n) => (
						<VariantRow n={n} />
					))}
				</div>
				<label for="test-mode">Mode</label>
				<select id="test-mode">
					<option value="even">even: every variant as often</option>
					<option value="epsilon_greedy">epsilon-greedy: most views to the best so far</option>
				</select>
				<label for="test-epsilon">Epsilon (share of views spread evenly, epsilon-greedy only)</label>
				<input id="test-epsilon" type="number" min="0.01" max="1" step="0.01" value="0.1" />
				<button type="submit">Start or update the test</button>{" "}
				<button type="button" id="test-stop">
					Stop test without a winner
				</button>
			</form>
		</div>
	);
}
