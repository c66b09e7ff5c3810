// Publishing a ledger's snapshot to KV, where page views read it. One write
// is under way at a time and each is built when it starts, so an older
// snapshot can never land after a newer one. Every change first sets the
// object's alarm, in the same turn as the transaction that made it, so a
// restart at any point after the commit still gets the snapshot written (the
// alarm does nothing when this instance already wrote it). A change made
// while the object is idle is then written at once and its caller waits for
// it; changes made while a write is under way ride with the next write, at
// most one per PUBLISH_INTERVAL_MS (Workers KV takes about one write per
// second per key), and their callers do not wait. A failed write is retried
// by the alarm; the ledger stays the truth.
import type { CampaignSnapshot } from "../../domain/snapshot";
import { paymentKey, snapshotKey } from "../keys";

/** The least time between two writes of a snapshot while changes keep coming. */
export const PUBLISH_INTERVAL_MS = 1_000;
/** When a failed write is tried again. */
const RETRY_MS = 2_000;

export class SnapshotPublisher {
	/** A change not yet in KV. */
	private dirty = false;
	/** Whether a write (or the pause before the next one) is under way. */
	private busy = false;
	/** Writes started so far, and when the last one started. */
	private writes = 0;
	private lastWriteAt = 0;
	/** Callers of `flush` waiting for write number `target` to end. */
	private waiting: { target: number; resume: () => void }[] = [];
	/** Whether this object set an alarm that has not run yet. */
	private alarmSet = false;
	/** Whether this instance has written a snapshot to KV (a new instance cannot know what KV holds). */
	private writtenOnce = false;

	constructor(
		/** Read at each write, so a binding swapped in (fault tests) takes effect. */
		private readonly kv: () => KVNamespace,
		private readonly build: () => CampaignSnapshot,
		/** Sets the object's alarm `delayMs` from now (the alarm calls `alarmRan`, then `publish`). */
		private readonly setAlarm: (delayMs: number) => Promise<void>,
	) {}

	/**
	 * After a change: KV gets a snapshot at least as new as the ledger is now.
	 * Call it in the turn of the change's transaction: the alarm it sets then
	 * commits with the transaction. Idle, this writes the snapshot at once and
	 * resolves when it is in KV (or a retry is set); while a write is under
	 * way, the change rides with the next one and this resolves at once.
	 */
	async publish(): Promise<void> {
		this.dirty = true;
		const alarm = this.ensureAlarm();
		if (!this.busy) return this.start();
		await alarm;
	}

	/** Resolves once KV holds a snapshot at least as new as the ledger is now (or a retry is set). */
	async flush(): Promise<void> {
		this.dirty = true;
		if (!this.busy) return this.start();
		const target = this.writes + 1;
		await new Promise<void>((resume) => this.waiting.push({ target, resume }));
	}

	/**
	 * The alarm fired: a later one must be set again when needed. True when KV
	 * may be behind and must be written: always in a new instance (a restart
	 * may have cut a write off), else only with a change not yet written.
	 */
	alarmRan(): boolean {
		this.alarmSet = false;
		return this.writtenOnce === false || this.dirty;
	}

	/** Sets the alarm unless one is set; called synchronously, so it joins the caller's transaction. */
	private ensureAlarm(): Promise<void> {
		if (this.alarmSet) return Promise.resolve();
		this.alarmSet = true;
		return this.setAlarm(Math.max(0, this.lastWriteAt + PUBLISH_INTERVAL_MS - Date.now()) + RETRY_MS).catch((err) => {
			// Without an alarm, the next change tries again.
			this.alarmSet = false;
			console.warn("setting the ledger's alarm failed", err);
		});
	}

	private async start(): Promise<void> {
		this.busy = true;
		let written = false;
		try {
			written = await this.write();
		} finally {
			// Whatever happened, a later change must be able to start a write.
			if (!written) this.busy = false;
		}
		if (written) {
			void this.writeWhileChanging().catch((err) => console.warn("KV snapshot publishing stopped; the alarm resumes it", err));
		}
	}

	/** Writes the snapshot as of now; false (and a retry set) when building or writing it failed. */
	private async write(): Promise<boolean> {
		this.dirty = false;
		const number = ++this.writes;
		this.lastWriteAt = Date.now();
		try {
			const snapshot = this.build();
			await this.kv().put(snapshotKey(snapshot.id), JSON.stringify(snapshot));
			this.writtenOnce = true;
			return true;
		} catch (err) {
			console.warn("KV snapshot write failed; retrying later", err);
			this.dirty = true;
			this.alarmSet = true;
			await this.setAlarm(RETRY_MS).catch(() => {
				this.alarmSet = false;
			});
			return false;
		} finally {
			const done = this.waiting.filter((w) => w.target <= number);
			this.waiting = this.waiting.filter((w) => w.target > number);
			for (const w of done) w.resume();
		}
	}

	/** Keeps writing, at most one write per interval, while changes keep coming. */
	private async writeWhileChanging(): Promise<void> {
		try {
			while (this.dirty) {
				await new Promise((resume) => setTimeout(resume, Math.max(0, this.lastWriteAt + PUBLISH_INTERVAL_MS - Date.now())));
				if (!(await this.write())) return;
			}
		} finally {
			this.busy = false;
		}
	}

	/** Remembers which campaign each PaymentIntent's gift went to, for refunds that name none. */
	async indexPayments(payments: string[], campaignId: string): Promise<void> {
		await Promise.all(
			payments.map(async (payment) => {
				try {
					await this.kv().put(paymentKey(payment), campaignId);
				} catch (err) {
					console.warn("KV payment index write failed", payment, err);
				}
			}),
		);
	}
}
