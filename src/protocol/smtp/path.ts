/**
 * SMTP envelope paths: the Reverse-path of MAIL FROM and the Forward-path of RCPT TO.
 *
 * RFC 5321 §4.1.2 (Path, Mailbox, Local-part, Domain grammar), §4.1.3 (address literals), §4.1.1.3 and
 * Appendix C (source routes: accepted, then ignored), §4.5.3.1.1–3 (length limits), RFC 5322 §3.2.3 (atext),
 * RFC 6531 §3.3 (UTF-8 in local parts and domains, only with SMTPUTF8) and §3.5 (550/553 5.6.7 otherwise).
 */
import { normaliseDomain } from '../../mail/address.js';
import { accountLimits, smtpLimits } from '../../lib/limits.js';
import { SmtpSyntaxError, SyntaxStatus, type SmtpStatus } from './codes.js';

/** The domain of a mailbox: a host name, or an address literal (RFC 5321 §4.1.3). */
export type PathDomain =
  /** `name` as sent (may hold U-labels with SMTPUTF8); `ascii` lower case with A-labels, for lookups. */
  | { readonly kind: 'name'; readonly name: string; readonly ascii: string }
  /** `[192.0.2.1]`: `address` is the dotted quad without leading zeros, `text` the literal as sent. */
  | { readonly kind: 'ipv4'; readonly address: string; readonly text: string }
  /** `[IPv6:2001:db8::1]`: `address` is the IPv6 text in lower case, `text` the literal as sent. */
  | { readonly kind: 'ipv6'; readonly address: string; readonly text: string };

/** A mailbox from a path. */
export interface PathMailbox {
  /** The local part's content: for a quoted string, without the quotes and backslashes. Case is kept. */
  readonly localPart: string;
  readonly domain: PathDomain;
  /**
   * `local@domain` as it should be written on the wire: the local part as a dot-atom when its content allows
   * it (so `"john.doe"` becomes `john.doe`), otherwise a minimally escaped quoted string; the domain as sent.
   */
  readonly address: string;
  /** True when the mailbox holds non-ASCII characters (it needs SMTPUTF8 to travel further). */
  readonly utf8: boolean;
}

/** RFC 5321 §4.1.2 Reverse-path: a mailbox or the null path `<>`. */
export type ReversePath = { readonly kind: 'null' } | { readonly kind: 'mailbox'; readonly mailbox: PathMailbox };

/** RFC 5321 §4.1.2 Forward-path: a mailbox or, per §4.1.1.3, the bare `<Postmaster>`. */
export type ForwardPath = { readonly kind: 'postmaster' } | { readonly kind: 'mailbox'; readonly mailbox: PathMailbox };

export interface PathOptions {
  /** RFC 6531 §3.3: UTF-8 is allowed in the path only when the transaction uses SMTPUTF8. */
  readonly smtputf8: boolean;
}

/** Which path is parsed decides the enhanced code of an error (X.1.7 sender, X.1.3 recipient). */
type Direction = 'sender' | 'recipient';

/** RFC 5322 §3.2.3 atext (ASCII). */
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]$/;
/** RFC 5321 §4.1.2 sub-domain = Let-dig [Ldh-str] (ASCII). */
const LDH_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** Parses the `<…>` of MAIL FROM. */
export function parseReversePath(text: string, options: PathOptions): ReversePath {
  checkPathLength(text, 'sender');
  const inner = unbracket(text, 'sender');
  if (inner === '') return { kind: 'null' };
  return { kind: 'mailbox', mailbox: parseRoutedMailbox(inner, options, 'sender') };
}

/** Parses the `<…>` of RCPT TO. */
export function parseForwardPath(text: string, options: PathOptions): ForwardPath {
  checkPathLength(text, 'recipient');
  const inner = unbracket(text, 'recipient');
  // RFC 5321 §4.1.1.3: "<Postmaster>" (any case) without a domain must be accepted.
  if (inner.toLowerCase() === 'postmaster') return { kind: 'postmaster' };
  if (inner === '') throw pathError('recipient', 'the recipient address is empty');
  return { kind: 'mailbox', mailbox: parseRoutedMailbox(inner, options, 'recipient') };
}

/**
 * Finds the end of a path that starts at `start` (which must be `<`): the first `>` outside a quoted string.
 * Returns the index just past the `>`, or -1 when the path is not terminated.
 */
export function scanPath(text: string, start: number): number {
  if (text[start] !== '<') return -1;
  let quoted = false;
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '>' && !quoted) return i + 1;
  }
  return -1;
}

/**
 * RFC 5321 §4.1.3: parses an address literal `[192.0.2.1]` or `[IPv6:…]`. General address literals with other
 * tags are refused: none is registered. Returns undefined when `text` is not a valid literal.
 */
export function parseAddressLiteral(text: string): Exclude<PathDomain, { kind: 'name' }> | undefined {
  if (!text.startsWith('[') || !text.endsWith(']') || text.length < 3) return undefined;
  const body = text.slice(1, -1);
  const v4 = ipv4(body);
  if (v4 !== undefined) return { kind: 'ipv4', address: v4, text };
  const colon = body.indexOf(':');
  if (colon < 0 || body.slice(0, colon).toLowerCase() !== 'ipv6') return undefined;
  const v6 = body.slice(colon + 1);
  return isIpv6(v6) ? { kind: 'ipv6', address: v6.toLowerCase(), text } : undefined;
}

/** Writes a local part the way RFC 5321 §4.1.2 prefers: a dot-atom if possible, else a quoted string. */
export function formatLocalPart(content: string): string {
  if (isDotString(content, true)) return content;
  return `"${content.replace(/["\\]/g, '\\$&')}"`;
}

function checkPathLength(text: string, dir: Direction): void {
  // RFC 5321 §4.5.3.1.3 (and "501 Path too long", §4.5.3.1.10).
  if (Buffer.byteLength(text) > smtpLimits.pathMaxOctets)
    throw new SmtpSyntaxError('path-too-long', statusFor(dir), `path too long (at most ${smtpLimits.pathMaxOctets} octets)`);
}

function unbracket(text: string, dir: Direction): string {
  if (text.length < 2 || !text.startsWith('<') || !text.endsWith('>'))
    throw pathError(dir, 'the address must be enclosed in angle brackets, e.g. <user@example.com>');
  return text.slice(1, -1);
}

/** `[A-d-l ":"] Mailbox` (RFC 5321 §4.1.2). */
function parseRoutedMailbox(inner: string, options: PathOptions, dir: Direction): PathMailbox {
  let rest = inner;
  if (rest.startsWith('@')) {
    // RFC 5321 §4.1.1.3 / Appendix C: a source route is accepted and ignored. It holds only plain Domains.
    const colon = rest.indexOf(':');
    if (colon < 0) throw pathError(dir, 'malformed source route');
    for (const hop of rest.slice(0, colon).split(',')) {
      if (!hop.startsWith('@') || !isSyntacticDomain(hop.slice(1), options.smtputf8))
        throw pathError(dir, 'malformed source route');
    }
    rest = rest.slice(colon + 1);
  }
  return parseMailbox(rest, options, dir);
}

/** `Local-part "@" ( Domain / address-literal )`. */
function parseMailbox(text: string, options: PathOptions, dir: Direction): PathMailbox {
  let localPart: string;
  let domainText: string;
  if (text.startsWith('"')) {
    const q = parseQuotedString(text, dir);
    localPart = q.content;
    if (text[q.end] !== '@') throw pathError(dir, 'expected @ after the quoted local part');
    domainText = text.slice(q.end + 1);
  } else {
    const at = text.indexOf('@');
    if (at < 0) throw pathError(dir, 'the address has no @domain');
    localPart = text.slice(0, at);
    domainText = text.slice(at + 1);
    if (!isDotString(localPart, true)) throw pathError(dir, 'invalid characters or dots in the local part');
  }
  if (localPart === '') throw pathError(dir, 'the local part is empty');
  const utf8 = !isAscii(localPart) || !isAscii(domainText);
  if (utf8 && !options.smtputf8) {
    // RFC 6531 §3.5: 550 5.6.7 for MAIL, 553 5.6.7 for RCPT.
    throw new SmtpSyntaxError(
      'non-ascii-address',
      dir === 'sender' ? SyntaxStatus.NonAsciiSender : SyntaxStatus.NonAsciiRecipient,
      'non-ASCII addresses need the SMTPUTF8 parameter on MAIL FROM',
    );
  }
  const wireLocal = formatLocalPart(localPart);
  // RFC 5321 §4.5.3.1.1: at most 64 octets in the local part.
  if (Buffer.byteLength(wireLocal) > accountLimits.localPartMaxOctets)
    throw new SmtpSyntaxError('path-too-long', statusFor(dir), `local part too long (at most ${accountLimits.localPartMaxOctets} octets)`);
  const domain = parseDomain(domainText, options.smtputf8, dir);
  const domainWire = domain.kind === 'name' ? domain.name : domain.text;
  return { localPart, domain, address: `${wireLocal}@${domainWire}`, utf8 };
}

/** RFC 5321 §4.1.2 Quoted-string, with RFC 6531 §3.3 UTF-8 qtextSMTP. Returns the content and the index past it. */
function parseQuotedString(text: string, dir: Direction): { content: string; end: number } {
  let content = '';
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return { content, end: i + 1 };
    if (c === 0x5c) {
      // quoted-pairSMTP = %d92 %d32-126
      const next = text.charCodeAt(i + 1);
      if (!(next >= 32 && next <= 126)) throw pathError(dir, 'invalid escape in the quoted local part');
      content += text[i + 1];
      i++;
      continue;
    }
    // qtextSMTP = %d32-33 / %d35-91 / %d93-126 (and UTF-8, whose use is checked by the caller)
    if (c < 32 || c === 127) throw pathError(dir, 'control character in the quoted local part');
    content += text[i];
  }
  throw pathError(dir, 'unterminated quoted local part');
}

function parseDomain(text: string, smtputf8: boolean, dir: Direction): PathDomain {
  if (text.startsWith('[')) {
    const literal = parseAddressLiteral(text);
    if (!literal) throw pathError(dir, 'invalid address literal (use [192.0.2.1] or [IPv6:2001:db8::1])');
    return literal;
  }
  if (!isSyntacticDomain(text, smtputf8)) throw pathError(dir, 'invalid domain');
  const normalised = normaliseDomain(text);
  if ('problem' in normalised) throw pathError(dir, 'invalid domain');
  return { kind: 'name', name: text, ascii: normalised.domain };
}

/** RFC 5321 §4.1.2 Domain: dot-separated LDH labels (or U-labels with SMTPUTF8, validated by IDNA later). */
function isSyntacticDomain(text: string, smtputf8: boolean): boolean {
  if (text === '' || Buffer.byteLength(text) > accountLimits.domainMaxOctets) return false;
  for (const label of text.split('.')) {
    if (label === '') return false;
    if (isAscii(label)) {
      if (!LDH_LABEL.test(label)) return false;
    } else if (!smtputf8 || /[\s\p{Cc}.@[\]<>"\\,:;()]/u.test(label)) {
      return false;
    }
  }
  return true;
}

/** RFC 5321 §4.1.2 Dot-string = Atom *("." Atom), atext extended with UTF-8 by RFC 6531 §3.3. */
function isDotString(text: string, allowUtf8: boolean): boolean {
  if (text === '') return false;
  for (const atom of text.split('.')) {
    if (atom === '') return false;
    for (const ch of atom) {
      if (ch.charCodeAt(0) >= 0x80) {
        if (!allowUtf8 || /\p{Cc}/u.test(ch)) return false;
      } else if (!ATEXT.test(ch)) {
        return false;
      }
    }
  }
  return true;
}

function ipv4(text: string): string | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((n) => n > 255)) return undefined;
  return parts.join('.');
}

/** RFC 5321 §4.1.3 IPv6-addr (full, compressed, and with an embedded IPv4 address). */
function isIpv6(text: string): boolean {
  let groups: string[];
  let tailV4 = 0;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    if (ipv4(text.slice(lastColon + 1)) === undefined) return false;
    text = text.slice(0, lastColon + 1) + '0'; // placeholder group, counted as two below
    tailV4 = 1;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const split = (s: string): string[] => (s === '' ? [] : s.split(':'));
  if (halves.length === 2) {
    groups = [...split(halves[0]!), ...split(halves[1]!)];
    if (!groups.every((g) => HEX_GROUP.test(g))) return false;
    return groups.length + tailV4 <= 7;
  }
  groups = split(text);
  return groups.every((g) => HEX_GROUP.test(g)) && groups.length + tailV4 === 8;
}

function isAscii(text: string): boolean {
  return /^[\x00-\x7f]*$/.test(text);
}

function statusFor(dir: Direction): SmtpStatus {
  return dir === 'sender' ? SyntaxStatus.BadSender : SyntaxStatus.BadRecipient;
}

function pathError(dir: Direction, what: string): SmtpSyntaxError {
  return new SmtpSyntaxError('bad-path', statusFor(dir), `${dir === 'sender' ? 'sender' : 'recipient'} address syntax: ${what}`);
}
