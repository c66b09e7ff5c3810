// Who is asking, for the checkout guards: the rate limiter's key for a client
// address, and whether a browser request comes from a page we trust.
import type { Context } from "hono";
import { type AppEnv, allowedOrigins } from "../config";

/** Eight 16-bit groups of an IPv6 address, or null for anything else. */
function ipv6Groups(address: string): number[] | null {
	const [head = "", tail, extra] = address.split("::");
	if (extra !== undefined) return null;
	const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => Number.parseInt(group, 16)));
	const left = parse(head);
	const right = tail === undefined ? [] : parse(tail);
	const missing = 8 - left.length - right.length;
	if ((tail === undefined && missing !== 0) || missing < 0) return null;
	const groups = [...left, ...Array<number>(tail === undefined ? 0 : missing).fill(0), ...right];
	return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/**
 * The rate limiter's key for a client address: an IPv4 address as it is, an
 * IPv6 address by its /64 (one subscriber's block, whose addresses a client
 * can rotate through freely).
 */
export function clientKey(address: string | undefined): string {
	if (!address) return "unknown";
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
	if (mapped?.[1]) return mapped[1];
	if (!address.includes(":")) return address;
	const groups = ipv6Groups(address.split("%")[0] ?? "");
	return groups
		? `${groups
				.slice(0, 4)
				.map((g) => g.toString(16))
				.join(":")}::/64`
		: address;
}

/**
 * Whether a request may start a Checkout: browsers say where they are
 * (Origin), and only the publisher's pages (ALLOWED_ORIGINS) and this worker's
 * own may; a request with no Origin is no browser's (a server, curl) and meets
 * the rate limits alone.
 */
export function fromTrustedPage(c: Context<AppEnv>): boolean {
	const origin = c.req.header("Origin");
	if (origin === undefined) return true;
	return origin === new URL(c.req.url).origin || allowedOrigins(c.env).has(origin);
}
