// Static weights: the widget script (raw, gzip, brotli) and the worker bundle
// as `wrangler deploy --dry-run` builds it.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = resolve(import.meta.dirname, "..");

export interface Weight {
	raw: number;
	gzip: number;
	brotli: number;
}

export function weigh(bytes: Buffer): Weight {
	return {
		raw: bytes.length,
		gzip: gzipSync(bytes, { level: 9 }).length,
		brotli: brotliCompressSync(bytes, {
			params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
		}).length,
	};
}

export function widgetWeight(): Weight & { path: string } {
	const path = resolve(root, "widget/dist/widget.js");
	return { path: "widget/dist/widget.js", ...weigh(readFileSync(path)) };
}

export interface BundleWeight {
	files: { name: string; raw: number; gzip: number }[];
	raw: number;
	gzip: number;
	/** What wrangler itself printed ("Total Upload: ... / gzip: ..."), if anything. */
	wranglerSays: string | null;
	seconds: number;
}

function listFiles(dir: string, prefix = ""): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = join(dir, name);
		return statSync(full).isDirectory() ? listFiles(full, `${prefix}${name}/`) : [`${prefix}${name}`];
	});
}

/** Runs `npx wrangler deploy --dry-run --outdir <tmp>` and weighs the modules it wrote (not source maps, not its README.md). */
export async function bundleWeight(): Promise<BundleWeight> {
	const out = mkdtempSync(join(tmpdir(), "donation-widget-bundle-"));
	const t0 = performance.now();
	try {
		const output = await new Promise<string>((ok, fail) => {
			const child = spawn("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out], {
				cwd: root,
				env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
				stdio: ["ignore", "pipe", "pipe"],
			});
			let log = "";
			child.stdout.on("data", (chunk) => {
				log += chunk;
			});
			child.stderr.on("data", (chunk) => {
				log += chunk;
			});
			const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
			child.on("exit", (code) => {
				clearTimeout(timer);
				if (code === 0) ok(log);
				else fail(new Error(`wrangler deploy --dry-run exited ${code}:\n${log}`));
			});
		});
		const files = listFiles(out)
			.filter((name) => !name.endsWith(".map") && name !== "README.md")
			.map((name) => {
				const bytes = readFileSync(join(out, name));
				return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
			});
		const said = /Total Upload:[^\n]*/.exec(output);
		return {
			files,
			raw: files.reduce((a, f) => a + f.raw, 0),
			gzip: files.reduce((a, f) => a + f.gzip, 0),
			wranglerSays: said ? said[0].trim() : null,
			seconds: (performance.now() - t0) / 1000,
		};
	} finally {
		rmSync(out, { recursive: true, force: true });
	}
}
