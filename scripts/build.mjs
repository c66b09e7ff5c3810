// `npm run build`, and wrangler.toml's `[build] command`: `wrangler dev` and
// `wrangler deploy` run it themselves, so a fresh clone deploys with nothing
// but `npx wrangler deploy` (Cloudflare's git-connected builds and the Deploy
// to Cloudflare button do exactly that).
//
// Writes the Workers Static Assets (wrangler.toml `[assets]`), served without
// invoking the worker:
//   dist/assets/widget.js   the embed script (widget/build.mjs)
//   dist/assets/admin.js    the admin page's script (site/admin.ts)
//   dist/assets/site.css    the worker's pages' stylesheet (site/site.css)
//   dist/assets/_headers    their caching and security headers (copied from site/_headers)
// and, for type checking and the browser tests, widget/dist/{widget.js,
// classes.json, widget.css.d.ts}.
//
// Plain Node (no TypeScript, no npm script needed): Workers Builds run it on
// their own Node. Files are written only when their content changed, each by
// an atomic rename, so several `wrangler dev` instances (the tests start a few)
// can run it at once without serving a half-written file.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { build } from "esbuild";
import { buildWidget } from "../widget/build.mjs";

const root = resolve(import.meta.dirname, "..");
/** The static assets directory: keep in step with wrangler.toml `[assets] directory`. */
const ASSETS_DIR = resolve(root, "dist/assets");

/** Writes `text` to `path` unless it already holds exactly that; returns whether it wrote. */
function writeIfChanged(path, text) {
	try {
		if (readFileSync(path, "utf8") === text) return false;
	} catch {}
	mkdirSync(dirname(path), { recursive: true });
	const temp = `${path}.${process.pid}.tmp`;
	writeFileSync(temp, text);
	renameSync(temp, path);
	return true;
}

/** Minifies one file of the worker's own pages: the admin script (an IIFE) or the stylesheet. */
async function bundleSite(entry, loader) {
	const result = await build({
		absWorkingDir: root,
		entryPoints: [entry],
		bundle: true,
		minify: true,
		format: loader === "ts" ? "iife" : undefined,
		target: loader === "ts" ? "es2022" : "chrome111",
		legalComments: "none",
		charset: "utf8",
		write: false,
		logLevel: "warning",
	});
	const [file] = result.outputFiles;
	if (!file) throw new Error(`esbuild wrote nothing for ${entry}`);
	return file.text;
}

const started = performance.now();
const [widget, adminJs, siteCss] = await Promise.all([
	buildWidget(),
	bundleSite("site/admin.ts", "ts"),
	bundleSite("site/site.css", "css"),
]);
const outputs = [
	[resolve(ASSETS_DIR, "widget.js"), widget.js],
	[resolve(ASSETS_DIR, "admin.js"), adminJs],
	[resolve(ASSETS_DIR, "site.css"), siteCss],
	[resolve(ASSETS_DIR, "_headers"), readFileSync(resolve(root, "site/_headers"), "utf8")],
	[resolve(root, "widget/dist/widget.js"), widget.js],
	[resolve(root, "widget/dist/classes.json"), widget.classes],
	[resolve(root, "widget/dist/widget.css.d.ts"), widget.declaration],
];
const written = outputs.filter(([path, text]) => writeIfChanged(path, text)).map(([path]) => relative(root, path));
console.log(
	`site: admin.js ${adminJs.length} B, site.css ${siteCss.length} B; ` +
		`${written.length ? `wrote ${written.join(", ")}` : "nothing changed"} (${Math.round(performance.now() - started)} ms)`,
);
