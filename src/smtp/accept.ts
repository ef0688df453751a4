/**
 * After the data: the checks on the message itself, then ONE store call that places it in every local INBOX and
 * queues it for every remote recipient. The 250 is sent only after that commit returned (it is on disk: the store
 * resolves a write after its flush; concurrent commits are grouped by the store). A store failure is a 451 4.3.0, never a 250;
 * a full disk also makes the next MAILs answer 452 4.3.1 until space returns.
 *
 * RFC 5321 §4.4 (Received, trace), §6.3 (loops: 554 5.4.6), §2.3.8 (line endings); RFC 6409 §8 (submission
 * rewrites: Message-ID, Date, Bcc, From/Sender ownership); RFC 3848 (ESMTPSA…); RFC 8314 §4.3 (TLS in Received);
 * RFC 3461 §4 (DSN parameters kept per recipient for the queue).
 */
import { randomBytes } from 'node:crypto';
import type { DeliveryTarget, NewQueueEntry } from '../store/types.js';
import type { MailParameters, RcptParameters } from '../protocol/smtp/params.js';
import { countReceived, extractMeta, normaliseLineEndings, prepareSubmission, receivedHeader } from './mail-deps.js';
import type { SmtpSession } from './session.js';
import { SmtpRefusal, Status } from './status.js';
import { isStorageFull } from './storage-health.js';
import type { Transaction } from './types.js';
import type { SenderAuth } from '../inbound/types.js';
import { EchoResponder, isEchoAddress } from '../echo/responder.js';

/** Checks, rewrites and commits one message; queues the 250 reply only after the commit. */
export async function acceptMessage(session: SmtpSession, tx: Transaction, data: Buffer, bareLineEndings: boolean): Promise<void> {
  const { ctx } = session;
  const smtp = ctx.config.smtp;
  let raw = data;
  if (bareLineEndings) {
    if (smtp.bareLineEndings === 'reject')
      throw new SmtpRefusal(Status.BareLineEnding, 'message refused: bare CR or LF line endings (lines must end with CRLF)', { logReason: 'bare-line-ending' });
    raw = normaliseLineEndings(raw); // nothing we store or relay can be split differently by another MTA
  }
  if (countReceived(raw) > smtp.maxReceivedHeaders)
    throw new SmtpRefusal(Status.Loop, `too many Received headers (more than ${smtp.maxReceivedHeaders}): a mail loop?`, { logReason: 'hop-limit' });

  const now = ctx.now();
  const id = randomBytes(8).toString('hex');
  const only = tx.recipients.length === 1 ? tx.recipients[0]!.route.address : undefined;
  const received = receivedHeader({
    helo: session.helo?.name ?? 'unknown',
    clientIp: session.conn.clientIp,
    by: session.hostname,
    protocol: protocolName(session),
    tls: session.tls,
    id,
    for: only,
    date: new Date(now),
  });
  if (session.user) {
    const owned = session.user.owned;
    const prepared = prepareSubmission(raw, {
      owns: (address) => owned.has(address.toLowerCase()),
      hostname: session.hostname,
      now: new Date(now),
      received,
      messageIdDomain: session.user.mailbox.domain,
    });
    if (!prepared.ok) throw new SmtpRefusal(Status.SenderNotOwned, prepared.message, { logReason: prepared.reason });
    raw = prepared.raw;
  } else {
    raw = Buffer.concat([Buffer.from(received, 'utf8'), raw]);
  }

  const junk = new Set<number>();
  let senderAuth: SenderAuth | null = null;
  if (!session.user && !session.trusted && ctx.inbound) {
    // Mail from another server: sender authentication and spam checks, before we answer (issue 4).
    const local = tx.recipients.flatMap((r) => r.route.mailboxes.map((m) => ({ mailboxId: m.id, address: r.route.address })));
    // Mail for our users, including what they forward elsewhere (which leaves with our verdict in its header).
    if (tx.recipients.some((r) => !r.route.relayed)) {
      const verdict = await ctx.inbound.check({
        raw: raw.subarray(Buffer.byteLength(received)),
        clientIp: session.conn.clientIp,
        helo: session.helo?.name ?? '',
        mailFrom: tx.reversePath.kind === 'null' ? '' : tx.reversePath.mailbox.address,
        recipients: local,
        tls: !!session.tls,
      });
      session.conn.log.info({ action: verdict.action, reasons: verdict.reasons }, 'smtp.inbound.verdict');
      if (verdict.action === 'reject')
        throw new SmtpRefusal({ code: verdict.code, enhanced: verdict.enhanced }, verdict.text, { logReason: 'inbound-policy' });
      raw = Buffer.concat([Buffer.from(received + verdict.headers, 'utf8'), verdict.raw]);
      senderAuth = verdict.auth;
      for (const [id, where] of verdict.folders) if (where === 'junk') junk.add(id);
    }
  }

  const targets = new Map<number, DeliveryTarget>();
  const queue: NewQueueEntry[] = [];
  const mailFrom = tx.reversePath.kind === 'null' ? '' : tx.reversePath.mailbox.address;
  // Mail we forward (aliases and forwarding rules pointing elsewhere) leaves with an SRS sender of ours, so SPF passes
  // at the next hop and bounces come back through us; mail a user submitted keeps their own address.
  const forwardedFrom = mailFrom && !(await ctx.store.getDomain(mailFrom.slice(mailFrom.lastIndexOf('@') + 1).toLowerCase())) ? await ctx.srs.forward(mailFrom) : mailFrom;
  for (const r of tx.recipients) {
    for (const m of r.route.mailboxes) targets.set(m.id, { mailboxId: m.id, folder: junk.has(m.id) ? 'Junk' : 'INBOX' });
    for (const rcptTo of r.route.remote)
      queue.push({
        mailFrom: r.route.relayed ? mailFrom : forwardedFrom,
        rcptTo,
        params: queueParams(tx.params, r.params),
        submitterId: session.user?.mailbox.id ?? null,
        nextAttemptAt: now,
      });
  }
  try {
    // A message only for the echo address has nothing to store: the echo reply below is its one commit.
    if (targets.size > 0 || queue.length > 0) await ctx.store.deliver({ raw, meta: extractMeta(raw), receivedAt: now, targets: [...targets.values()], queue });
    ctx.storage.markOk();
  } catch (err) {
    if (isStorageFull(err)) {
      ctx.storage.markFull();
      session.conn.log.error({ err: (err as Error).message }, 'smtp.store.full');
    } else session.conn.log.error({ err }, 'smtp.store.failed');
    throw new SmtpRefusal(Status.LocalError, 'the message could not be stored; it was NOT accepted, please try again later', { logReason: 'store-failed' });
  }
  session.conn.log.info({ id, size: raw.length, local: targets.size, queued: queue.length, user: session.user?.mailbox.address }, 'smtp.message.accepted');
  if (session.user) await ctx.limits.recordMessage(session.user.mailbox.id).catch((err: unknown) => session.conn.log.error({ err }, 'smtp.limits.failed'));
  await answerEcho(session, tx, raw, now, senderAuth);
  session.reply(Status.Ok, `OK: queued as ${id}`);
  ctx.metrics?.messageAccepted(session.conn.role);
  const delivered = tx.recipients.flatMap((r) => r.route.mailboxes).filter((m) => !junk.has(m.id)); // never answer spam
  if (delivered.length > 0)
    void ctx.vacation.afterDelivery(raw, mailFrom, delivered).catch((err: unknown) => session.conn.log.error({ err }, 'smtp.vacation.failed'));
}

/**
 * The echo address (src/echo): its reply is committed before the 250, so an accepted message always has its answer
 * (or a logged reason for none: RFC 3834 refusals, rate limit). A failure here never refuses the message.
 */
async function answerEcho(session: SmtpSession, tx: Transaction, raw: Buffer, now: number, auth: SenderAuth | null): Promise<void> {
  const { ctx } = session;
  const localPart = ctx.config.echo.localPart;
  const echoes = new Set(
    tx.recipients
      .filter((r) => !r.route.relayed && r.route.mailboxes.length === 0 && r.route.remote.length === 0 && isEchoAddress(r.route.address, localPart))
      .map((r) => r.route.address.toLowerCase()),
  );
  if (echoes.size === 0) return;
  const responder = new EchoResponder({ store: ctx.store, now: ctx.now, localPart });
  const mailFrom = tx.reversePath.kind === 'null' ? '' : tx.reversePath.mailbox.address;
  const user = session.user;
  const sender = { mailFrom, signedIn: user ? { address: user.mailbox.address, owned: user.owned } : null, auth };
  const facts = {
    role: session.conn.role,
    port: session.conn.localPort,
    clientIp: session.conn.clientIp,
    helo: session.helo?.name ?? null,
    tls: session.tls,
    signedInAs: user ? `${user.mailbox.address}${user.via === 'app-password' ? ' (app password)' : ''}` : null,
    mailFrom,
    size: raw.length,
    receivedAt: now,
    auth,
  };
  for (const echo of echoes) {
    try {
      const outcome = await responder.answer(raw, echo, sender, facts);
      if (outcome.sent) session.conn.log.info({ echo, to: outcome.to }, 'echo.replied');
      else session.conn.log.info({ echo, mailFrom, reason: outcome.reason }, 'echo.skipped');
    } catch (err) {
      session.conn.log.error({ err, echo }, 'echo.failed');
    }
  }
}

/** RFC 3848: the `with` keyword of the Received header. */
function protocolName(session: SmtpSession): 'SMTP' | 'ESMTP' | 'ESMTPS' | 'ESMTPA' | 'ESMTPSA' {
  if (!session.helo?.esmtp) return 'SMTP';
  if (session.user) return session.tls ? 'ESMTPSA' : 'ESMTPA';
  return session.tls ? 'ESMTPS' : 'ESMTP';
}

/** RFC 3461 §4 and RFC 6531: the envelope parameters the queue needs for delivery and DSNs. */
export function queueParams(mail: MailParameters, rcpt: RcptParameters): Record<string, string> {
  const p: Record<string, string> = {};
  if (mail.ret) p.RET = mail.ret;
  if (mail.envid !== undefined) p.ENVID = mail.envid;
  if (mail.body) p.BODY = mail.body;
  if (mail.smtputf8) p.SMTPUTF8 = 'yes';
  const n = rcpt.notify;
  if (n) p.NOTIFY = n.kind === 'never' ? 'NEVER' : [n.success && 'SUCCESS', n.failure && 'FAILURE', n.delay && 'DELAY'].filter(Boolean).join(',');
  if (rcpt.orcpt) p.ORCPT = `${rcpt.orcpt.addrType};${rcpt.orcpt.address}`;
  return p;
}
