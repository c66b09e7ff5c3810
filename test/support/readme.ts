// The embed snippet the README shows first, read from README.md as it is, so
// the tests and the bench measure exactly what publishers copy.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** The first ```html block of the README's "## Embed" section, pointed at the worker at `origin`. */
export function firstSnippet(origin: string): string {
	const readme = readFileSync(resolve(import.meta.dirname, "../../README.md"), "utf8");
	const embed = readme.slice(readme.indexOf("\n## Embed\n"));
	const block = /```html\n([\s\S]*?)```/.exec(embed)?.[1];
	if (!block) throw new Error("README.md has no html block under ## Embed");
	return block.replaceAll("https://donate.example.org", origin).trim();
}
