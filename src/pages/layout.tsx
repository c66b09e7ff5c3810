// Shared frame of the worker's own HTML pages (demo article, thank-you, donate,
// admin). Styles come from /site.css so the pages run under a CSP with no
// 'unsafe-inline'.
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

export const SITE_CSS = `
:root { color-scheme: light dark; --fg: #1d1d1f; --bg: #fbfbf8; --muted: #5b5b60; --accent: #0b5cad; }
@media (prefers-color-scheme: dark) { :root { --fg: #ececec; --bg: #17181a; --muted: #a5a5ab; --accent: #7fb6ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 18px/1.6 Georgia, "Times New Roman", serif; color: var(--fg); background: var(--bg); }
main { max-width: 44rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
header.site { border-bottom: 1px solid color-mix(in srgb, var(--fg) 15%, transparent); padding: .75rem 1.25rem; font: 600 15px/1.4 system-ui, sans-serif; }
h1 { font-size: 2.1rem; line-height: 1.2; margin: 1.5rem 0 .5rem; }
.byline, .note { color: var(--muted); font: 15px/1.5 system-ui, sans-serif; }
a { color: var(--accent); }
pre { overflow-x: auto; padding: 1rem; border-radius: 8px; background: color-mix(in srgb, var(--fg) 7%, transparent); font-size: 14px; }
/* Reserve the widget's final height before its script runs, so the article
   never shifts (heights from widget/src/widget.css, by the box's width). */
article { container-type: inline-size; }
[data-donation-widget] { display: block; min-height: 292px; }
@container (min-width: 480px) { [data-donation-widget] { min-height: 254px; } }
@container (min-width: 640px) { [data-donation-widget] { min-height: 204px; } }
.amounts { display: flex; flex-wrap: wrap; gap: .5rem; margin: 1rem 0; font-family: system-ui, sans-serif; }
.amounts button, .amounts input { font: inherit; padding: .5rem 1rem; border-radius: 999px; border: 1px solid var(--accent); background: transparent; color: var(--fg); }
.amounts button { cursor: pointer; }
.admin { max-width: 60rem; font: 16px/1.5 system-ui, sans-serif; }
.card { border: 1px solid color-mix(in srgb, var(--fg) 15%, transparent); border-radius: 10px; padding: 1rem 1.25rem; margin: 1rem 0; }
.card label { display: block; margin-top: .75rem; font-weight: 600; }
.card input { display: block; }
.card input, select { font: inherit; padding: .4rem .6rem; width: 100%; max-width: 28rem; color: var(--fg); background: var(--bg); border: 1px solid var(--muted); border-radius: 6px; }
select { width: auto; }
button { font: inherit; padding: .45rem 1rem; margin-top: .75rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: var(--bg); cursor: pointer; }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid color-mix(in srgb, var(--fg) 12%, transparent); }
#bar progress { width: 100%; height: 1.25rem; accent-color: var(--accent); }
`;
