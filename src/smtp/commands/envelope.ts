/**
 * MAIL FROM, RCPT TO, RSET.
 * RFC 5321 §4.1.1.2–3 and §4.1.1.5; RFC 6409 §4.3 (530 5.7.0 before AUTH on submission) and §8.1 (sender
 * ownership); RFC 1870 §6 (552 5.3.4 for a declared SIZE over the limit); RFC 5321 §4.5.3.1.10 (452 4.5.3 past
 * the recipient limit); RFC 3463 X.3.1 (452 4.3.1 when our disk is full).
 */
import type { SmtpCommand } from '../../protocol/smtp/command.js';
import type { PathMailbox } from '../../protocol/smtp/path.js';
import type { SmtpSession } from '../session.js';
import { SmtpRefusal, Status } from '../status.js';
import { checkEnvelopeSender } from '../submission.js';
import { checkQuota, localKey, resolveRecipient, unknownRecipient, type RecipientRoute } from '../recipients.js';
import { relayGrant } from '../relay-policy.js';
import { sequenceHint, type CommandSpec } from './spec.js';

type Cmd<V extends SmtpCommand['verb']> = Extract<SmtpCommand, { verb: V }>;

export const MAIL: CommandSpec<Cmd<'MAIL'>> = {
  states: ['idle'],
  outOfSequence: (s) => (s.phase.kind === 'transaction' ? 'nested MAIL command: send RSET first' : sequenceHint(s)),
  async run(session, cmd) {
    const { ctx } = session;
    if (session.isSubmission && !session.user && !session.trusted) {
      if (!session.tls) throw new SmtpRefusal(Status.TlsRequired, 'Must issue a STARTTLS command first, then sign in with AUTH');
      throw new SmtpRefusal(Status.AuthRequired, 'authentication required: sign in with your full address and password first');
    }
    if (cmd.params.size !== undefined && cmd.params.size > session.maxMessageOctets)
      throw new SmtpRefusal(Status.TooBig, `message too big: at most ${session.maxMessageOctets} octets`);
    if (ctx.storage.full()) throw new SmtpRefusal(Status.SystemFull, 'mail system full; please try again later', { logReason: 'storage-full' });
    if (session.user) {
      checkEnvelopeSender(cmd.reversePath, session.user.owned, session.user.mailbox);
      await ctx.limits.checkMessage(session.user.mailbox.id);
    } else if (cmd.reversePath.kind === 'mailbox') {
      noteLocalSender(session, cmd.reversePath.mailbox, 'unauthenticated-local-sender');
    }
    session.phase = {
      kind: 'transaction',
      tx: { reversePath: cmd.reversePath, params: cmd.params, recipients: [], body: null, chunks: [], received: 0, tooBig: false },
    };
    const shown = cmd.reversePath.kind === 'null' ? '<>' : `<${cmd.reversePath.mailbox.address}>`;
    session.reply(Status.SenderOk, `sender ${shown} ok`);
  },
};

export const RCPT: CommandSpec<Cmd<'RCPT'>> = {
  states: ['transaction'],
  outOfSequence: sequenceHint,
  async run(session, cmd) {
    if (session.phase.kind !== 'transaction') return;
    const { tx } = session.phase;
    const { ctx } = session;
    const max = ctx.config.smtp.maxRecipients;
    if (tx.recipients.length >= max)
      throw new SmtpRefusal(Status.TooManyRecipients, `too many recipients: at most ${max} per message; send the rest in another message`);
    const shown = cmd.forwardPath.kind === 'postmaster' ? 'Postmaster' : cmd.forwardPath.mailbox.address;
    const resolved = await resolveRecipient(ctx.store, cmd.forwardPath, ctx.config.server.domain, ctx.srs, ctx.config.echo.localPart);
    let route: RecipientRoute;
    if (resolved.kind === 'unknown') throw unknownRecipient(shown, resolved.reason);
    if (resolved.kind === 'local') {
      checkQuota(resolved.mailboxes, tx.params.size);
      route = { address: shown, mailboxes: resolved.mailboxes, remote: resolved.forwards, relayed: false };
    } else {
      try {
        const grant = relayGrant(ctx.config, { authenticated: session.user !== null, clientIp: session.conn.clientIp }, resolved.address);
        if (grant === 'trusted-network') {
          await ctx.limits.takeTrustedRelay(session.conn.clientIp);
          session.conn.log.info({ rcpt: resolved.address }, 'smtp.relay.trusted-network');
        }
      } catch (err) {
        if (tx.reversePath.kind === 'mailbox') noteLocalSender(session, tx.reversePath.mailbox, 'relay-denied');
        throw err;
      }
      route = { address: shown, mailboxes: [], remote: [resolved.address], relayed: true };
    }
    if (session.user) await ctx.limits.takeRecipient(session.user.mailbox.id);
    tx.recipients.push({ route, params: cmd.params });
    session.reply(Status.RecipientOk, `recipient <${shown}> ok`);
  },
};

export const RSET: CommandSpec<Cmd<'RSET'>> = {
  states: ['connected', 'idle', 'transaction'],
  outOfSequence: sequenceHint,
  run(session) {
    if (session.phase.kind === 'transaction') session.phase = { kind: 'idle' };
    session.reply(Status.Ok, 'reset');
  },
};

/**
 * An unauthenticated client claiming one of our addresses as sender: worth a line in that mailbox's event log
 * (a misconfigured phone sending without AUTH, or someone forging the address).
 */
function noteLocalSender(session: SmtpSession, mailbox: PathMailbox, reason: string): void {
  if (session.user) return;
  const key = localKey(mailbox);
  if (key === null) return;
  const c = {
    protocol: session.isSubmission ? ('submission' as const) : ('smtp' as const),
    port: session.conn.localPort,
    clientIp: session.conn.clientIp,
    tls: session.tls !== null,
    clientName: session.helo?.name ?? null,
  };
  session.ctx.auth.noteEvent(key, c, 'smtp.sender', 'fail', reason).catch((err: unknown) => session.conn.log.error({ err }, 'event-log.write.failed'));
}
