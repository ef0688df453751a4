/**
 * The account page's self-tests (issue 12):
 * - "Test my mail": the server signs in on its own submission listener with a one-off app password (revoked at
 *   once), sends a token message to the person through TLS, AUTH, the SMTP accept path and the store, and confirms
 *   it reached their INBOX;
 * - "Test my program": shows a code and watches, stage by stage (a page that refreshes itself, or `?format=json`),
 *   for a message carrying it sent from the person's own mail program: which port, TLS, signed in as whom (the event
 *   log), delivered where, then fetched over IMAP or POP3.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../../config/load.js';
import type { Mailbox, Store } from '../../store/types.js';
import { doctorLimits, httpLimits } from '../../lib/limits.js';
import { parseHeaderFields, splitMessage, unfold } from '../../mail/header-block.js';
import { sendTest, type Endpoint } from '../../doctor/round-trip.js';
import { programStages, type FoundMessage } from '../../doctor/self-test.js';
import { sendPage, type WebContext } from '../context.js';
import { html } from '../escape.js';
import { signedInOrRedirect, signedInPost } from '../forms.js';

const TOKEN = /^[A-Za-z0-9_-]{8,32}$/;
/** Messages looked at, newest first, when searching a folder for a token. */
const SEARCH_DEPTH = 200;

/** The submission listener the server uses to test itself: implicit TLS first (RFC 8314 §3.3). */
function ownSubmission(config: Config): (Endpoint & { host: string }) | null {
  for (const role of ['submissions', 'submission', 'submission_fallback'] as const) {
    const a = config.listen[role]?.[0];
    if (a) return { role, port: a.port, host: a.host === '0.0.0.0' ? '127.0.0.1' : a.host === '::' ? '::1' : a.host };
  }
  return null;
}

/** The newest message in INBOX or Junk whose subject holds `token`. */
async function findToken(store: Store, mailbox: Mailbox, token: string): Promise<FoundMessage | null> {
  for (const name of ['INBOX', 'Junk']) {
    const folder = await store.getFolder(mailbox.id, name);
    if (!folder) continue;
    const entries = await store.listEntries(folder.id, { fromUid: Math.max(1, folder.uidNext - SEARCH_DEPTH) });
    const hit = entries.reverse().find((e) => (e.meta.subject ?? '').includes(token));
    if (!hit) continue;
    const head = (await store.blobs.read(hit.blobId, 0, 16 * 1024)) ?? Buffer.alloc(0);
    const received = parseHeaderFields(splitMessage(head).header).find((f) => f.lowerName === 'received');
    return { folder: folder.name, internalDate: hit.internalDate, flags: hit.flags, received: received ? unfold(received.value).replace(/\s+/g, ' ') : null };
  }
  return null;
}

export function selfTestRoutes(app: FastifyInstance, ctx: WebContext): void {
  const { accounts, store, config, now } = ctx.services;

  app.get('/account/self-test', async (req, reply) => {
    const who = await signedInOrRedirect(ctx, req, reply);
    if (!who) return reply;
    const token = randomBytes(9).toString('base64url');
    return sendPage(
      reply,
      'Test your mail',
      html`<section id="test-mail"><h2>Test my mail</h2>
<p>The server sends a message to ${who.mailbox.address} through its own outgoing server (TLS, sign-in, delivery) and checks that it arrives in your INBOX.</p>
<form method="post" action="/account/self-test/mail"><input type="hidden" name="csrf" value="${who.session.csrfToken}"><button type="submit" id="test-mail-button">Test my mail</button></form></section>
<section id="test-program"><h2>Test my program</h2>
<p>From your mail program (phone, Outlook, Thunderbird…), send a message to <strong>${who.mailbox.address}</strong> with this code in the subject:</p>
<p class="code" id="token"><strong>${token}</strong></p>
<p><a href="/account/self-test/program?token=${token}" id="watch-link">Watch it arrive, step by step</a></p></section>
<p><a href="/account">Back to your account</a></p>`,
      who,
    );
  });

  app.post('/account/self-test/mail', async (req, reply) => {
    const p = await signedInPost(ctx, req, reply);
    if (!p) return reply;
    const m = p.who.mailbox;
    const via = ownSubmission(config);
    const show = (ok: boolean, text: string, status = 200) =>
      sendPage(reply, 'Test my mail', html`<div class="${ok ? 'notice' : 'error'}" id="result">${text}</div><p><a href="/account/self-test">Back to the tests</a></p>`, p.who, status);
    if (!via) return show(false, 'No submission listener is on: this server cannot send mail for its users.', 503);
    const name = `self-test ${randomBytes(4).toString('hex')}`;
    const { secret } = await accounts.addAppPassword(m.address, name);
    try {
      let ca: string | undefined;
      try {
        ca = readFileSync(config.tls.cert, 'utf8');
      } catch {
        ca = undefined;
      }
      const rt = { host: config.public.hostname, address: via.host, ca, user: m.address, password: secret, now };
      const sent = await sendTest(rt, via);
      if (!sent.signIn.ok) return show(false, `The server could not sign in on its own port ${via.port}: ${sent.signIn.message}.`, 502);
      if (!sent.send.ok) return show(false, `The server could not send through its own port ${via.port}: ${sent.send.message}.`, 502);
      const deadline = sent.sentAt + doctorLimits.roundTripTimeoutMs;
      for (;;) {
        const found = await findToken(store, m, sent.token);
        if (found)
          return show(true, `Your mail works: the test message went through port ${via.port} (${via.role === 'submissions' ? 'SSL/TLS' : 'STARTTLS'}), was signed in and accepted, and was delivered into your ${found.folder} after ${now() - sent.sentAt} ms.`);
        if (now() > deadline) return show(false, `The message was accepted but has not reached your INBOX after ${doctorLimits.roundTripTimeoutMs / 1000} s.`, 504);
        await new Promise((r) => setTimeout(r, doctorLimits.pollIntervalMs));
      }
    } finally {
      await accounts.revokeAppPassword(m.address, name).catch(() => undefined);
    }
  });

  app.get('/account/self-test/program', async (req, reply: FastifyReply) => {
    const who = await signedInOrRedirect(ctx, req, reply);
    if (!who) return reply;
    const q = req.query as Record<string, string | undefined>;
    const token = q.token ?? '';
    if (!TOKEN.test(token)) return reply.code(303).header('location', '/account/self-test').send();
    const found = await findToken(store, who.mailbox, token);
    const stages = programStages(who.mailbox.address, found, await store.listEvents(who.mailbox.id, httpLimits.accountEvents));
    const done = stages.every((s) => s.done);
    if (q.format === 'json') return reply.header('cache-control', 'no-store').send({ token, done, stages });
    if (!done) reply.header('refresh', '3');
    return sendPage(
      reply,
      'Test my program',
      html`<p>Code <strong id="token">${token}</strong>: send a message with it in the subject to ${who.mailbox.address} from your mail program.${done ? '' : ' This page refreshes itself.'}</p>
<ol id="stages">${stages.map((s) => html`<li class="${s.done ? 'done' : 'waiting'}" id="stage-${s.key}">${s.done ? '✔ ' : '… '}${s.text}</li>`)}</ol>
<p><a href="/account/self-test">Back to the tests</a></p>`,
      who,
    );
  });
}
