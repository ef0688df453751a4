/**
 * POP3 command parsing, sans-I/O. RFC 1939 §3-§7 (commands and states), RFC 2449 (CAPA, extended response codes),
 * RFC 2595 §4 (STLS), RFC 5034 (AUTH with SASL initial response). Keywords are case-insensitive, arguments are
 * separated by single spaces, message numbers are decimal without sign.
 */
import { ProtocolSyntaxError } from '../../lib/errors.js';
import { pop3Limits } from '../../lib/limits.js';

export type Pop3Command =
  | { verb: 'USER'; name: string }
  | { verb: 'PASS'; password: string }
  | { verb: 'AUTH'; mechanism: string | null; initialResponse: string | null }
  | { verb: 'STAT' }
  | { verb: 'LIST'; msg: number | null }
  | { verb: 'UIDL'; msg: number | null }
  | { verb: 'RETR'; msg: number }
  | { verb: 'DELE'; msg: number }
  | { verb: 'TOP'; msg: number; lines: number }
  | { verb: 'RSET' }
  | { verb: 'NOOP' }
  | { verb: 'QUIT' }
  | { verb: 'CAPA' }
  | { verb: 'STLS' };

export type Pop3Verb = Pop3Command['verb'];

export class Pop3SyntaxError extends ProtocolSyntaxError {}

const NUMBER = /^[0-9]{1,10}$/;

function messageNumber(text: string | undefined, what = 'message number'): number {
  if (text === undefined || !NUMBER.test(text)) throw new Pop3SyntaxError('syntax', `invalid ${what}`);
  const n = Number(text);
  if (n < 1 || n > pop3Limits.maxMessageNumber) throw new Pop3SyntaxError('syntax', `no such message: ${what} out of range`);
  return n;
}

function lineCount(text: string | undefined): number {
  if (text === undefined || !NUMBER.test(text)) throw new Pop3SyntaxError('syntax', 'invalid line count: a number of lines (0 or more)');
  const n = Number(text);
  if (n > pop3Limits.maxMessageNumber) throw new Pop3SyntaxError('syntax', 'line count too large');
  return n;
}

function arity(args: string[], min: number, max: number, usage: string): void {
  if (args.length < min || args.length > max) throw new Pop3SyntaxError('syntax', `usage: ${usage}`);
}

/** Parses one command line (without CRLF). Throws {@link Pop3SyntaxError} for anything malformed. */
export function parsePop3Command(line: string): Pop3Command {
  if (line.length === 0) throw new Pop3SyntaxError('syntax', 'empty command');
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(line)) throw new Pop3SyntaxError('syntax', 'control characters in command');
  const space = line.indexOf(' ');
  const keyword = (space < 0 ? line : line.slice(0, space)).toUpperCase();
  const rest = space < 0 ? '' : line.slice(space + 1);
  // PASS takes the rest of the line verbatim: RFC 1939 §7 allows spaces in passwords.
  if (keyword === 'PASS') {
    if (rest.length === 0) throw new Pop3SyntaxError('syntax', 'usage: PASS password');
    return { verb: 'PASS', password: rest };
  }
  const args = rest === '' ? [] : rest.split(' ');
  switch (keyword) {
    case 'USER':
      arity(args, 1, 1, 'USER name');
      return { verb: 'USER', name: args[0]! };
    case 'AUTH':
      arity(args, 0, 2, 'AUTH [mechanism [initial-response]]');
      return { verb: 'AUTH', mechanism: args[0]?.toUpperCase() ?? null, initialResponse: args[1] ?? null };
    case 'STAT':
    case 'RSET':
    case 'NOOP':
    case 'QUIT':
    case 'CAPA':
    case 'STLS':
      arity(args, 0, 0, keyword);
      return { verb: keyword };
    case 'LIST':
    case 'UIDL':
      arity(args, 0, 1, `${keyword} [msg]`);
      return { verb: keyword, msg: args.length ? messageNumber(args[0]) : null };
    case 'RETR':
    case 'DELE':
      arity(args, 1, 1, `${keyword} msg`);
      return { verb: keyword, msg: messageNumber(args[0]) };
    case 'TOP':
      arity(args, 2, 2, 'TOP msg n');
      return { verb: 'TOP', msg: messageNumber(args[0]), lines: lineCount(args[1]) };
    default:
      throw new Pop3SyntaxError('unknown', 'unknown command');
  }
}
