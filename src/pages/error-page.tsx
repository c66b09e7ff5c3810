// A donor's form post that fails (the no-JavaScript donate page, the portal
// button on the thank-you page) gets a page to read, not our JSON error: the
// same status, code and message, and a way back to the page they came from.
import type { Context } from "hono";
import { describeError } from "../http/errors";
import { isFormPost } from "../http/validate";
import { Layout } from "./layout";

/** Whether a browser navigated here by posting one of the donors' forms (checkout, portal). */
export const isFormNavigation = (c: Context) =>
	isFormPost(c) && (c.req.header("Accept") ?? "").includes("text/html") && new URL(c.req.url).pathname.startsWith("/api/campaigns/");

export function errorPage(err: Error, c: Context): Response | Promise<Response> {
	const { status, code, message, headers } = describeError(err, c);
	const referer = c.req.header("Referer");
	const back = referer && URL.canParse(referer) && new URL(referer).origin === new URL(c.req.url).origin ? referer : null;
	return c.html(
		<Layout title="Your gift could not start">
			<main>
				<h1>Your gift could not start</h1>
				<p>{message}</p>
				<p class="note">
					Nothing was charged. <code>{code}</code>
				</p>
				{back && (
					<p>
						<a href={back}>Back</a>
					</p>
				)}
			</main>
		</Layout>,
		status,
		headers,
	);
}
