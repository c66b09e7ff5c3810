// Shared by the load script, the benchmark and the load test: the Stripe double
// plus the real worker (`wrangler dev`) wired to it, a few admin helpers, and
// small statistics. Loopback only.
import { readdirSync, readFileSync } from "node:fs";
import { startStripeDouble } from "../test/stripe/server.ts";
import { type RunningWorker, startWorker } from "../test/support/worker.ts";

export const SECRET = "whsec_benchsecret0123456789abcdefghijklm";
export const TOKEN = "bench-admin-token-0123456789abcdefghijk";

export type StripeDouble = Awaited<ReturnType<typeof startStripeDouble>>;

export function workerVars(doubleUrl: string): Record<string, string> {
	return {
		STRIPE_SECRET_KEY: "sk_test_bench",
		STRIPE_WEBHOOK_SECRET: SECRET,
		ADMIN_TOKEN: TOKEN,
		STRIPE_API_URL: doubleUrl,
	};
}

export { startStripeDouble };

/** The worker of this checkout, or of `root` (another checkout: the bench's baseline), wired to the double. */
export function startBenchWorker(double: StripeDouble, persistDir?: string, root?: string): Promise<RunningWorker> {
	return startWorker({ vars: workerVars(double.url), persistDir, root });
}

export const admin = { authorization: `Bearer ${TOKEN}` };

/** Creates (or updates) a campaign through the admin API. */
export async function createCampaign(url: string, id: string, title = `Load test ${id}`): Promise<void> {
	const res = await fetch(`${url}/api/admin/campaigns/${id}`, {
		method: "PUT",
		headers: { ...admin, "content-type": "application/json" },
		body: JSON.stringify({ title }),
	});
	if (!res.ok) throw new Error(`creating campaign ${id}: HTTP ${res.status} ${await res.text()}`);
}

export interface PublicTotals {
	total: number;
	donations: number;
}

export async function publicTotals(url: string, id: string): Promise<PublicTotals> {
	const res = await fetch(`${url}/api/campaigns/${id}`);
	if (!res.ok) throw new Error(`GET /api/campaigns/${id}: HTTP ${res.status}`);
	const body = (await res.json()) as PublicTotals;
	return { total: body.total, donations: body.donations };
}

export interface ExportSummary {
	rows: number;
	net: number;
	keys: Set<string>;
	bytes: number;
}

/** The admin CSV export of a campaign's current period, summed. */
export async function exportSummary(url: string, id: string): Promise<ExportSummary> {
	const res = await fetch(`${url}/api/admin/campaigns/${id}/donations?format=csv`, { headers: admin });
	if (!res.ok) throw new Error(`export ${id}: HTTP ${res.status} ${await res.text()}`);
	const text = await res.text();
	const lines = text.split("\r\n").filter((line) => line.length > 0);
	const header = (lines.shift() ?? "").split(",");
	const keyAt = header.indexOf("key");
	const netAt = header.indexOf("net");
	if (keyAt < 0 || netAt < 0) throw new Error(`export ${id}: unexpected header ${header.join(",")}`);
	const keys = new Set<string>();
	let net = 0;
	for (const line of lines) {
		// Keys, ids and amounts never need CSV quoting; the page column is last-but-two and empty here.
		const cells = line.split(",");
		keys.add(cells[keyAt] ?? "");
		net += Number(cells[netAt]);
	}
	return { rows: lines.length, net, keys, bytes: Buffer.byteLength(text) };
}

// ------------------------------------------------------------------ statistics

export function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return Number.NaN;
	const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[index] as number;
}

/** The median; the mean of the two middle values for an even count. */
export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	if (sorted.length === 0) return Number.NaN;
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** A small seeded PRNG (mulberry32), so runs are reproducible. */
export function random(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function shuffle<T>(items: T[], rand: () => number): T[] {
	for (let i = items.length - 1; i > 0; i--) {
		const j = Math.floor(rand() * (i + 1));
		[items[i], items[j]] = [items[j] as T, items[i] as T];
	}
	return items;
}

// ------------------------------------------------------------------ processes

function parentOf(pid: number): number {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
		// pid (comm) state ppid ...; comm may hold spaces, so split after the last ')'.
		const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
		return Number(rest[1]);
	} catch {
		return 0;
	}
}

function cmdline(pid: number): string {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
	} catch {
		return "";
	}
}

/** Resident memory (kB) of a process from /proc/<pid>/status, or null. */
export function rssKb(pid: number): number | null {
	try {
		const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
		return match ? Number(match[1]) : null;
	} catch {
		return null;
	}
}

/**
 * The workerd processes serving the `wrangler dev` on `port`: workerd
 * processes whose ancestor is the wrangler process started with `--port <port>`.
 * Linux only (empty elsewhere).
 */
export function workerdPids(port: number): number[] {
	let pids: number[];
	try {
		pids = readdirSync("/proc")
			.filter((name) => /^\d+$/.test(name))
			.map(Number);
	} catch {
		return [];
	}
	const found: number[] = [];
	for (const pid of pids) {
		if (!/(^|\/)workerd\s/.test(cmdline(pid))) continue;
		let ancestor = parentOf(pid);
		for (let depth = 0; depth < 8 && ancestor > 1; depth++) {
			if (cmdline(ancestor).includes(`--port ${port} `)) {
				found.push(pid);
				break;
			}
			ancestor = parentOf(ancestor);
		}
	}
	return found;
}

/** Summed RSS (MiB) of the workerd processes behind a worker, or null when not measurable. */
export function workerdRssMiB(worker: RunningWorker): number | null {
	const kb = workerdPids(worker.port)
		.map(rssKb)
		.filter((v): v is number => v !== null);
	return kb.length ? round(kb.reduce((a, b) => a + b, 0) / 1024, 1) : null;
}
