/**
 * Console pages: mailboxes (search, create, disable/enable, reset password, quota, the subscription's allowance)
 * and, for one mailbox, the support view. Every action is also a CLI verb (`outpost account …`, `outpost support`).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isOutpostError, UserError } from '../lib/errors.js';
import type { WebContext } from '../http/context.js';
import { html } from '../http/escape.js';
import { timeText } from '../http/explain.js';
import { clientSettings } from '../http/settings.js';
import { supportReport } from '../ops/support.js';
import { adminPage, adminPost } from './guard.js';
import { button, bytes, consolePage, csrfField, when } from './layout.js';

/** Mailboxes shown per search: a console page, not an export (the CLI lists everything). */
const SEARCH_RESULTS = 200;
/** Events the support view reads. */
const SUPPORT_EVENTS = 200;

const DONE: Record<string, string> = {
  created: 'The mailbox is created.',
  disabled: 'The mailbox is disabled: it can no longer sign in or receive mail.',
  enabled: 'The mailbox is enabled again.',
  password: 'The password is reset. Every web session of the mailbox has ended.',
  quota: 'The quota is changed.',
  allowance: "The subscription's allowance is changed.",
};

const back = (reply: FastifyReply, address: string, query: string) => reply.code(303).header('location', `/admin/mailboxes/${encodeURIComponent(address)}?${query}`).send();

export function mailboxRoutes(app: FastifyInstance, ctx: WebContext): void {
  const { accounts, store, config } = ctx.services;

  app.get('/admin/mailboxes', async (req, reply) => {
    const who = await adminPage(ctx, req, reply);
    if (!who) return reply;
    const q = ((req.query as { q?: string }).q ?? '').trim().toLowerCase().slice(0, 200);
    const all = await store.listMailboxes();
    const found = all.filter((m) => m.address.includes(q)).slice(0, SEARCH_RESULTS);
    const error = (req.query as { error?: string }).error;
    return consolePage(
      reply,
      who,
      'Mailboxes',
      html`<form method="get" action="/admin/mailboxes"><label for="q">Search</label><input type="text" id="q" name="q" value="${q}"><button type="submit" id="search">Search</button></form>
<p id="count">${found.length} of ${all.length} mailboxes</p>
<table id="mailboxes"><tr><th>Address</th><th>Role</th><th>State</th><th>Used</th><th>Quota</th></tr>
${found.map((m) => html`<tr><td><a href="/admin/mailboxes/${m.address}">${m.address}</a></td><td>${m.role}</td><td>${m.disabled ? 'disabled' : 'active'}</td><td>${bytes(m.usedBytes)}</td><td>${m.quotaBytes ? bytes(m.quotaBytes) : 'none'}</td></tr>`)}</table>
<h2>Create a mailbox</h2>
<form method="post" action="/admin/mailboxes">${csrfField(who)}
<label for="address">Address</label><input type="email" id="address" name="address" required>
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="new-password" required>
<button type="submit" id="create">Create mailbox</button></form>`,
      error ? { error } : {},
    );
  });

  app.post('/admin/mailboxes', async (req, reply) => {
    const r = await adminPost(ctx, req, reply);
    if (!r) return reply;
    try {
      const m = await accounts.addMailbox(r.form.address ?? '', r.form.password ?? '');
      return back(reply, m.address, 'done=created');
    } catch (e) {
      if (!isOutpostError(e)) throw e;
      return reply.code(303).header('location', `/admin/mailboxes?error=${encodeURIComponent(e.message)}`).send();
    }
  });

  app.get('/admin/mailboxes/:address', async (req, reply) => {
    const who = await adminPage(ctx, req, reply);
    if (!who) return reply;
    const m = await accounts.getMailbox((req.params as { address: string }).address).catch(() => null);
    if (!m) return consolePage(reply, who, 'No such mailbox', html`<p>There is no such mailbox.</p>`, { status: 404 });
    const view = await accounts.subscriberView(m.address);
    const query = req.query as { done?: string; error?: string };
    const done = DONE[query.done ?? ''];
    const a = `/admin/mailboxes/${m.address}`;
    return consolePage(
      reply,
      who,
      m.address,
      html`<table id="mailbox">
<tr><th>State</th><td id="state">${m.disabled ? 'disabled' : 'active'}</td></tr>
<tr><th>Role</th><td>${m.role}</td></tr>
<tr><th>Used</th><td>${bytes(m.usedBytes)} of ${m.quotaBytes ? bytes(m.quotaBytes) : 'no quota'}</td></tr>
<tr><th>Subscription</th><td id="subscription">held by ${view.subscriber.holder}: ${view.mailboxes.length} of ${view.subscriber.allowance} mailboxes</td></tr>
<tr><th>Created</th><td>${when(m.createdAt)}</td></tr></table>
<p>${m.disabled ? button(who, `${a}/enable`, 'Enable', 'enable') : button(who, `${a}/disable`, 'Disable', 'disable')} <a href="/admin/support/${m.address}" id="support-link">Support view: devices and problems</a></p>
<h2>Reset the password</h2>
<form method="post" action="${a}/password">${csrfField(who)}<label for="new-password">New password</label><input type="password" id="new-password" name="password" autocomplete="new-password" required><button type="submit" id="reset">Reset password</button></form>
<h2>Quota and allowance</h2>
<form method="post" action="${a}/quota">${csrfField(who)}<label for="quota">Quota in MiB (0 = none)</label><input type="text" id="quota" name="mib" value="${Math.round(m.quotaBytes / 1048576)}" inputmode="numeric"><button type="submit" id="set-quota">Set quota</button></form>
<form method="post" action="${a}/allowance">${csrfField(who)}<label for="allowance">Mailboxes allowed in this subscription</label><input type="text" id="allowance" name="allowance" value="${view.subscriber.allowance}" inputmode="numeric"><button type="submit" id="set-allowance">Set allowance</button></form>`,
      { ...(done ? { done } : {}), ...(query.error ? { error: query.error } : {}) },
    );
  });

  const action = (verb: string, run: (address: string, form: Record<string, string | undefined>) => Promise<void>) =>
    app.post(`/admin/mailboxes/:address/${verb}`, async (req, reply) => {
      const r = await adminPost(ctx, req, reply);
      if (!r) return reply;
      const address = (req.params as { address: string }).address;
      try {
        await run(address, r.form);
        return back(reply, address, `done=${verb === 'disable' ? 'disabled' : verb === 'enable' ? 'enabled' : verb}`);
      } catch (e) {
        if (!isOutpostError(e)) throw e;
        return back(reply, address, `error=${encodeURIComponent(e.message)}`);
      }
    });
  const number = (text: string | undefined, what: string, max: number): number => {
    const n = Number((text ?? '').trim());
    if ((text ?? '').trim() === '' || !Number.isSafeInteger(n) || n < 0 || n > max) throw new UserError('invalid', `${what} must be a whole number from 0 to ${max}`);
    return n;
  };
  action('disable', (address) => accounts.setDisabled(address, true));
  action('enable', (address) => accounts.setDisabled(address, false));
  action('password', async (address, form) => {
    await accounts.changePassword(address, form.password ?? '');
    const m = await accounts.requireMailbox(address);
    await store.deleteSessionsOf(m.id);
  });
  action('quota', (address, form) => accounts.setQuota(address, number(form.mib, 'The quota', 10_000_000) * 1048576));
  action('allowance', (address, form) => accounts.setAllowance(address, number(form.allowance, 'The allowance', 10_000)));

  app.get('/admin/support/:address', async (req, reply) => {
    const who = await adminPage(ctx, req, reply);
    if (!who) return reply;
    const m = await accounts.getMailbox((req.params as { address: string }).address).catch(() => null);
    if (!m) return consolePage(reply, who, 'No such mailbox', html`<p>There is no such mailbox.</p>`, { status: 404 });
    const devices = supportReport(await store.listEvents(m.id, SUPPORT_EVENTS), clientSettings(config, m.address, m.domain));
    return consolePage(
      reply,
      who,
      `Support: ${m.address}`,
      html`<p>Recent sign-ins and connection problems, by device (address + the name the program gives itself). Same as <code>outpost support ${m.address}</code>.</p>
${devices.length === 0 ? html`<p id="no-devices">Nothing recorded yet.</p>` : ''}
${devices.map(
  (d, i) => html`<section class="client device" id="device-${i}"><h2>${d.clientName ?? 'unnamed program'} <small>from ${d.clientIp} via ${d.via.join(', ')}</small></h2>
<p>${d.ok} ok, ${d.failed} failed; last seen ${timeText(d.lastSeen)}</p>
${d.verdict ? html`<p class="error fix"><strong>Fix:</strong> ${d.verdict}</p>` : html`<p class="notice">Its last attempt worked.</p>`}
<table><tr><th>When</th><th>What happened</th><th>What to change</th></tr>
${d.events.slice(0, 10).map((e) => html`<tr class="${e.ok ? 'ok' : 'fail'}"><td>${timeText(e.at)}</td><td>${e.what}</td><td>${e.fix || e.advice}</td></tr>`)}</table></section>`,
)}`,
    );
  });
}
