/**
 * The account page: password, app passwords (shown once, revocable), the family's mailboxes for a subscription's
 * holder, devices seen, and recent attempts explained in plain words; plus the one-time phone profile link.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isOutpostError } from '../../lib/errors.js';
import { httpLimits } from '../../lib/limits.js';
import type { Mailbox } from '../../store/types.js';
import { attemptOf, sendPage, type WebContext } from '../context.js';
import { mobileconfig } from '../discovery.js';
import { html, type Safe } from '../escape.js';
import { devicesSeen, explainEvent, timeText } from '../explain.js';
import { signedInOrRedirect, signedInPost } from '../forms.js';
import { sha256, token, type SignedIn } from '../session.js';
import { clientSettings, httpsOrigin } from '../settings.js';
import { providerName, sendProfile } from './discovery.js';
import { qrSvg } from './guide.js';

const DONE: Record<string, string> = {
  password: 'Your password is changed. Give the new one to every mail program that used the old one.',
  revoked: 'The app password is revoked: the device that used it can no longer sign in.',
  mailbox: 'The new mailbox is ready.',
  'member-password': 'The password is changed.',
};

const PROFILE_KIND = 'profile-link';

export function accountRoutes(app: FastifyInstance, ctx: WebContext): void {
  const { accounts, auth, store, config } = ctx.services;

  const hidden = (who: SignedIn) => html`<input type="hidden" name="csrf" value="${who.session.csrfToken}">`;

  const accountPage = async (reply: FastifyReply, who: SignedIn, message?: { ok: boolean; text: Safe }, status = 200) => {
    const m = who.mailbox;
    const s = clientSettings(config, m.address, m.domain);
    const apps = await accounts.listAppPasswords(m.address);
    const events = await store.listEvents(m.id, httpLimits.accountEvents);
    const devices = devicesSeen(events);
    const view = await accounts.subscriberView(m.address);
    const holder = view.subscriber.holder === m.address;
    return sendPage(
      reply,
      'Your account',
      html`${message ? html`<div class="${message.ok ? 'notice' : 'error'}" id="message">${message.text}</div>` : ''}
<p>Signed in as <strong id="address">${m.address}</strong>. <a href="/webmail" id="webmail-link">Read your mail</a> · <a href="/guide">Your settings guide</a> · <a href="/account/self-test" id="self-test-link">Test my mail / Test my program</a></p>

<section id="phone"><h2>Set up a phone without typing your password</h2>
<p>Creates an app password just for the phone and a link that works once, for ${httpLimits.profileLinkTtlMs / 60_000} minutes. Scan its QR code with an iPhone or iPad camera, or open it on a Mac.</p>
<form method="post" action="/account/phone">${hidden(who)}<button type="submit">Set up my phone</button></form></section>

<section id="password"><h2>Change your password</h2>
<form method="post" action="/account/password">${hidden(who)}
<label for="current">Current password</label><input type="password" id="current" name="current" autocomplete="current-password" required>
<label for="new">New password</label><input type="password" id="new" name="password" autocomplete="new-password" required>
<label for="new2">New password again</label><input type="password" id="new2" name="password2" autocomplete="new-password" required>
<p><button type="submit">Change password</button></p></form></section>

<section id="app-passwords"><h2>App passwords</h2>
<p>Give each device its own password: it works for reading and sending mail (IMAP, POP3, SMTP), never for this web site, and you can revoke one device without changing anything else.</p>
${apps.length
  ? html`<table><tr><th>Name</th><th>Created</th><th>Last used</th><th></th></tr>
${apps.map(
  (a) => html`<tr><td>${a.name}</td><td>${timeText(a.createdAt)}</td><td>${a.lastUsedAt ? timeText(a.lastUsedAt) : 'never'}</td>
<td><form method="post" action="/account/app-passwords/revoke" class="inline">${hidden(who)}<input type="hidden" name="name" value="${a.name}"><button type="submit">Revoke</button></form></td></tr>`,
)}</table>`
  : html`<p>None yet.</p>`}
<form method="post" action="/account/app-passwords">${hidden(who)}
<label for="app-name">Name of the device (e.g. "phone", "work laptop")</label><input type="text" id="app-name" name="name" maxlength="64" required>
<p><button type="submit">Create app password</button></p></form></section>

${holder
  ? html`<section id="family"><h2>Mailboxes in your subscription (${view.mailboxes.length} of ${view.subscriber.allowance})</h2>
<table><tr><th>Address</th><th>New password</th></tr>
${view.mailboxes.map(
  (x: Mailbox) => html`<tr><td>${x.address}</td><td><form method="post" action="/account/mailboxes/password" class="inline">${hidden(who)}<input type="hidden" name="address" value="${x.address}">
<input type="password" name="password" aria-label="New password for ${x.address}" autocomplete="new-password" required> <button type="submit">Set</button></form></td></tr>`,
)}</table>
${view.mailboxes.length < view.subscriber.allowance
  ? html`<form method="post" action="/account/mailboxes">${hidden(who)}
<label for="member-local">New address for a family member</label><input type="text" id="member-local" name="local" required> @${m.domain}
<label for="member-password">Their password</label><input type="password" id="member-password" name="password" autocomplete="new-password" required>
<p><button type="submit">Add mailbox</button></p></form>`
  : html`<p>All included mailboxes are in use.</p>`}</section>`
  : ''}

<section id="devices"><h2>Devices seen</h2>
${devices.length
  ? html`<table><tr><th>Program</th><th>For</th><th>First seen</th><th>Last seen</th><th>Signs in with</th></tr>
${devices.map((d) => html`<tr><td>${d.name}</td><td>${d.protocol}</td><td>${timeText(d.firstSeen)}</td><td>${timeText(d.lastSeen)}</td><td>${d.via}</td></tr>`)}</table>`
  : html`<p>No mail program has signed in yet.</p>`}</section>

<section id="attempts"><h2>Recent sign-ins and attempts</h2>
${events.length
  ? html`<table><tr><th>When</th><th>What happened</th><th>What to do</th></tr>
${events.map((e) => explainEvent(e, s)).map((x) => html`<tr class="${x.ok ? 'ok' : 'fail'}"><td>${timeText(x.at)}</td><td>${x.what}</td><td>${x.advice}</td></tr>`)}</table>`
  : html`<p>Nothing yet.</p>`}</section>`,
      who,
      status,
    );
  };

  const refusal = (e: unknown): Safe => {
    if (isOutpostError(e) && e.kind === 'user') return html`${e.message}`;
    throw e;
  };

  app.get('/account', async (req, reply) => {
    const who = await signedInOrRedirect(ctx, req, reply);
    if (!who) return reply;
    const done = DONE[(req.query as Record<string, string | undefined>).done ?? ''];
    return accountPage(reply, who, done ? { ok: true, text: html`${done}` } : undefined);
  });

  const back = (reply: FastifyReply, done: string) => reply.code(303).header('location', `/account?done=${done}`).send();

  app.post('/account/password', async (req, reply) => {
    const p = await signedInPost(ctx, req, reply);
    if (!p) return reply;
    const { who, form } = p;
    if ((form.password ?? '') !== (form.password2 ?? '')) return accountPage(reply, who, { ok: false, text: html`The two new passwords are different.` }, 422);
    const check = await auth.authenticate({ username: who.mailbox.address, password: form.current ?? '', ...attemptOf(req) });
    if (!check.ok) return accountPage(reply, who, { ok: false, text: html`The current password is wrong.` }, 422);
    try {
      await accounts.changePassword(who.mailbox.address, form.password ?? '');
    } catch (e) {
      return accountPage(reply, who, { ok: false, text: refusal(e) }, 422);
    }
    // A new password gets a new session token as well.
    await ctx.sessions.start(req, reply, who.mailbox);
    return back(reply, 'password');
  });

  app.post('/account/app-passwords', async (req, reply) => {
    const p = await signedInPost(ctx, req, reply);
    if (!p) return reply;
    try {
      const { appPassword, secret } = await accounts.addAppPassword(p.who.mailbox.address, p.form.name ?? '');
      reply.header('cache-control', 'no-store');
      return accountPage(reply, p.who, {
        ok: true,
        text: html`App password for "${appPassword.name}": <span class="secret" id="app-secret">${secret}</span><br>Type it into that device now, as the password for both incoming and outgoing mail. It is shown only this once.`,
      });
    } catch (e) {
      return accountPage(reply, p.who, { ok: false, text: refusal(e) }, 422);
    }
  });

  app.post('/account/app-passwords/revoke', async (req, reply) => {
    const p = await signedInPost(ctx, req, reply);
    if (!p) return reply;
    try {
      await accounts.revokeAppPassword(p.who.mailbox.address, p.form.name ?? '');
    } catch (e) {
      return accountPage(reply, p.who, { ok: false, text: refusal(e) }, 422);
    }
    return back(reply, 'revoked');
  });

  const holderOnly = async (who: SignedIn) => {
    const view = await accounts.subscriberView(who.mailbox.address);
    return view.subscriber.holder === who.mailbox.address ? view : null;
  };

  app.post('/account/mailboxes', async (req, reply) => {
    const p = await signedInPost(ctx, req, reply);
    if (!p) return reply;
    const view = await holderOnly(p.who);
    if (!view) return accountPage(reply, p.who, { ok: false, text: html`Only the holder of the subscription adds mailboxes.` }, 403);
    try {
      await accounts.addMailbox(`${(p.form.local ?? '').trim()}@${p.who.mailbox.domain}`, p.form.password ?? '', { subscriber: p.who.mailbox.address });
    } catch (e) {
      return accountPage(reply, p.who, { ok: false, text: refusal(e) }, 422);
    }
    return back(reply, 'mailbox');
  });

  app.post('/account/mailboxes/password', async (req, reply) => {
    const p = await signedInPost(ctx, req, reply);
    if (!p) return reply;
    const view = await holderOnly(p.who);
    const target = view?.mailboxes.find((x) => x.address === (p.form.address ?? '').toLowerCase());
    if (!target) return accountPage(reply, p.who, { ok: false, text: html`That mailbox is not in your subscription.` }, 403);
    try {
      await accounts.changePassword(target.address, p.form.password ?? '');
    } catch (e) {
      return accountPage(reply, p.who, { ok: false, text: refusal(e) }, 422);
    }
    return back(reply, 'member-password');
  });

  // ------------------------------------------------------------ the one-time phone profile

  app.post('/account/phone', async (req, reply) => {
    const p = await signedInPost(ctx, req, reply);
    if (!p) return reply;
    const t = token();
    const now = ctx.services.now();
    await store.putSession({ id: sha256(t), mailboxId: p.who.mailbox.id, csrfToken: '', createdAt: now, expiresAt: now + httpLimits.profileLinkTtlMs, data: { kind: PROFILE_KIND } });
    const link = `${httpsOrigin(config)}/profile/${t}`;
    reply.header('cache-control', 'no-store');
    return sendPage(
      reply,
      'Set up your phone',
      html`<p>Scan this with the phone's camera (or open the link on the device). It works <strong>once</strong>, for the next ${httpLimits.profileLinkTtlMs / 60_000} minutes, and installs your mail settings with a new app password made for that device.</p>
<div class="qr" id="phone-qr">${await qrSvg(link)}</div>
<p><a id="profile-link" href="${link}">${link}</a></p>
<p>After installing: iPhone and iPad ask you to approve it in <em>Settings</em> → <em>General</em> → <em>VPN &amp; Device Management</em>. Lost the phone? Revoke its app password on your <a href="/account">account page</a>.</p>`,
      p.who,
    );
  });

  app.get('/profile/:token', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const t = (req.params as { token: string }).token;
    const id = sha256(t);
    const now = ctx.services.now();
    const link = t.length <= 100 ? await store.getSession(id, now) : null;
    const gone = () => sendPage(reply, 'This link has expired', html`<p class="error">This set-up link was already used or is more than ${httpLimits.profileLinkTtlMs / 60_000} minutes old. Sign in and make a new one.</p>`, null, 410);
    if (!link || link.data.kind !== PROFILE_KIND) return gone();
    // Single use across every node: the first claim wins.
    if ((await store.hitCounter(`profile-link:${id}`, now, httpLimits.profileLinkTtlMs)).count !== 1) return gone();
    await store.deleteSession(id);
    const mailbox = await store.getMailboxById(link.mailboxId);
    if (!mailbox || mailbox.disabled) return gone();
    // Names are unique per mailbox: the time plus a few random characters keeps two quick set-ups apart.
    const name = `phone profile ${new Date(now).toISOString().slice(0, 16).replace('T', ' ')} ${t.slice(0, 4)}`;
    const { secret } = await accounts.addAppPassword(mailbox.address, name);
    const s = clientSettings(config, mailbox.address, mailbox.domain);
    return sendProfile(reply, mailbox.address, mobileconfig(s, mailbox.address, { secret: await ctx.secret(), organisation: providerName(ctx), appPassword: secret }));
  });
}
