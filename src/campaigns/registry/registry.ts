// CampaignRegistry: one Durable Object (named "registry") that knows which
// campaigns exist, so an id nobody created never reaches a ledger (and never
// leaves storage behind), and that keeps money it could not place: events
// that are ours (they carry our metadata) but name a campaign that does not
// exist. Admins see those; re-sync places them once the campaign exists.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../../config";
import type { UnplacedEntry } from "../../domain/reports";
import { type Migration, migrate } from "../migrate";

const MIGRATIONS: readonly Migration[] = [
	{
		version: 1,
		name: "campaigns that exist; money no ledger took",
		sql: `CREATE TABLE campaigns (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
CREATE TABLE unplaced (
	event_id TEXT PRIMARY KEY,
	event_type TEXT NOT NULL,
	key TEXT NOT NULL,
	campaign TEXT NOT NULL,
	reason TEXT NOT NULL,
	amount INTEGER NOT NULL,
	currency TEXT,
	received_at INTEGER NOT NULL
);
CREATE INDEX unplaced_by_key ON unplaced (key);`,
	},
];

export class CampaignRegistry extends DurableObject<Bindings> {
	private readonly sql: SqlStorage;

	constructor(ctx: DurableObjectState, env: Bindings) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		// One object for the whole worker: its tables may as well exist from its first use.
		migrate(ctx.storage, MIGRATIONS);
	}

	async ids(): Promise<string[]> {
		return this.sql
			.exec("SELECT id FROM campaigns ORDER BY id")
			.toArray()
			.map((row) => String(row.id));
	}

	async has(id: string): Promise<boolean> {
		return this.sql.exec("SELECT 1 FROM campaigns WHERE id = ?", id).toArray().length > 0;
	}

	async add(id: string): Promise<void> {
		this.sql.exec("INSERT INTO campaigns (id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING", id, Date.now());
	}

	/** Keeps what no ledger took, once per event; returns how many were new. */
	async keepUnplaced(entries: Omit<UnplacedEntry, "receivedAt">[]): Promise<number> {
		let added = 0;
		const now = Date.now();
		for (const e of entries) {
			added += this.sql
				.exec(
					"INSERT INTO unplaced VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING event_id",
					e.eventId,
					e.eventType,
					e.key,
					e.campaign,
					e.reason,
					e.amount,
					e.currency,
					now,
				)
				.toArray().length;
		}
		return added;
	}

	async unplaced(limit = 200): Promise<UnplacedEntry[]> {
		return this.sql
			.exec("SELECT * FROM unplaced ORDER BY received_at DESC LIMIT ?", limit)
			.toArray()
			.map((r) => ({
				eventId: String(r.event_id),
				eventType: String(r.event_type),
				key: String(r.key),
				campaign: String(r.campaign),
				reason: String(r.reason),
				amount: Number(r.amount),
				currency: r.currency === null ? null : String(r.currency),
				receivedAt: new Date(Number(r.received_at)).toISOString(),
			}));
	}

	/** Forgets unplaced entries whose movements a ledger now holds; returns how many. */
	async settle(keys: string[]): Promise<number> {
		let settled = 0;
		for (const key of keys) settled += this.sql.exec("DELETE FROM unplaced WHERE key = ? RETURNING key", key).toArray().length;
		return settled;
	}
}
