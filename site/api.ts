// The admin page's line to the admin API: same origin, the token from this
// tab's sessionStorage (none behind Cloudflare Access), JSON for every change.
export const TOKEN_KEY = "donation-admin-token";

export const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export function showSignedIn(signedIn: boolean): void {
	byId("login").hidden = signedIn;
	byId("app").hidden = !signedIn;
	if (!signedIn) byId("token").focus();
}

/** The status line under the period's buttons. */
export const say = (text: string) => {
	byId("status").textContent = text;
};

export async function api(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	// No token stored: Cloudflare Access (when set up) signs the request in on its own.
	const token = sessionStorage.getItem(TOKEN_KEY);
	if (token) headers.set("Authorization", `Bearer ${token}`);
	// Every change is JSON, even without a body: the worker refuses anything a cross-site form could send.
	const changes = (init.method ?? "GET") !== "GET";
	const body = changes ? JSON.stringify(init.json ?? {}) : undefined;
	if (changes) headers.set("Content-Type", "application/json");
	const res = await fetch(`/api/admin${path}`, { ...init, headers, body });
	if (res.status === 401) {
		// Forget the token only if it is still the one that failed (a sign-in may have happened meanwhile).
		if (sessionStorage.getItem(TOKEN_KEY) === token) {
			sessionStorage.removeItem(TOKEN_KEY);
			showSignedIn(false);
		}
		throw new Error(token ? "Wrong token: please sign in again." : "Please sign in.");
	}
	if (!res.ok) {
		let message = `${res.status} ${res.statusText}`;
		try {
			message = ((await res.json()) as { error: { message: string } }).error.message;
		} catch {}
		throw new Error(message);
	}
	return res;
}

export const getJson = async <T>(path: string): Promise<T> => (await api(path)).json() as Promise<T>;

/** Downloads what the admin API answers at `path` as a file named `filename`. */
export async function saveFile(path: string, filename: string): Promise<void> {
	const url = URL.createObjectURL(await (await api(path)).blob());
	const link = document.createElement("a");
	link.href = url;
	link.download = filename;
	document.body.append(link);
	link.click();
	link.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A period's donations as CSV or JSON (the admin export). */
export const saveDonations = (campaign: string, period: number, format: "csv" | "json") =>
	saveFile(`/campaigns/${campaign}/donations?format=${format}&period=${period}`, `donations-${campaign}-period-${period}.${format}`);
