// vitest globalSetup for the "worker" project: starts one Stripe double for the
// whole run and provides its URL, which vitest.config.ts passes to the worker
// as the STRIPE_API_URL binding. Test files share this double and run in
// parallel, so they never reset it: they filter by unique campaign ids.
// It also makes the Cloudflare Access stand-in's keys (test/support/access.ts).
import type { TestProject } from "vitest/node";
import { generateAccessKeys } from "../support/access.ts";
import { startStripeDouble } from "./server.ts";

export default async function ({ provide }: TestProject) {
	const running = await startStripeDouble();
	provide("stripeDoubleUrl", running.url);
	const access = await generateAccessKeys();
	provide("accessJwks", access.jwks);
	provide("accessPrivateJwk", access.privateJwk);
	return async () => {
		await running.close();
	};
}

declare module "vitest" {
	export interface ProvidedContext {
		stripeDoubleUrl: string;
	}
}
