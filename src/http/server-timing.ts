// Where a request's time goes, phase by phase, sent back in a `Server-Timing`
// header (https://www.w3.org/TR/server-timing/) so `npm run bench` can profile
// the write path from outside. Locally (workerd) `performance.now()` advances
// during CPU work; on Cloudflare's network it advances only on I/O (a Spectre
// mitigation), so there the figures show I/O waits only.

/** Milliseconds per phase name (a header token: letters, digits, `-`). */
export type Phases = Record<string, number>;

export class ServerTiming {
	private readonly phases: Phases = {};
	private readonly started = performance.now();

	/** Runs `work` and adds its wall time to `phase`, also when it throws. */
	async time<T>(phase: string, work: () => Promise<T> | T): Promise<T> {
		const t0 = performance.now();
		try {
			return await work();
		} finally {
			this.add(phase, performance.now() - t0);
		}
	}

	/** Adds `ms` to `phase` (a phase timed twice, e.g. two ledger batches, sums). */
	add(phase: string, ms: number): void {
		this.phases[phase] = (this.phases[phase] ?? 0) + ms;
	}

	/** Adds phases measured elsewhere (inside the ledger object). */
	addAll(phases: Phases): void {
		for (const [phase, ms] of Object.entries(phases)) this.add(phase, ms);
	}

	/** The header value: every phase, then `total` since this collector was made. */
	header(): string {
		const entries = Object.entries({ ...this.phases, total: performance.now() - this.started });
		return entries.map(([phase, ms]) => `${phase};dur=${ms.toFixed(2)}`).join(", ");
	}
}

/** Times synchronous and awaited steps where no request collector exists (inside a Durable Object). */
export function stopwatch() {
	const phases: Phases = {};
	let last = performance.now();
	return {
		phases,
		/** Closes a phase: the time since the previous lap (or the start) goes to `phase`. */
		lap(phase: string): void {
			const now = performance.now();
			phases[phase] = (phases[phase] ?? 0) + (now - last);
			last = now;
		},
	};
}
