/**
 * NOOP, QUIT, VRFY, EXPN, HELP. RFC 5321 §4.1.1.6–10; §3.5.3 (VRFY may answer 252 without verifying: we never
 * confirm addresses, which would help harvesters); §7.3 (EXPN may be disabled: 502).
 */
import type { SmtpCommand } from '../../protocol/smtp/command.js';
import { Status } from '../status.js';
import type { CommandSpec } from './spec.js';

type Cmd<V extends SmtpCommand['verb']> = Extract<SmtpCommand, { verb: V }>;
const ANY = ['connected', 'idle', 'transaction'] as const;

export const NOOP: CommandSpec<Cmd<'NOOP'>> = { states: ANY, outOfSequence: () => '', run: (s) => s.reply(Status.Ok, 'ok') };

export const QUIT: CommandSpec<Cmd<'QUIT'>> = {
  states: ANY,
  outOfSequence: () => '',
  run: (s) => s.close(Status.Closing, `${s.hostname} closing connection`),
};

export const VRFY: CommandSpec<Cmd<'VRFY'>> = {
  states: ANY,
  outOfSequence: () => '',
  run: (s) => s.reply(Status.CannotVerify, 'cannot verify the address, but will accept mail for it and attempt delivery'),
};

export const EXPN: CommandSpec<Cmd<'EXPN'>> = {
  states: ANY,
  outOfSequence: () => '',
  run: (s) => s.reply(Status.NotImplemented, 'EXPN is not available'),
};

export const HELP: CommandSpec<Cmd<'HELP'>> = {
  states: ANY,
  outOfSequence: () => '',
  run: (s) => s.reply(Status.Help, ['Outpost SMTP. Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP', 'See RFC 5321.']),
};
