// Which variant of the ask a totals request shows: uniformly at random, or
// epsilon-greedy (the variant converting best so far, except a share epsilon
// of views spread evenly, as the Guardian does). Nothing is stored on the
// reader's device: every request draws again.
import type { AbTest } from "../domain/ab-test";

/** Loads and gifts of a variant in the current period, as the ledger last reported them to this isolate. */
export interface Standing {
	variant: string;
	loads: number;
	donations: number;
}

export function chooseVariant(test: AbTest, standings: Standing[] | undefined, random: () => number = Math.random): string {
	const ids = test.variants.map((v) => v.id);
	const uniform = () => ids[Math.min(ids.length - 1, Math.floor(random() * ids.length))] as string;
	if (test.mode !== "epsilon_greedy" || !standings || standings.length === 0 || random() < test.epsilon) return uniform();
	const rate = (id: string) => {
		const s = standings.find((x) => x.variant === id);
		return s && s.loads > 0 ? s.donations / s.loads : 0;
	};
	const best = Math.max(...ids.map(rate));
	const leaders = ids.filter((id) => rate(id) === best);
	return leaders[Math.min(leaders.length - 1, Math.floor(random() * leaders.length))] as string;
}
