/**
 * Sign-up, sign-in and sign-out. Sign-up follows each domain's policy (closed, invite code, open with a per-IP
 * limit) and either creates a working mailbox at once or says exactly why not. Sign-in goes through the auth
 * service, so an unknown address and a wrong password get the same answer and the same limiter.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isOutpostError } from '../../lib/errors.js';
import { httpLimits } from '../../lib/limits.js';
import { parseAddress } from '../../mail/address.js';
import type { Domain } from '../../store/types.js';
import { attemptOf, formOf, sendPage, type Form, type WebContext } from '../context.js';
import { html, type Safe } from '../escape.js';
import { csrfRefused, signedInPost } from '../forms.js';
import { claimInvite, inviteValid, releaseInvite } from '../invites.js';
import { anonymousCsrf, anonymousCsrfOk } from '../session.js';

/** Why a sign-up was refused, in words for the person signing up. */
export type SignupRefusal = 'taken' | 'reserved' | 'invalid' | 'weak' | 'allowance' | 'closed' | 'invite' | 'mismatch' | 'rate-limited';

const REFUSAL_TITLE: Record<SignupRefusal, string> = {
  taken: 'That address is already taken.',
  reserved: 'That address is reserved.',
  invalid: 'That is not a valid address.',
  weak: 'That password is too easy to guess.',
  allowance: 'No more mailboxes are included.',
  closed: 'Sign-up is closed for this domain.',
  invite: 'That invite code is not valid.',
  mismatch: 'The two passwords are different.',
  'rate-limited': 'Too many sign-ups from your network.',
};

/**
 * Where to go after signing in: a path on this site only (RFC 3986 §4.2 path-absolute reference), so a link such as
 * `/signin?next=//evil.example` cannot send a user elsewhere (an open redirect). Anything else, `/account`.
 * Refused: scheme or network-path references (`https:`, `//host`), backslashes (browsers read `/\\host` as
 * `//host`), control characters and spaces, and anything the URL parser would move to another origin.
 */
export function safeReturnTo(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return null;
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u0020\u007f]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, 'https://outpost.invalid');
  } catch {
    return null;
  }
  if (url.origin !== 'https://outpost.invalid' || url.pathname.startsWith('//')) return null;
  if (url.pathname === '/signin' || url.pathname === '/signout') return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

export function authRoutes(app: FastifyInstance, ctx: WebContext): void {
  const { store, accounts, auth } = ctx.services;

  app.get('/', async (req, reply) => {
    const who = await ctx.sessions.current(req);
    if (who) return reply.code(303).header('location', '/account').send();
    return sendPage(
      reply,
      'Your mail, from anywhere',
      html`<p>Read and send mail from any network, with any mail program.</p>
<p><a href="/signin">Sign in</a> to see your own settings, step by step for your mail program, or <a href="/signup">sign up</a> for a new address.</p>
<p><a href="/help">How to set up a mail program</a> (the general settings, without signing in).</p>`,
    );
  });

  const signupDomains = async (): Promise<Domain[]> => (await store.listDomains()).filter((d) => d.signupPolicy !== 'closed');

  const signupForm = async (req: FastifyRequest, reply: FastifyReply, form: Form, refusal?: { why: SignupRefusal; detail: string }) => {
    const csrf = anonymousCsrf(req, reply);
    const domains = await signupDomains();
    if (domains.length === 0 && !refusal)
      return sendPage(reply, 'Sign up', html`<p class="error" id="refusal" data-reason="closed">Sign-up is closed: new addresses are handed out by the people who run this server.</p>`);
    const invite = domains.some((d) => d.signupPolicy === 'invite');
    return sendPage(
      reply,
      'Sign up',
      html`${refusal ? html`<div class="error" id="refusal" data-reason="${refusal.why}"><strong>${REFUSAL_TITLE[refusal.why]}</strong> ${refusal.detail}</div>` : ''}
<form method="post" action="/signup">
<input type="hidden" name="csrf" value="${csrf}">
<label for="local">Choose your address</label>
<input type="text" id="local" name="local" value="${form.local ?? ''}" autocomplete="username" required> @
<select name="domain" id="domain">${domains.map((d) => html`<option value="${d.name}"${d.name === form.domain ? html` selected` : ''}>${d.name}</option>`)}</select>
<label for="password">Choose a password (at least ${ctx.services.config.accounts.passwordMinLength} characters; a few unusual words work well)</label>
<input type="password" id="password" name="password" autocomplete="new-password" required>
<label for="password2">The same password again</label>
<input type="password" id="password2" name="password2" autocomplete="new-password" required>
${invite ? html`<label for="invite">Invite code (only for domains that need one)</label><input type="text" id="invite" name="invite" value="${form.invite ?? ''}">` : ''}
<p><button type="submit">Create my mailbox</button></p>
</form>`,
      null,
      refusal ? (refusal.why === 'rate-limited' ? 429 : 422) : 200,
    );
  };

  app.get('/signup', async (req, reply) => signupForm(req, reply, {}));

  app.post('/signup', async (req, reply) => {
    const form = formOf(req);
    if (!anonymousCsrfOk(req, form.csrf)) return csrfRefused(reply);
    const refuse = (why: SignupRefusal, detail: string) => signupForm(req, reply, { ...form, password: undefined }, { why, detail });
    const ip = attemptOf(req).clientIp;
    const now = ctx.services.now();
    if ((await store.hitCounter(`web.signup-attempt:${ip}`, now, httpLimits.signupWindowMs)).count > httpLimits.signupAttemptsPerIp)
      return refuse('rate-limited', 'Please try again in an hour.');

    let address: string;
    let domainName: string;
    try {
      const a = parseAddress(`${(form.local ?? '').trim()}@${(form.domain ?? '').trim()}`);
      address = a.address;
      domainName = a.domain;
    } catch (e) {
      return refuse('invalid', isOutpostError(e) ? e.message : 'Use letters, digits, dots and dashes before the @.');
    }
    const domain = await store.getDomain(domainName);
    if (!domain || domain.signupPolicy === 'closed') return refuse('closed', `New addresses at ${domainName} are handed out by the people who run it.`);
    if ((form.password ?? '') !== (form.password2 ?? '')) return refuse('mismatch', 'Type the same password twice.');

    let invite: string | null = null;
    if (domain.signupPolicy === 'invite') {
      invite = (form.invite ?? '').trim().toLowerCase();
      if (!inviteValid(await ctx.secret(), domain.name, invite)) return refuse('invite', `${domain.name} needs an invite code from the people who run it.`);
      if (!(await claimInvite(store, domain.name, invite, now))) return refuse('invite', 'That invite code has been used already.');
    } else {
      const created = await store.getCounter(`web.signup:${ip}`);
      if (created && created.windowStart + httpLimits.signupWindowMs > now && created.count >= httpLimits.signupsPerIp)
        return refuse('rate-limited', `At most ${httpLimits.signupsPerIp} new mailboxes per hour come from one network. Please try again later.`);
    }

    try {
      const mailbox = await accounts.addMailbox(address, form.password ?? '');
      if (!invite) await store.hitCounter(`web.signup:${ip}`, now, httpLimits.signupWindowMs);
      await auth.noteEvent(mailbox.address, attemptOf(req), 'signup', 'ok', null);
      await ctx.sessions.start(req, reply, mailbox);
      return reply.code(303).header('location', '/guide?welcome=1').send();
    } catch (e) {
      if (invite) await releaseInvite(store, domain.name, invite);
      if (!isOutpostError(e) || e.kind !== 'user') throw e;
      const why: SignupRefusal = (['taken', 'reserved', 'weak', 'allowance'] as const).find((c) => c === e.code) ?? 'invalid';
      return refuse(why, e.message);
    }
  });

  const signinForm = (req: FastifyRequest, reply: FastifyReply, address: string, problem?: Safe, status = 200, next: string | null = null) =>
    sendPage(
      reply,
      'Sign in',
      html`${problem ? html`<div class="error" id="refusal">${problem}</div>` : ''}
<form method="post" action="/signin">
<input type="hidden" name="csrf" value="${anonymousCsrf(req, reply)}">
${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
<label for="address">Your address</label>
<input type="email" id="address" name="address" value="${address}" autocomplete="username" required>
<label for="password">Your password (your main password: app passwords are for mail programs only)</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p>
</form>`,
      null,
      status,
    );

  app.get('/signin', async (req, reply) => signinForm(req, reply, '', undefined, 200, safeReturnTo((req.query as { next?: unknown }).next)));

  app.post('/signin', async (req, reply) => {
    const form = formOf(req);
    if (!anonymousCsrfOk(req, form.csrf)) return csrfRefused(reply);
    const address = (form.address ?? '').slice(0, 320);
    const r = await auth.authenticate({ username: address, password: (form.password ?? '').slice(0, 1024), ...attemptOf(req) });
    if (!r.ok) {
      const problem =
        r.failure === 'locked-out'
          ? html`Too many wrong passwords. Wait ${Math.ceil((r.retryAfterMs ?? 60_000) / 60_000)} minute(s) and try again.`
          : r.failure === 'disabled'
            ? html`This mailbox is switched off. Ask the people who run this server.`
            : html`Wrong address or password.`;
      return signinForm(req, reply, address, problem, r.failure === 'locked-out' ? 429 : 401, safeReturnTo(form.next));
    }
    await ctx.sessions.start(req, reply, r.mailbox);
    return reply.code(303).header('location', safeReturnTo(form.next) ?? '/account').send();
  });

  app.post('/signout', async (req, reply) => {
    const ok = await signedInPost(ctx, req, reply);
    if (!ok) return reply;
    await ctx.sessions.end(req, reply);
    return reply.code(303).header('location', '/').send();
  });
}
