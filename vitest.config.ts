import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { ACCESS_AUD, ACCESS_TEAM } from "./test/support/access.ts";

// Three projects:
// - "worker": tests that run inside workerd (Miniflare) with real KV, Durable
//   Objects, Cache and rate limiting, talking to the local Stripe double.
// - "deploy": Node tests of what a publisher deploys and runs: the static
//   assets under `wrangler dev`, a fresh clone's `wrangler deploy --dry-run`,
//   `npm run stripe:setup` and `npm run doctor`.
// - "browser": Node tests that start `wrangler dev` and drive a real Chromium.
export default defineConfig({
	test: {
		projects: [
			{
				plugins: [
					cloudflareTest(({ inject }) => ({
						wrangler: { configPath: "./wrangler.toml" },
						miniflare: {
							bindings: {
								STRIPE_API_URL: inject("stripeDoubleUrl"),
								STRIPE_SECRET_KEY: "sk_test_double",
								STRIPE_WEBHOOK_SECRET: "whsec_testsecret0123456789abcdefghijklmn",
								ADMIN_TOKEN: "test-admin-token-0123456789abcdefghij",
								ALLOWED_ORIGINS: "https://publisher.example,http://localhost:8787",
								ACCESS_TEAM,
								ACCESS_AUD,
								// Funnel batches leave each isolate 20 ms after their first count (5 s in production).
								FUNNEL_FLUSH_MS: "20",
							},
							// The worker's own outbound fetches: Cloudflare Access's signing keys come from
							// the stand-in (no network in tests); everything else (the Stripe double) passes.
							outboundService: async (request: Request) => {
								const host = new URL(request.url).hostname;
								if (host === `${ACCESS_TEAM}.cloudflareaccess.com`) {
									return new Response(inject("accessJwks"), { headers: { "content-type": "application/json" } });
								}
								// Any other team: Access's answer for an organization that does not exist.
								if (host.endsWith(".cloudflareaccess.com")) return new Response("Not Found", { status: 404 });
								// Miniflare's Request is not Node's: pass it on field by field.
								const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
								return fetch(request.url, { method: request.method, headers: request.headers, body, redirect: "manual" });
							},
						},
					})),
				],
				test: {
					name: "worker",
					include: ["test/worker/**/*.test.ts"],
					globalSetup: ["test/stripe/global-setup.ts"],
					testTimeout: 60_000,
				},
			},
			{
				test: {
					name: "deploy",
					include: ["test/deploy/**/*.test.ts"],
					environment: "node",
					testTimeout: 120_000,
					hookTimeout: 120_000,
					fileParallelism: false,
				},
			},
			{
				test: {
					name: "browser",
					include: ["test/browser/**/*.test.ts"],
					environment: "node",
					testTimeout: 120_000,
					hookTimeout: 120_000,
					fileParallelism: false,
				},
			},
		],
	},
});
