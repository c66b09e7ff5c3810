// vitest globalSetup for the "worker" project: starts one Stripe double for the
// whole run and provides its URL, which vitest.config.ts passes to the worker
// as the STRIPE_API_URL binding. Test files share this double and run in
// parallel, so they never reset it: they filter by unique campaign ids.
import type { TestProject } from "vitest/node";
import { startStripeDouble } from "./server.ts";

export default async function ({ provide }: TestProject) {
	const running = await startStripeDouble();
	provide("stripeDoubleUrl", running.url);
	return async () => {
		await running.close();
	};
}

declare module "vitest" {
	export interface ProvidedContext {
		stripeDoubleUrl: string;
	}
}
