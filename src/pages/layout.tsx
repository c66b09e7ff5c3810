// Shared frame of the worker's own HTML pages (demo article, thank-you, donate,
// admin). Styles come from /site.css (a static asset) so the pages run under a
// CSP with no 'unsafe-inline'.
import type { Child } from "hono/jsx";

export function Layout(props: { title: string; children: Child; scripts?: string[] }) {
	return (
		<html lang="en">
			<head>
				<meta charset="utf-8" />
				<meta name="viewport" content="width=device-width, initial-scale=1" />
				<title>{props.title}</title>
				<link rel="stylesheet" href="/site.css" />
				{props.scripts?.map((src) => (
					<script src={src} defer />
				))}
			</head>
			<body>{props.children}</body>
		</html>
	);
}
