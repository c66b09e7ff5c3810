// Serves the Stripe double (double.ts) over node:http on 127.0.0.1, for the
// workerd tests (via vitest globalSetup), browser tests and benchmarks.
// Node only.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createStripeDouble, type StripeDouble } from "./double.ts";

export interface RunningStripeDouble {
	/** e.g. http://127.0.0.1:43123 (no trailing slash). */
	url: string;
	double: StripeDouble;
	close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

function toRequest(req: IncomingMessage, body: Buffer, fallbackHost: string): Request {
	const headers = new Headers();
	for (const [name, value] of Object.entries(req.headers)) {
		if (value === undefined) continue;
		headers.set(name, Array.isArray(value) ? value.join(", ") : value);
	}
	const host = req.headers.host ?? fallbackHost;
	const method = (req.method ?? "GET").toUpperCase();
	const hasBody = method !== "GET" && method !== "HEAD" && body.length > 0;
	return new Request(`http://${host}${req.url ?? "/"}`, {
		method,
		headers,
		body: hasBody ? new Uint8Array(body) : undefined,
	});
}

async function serve(double: StripeDouble, req: IncomingMessage, res: ServerResponse, fallbackHost: string): Promise<void> {
	try {
		const body = await readBody(req);
		const response = await double.handle(toRequest(req, body, fallbackHost));
		const payload = Buffer.from(await response.arrayBuffer());
		const headers: Record<string, string> = {};
		response.headers.forEach((value, name) => {
			headers[name] = value;
		});
		headers["content-length"] = String(payload.length);
		res.writeHead(response.status, headers);
		res.end(req.method === "HEAD" ? undefined : payload);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
		res.end(
			JSON.stringify({
				error: { type: "api_error", message: `Stripe double: ${message}` },
			}),
		);
	}
}

/** Starts the double on 127.0.0.1:`port` (0 = a free port). */
export async function startStripeDouble(port = 0): Promise<RunningStripeDouble> {
	const double = createStripeDouble();
	let fallbackHost = `127.0.0.1:${port}`;
	const server = createServer((req, res) => {
		void serve(double, req, res, fallbackHost);
	});
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(port, "127.0.0.1", () => {
			server.off("error", reject);
			resolve();
		});
	});
	const address = server.address() as AddressInfo;
	fallbackHost = `127.0.0.1:${address.port}`;
	const url = `http://${fallbackHost}`;
	return {
		url,
		double,
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.close((error) => (error ? reject(error) : resolve()));
				server.closeAllConnections();
			}),
	};
}
