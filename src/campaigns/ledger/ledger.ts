// CampaignLedger: the exact ledger of one campaign, one Durable Object per
// campaign (idFromName(campaignId)). Every write runs inside the object,
// serialized and in one SQLite transaction; after each change the object
// publishes the campaign snapshot to KV, where page views read it.
//
// This class is the RPC surface and the transaction boundary; the SQL lives
// beside it: campaign.ts (settings, periods, audit), movements.ts (money),
// reports.ts (reads), migrations.ts (schema), publisher.ts (KV).
import { DurableObject } from "cloudflare:workers";
import { type Bindings, defaultCampaign } from "../../config";
import { keepVariant, variantIds } from "../../domain/ab-test";
import { type Invalid, isInvalid } from "../../domain/issues";
import type { LedgerEntry, RecordOutcome } from "../../domain/movements";
import type { AuditRow, DonationRow, FunnelData, PageSummary, PeriodSummary } from "../../domain/reports";
import {
	type AdminSettings,
	type CampaignSettings,
	DEFAULT_SETTINGS,
	deadlineProblem,
	mergeSettings,
	type PeriodChanges,
	type SettingsPatch,
	splitPatch,
} from "../../domain/settings";
import type { CampaignSnapshot } from "../../domain/snapshot";
import { type Phases, stopwatch } from "../../http/server-timing";
import {
	currentPeriod,
	insertCampaign,
	periodHasGifts,
	periodSettingsOf,
	readAudit,
	readCampaign,
	readVersion,
	savePeriodSettings,
	saveSettings,
	startPeriod,
	writeAudit,
} from "./campaign";
import { addFunnelCounts, type FunnelCount, funnelData, variantStandings } from "./funnel";
import { migrate, schemaVersion } from "./migrations";
import { applyEntry } from "./movements";
import { SnapshotPublisher } from "./publisher";
import { buildSnapshot, donationPage, pageSummaries, periodSummaries } from "./reports";

export class CampaignLedger extends DurableObject<Bindings> {
	private readonly sql: SqlStorage;
	private readonly publisher: SnapshotPublisher;
	/** The schema version of this object's storage; 0 while it holds no ledger. */
	private version: number;

	constructor(ctx: DurableObjectState, env: Bindings) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		this.publisher = new SnapshotPublisher(
			() => this.env.TOTALS,
			() => this.build(),
			(delayMs) => ctx.storage.setAlarm(Date.now() + delayMs),
		);
		// An object that holds a ledger is brought up to date before any call; an empty one stays empty
		// (an id nobody created must not leave storage behind).
		this.version = schemaVersion(this.sql);
		if (this.version > 0) this.version = migrate(ctx.storage);
	}

	/** The public snapshot, or null for a campaign nobody created. Backfills KV: resolves once KV holds it too. */
	async snapshot(campaignId: string): Promise<CampaignSnapshot | null> {
		if (!this.ensure(campaignId)) return null;
		await this.publisher.flush();
		return this.build();
	}

	/** The public snapshot as of now, without waiting for KV (for a reader that has seen a newer version than KV's). */
	async current(campaignId: string): Promise<CampaignSnapshot | null> {
		return this.ensure(campaignId) ? this.build() : null;
	}

	/** Records one money movement exactly once (by event id and by natural key). */
	async record(campaignId: string, entry: LedgerEntry): Promise<RecordOutcome> {
		const { outcomes } = await this.recordMany(campaignId, [entry]);
		return outcomes[0] ?? "unknown_campaign";
	}

	/**
	 * Records many movements in one transaction and publishes once; each is
	 * deduplicated as `record` does. `version`: the campaign's after the batch;
	 * `phases`: where the call's time went inside this object (ms).
	 */
	async recordMany(campaignId: string, entries: LedgerEntry[]): Promise<{ outcomes: RecordOutcome[]; version: number; phases: Phases }> {
		const watch = stopwatch();
		const settings = this.ensure(campaignId);
		watch.lap("ensure");
		if (!settings) return { outcomes: entries.map(() => "unknown_campaign"), version: 0, phases: watch.phases };
		const now = Date.now();
		const outcomes = this.ctx.storage.transactionSync(() => entries.map((entry) => applyEntry(this.sql, entry, now)));
		// This batch's version, read before an await lets another call change it.
		const version = readVersion(this.sql);
		watch.lap("transaction");
		const recorded = entries.filter((_, i) => outcomes[i] === "recorded");
		// The payment index is a shortcut for refunds that name no campaign (attribution asks Stripe
		// without it), so the answer does not wait for its KV writes: under a burst they were the
		// largest step of a delivery (BENCHMARKS.md). A failed write is logged, as it always was.
		const payments = recorded.flatMap(({ movement: m }) => (m.kind === "donation" && m.payment ? [m.payment] : []));
		if (payments.length > 0) this.ctx.waitUntil(this.publisher.indexPayments(payments, campaignId));
		watch.lap("index");
		if (recorded.length > 0) await this.publisher.publish();
		watch.lap("publish");
		return { outcomes, version, phases: watch.phases };
	}

	/** Creates the campaign or changes its settings (and the current period's deadline and match); returns the new snapshot. */
	async configure(campaignId: string, patch: SettingsPatch, actor: string): Promise<CampaignSnapshot | Invalid> {
		const existing = this.ensure(campaignId);
		const { settings: changes, period: periodChanges } = splitPatch(patch);
		const next = mergeSettings(existing ?? DEFAULT_SETTINGS, changes);
		if (isInvalid(next)) return next;
		const now = Date.now();
		const late = deadlineProblem(periodChanges.endsAt, now);
		if (late) return { invalid: `endsAt: ${late}` };
		if (existing && next.currency !== existing.currency && periodHasGifts(this.sql, currentPeriod(this.sql).id)) {
			return {
				invalid: `This period already has gifts in ${existing.currency.toUpperCase()}; start a new period to use ${next.currency.toUpperCase()}.`,
				code: "currency_locked",
				status: 409,
			};
		}
		if (!existing) this.version = migrate(this.ctx.storage);
		this.ctx.storage.transactionSync(() => {
			if (!existing) insertCampaign(this.sql, campaignId, next, now);
			const before = existing ? { ...existing, ...periodSettingsOf(currentPeriod(this.sql)) } : null;
			saveSettings(this.sql, next, now);
			savePeriodSettings(this.sql, periodChanges, now);
			writeAudit(this.sql, now, actor, existing ? "update" : "create", before, { ...next, ...periodSettingsOf(currentPeriod(this.sql)) });
		});
		await this.publisher.publish();
		return this.build();
	}

	/**
	 * Starts a new period at zero, with new goals, currency, deadline or match
	 * if given (a new period has no deadline or match unless set); the old one
	 * and its gifts stay as they are.
	 */
	async reset(campaignId: string, changes: PeriodChanges, actor: string): Promise<CampaignSnapshot | Invalid | null> {
		const settings = this.ensure(campaignId);
		if (!settings) return null;
		const split = splitPatch(changes);
		const next = mergeSettings(settings, split.settings);
		if (isInvalid(next)) return next;
		const now = Date.now();
		const late = deadlineProblem(split.period.endsAt, now);
		if (late) return { invalid: `endsAt: ${late}` };
		this.ctx.storage.transactionSync(() => {
			const old = currentPeriod(this.sql);
			const period = startPeriod(this.sql, next, now);
			saveSettings(this.sql, next, now);
			savePeriodSettings(this.sql, split.period, now);
			const before = { period: old.id, goals: settings.goals, currency: settings.currency, ...periodSettingsOf(old) };
			const after = { period, goals: next.goals, currency: next.currency, ...periodSettingsOf(currentPeriod(this.sql)) };
			writeAudit(this.sql, now, actor, "reset", before, after);
		});
		await this.publisher.publish();
		return this.build();
	}

	/** What the admin page edits: the full settings (the fee rule too when off), the current period's own, and whether its currency is locked. */
	async settings(campaignId: string): Promise<AdminSettings | null> {
		const settings = this.ensure(campaignId);
		if (!settings) return null;
		const period = currentPeriod(this.sql);
		return { settings, period: periodSettingsOf(period), currencyLocked: periodHasGifts(this.sql, period.id) };
	}

	async periods(campaignId: string): Promise<PeriodSummary[] | null> {
		return this.ensure(campaignId) ? periodSummaries(this.sql) : null;
	}

	/** One page of a period's gifts (the current one when `period` is null), oldest first. */
	async donations(campaignId: string, period: number | null, after: number, limit: number): Promise<DonationRow[] | null> {
		if (!this.ensure(campaignId)) return null;
		return donationPage(this.sql, period ?? currentPeriod(this.sql).id, after, limit);
	}

	/** Totals per article for a period (the current one when null), best first. */
	async pages(campaignId: string, period: number | null): Promise<PageSummary[] | null> {
		if (!this.ensure(campaignId)) return null;
		return pageSummaries(this.sql, period ?? currentPeriod(this.sql).id);
	}

	async auditLog(campaignId: string, limit = 200): Promise<AuditRow[] | null> {
		return this.ensure(campaignId) ? readAudit(this.sql, limit) : null;
	}

	// --- The funnel and A/B tests (./funnel.ts) ---

	/**
	 * Adds a batch of loads and checkouts to the current period, in one transaction (not part of the
	 * snapshot: no version change, no publish). Returns the variants' standings when the test is
	 * epsilon-greedy, for the isolate to choose by; null for a campaign nobody created.
	 */
	async addFunnel(campaignId: string, batch: FunnelCount[]): Promise<ReturnType<typeof variantStandings> | null> {
		const settings = this.ensure(campaignId);
		if (!settings) return null;
		this.ctx.storage.transactionSync(() => addFunnelCounts(this.sql, batch, variantIds(settings.test)));
		return settings.test?.mode === "epsilon_greedy" ? variantStandings(this.sql) : [];
	}

	/** A period's funnel (the current one when null); null for an unknown campaign, "no_period" for an unknown period. */
	async funnel(campaignId: string, period: number | null): Promise<FunnelData | "no_period" | null> {
		if (!this.ensure(campaignId)) return null;
		return funnelData(this.sql, period ?? currentPeriod(this.sql).id) ?? "no_period";
	}

	/** Ends the A/B test, keeping variant `keep` as the campaign's own ask; audited. */
	async endTest(campaignId: string, keep: string, actor: string): Promise<CampaignSnapshot | Invalid | null> {
		const settings = this.ensure(campaignId);
		if (!settings) return null;
		const kept = keepVariant(settings, keep);
		if (isInvalid(kept)) return kept;
		const next = mergeSettings(kept, {});
		if (isInvalid(next)) return next;
		const now = Date.now();
		this.ctx.storage.transactionSync(() => {
			saveSettings(this.sql, next, now);
			writeAudit(
				this.sql,
				now,
				actor,
				"end_test",
				{ test: settings.test },
				{ kept: keep, title: next.title, amounts: next.amounts, interval: next.interval ?? "once" },
			);
		});
		await this.publisher.publish();
		return this.build();
	}

	/** The public snapshot as of now. */
	private build(): CampaignSnapshot {
		return buildSnapshot(this.sql, Date.now(), this.env.STRIPE_PORTAL_LOGIN_URL || null);
	}

	/** Retries a KV publish that failed, or makes sure one that a restart may have cut off happens (else nothing). */
	override async alarm(): Promise<void> {
		if (this.publisher.alarmRan()) await this.publisher.publish();
	}

	/** The campaign's settings, or null for one nobody created; the default campaign is created on first use. */
	private ensure(campaignId: string): CampaignSettings | null {
		// An object still empty at start may have been given a ledger since (by another instance's write).
		if (this.version === 0 && schemaVersion(this.sql) > 0) this.version = migrate(this.ctx.storage);
		const stored = this.version > 0 ? readCampaign(this.sql) : null;
		if (stored) {
			if (stored.id !== campaignId) throw new Error(`ledger of ${stored.id} asked about ${campaignId}`);
			return stored.settings;
		}
		if (campaignId !== defaultCampaign(this.env)) return null;
		const now = Date.now();
		this.version = migrate(this.ctx.storage);
		this.ctx.storage.transactionSync(() => {
			insertCampaign(this.sql, campaignId, DEFAULT_SETTINGS, now);
			writeAudit(this.sql, now, "system", "create", null, DEFAULT_SETTINGS);
		});
		return DEFAULT_SETTINGS;
	}
}
