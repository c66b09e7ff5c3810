// Starts the real worker with `wrangler dev` (workerd, local KV/DO/Cache) on a
// free loopback port, for browser tests and load scripts. Each instance gets its
// own persisted state directory unless one is given.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface RunningWorker {
	url: string;
	port: number;
	persistDir: string;
	stop(): Promise<void>;
	output(): string;
}

export interface WorkerOptions {
	vars?: Record<string, string>;
	persistDir?: string;
	port?: number;
	/** The checkout to run (default: this one); `npm run bench` runs a baseline commit's from a copy. */
	root?: string;
}

const root = resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
	return new Promise((ok, fail) => {
		const server = createServer();
		server.unref();
		server.on("error", fail);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			const port = typeof address === "object" && address ? address.port : 0;
			server.close(() => ok(port));
		});
	});
}

/**
 * A worker on a free port that talks to the Stripe double at `stripeApiUrl`
 * with these secrets; checkout is allowed from its own origin and `allowedOrigins`.
 */
export async function startWorkerWithStripe(
	stripeApiUrl: string,
	secrets: { webhookSecret: string; adminToken: string },
	{ allowedOrigins = [], vars = {} }: { allowedOrigins?: string[]; vars?: Record<string, string> } = {},
): Promise<RunningWorker> {
	const port = await freePort();
	return startWorker({
		port,
		vars: {
			STRIPE_SECRET_KEY: "sk_test_browser",
			STRIPE_WEBHOOK_SECRET: secrets.webhookSecret,
			ADMIN_TOKEN: secrets.adminToken,
			STRIPE_API_URL: stripeApiUrl,
			ALLOWED_ORIGINS: [...allowedOrigins, `http://127.0.0.1:${port}`].join(","),
			...vars,
		},
	});
}

export async function startWorker(options: WorkerOptions = {}): Promise<RunningWorker> {
	const port = options.port ?? (await freePort());
	const inspectorPort = await freePort();
	const persistDir = options.persistDir ?? mkdtempSync(join(tmpdir(), "donation-widget-"));
	const args = [
		"wrangler",
		"dev",
		"--ip",
		"127.0.0.1",
		"--port",
		String(port),
		"--inspector-port",
		String(inspectorPort),
		"--persist-to",
		persistDir,
		"--show-interactive-dev-session=false",
		"--log-level",
		"warn",
	];
	for (const [key, value] of Object.entries(options.vars ?? {})) args.push("--var", `${key}:${value}`);
	const child: ChildProcess = spawn("npx", args, {
		cwd: options.root ?? root,
		env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
		stdio: ["ignore", "pipe", "pipe"],
		detached: true,
	});
	let log = "";
	child.stdout?.on("data", (chunk) => {
		log += chunk;
	});
	child.stderr?.on("data", (chunk) => {
		log += chunk;
	});
	const url = `http://127.0.0.1:${port}`;
	const stop = async () => {
		if (child.exitCode !== null || child.pid === undefined) return;
		const exited = new Promise((ok) => child.once("exit", ok));
		try {
			process.kill(-child.pid, "SIGTERM");
		} catch {}
		await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
		try {
			process.kill(-child.pid, "SIGKILL");
		} catch {}
	};
	const deadline = Date.now() + 60_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${log}`);
		try {
			const res = await fetch(`${url}/healthz`);
			if (res.ok) return { url, port, persistDir, stop, output: () => log };
		} catch {}
		await new Promise((ok) => setTimeout(ok, 250));
	}
	await stop();
	throw new Error(`wrangler dev did not answer on ${url} within 60 s:\n${log}`);
}
