// Runs one of the publisher's TypeScript commands (scripts/*.ts), which import
// the worker's own modules (src/stripe/...: the one list of handled events,
// the pinned API version). Node cannot run those files as they are (imports
// without extensions, TypeScript-only syntax), so esbuild bundles the command
// the way wrangler bundles the worker, into dist/scripts/, and Node runs that.
// Packages stay external (resolved from node_modules).
//
//   node scripts/run.mjs scripts/stripe-setup.ts <args...>
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
	console.error("usage: node scripts/run.mjs scripts/<command>.ts [args...]");
	process.exit(2);
}

const result = await build({
	absWorkingDir: root,
	entryPoints: [entry],
	bundle: true,
	platform: "node",
	format: "esm",
	target: "node22",
	packages: "external",
	sourcemap: "inline",
	write: false,
	logLevel: "warning",
});
const outfile = resolve(root, "dist/scripts", basename(entry).replace(/\.ts$/, ".mjs"));
mkdirSync(resolve(outfile, ".."), { recursive: true });
// Atomic: two runs at once (tests) never import a half-written file.
const temp = `${outfile}.${process.pid}.tmp`;
writeFileSync(temp, result.outputFiles[0].contents);
renameSync(temp, outfile);

process.argv = [process.argv[0], resolve(root, entry), ...args];
await import(pathToFileURL(outfile).href);
