import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Two projects:
// - "worker": tests that run inside workerd (Miniflare) with real KV, Durable
//   Objects, Cache and rate limiting, talking to the local Stripe double.
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
								STRIPE_WEBHOOK_SECRET: "whsec_test_secret",
								ADMIN_TOKEN: "test-admin-token",
								ALLOWED_ORIGINS: "https://publisher.example,http://localhost:8787",
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
