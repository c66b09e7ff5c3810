// A second checkout for "before and after in one run": `BENCH_BASELINE=<commit>
// npm run bench` exports that commit's tree (git archive) into a temporary
// directory, links this checkout's node_modules into it and builds its widget
// and site, so the bench can start that commit's worker beside this one's.
import { execFileSync, execSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Baseline {
	/** Short hash and subject line of the commit. */
	commit: string;
	subject: string;
	/** The exported checkout, for startWorker's `root`. */
	root: string;
	remove(): void;
}

export function prepareBaseline(repo: string, revision: string): Baseline {
	const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
	const full = git("rev-parse", "--verify", `${revision}^{commit}`);
	const commit = git("rev-parse", "--short", full);
	const subject = git("log", "-1", "--format=%s", full);
	const root = mkdtempSync(join(tmpdir(), `donation-widget-baseline-${commit}-`));
	execSync(`git archive ${full} | tar -x -C ${JSON.stringify(root)}`, { cwd: repo, stdio: ["ignore", "ignore", "inherit"] });
	symlinkSync(realpathSync(join(repo, "node_modules")), join(root, "node_modules"));
	execFileSync("npm", ["run", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
	return { commit, subject, root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
