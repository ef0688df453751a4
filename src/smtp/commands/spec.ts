/** The shape of a command module (STYLE.md habit 2): the states it is allowed in, and what it does. */
import type { SmtpCommand, SmtpVerb } from '../../protocol/smtp/command.js';
import type { SmtpSession } from '../session.js';
import type { PhaseKind } from '../types.js';

export interface CommandSpec<C extends SmtpCommand> {
  /** The states in which the command is valid; anywhere else it gets 503 5.5.1 (RFC 5321 §4.3.2). */
  readonly states: readonly PhaseKind[];
  /** The text of the 503 reply, saying what to do instead. */
  outOfSequence(session: SmtpSession): string;
  /** Runs the command: queues replies, or throws SmtpRefusal. */
  run(session: SmtpSession, command: C): Promise<void> | void;
}

export type CommandTable = { readonly [V in SmtpVerb]: CommandSpec<Extract<SmtpCommand, { verb: V }>> };

/** The usual 503 text for commands that need EHLO first or a transaction. */
export function sequenceHint(session: SmtpSession): string {
  switch (session.phase.kind) {
    case 'connected':
      return 'send EHLO (or HELO) first';
    case 'idle':
      return 'send MAIL FROM first';
    case 'transaction':
      return 'a mail transaction is in progress: finish it or send RSET';
    default:
      return 'bad sequence of commands';
  }
}
