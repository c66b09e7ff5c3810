// What Cloudflare's git-connected builds and the Deploy to Cloudflare button
// do: check out the repository, install the packages and run
// `npx wrangler deploy`, no npm script in between. Here: a copy of exactly the
// files git would check out (committed or about to be, none of the ignored
// build outputs), the project's node_modules, and `npx wrangler deploy
// --dry-run`, which must build the widget and the admin assets itself
// (wrangler.toml [build]) and deploy them as static assets.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const clone = mkdtempSync(join(tmpdir(), "donation-widget-clone-"));

afterAll(() => {
	rmSync(clone, { recursive: true, force: true });
});

/** The files a clone of this working tree would have: tracked ones and new ones not ignored. */
function checkoutFiles(): string[] {
	const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
	return listed
		.split("\0")
		.filter((path) => path && path !== "node_modules" && !path.startsWith("node_modules/"))
		.filter((path) => existsSync(resolve(root, path)));
}

describe("a fresh clone", () => {
	it("deploys with `npx wrangler deploy` alone: wrangler runs the build, then uploads the assets", () => {
		for (const path of checkoutFiles()) {
			mkdirSync(dirname(join(clone, path)), { recursive: true });
			cpSync(resolve(root, path), join(clone, path));
		}
		// `npm ci` in a real build; the same packages here (no script of ours runs at install).
		symlinkSync(resolve(root, "node_modules"), join(clone, "node_modules"));
		expect(JSON.parse(readFileSync(join(clone, "package.json"), "utf8")).scripts).not.toHaveProperty("prepare");
		for (const output of ["dist", "widget/dist", "src/generated"])
			expect([output, existsSync(join(clone, output))]).toEqual([output, false]);

		const run = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", join(clone, "out")], {
			cwd: clone,
			env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
			encoding: "utf8",
			timeout: 120_000,
		});
		const output = `${run.stdout}\n${run.stderr}`;
		expect(run.status, output).toBe(0);
		expect(output).toContain("[custom build] Running: node scripts/build.mjs");
		expect(output).toMatch(/Read \d+ files from the assets directory .*dist\/assets/);
		expect(output).toMatch(/env\.TOTALS\s+KV Namespace/);
		for (const asset of ["widget.js", "admin.js", "site.css", "_headers"]) {
			expect([asset, existsSync(join(clone, "dist/assets", asset))]).toEqual([asset, true]);
		}
		expect(readFileSync(join(clone, "dist/assets/widget.js"), "utf8")).toBe(readFileSync(resolve(root, "dist/assets/widget.js"), "utf8"));
		expect(existsSync(join(clone, "out/index.js"))).toBe(true);
	});

	it("holds no account-specific ids in wrangler.toml", () => {
		const toml = readFileSync(resolve(root, "wrangler.toml"), "utf8");
		const lines = toml.split("\n").filter((line) => !line.trim().startsWith("#"));
		// KV by automatic provisioning; no account id, no database or namespace ids.
		expect(lines.filter((line) => /^\s*(id|account_id|preview_id|database_id)\s*=/.test(line))).toEqual([]);
		expect(toml).toMatch(/\[\[kv_namespaces\]\]\s*\nbinding = "TOTALS"\s*\n/);
	});
});
