/**
 * AUTH (RFC 4954) with PLAIN (RFC 4616) and LOGIN, on the submission ports only and only over TLS: before TLS the
 * answer is 538 5.7.11, loopback included, and the attempt goes to the mailbox's event log so a helper can see
 * that a phone is configured without SSL. Passwords and app passwords both work (the auth service decides).
 * Failures go through the shared limiter: it delays, and a lock-out ends the session with 421.
 */
import { smtpLimits } from '../../lib/limits.js';
import { SaslExchange, decodePlainResponse, isSaslMechanism, type SaslStep } from '../../protocol/sasl/index.js';
import { saslFailureStatus } from '../../protocol/smtp/codes.js';
import type { SmtpCommand } from '../../protocol/smtp/command.js';
import { authChallengeReply } from '../../protocol/smtp/reply.js';
import type { SmtpSession } from '../session.js';
import { SmtpRefusal, Status } from '../status.js';
import { ownedAddresses } from '../submission.js';
import type { CommandSpec } from './spec.js';

export const AUTH: CommandSpec<Extract<SmtpCommand, { verb: 'AUTH' }>> = {
  states: ['idle'],
  outOfSequence: (s) =>
    s.phase.kind === 'connected' ? 'send EHLO first' : 'AUTH is not allowed inside a mail transaction (RFC 4954 §4): send RSET first',
  async run(session, cmd) {
    if (!session.isSubmission)
      throw new SmtpRefusal(Status.NotImplemented, 'AUTH is not offered on this port: submit mail on the submission ports (465 or 587)');
    if (session.user) throw new SmtpRefusal(Status.BadSequence, 'already authenticated');
    if (!session.tls) {
      noteClient(session, cmd.mechanism, cmd.initialResponse, 'plaintext-refused');
      throw new SmtpRefusal(Status.EncryptionRequired, 'Must issue a STARTTLS command first: passwords are only accepted over TLS', {
        logReason: 'auth-before-tls',
      });
    }
    if (!isSaslMechanism(cmd.mechanism)) throw new SmtpRefusal(saslFailureStatus('unsupported-mechanism'), 'unsupported mechanism: use PLAIN or LOGIN');
    const exchange = new SaslExchange();
    session.phase = { kind: 'auth', exchange, mechanism: cmd.mechanism, username: null };
    session.lines.maxLineOctets = smtpLimits.authLineMaxOctets;
    await handleStep(session, exchange.start(cmd.mechanism, cmd.initialResponse));
  },
};

/** A line during the exchange: the client's answer to our challenge. */
export async function continueAuth(session: SmtpSession, line: Buffer): Promise<void> {
  if (session.phase.kind !== 'auth') return;
  await handleStep(session, session.phase.exchange.respond(line));
}

async function handleStep(session: SmtpSession, step: SaslStep): Promise<void> {
  if (step.kind === 'challenge') {
    session.sendRaw(authChallengeReply(step.challenge));
    return;
  }
  session.phase = { kind: 'idle' };
  session.lines.maxLineOctets = smtpLimits.commandLineMaxOctets;
  if (step.kind === 'failure') throw new SmtpRefusal(saslFailureStatus(step.reason), step.message);
  const { authzid, username, password } = step.credentials;
  // RFC 4616 §2: we do not let one user act for another.
  if (authzid !== '' && authzid.toLowerCase() !== username.toLowerCase())
    throw new SmtpRefusal(Status.BadCredentials, 'authorization identity must be empty or equal to the user name');
  const result = await session.ctx.auth.authenticate({
    username,
    password,
    protocol: 'submission',
    port: session.conn.localPort,
    clientIp: session.conn.clientIp,
    tls: true,
    clientName: session.helo?.name ?? null,
  });
  if (!result.ok) {
    if (result.failure === 'locked-out')
      throw new SmtpRefusal(Status.AuthLockedOut, 'too many failed sign-ins; try again later', { close: true, logReason: 'locked-out' });
    throw new SmtpRefusal(Status.BadCredentials, 'authentication failed: wrong user name or password', { logReason: result.failure });
  }
  session.user = { mailbox: result.mailbox, via: result.via, owned: await ownedAddresses(session.ctx.store, result.mailbox) };
  session.conn.log.info({ mailbox: result.mailbox.address, via: result.via }, 'smtp.auth.ok');
  session.reply(Status.AuthSucceeded, 'authentication successful');
}

/** Writes a refused plaintext AUTH to the named mailbox's event log (PLAIN with an initial response names it). */
function noteClient(session: SmtpSession, mechanism: string, initialResponse: string | undefined, reason: string): void {
  let username: string | null = null;
  if (mechanism === 'PLAIN' && initialResponse !== undefined) {
    try {
      username = decodePlainResponse(initialResponse).username;
    } catch {
      username = null;
    }
  }
  if (username === null) return;
  const c = { protocol: 'submission' as const, port: session.conn.localPort, clientIp: session.conn.clientIp, tls: false, clientName: session.helo?.name ?? null };
  session.ctx.auth.noteEvent(username, c, 'auth', 'fail', reason).catch((err: unknown) => session.conn.log.error({ err }, 'event-log.write.failed'));
}
