/** The server-rendered pages' frame and style sheet (no inline script or style: the CSP forbids both). */
import { html, type Safe } from './escape.js';

export function page(title: string, body: Safe, opts: { signedIn?: string; csrf?: string } = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<header class="top"><a href="/" class="brand">Outpost mail</a>
${opts.signedIn
  ? html`<nav><a href="/account">Account</a> <a href="/guide">Settings guide</a> <a href="/guide/sheet">Print sheet</a>
<form method="post" action="/signout" class="inline"><input type="hidden" name="csrf" value="${opts.csrf ?? ''}"><button type="submit">Sign out ${opts.signedIn}</button></form></nav>`
  : html`<nav><a href="/signin">Sign in</a> <a href="/signup">Sign up</a></nav>`}
</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.text;
}

export const STYLE_CSS = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header.top { display: flex; justify-content: space-between; align-items: center; padding: .6em 1.2em; background: #1f4e79; color: #fff; }
header.top a { color: #fff; margin-right: 1em; }
.brand { font-weight: bold; text-decoration: none; }
main { max-width: 60em; margin: 1em auto; padding: 0 1em 3em; }
form.inline { display: inline; }
label { display: block; margin: .6em 0 .2em; font-weight: 600; }
input[type=text], input[type=password], input[type=email], select { font: inherit; padding: .35em; width: 22em; max-width: 100%; }
button { font: inherit; padding: .35em 1em; margin-top: .6em; }
.error { background: #fde8e8; border: 1px solid #c0392b; padding: .6em 1em; }
.notice { background: #e8f6ea; border: 1px solid #2e7d32; padding: .6em 1em; }
.secret { font: 1.3em monospace; letter-spacing: .05em; background: #fff; padding: .3em .6em; border: 1px dashed #555; }
table { border-collapse: collapse; background: #fff; margin: .6em 0; }
th, td { border: 1px solid #ccd; padding: .3em .6em; text-align: left; vertical-align: top; }
section.client { background: #fff; border: 1px solid #ccd; padding: .6em 1.2em; margin: 1.2em 0; }
ol.steps > li { margin: 1em 0; }
figure { margin: .6em 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #ccd; }
.qr svg { width: 220px; height: 220px; }
.sheet td.v { font: 1.1em monospace; }
@media print { header.top, .noprint { display: none; } body { background: #fff; } main { margin: 0; } }
`;
