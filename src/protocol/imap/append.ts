/**
 * APPEND arguments.
 *
 * RFC 9051 §6.3.12 and §9 (append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal); RFC 3502 §6
 * (MULTIAPPEND: 1*append-message); RFC 3516 §4.2 (append-data = literal8 for binary content); RFC 6855 §4
 * (append-data =/ "UTF8" SP "(" literal8 ")"); RFC 4466 §2.1 (append-opts). The message literal is a literal
 * (never a quoted string); a normal literal may not contain NUL (checked by the scanner).
 */
import { parseDateTime, type ImapDateTime } from './date-time.js';
import { parseFlagList } from './flags.js';
import { parseMailbox } from './mailbox-name.js';
import type { Scanner } from './scanner.js';

export interface AppendMessage {
  readonly flags: readonly string[];
  /** The internal date to give the message; `undefined` means now. */
  readonly internalDate: ImapDateTime | undefined;
  readonly message: Buffer;
  /** Sent as literal8 (RFC 3516): may contain NUL and 8-bit octets in any part. */
  readonly binary: boolean;
  /** Sent with UTF8 (RFC 6855 §4): a message with UTF-8 headers. */
  readonly utf8: boolean;
}

export interface AppendArgs {
  readonly mailbox: string;
  readonly messages: readonly AppendMessage[];
}

export function parseAppendArgs(s: Scanner, utf8Session: boolean): AppendArgs {
  s.sp();
  const mailbox = parseMailbox(s, utf8Session);
  const messages: AppendMessage[] = [];
  do {
    s.sp();
    messages.push(parseAppendMessage(s));
  } while (!s.atEnd());
  return { mailbox, messages };
}

function parseAppendMessage(s: Scanner): AppendMessage {
  let flags: readonly string[] = [];
  let internalDate: ImapDateTime | undefined;
  if (s.atOpen()) {
    flags = parseFlagList(s);
    s.sp();
  }
  if (s.at('"')) {
    internalDate = parseDateTime(s);
    s.sp();
  }
  if (s.atLiteral()) {
    const literal = s.literal(true);
    return { flags, internalDate, message: literal.bytes, binary: literal.binary, utf8: false };
  }
  if (!s.tryWord('UTF8')) s.fail('expected a message literal');
  s.sp();
  s.open();
  const literal = s.literal(true);
  if (!literal.binary) s.fail('UTF8 takes a literal8');
  s.close();
  return { flags, internalDate, message: literal.bytes, binary: true, utf8: true };
}
