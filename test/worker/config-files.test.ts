// The files a publisher's deploy reads, kept in step with the code:
// .dev.vars.example (the Deploy to Cloudflare button offers its entries as
// secrets, values pre-filled) holds placeholders the worker recognizes, so
// accepting them turns nothing on; package.json `cloudflare.bindings`
// describes every secret and var the button shows.
import { describe, expect, it } from "vitest";
import devVarsExample from "../../.dev.vars.example?raw";
import packageJson from "../../package.json";
import { EXAMPLE_ADMIN_TOKEN } from "../../src/config";
import { EXAMPLE_STRIPE_SECRET_KEY, EXAMPLE_WEBHOOK_SECRET } from "../../src/routes/admin-config";
import wranglerToml from "../../wrangler.toml?raw";

/** KEY=value lines of a dotenv file. */
function dotenv(text: string): Record<string, string> {
	const entries = text
		.split("\n")
		.map((line) => line.trim())
		.filter((line) => line && !line.startsWith("#"))
		.map((line) => {
			const at = line.indexOf("=");
			return [line.slice(0, at), line.slice(at + 1)] as const;
		});
	return Object.fromEntries(entries);
}

/** The names under [vars] in wrangler.toml, the commented-out optional ones included. */
function wranglerVars(toml: string): string[] {
	const section = /^\[vars\]\n([\s\S]*?)(?=^\[)/m.exec(toml)?.[1] ?? "";
	return [...section.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)\s*=/gm)].map((m) => m[1] as string);
}

describe(".dev.vars.example", () => {
	const example = dotenv(devVarsExample);

	it("holds exactly the three secrets, as placeholders the worker knows", () => {
		expect(Object.keys(example)).toEqual(["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "ADMIN_TOKEN"]);
		// The worker refuses this token (#13): accepting the example gives a closed admin.
		expect(example.ADMIN_TOKEN).toBe(EXAMPLE_ADMIN_TOKEN);
		expect(example.ADMIN_TOKEN).toBe("change-me-to-a-long-random-string");
		expect(example.STRIPE_SECRET_KEY).toBe(EXAMPLE_STRIPE_SECRET_KEY);
		expect(example.STRIPE_WEBHOOK_SECRET).toBe(EXAMPLE_WEBHOOK_SECRET);
		// Obviously not real, yet shaped like the real ones.
		expect(example.STRIPE_SECRET_KEY).toMatch(/^sk_test_replace_me$/);
		expect(example.STRIPE_WEBHOOK_SECRET).toMatch(/^whsec_replace_me$/);
	});
});

describe("package.json cloudflare.bindings", () => {
	const bindings: Record<string, { description?: string }> = packageJson.cloudflare.bindings;

	it("describes every secret and every var", () => {
		const names = [...Object.keys(dotenv(devVarsExample)), ...wranglerVars(wranglerToml)];
		expect(names).toEqual(
			expect.arrayContaining(["ADMIN_TOKEN", "ALLOWED_ORIGINS", "DEFAULT_CAMPAIGN", "STRIPE_API_URL", "ACCESS_TEAM", "ACCESS_AUD"]),
		);
		for (const name of names) expect([name, (bindings[name]?.description ?? "").length > 20]).toEqual([name, true]);
	});
});
