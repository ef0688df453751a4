/** Console pages: server status, and domains (add, DKIM keys, the DNS records to publish with a live check). */
import type { FastifyInstance } from 'fastify';
import { isOutpostError } from '../lib/errors.js';
import type { WebContext } from '../http/context.js';
import { html } from '../http/escape.js';
import { adminPage, adminPost } from './guard.js';
import { age, bytes, consolePage, csrfField, when } from './layout.js';
import { serverStatus } from './status.js';
import { liveDnsCheck } from './dns-live.js';

const DONE: Record<string, string> = { added: 'The domain is added, with a DKIM key. Publish the records below.', dkim: 'A new DKIM key is added. Publish its record.' };

export function statusDomainRoutes(app: FastifyInstance, ctx: WebContext): void {
  const { accounts, store } = ctx.services;

  app.get('/admin', async (req, reply) => {
    const who = await adminPage(ctx, req, reply);
    if (!who) return reply;
    const s = await serverStatus(ctx.services);
    const cert = 'error' in s.certificate ? html`<td class="fail">cannot read: ${s.certificate.error}</td>` : html`<td class="${s.certificate.daysLeft < 14 ? 'fail' : 'ok'}" id="cert-expiry">${s.certificate.subject}${s.certificate.selfSigned ? ' (self-signed)' : ''}, valid until ${when(s.certificate.validTo)} (${s.certificate.daysLeft} days left)</td>`;
    return consolePage(
      reply,
      who,
      'Server status',
      html`<table id="status">
<tr><th>Version</th><td id="version">Outpost ${s.version}</td></tr>
<tr><th>Host name</th><td>${s.hostname}</td></tr>
<tr><th>Ready</th><td id="ready" class="${s.ready.ready ? 'ok' : 'fail'}">${s.ready.ready ? 'yes' : `no: ${s.ready.problems.join('; ')}`}</td></tr>
<tr><th>Certificate</th>${cert}</tr>
<tr><th>Outbound queue</th><td id="queue-summary">${s.queue.size} waiting${s.queue.size ? `, ${s.queue.retrying} retrying, oldest ${age(s.queue.oldestAgeMs)}` : ''}</td></tr>
<tr><th>Store</th><td id="store">${s.store.description}${s.store.bytes === null ? '' : `, ${bytes(s.store.bytes)}`}</td></tr>
</table>
<h2>Listeners</h2>
<table id="listeners"><tr><th>Role</th><th>Address</th></tr>
${s.listeners.map((l) => html`<tr><td>${l.role}</td><td>${l.addresses.join(', ')}</td></tr>`)}</table>`,
    );
  });

  app.get('/admin/domains', async (req, reply) => {
    const who = await adminPage(ctx, req, reply);
    if (!who) return reply;
    const domains = await store.listDomains();
    return consolePage(
      reply,
      who,
      'Domains',
      html`<table id="domains"><tr><th>Domain</th><th>Administrator</th><th>Sign-up</th><th>Created</th></tr>
${domains.map((d) => html`<tr><td><a href="/admin/domains/${d.name}">${d.name}</a></td><td>${d.adminAddress ?? '-'}</td><td>${d.signupPolicy}</td><td>${when(d.createdAt)}</td></tr>`)}</table>
<h2>Add a domain</h2>
<form method="post" action="/admin/domains">${csrfField(who)}<label for="domain">Domain name</label><input type="text" id="domain" name="domain" required><button type="submit" id="add-domain">Add domain</button></form>
<p>Same as <code>outpost domain add NAME</code>.</p>`,
      { ...(typeof (req.query as { error?: string }).error === 'string' ? { error: (req.query as { error: string }).error } : {}) },
    );
  });

  app.post('/admin/domains', async (req, reply) => {
    const r = await adminPost(ctx, req, reply);
    if (!r) return reply;
    try {
      const d = await accounts.addDomain(r.form.domain ?? '');
      return reply.code(303).header('location', `/admin/domains/${encodeURIComponent(d.name)}?done=added`).send();
    } catch (e) {
      if (!isOutpostError(e)) throw e;
      return reply.code(303).header('location', `/admin/domains?error=${encodeURIComponent(e.message)}`).send();
    }
  });

  app.get('/admin/domains/:name', async (req, reply) => {
    const who = await adminPage(ctx, req, reply);
    if (!who) return reply;
    const name = (req.params as { name: string }).name.toLowerCase();
    const domain = await store.getDomain(name);
    if (!domain) return consolePage(reply, who, 'No such domain', html`<p>${name} is not hosted here.</p>`, { status: 404 });
    const keys = await store.listDkimKeys(name);
    const live = await liveDnsCheck(ctx.services, name);
    const query = req.query as { done?: string; error?: string };
    const done = DONE[query.done ?? ''];
    return consolePage(
      reply,
      who,
      `Domain ${name}`,
      html`<h2>DKIM keys</h2>
<table id="dkim"><tr><th>Selector</th><th>Algorithm</th><th>State</th><th>Created</th></tr>
${keys.map((k) => html`<tr><td>${k.selector}</td><td>${k.algorithm}</td><td>${k.active ? 'signing' : 'retiring'}</td><td>${when(k.createdAt)}</td></tr>`)}</table>
<form method="post" action="/admin/domains/${name}/dkim">${csrfField(who)}
<label for="selector">Selector of the new key</label><input type="text" id="selector" name="selector" value="s${new Date(ctx.services.now()).toISOString().slice(0, 10).replace(/-/g, '')}">
<label for="algorithm">Algorithm</label><select id="algorithm" name="algorithm"><option value="rsa-sha256">RSA (every receiver checks it)</option><option value="ed25519-sha256">Ed25519 (RFC 8463; publish beside an RSA key)</option></select>
<button type="submit" id="add-dkim">Add a new DKIM key</button></form>
<h2>DNS records to publish, and what is published now</h2>
<table id="dns"><tr><th>Record</th><th>Now</th></tr>
${live.map((l) => html`<tr class="${l.verdict.status}"><td><code>${l.zone.line}</code></td><td data-status="${l.verdict.status}">${l.verdict.status.toUpperCase()}: ${l.verdict.detail}</td></tr>`)}</table>
<p>Same as <code>outpost dns ${name}</code> and <code>outpost check</code>.</p>`,
      { ...(done ? { done } : {}), ...(query.error ? { error: query.error } : {}) },
    );
  });

  app.post('/admin/domains/:name/dkim', async (req, reply) => {
    const r = await adminPost(ctx, req, reply);
    if (!r) return reply;
    const name = (req.params as { name: string }).name.toLowerCase();
    const algorithm = r.form.algorithm === 'ed25519-sha256' ? 'ed25519-sha256' : 'rsa-sha256';
    try {
      await accounts.addDkimKey(name, algorithm, (r.form.selector ?? '').trim() || undefined);
    } catch (e) {
      if (!isOutpostError(e)) throw e;
      return reply.code(303).header('location', `/admin/domains/${encodeURIComponent(name)}?error=${encodeURIComponent(e.message)}`).send();
    }
    return reply.code(303).header('location', `/admin/domains/${encodeURIComponent(name)}?done=dkim`).send();
  });
}
