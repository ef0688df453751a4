/**
 * EHLO, HELO and STARTTLS.
 * RFC 5321 §4.1.1.1 (EHLO/HELO, which also reset a transaction), RFC 1869 (extensions), RFC 2920 (PIPELINING),
 * RFC 1870 (SIZE), RFC 6152 (8BITMIME), RFC 6531 (SMTPUTF8), RFC 2034 (ENHANCEDSTATUSCODES), RFC 3461 (DSN),
 * RFC 3030 (CHUNKING), RFC 3207 (STARTTLS: not offered again once in TLS), RFC 4954 §4 (AUTH PLAIN/LOGIN only
 * after TLS: never advertised in plain text, loopback included; never on the MX).
 */
import { ehloReply } from '../../protocol/smtp/reply.js';
import { saslMechanisms } from '../../protocol/sasl/index.js';
import type { SmtpSession } from '../session.js';
import { SmtpRefusal, Status } from '../status.js';
import type { CommandSpec } from './spec.js';
import type { SmtpCommand } from '../../protocol/smtp/command.js';

type Cmd<V extends SmtpCommand['verb']> = Extract<SmtpCommand, { verb: V }>;

export function ehloExtensions(session: SmtpSession): string[] {
  const ext = ['PIPELINING', `SIZE ${session.maxMessageOctets}`, '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'DSN', 'CHUNKING'];
  if (!session.tls) ext.push('STARTTLS');
  if (session.isSubmission && session.tls && !session.user) ext.push(`AUTH ${saslMechanisms.join(' ')}`);
  return ext;
}

export const EHLO: CommandSpec<Cmd<'EHLO'>> = {
  states: ['connected', 'idle', 'transaction'],
  outOfSequence: () => 'EHLO is not allowed now',
  run(session, cmd) {
    session.helo = { name: cmd.domain, esmtp: true };
    session.phase = { kind: 'idle' };
    session.sendRaw(ehloReply(session.hostname, cmd.domain, ehloExtensions(session)));
  },
};

export const HELO: CommandSpec<Cmd<'HELO'>> = {
  states: ['connected', 'idle', 'transaction'],
  outOfSequence: () => 'HELO is not allowed now',
  run(session, cmd) {
    session.helo = { name: cmd.domain, esmtp: false };
    session.phase = { kind: 'idle' };
    session.sendRaw(`250 ${session.hostname}\r\n`);
  },
};

export const STARTTLS: CommandSpec<Cmd<'STARTTLS'>> = {
  states: ['connected', 'idle'],
  outOfSequence: () => 'STARTTLS is not allowed inside a mail transaction: send RSET first',
  async run(session) {
    if (session.tls) throw new SmtpRefusal(Status.BadSequence, 'TLS is already active');
    await session.startTls();
  },
};
