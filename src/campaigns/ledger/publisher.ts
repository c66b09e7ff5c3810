// Publishing a ledger's snapshot to KV, where page views read it. Concurrent
// changes coalesce into one writer, so an older snapshot can never land after
// a newer one. A failed write asks for a retry; the ledger stays the truth.
import type { CampaignSnapshot } from "../../domain/snapshot";
import { paymentKey, snapshotKey } from "../keys";

export class SnapshotPublisher {
	private publishing: Promise<void> | null = null;
	private dirty = false;

	constructor(
		/** Read at each write, so a binding swapped in (fault tests) takes effect. */
		private readonly kv: () => KVNamespace,
		private readonly build: () => CampaignSnapshot,
		private readonly retryLater: () => Promise<void>,
	) {}

	/** Resolves once a snapshot at least as new as the ledger's state at call time is in KV (or a retry is set). */
	publish(): Promise<void> {
		this.dirty = true;
		if (!this.publishing) {
			this.publishing = this.drain().finally(() => {
				this.publishing = null;
			});
		}
		return this.publishing;
	}

	private async drain(): Promise<void> {
		while (this.dirty) {
			this.dirty = false;
			const snapshot = this.build();
			try {
				await this.kv().put(snapshotKey(snapshot.id), JSON.stringify(snapshot));
			} catch (err) {
				console.warn("KV snapshot write failed; retrying later", snapshot.id, err);
				await this.retryLater();
				return;
			}
		}
	}

	/** Remembers which campaign a PaymentIntent's gift went to, for refunds that name none. */
	async indexPayment(payment: string, campaignId: string): Promise<void> {
		try {
			await this.kv().put(paymentKey(payment), campaignId);
		} catch (err) {
			console.warn("KV payment index write failed", payment, err);
		}
	}
}
