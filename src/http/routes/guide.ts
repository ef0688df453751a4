/** The settings guide (per person), the printable settings sheet, and the general help page. */
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { sendPage, type WebContext } from '../context.js';
import { html, raw, type Safe } from '../escape.js';
import { signedInOrRedirect } from '../forms.js';
import { clientGuides, settingsTable, travellingSection } from '../guide.js';
import { clientSettings, httpsOrigin, type ClientSettings } from '../settings.js';

/** A QR code as inline SVG (the qrcode package draws paths with presentation attributes only). */
export async function qrSvg(text: string): Promise<Safe> {
  return raw(await QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }));
}

function displayName(address: string): string {
  const local = address.split('@')[0] ?? address;
  return local.charAt(0).toUpperCase() + local.slice(1);
}

function guideBody(s: ClientSettings, welcome: boolean): Safe {
  const guides = clientGuides(s, displayName(s.address));
  return html`${welcome ? html`<p class="notice" id="welcome">Your mailbox <strong>${s.address}</strong> is ready. Here is how to set up your mail program.</p>` : ''}
<h2>Your settings</h2>
${settingsTable(s)}
<p class="noprint"><a href="/guide/sheet">Printable settings sheet</a> · <a href="/account#phone">Set up a phone with a QR code</a></p>
<h2>Step by step</h2>
<p class="noprint">${guides.map((g, i) => html`${i ? ' · ' : ''}<a href="#${g.id}">${g.name}</a>`)}</p>
${guides.map(
  (g) => html`<section class="client" id="${g.id}"><h3>${g.name}</h3><ol class="steps">
${g.steps.map((st) => html`<li><p>${st.text}</p>${st.picture ? html`<figure>${st.picture}</figure>` : ''}</li>`)}
</ol></section>`,
)}
${travellingSection(s)}`;
}

export function guideRoutes(app: FastifyInstance, ctx: WebContext): void {
  const config = ctx.services.config;

  app.get('/guide', async (req, reply) => {
    const who = await signedInOrRedirect(ctx, req, reply);
    if (!who) return reply;
    const s = clientSettings(config, who.mailbox.address, who.mailbox.domain);
    const welcome = (req.query as Record<string, string | undefined>).welcome === '1';
    return sendPage(reply, 'Settings guide', guideBody(s, welcome), who);
  });

  app.get('/guide/sheet', async (req, reply) => {
    const who = await signedInOrRedirect(ctx, req, reply);
    if (!who) return reply;
    const s = clientSettings(config, who.mailbox.address, who.mailbox.domain);
    const url = `${httpsOrigin(config)}/guide`;
    return sendPage(
      reply,
      'My mail settings',
      html`<p>Write your settings down: this sheet holds everything any mail program needs, except your password. Keep the password somewhere else.</p>
${settingsTable(s)}
<p>Address: <strong>${s.address}</strong></p>
<p>Webmail and help: <strong>${httpsOrigin(config)}</strong></p>
<div class="qr" id="sheet-qr">${await qrSvg(url)}</div>
<p>Scan to open your step-by-step guide on a phone.</p>
<p class="noprint"><a href="/guide">Back to the guide</a> — use your browser's Print command to print this page.</p>`,
      who,
    );
  });

  app.get('/help', async (req, reply) => {
    const who = await ctx.sessions.current(req);
    const domain = config.server.domain;
    const s = clientSettings(config, `you@${domain}`, domain);
    return sendPage(reply, 'Mail settings', html`<p class="noprint">Sign in to see these with your own address filled in.</p>${guideBody(s, false)}`, who);
  });
}
