// A stand-in for Cloudflare Access in worker tests: an RSA key pair whose
// public half is served as the team's signing keys (the worker's outbound
// fetch to <team>.cloudflareaccess.com is routed here by vitest.config.ts), and
// whose private half signs test JWTs the way Access does (RS256, kid).
export const ACCESS_TEAM = "donations-test";
export const ACCESS_AUD = "test-aud-4b1d";
export const ACCESS_ISSUER = `https://${ACCESS_TEAM}.cloudflareaccess.com`;
export const ACCESS_KID = "test-kid-1";

export interface AccessKeys {
	/** `{"keys": [...]}` as Access serves it at /cdn-cgi/access/certs. */
	jwks: string;
	privateJwk: JsonWebKey;
}

const RSA = { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };

export async function generateAccessKeys(): Promise<AccessKeys> {
	const pair = (await crypto.subtle.generateKey(RSA, true, ["sign", "verify"])) as CryptoKeyPair;
	const publicJwk = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
	const privateJwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
	return { jwks: JSON.stringify({ keys: [{ ...publicJwk, kid: ACCESS_KID, alg: "RS256", use: "sig" }] }), privateJwk };
}

const b64url = (bytes: Uint8Array) =>
	btoa(String.fromCharCode(...bytes))
		.replace(/\+/g, "-")
		.replace(/\//g, "_")
		.replace(/=+$/, "");
const encode = (value: unknown) => b64url(new TextEncoder().encode(JSON.stringify(value)));

/** A signed Access JWT; `claims` override the valid defaults (aud, iss, exp, email). */
export async function accessJwt(
	privateJwk: JsonWebKey,
	claims: Record<string, unknown> = {},
	header: Record<string, unknown> = {},
): Promise<string> {
	const now = Math.floor(Date.now() / 1000);
	const payload = {
		aud: [ACCESS_AUD],
		iss: ACCESS_ISSUER,
		email: "editor@news.example",
		sub: "user-1",
		iat: now,
		nbf: now,
		exp: now + 600,
		...claims,
	};
	const input = `${encode({ alg: "RS256", kid: ACCESS_KID, typ: "JWT", ...header })}.${encode(payload)}`;
	const key = await crypto.subtle.importKey("jwk", privateJwk, RSA, false, ["sign"]);
	const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(input)));
	return `${input}.${b64url(signature)}`;
}

declare module "vitest" {
	export interface ProvidedContext {
		/** The stand-in's served keys and the key that signs test JWTs (provided by test/stripe/global-setup.ts). */
		accessJwks: string;
		accessPrivateJwk: JsonWebKey;
	}
}
