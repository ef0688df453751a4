/**
 * Formats SMTP replies.
 *
 * RFC 5321 §4.2 (reply = code SP text, or code "-" text for every line but the last, §4.2.1), §4.1.1.1 (the EHLO
 * reply: domain and greeting, then one extension per line), §4.5.3.1.5 (a reply line is at most 512 octets
 * including CRLF); RFC 2034 §4 (the enhanced status code opens the text of every line; it is not used in the
 * greeting or the EHLO reply); RFC 4954 §4 (a challenge is "334 " + base64 and nothing else).
 */
import { smtpLimits } from '../../lib/limits.js';
import type { SmtpStatus, SmtpSyntaxError } from './codes.js';

/** A reply before formatting. `text` may be several lines (an array, or a string with line breaks). */
export interface SmtpReply {
  readonly code: number;
  /** RFC 3463 `class.subject.detail`; omit when the client did not see ENHANCEDSTATUSCODES or for 220/EHLO. */
  readonly enhanced?: string | undefined;
  readonly text: string | readonly string[];
}

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3}$/;
/** RFC 5321 §4.1.1.1 ehlo-keyword *(SP ehlo-param), with esmtp-param-like printable parameters. */
const EHLO_LINE = /^[A-Za-z0-9][A-Za-z0-9-]*(?: [\x21-\x7e]+)*$/;

/**
 * Formats a reply as wire text, every line ending in CRLF. Line breaks in the text start new reply lines; CR,
 * LF and other control characters can never reach the wire from the text (reply injection); a line that would
 * pass 512 octets is wrapped at a space where possible (RFC 5321 §4.5.3.1.5).
 */
export function formatReply(reply: SmtpReply): string {
  const code = checkCode(reply.code);
  if (reply.enhanced !== undefined && !ENHANCED.test(reply.enhanced))
    throw new RangeError(`invalid enhanced status code ${JSON.stringify(reply.enhanced)}`);
  const prefixText = reply.enhanced === undefined ? '' : `${reply.enhanced} `;
  // 3 digits + separator + enhanced code, and the CRLF.
  const room = smtpLimits.replyLineMaxOctets - 4 - prefixText.length - 2;
  const texts = (typeof reply.text === 'string' ? [reply.text] : reply.text).flatMap((t) => t.split(/\r\n|\r|\n/));
  const lines = texts.flatMap((t) => wrap(sanitise(t), room));
  if (lines.length === 0) lines.push('');
  return lines.map((line, i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${prefixText}${line}`.trimEnd() + '\r\n').join('');
}

/** The reply for a syntax error from the parsers (with or without its enhanced code). */
export function errorReply(error: SmtpSyntaxError, enhancedCodes = true): SmtpReply {
  return statusReply(error.status, error.message, enhancedCodes);
}

/** A reply from a status pair and text. */
export function statusReply(status: SmtpStatus, text: string | readonly string[], enhancedCodes = true): SmtpReply {
  return { code: status.code, enhanced: enhancedCodes ? status.enhanced : undefined, text };
}

/**
 * RFC 5321 §4.1.1.1: the reply to EHLO: `250-<hostname> Hello <greetingName>` then one line per extension
 * (`PIPELINING`, `SIZE 52428800`, `AUTH PLAIN LOGIN`…), the last with `250 `. The greeting name (usually the
 * client's EHLO argument) is sanitised and shortened to fit; extension lines are ours and must be valid.
 */
export function ehloReply(hostname: string, greetingName: string, extensions: readonly string[]): string {
  if (!/^[\x21-\x7e]+$/.test(hostname)) throw new RangeError(`invalid host name ${JSON.stringify(hostname)}`);
  for (const ext of extensions) {
    if (!EHLO_LINE.test(ext) || ext.length + 6 > smtpLimits.replyLineMaxOctets)
      throw new RangeError(`invalid EHLO extension line ${JSON.stringify(ext)}`);
  }
  const maxGreeting = smtpLimits.replyLineMaxOctets - 6 - hostname.length - ' Hello '.length;
  const greeting = truncateOctets(sanitise(greetingName).trim(), Math.max(0, maxGreeting));
  const first = greeting === '' ? hostname : `${hostname} Hello ${greeting}`;
  const lines = [first, ...extensions];
  return lines.map((line, i) => `250${i === lines.length - 1 ? ' ' : '-'}${line}\r\n`).join('');
}

/** RFC 4954 §4: a SASL challenge line, "334 " followed by the base64 text (empty for an empty challenge). */
export function authChallengeReply(base64: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new RangeError('a challenge must be base64');
  return `334 ${base64}\r\n`;
}

function checkCode(code: number): number {
  if (!Number.isInteger(code) || code < 200 || code > 599) throw new RangeError(`invalid reply code ${code}`);
  return code;
}

/** Replaces control characters other than TAB (RFC 5321 §4.2 textstring = 1*(%d09 / %d32-126)) with spaces. */
function sanitise(text: string): string {
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ');
}

/** Splits text into pieces of at most `room` UTF-8 octets, preferring to break at spaces. */
function wrap(text: string, room: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest) > room) {
    let piece = truncateOctets(rest, room);
    if (piece === '') break; // cannot happen with a 512-octet line, but never loop forever
    const space = piece.lastIndexOf(' ');
    if (space > 0) piece = piece.slice(0, space);
    out.push(piece);
    rest = rest.slice(piece.length).replace(/^ /, '');
  }
  out.push(rest);
  return out;
}

/** The longest prefix of `text` of at most `max` UTF-8 octets that does not split a character. */
function truncateOctets(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let octets = 0;
  let end = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (octets + size > max) break;
    octets += size;
    end += ch.length;
  }
  return text.slice(0, end);
}
