/**
 * DATA and BDAT: reading the message, then handing it to accept.ts.
 * RFC 5321 §4.1.1.4 (DATA, 354, only CRLF.CRLF ends it), §3.3 (no valid recipients → 554); RFC 3030 §2 (BDAT:
 * exactly chunk-size octets, always read even when refused; DATA and BDAT do not mix: 503); RFC 1870 §6 (552 5.3.4
 * after reading to the end); SMTP smuggling (CVE-2023-51764/5/6): bare CR/LF are refused or normalised.
 */
import { BdatReader, DataReader, type BdatResult, type DataResult } from '../../protocol/smtp/data-reader.js';
import type { SmtpCommand } from '../../protocol/smtp/command.js';
import type { SmtpSession } from '../session.js';
import { SmtpRefusal, Status } from '../status.js';
import type { Phase, Transaction } from '../types.js';
import { acceptMessage } from '../accept.js';
import { sequenceHint, type CommandSpec } from './spec.js';

type Cmd<V extends SmtpCommand['verb']> = Extract<SmtpCommand, { verb: V }>;

export const DATA: CommandSpec<Cmd<'DATA'>> = {
  states: ['transaction'],
  outOfSequence: sequenceHint,
  run(session) {
    if (session.phase.kind !== 'transaction') return;
    const { tx } = session.phase;
    if (tx.body === 'bdat') throw new SmtpRefusal(Status.BadSequence, 'DATA cannot follow BDAT in one transaction (RFC 3030)');
    if (tx.recipients.length === 0) throw new SmtpRefusal(Status.NoValidRecipients, 'no valid recipients');
    tx.body = 'data';
    session.sendRaw('354 End data with <CR><LF>.<CR><LF>\r\n');
    session.flush();
    session.phase = { kind: 'data', tx, reader: new DataReader({ maxSize: session.maxMessageOctets }), parts: [] };
  },
};

export const BDAT: CommandSpec<Cmd<'BDAT'>> = {
  // Allowed everywhere a command is: its octets must be read whatever happens, or they would run as commands.
  states: ['connected', 'idle', 'transaction'],
  outOfSequence: sequenceHint,
  run(session, cmd) {
    const tx = session.phase.kind === 'transaction' && session.phase.tx.body !== 'data' ? session.phase.tx : null;
    if (tx) tx.body = 'bdat';
    const reader = new BdatReader({ chunkSize: cmd.size, received: tx?.received ?? 0, maxSize: session.maxMessageOctets });
    session.phase = { kind: 'bdat', tx, reader, last: cmd.last };
  },
};

/** The end of DATA (CRLF.CRLF seen). */
export async function finishData(session: SmtpSession, phase: Extract<Phase, { kind: 'data' }>, result: DataResult): Promise<void> {
  session.phase = { kind: 'idle' };
  await guardMessage(session, async () => {
    if (result.tooBig) throw new SmtpRefusal(Status.TooBig, `message too big: at most ${session.maxMessageOctets} octets`);
    await acceptMessage(session, phase.tx, Buffer.concat(phase.parts), result.bareCr || result.bareLf);
  });
}

/** The end of one BDAT chunk. */
export async function finishBdatChunk(session: SmtpSession, phase: Extract<Phase, { kind: 'bdat' }>, result: BdatResult): Promise<void> {
  const tx = phase.tx;
  if (!tx) {
    session.phase = session.helo ? { kind: 'idle' } : { kind: 'connected' };
    session.reply(Status.BadSequence, 'BDAT needs MAIL FROM and RCPT TO first; the chunk was discarded');
    return;
  }
  tx.received = result.total;
  if (result.tooBig) tx.tooBig = true;
  if (!phase.last) {
    if (tx.tooBig) {
      session.phase = { kind: 'idle' };
      session.reply(Status.TooBig, `message too big: at most ${session.maxMessageOctets} octets`);
      return;
    }
    session.phase = { kind: 'transaction', tx };
    session.reply(Status.Ok, `${result.total} octets received`);
    return;
  }
  session.phase = { kind: 'idle' };
  await guardMessage(session, async () => {
    if (tx.recipients.length === 0) throw new SmtpRefusal(Status.NoValidRecipients, 'no valid recipients');
    if (tx.tooBig) throw new SmtpRefusal(Status.TooBig, `message too big: at most ${session.maxMessageOctets} octets`);
    const raw = Buffer.concat(tx.chunks);
    await acceptMessage(session, tx, raw, hasBareLineEnding(raw));
  });
}

/** Refusals after the data become replies here (the session's dispatcher is not on this path). */
async function guardMessage(session: SmtpSession, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof SmtpRefusal) {
      session.conn.log.info({ code: err.status.code, reason: err.logReason ?? err.message }, 'smtp.message.refused');
      session.reply(err.status, err.lines);
    } else {
      session.conn.log.error({ err }, 'smtp.message.failed');
      session.reply(Status.LocalError, 'local error in processing; the message was not accepted, please try again later');
    }
  }
}

/** A CR not followed by LF, or an LF not preceded by CR (BDAT has no DataReader to report them). */
export function hasBareLineEnding(raw: Buffer): boolean {
  for (let i = raw.indexOf(0x0d); i >= 0; i = raw.indexOf(0x0d, i + 1)) if (raw[i + 1] !== 0x0a) return true;
  for (let i = raw.indexOf(0x0a); i >= 0; i = raw.indexOf(0x0a, i + 1)) if (i === 0 || raw[i - 1] !== 0x0d) return true;
  return false;
}

export type { Transaction };
