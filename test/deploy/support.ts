// Running the publisher's commands (npm run stripe:setup, npm run doctor) in
// tests, and a stand-in for wrangler that records `wrangler secret put` calls
// instead of reaching Cloudflare. Commands run as child processes (async: the
// Stripe double serves from this process).
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface CommandResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs `command args` in the project root with `env` over the test's own environment. */
export function run(command: string, args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
	return new Promise((ok, fail) => {
		const child = spawn(command, args, {
			cwd: ROOT,
			env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", ...env },
			stdio: ["ignore", "pipe", "pipe"],
		});
		let stdout = "";
		let stderr = "";
		child.stdout.on("data", (chunk) => {
			stdout += chunk;
		});
		child.stderr.on("data", (chunk) => {
			stderr += chunk;
		});
		const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
		child.on("error", fail);
		child.on("close", (code) => {
			clearTimeout(timer);
			ok({ code, stdout, stderr });
		});
	});
}

/** `npm run stripe:setup -- <args>` without npm (so a fake wrangler on PATH comes first): what the npm script runs. */
export function stripeSetup(args: string[], env: Record<string, string>): Promise<CommandResult> {
	return run(process.execPath, ["scripts/run.mjs", "scripts/stripe-setup.ts", ...args], env);
}

/** `npm run doctor -- <args>`. */
export function doctor(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
	return run("npm", ["run", "--silent", "doctor", "--", ...args], { ADMIN_TOKEN: "", ...env });
}

export interface FakeWrangler {
	/** Put first on PATH. */
	dir: string;
	/** The `wrangler secret put NAME` calls so far: name and the value it read on stdin. */
	puts(): { name: string; value: string; args: string }[];
	/** The latest value stored for `name`. */
	secret(name: string): string | undefined;
}

/** A `wrangler` that records what it was asked to store; `failing` makes it exit 1 like a logged-out wrangler. */
export function fakeWrangler(options: { failing?: boolean } = {}): FakeWrangler {
	const dir = mkdtempSync(join(tmpdir(), "fake-wrangler-"));
	const log = join(dir, "calls.jsonl");
	const script = `#!/usr/bin/env node
const fs = require("node:fs");
const value = fs.readFileSync(0, "utf8");
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args: process.argv.slice(2), value }) + "\\n");
if (${options.failing ? "true" : "false"}) {
	console.error("Not logged in. Run wrangler login.");
	process.exit(1);
}
console.log("Success! Uploaded secret " + process.argv[4]);
`;
	writeFileSync(join(dir, "wrangler"), script);
	chmodSync(join(dir, "wrangler"), 0o755);
	const puts = () =>
		existsSync(log)
			? readFileSync(log, "utf8")
					.trim()
					.split("\n")
					.filter(Boolean)
					.map((line) => JSON.parse(line) as { args: string[]; value: string })
					.map(({ args, value }) => ({ name: args[2] ?? "", value, args: args.join(" ") }))
			: [];
	return {
		dir,
		puts,
		secret: (name) =>
			puts()
				.filter((p) => p.name === name)
				.at(-1)?.value,
	};
}

/** The environment for stripe:setup against the double, with the fake wrangler first on PATH. */
export function setupEnv(doubleUrl: string, wrangler: FakeWrangler, key = "sk_test_setup"): Record<string, string> {
	return { STRIPE_SECRET_KEY: key, STRIPE_API_URL: doubleUrl, PATH: `${wrangler.dir}:${process.env.PATH ?? ""}` };
}
