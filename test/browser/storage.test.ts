// Unknown campaign ids cost no storage: the registry answers before any
// ledger is touched. Counted on disk, in the Durable Object files that
// `wrangler dev` persists (one SQLite file per object that ever ran).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, startWorker } from "../support/worker.ts";

let worker: RunningWorker;

beforeAll(async () => {
	worker = await startWorker();
});

afterAll(async () => {
	await worker?.stop();
});

/** Every Durable Object storage file under the worker's state directory. */
function objectFiles(dir: string): string[] {
	const found: string[] = [];
	const walk = (path: string) => {
		for (const entry of readdirSync(path, { withFileTypes: true })) {
			const child = join(path, entry.name);
			if (entry.isDirectory()) walk(child);
			else if (entry.name.endsWith(".sqlite")) found.push(child);
		}
	};
	walk(join(dir, "v3", "do"));
	return found.sort();
}

describe("unknown campaign ids", () => {
	it("leave no new storage: 1,000 random ids through the totals, the donate page and checkout", async () => {
		// The default campaign and the registry exist once anything has run.
		expect((await fetch(`${worker.url}/api/campaigns/main`)).status).toBe(200);
		expect((await fetch(`${worker.url}/api/campaigns/never-made`)).status).toBe(404);
		const before = objectFiles(worker.persistDir);
		const statuses = new Map<number, number>();
		for (let i = 0; i < 1_000; i++) {
			const id = `zz-${crypto.randomUUID()}`;
			const res =
				i % 3 === 0
					? await fetch(`${worker.url}/api/campaigns/${id}`)
					: i % 3 === 1
						? await fetch(`${worker.url}/donate/${id}`)
						: await fetch(`${worker.url}/api/campaigns/${id}/checkout`, {
								method: "POST",
								headers: { "Content-Type": "application/json" },
								body: JSON.stringify({ amount: 500 }),
							});
			await res.arrayBuffer();
			statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
		}
		expect(Object.fromEntries(statuses)).toEqual({ 404: 1_000 });
		expect(objectFiles(worker.persistDir)).toEqual(before);
	});
});
