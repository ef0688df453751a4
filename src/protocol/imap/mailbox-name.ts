/**
 * Mailbox names: modified UTF-7 (RFC 3501 §5.1.3) for IMAP4rev1 sessions, UTF-8 for IMAP4rev2 and after
 * `ENABLE UTF8=ACCEPT` (RFC 9051 §5.1, RFC 6855 §3); INBOX is case-insensitive (RFC 9051 §5.1).
 *
 * Modified UTF-7: printable US-ASCII other than "&" stands for itself; "&" is "&-"; any other run of characters
 * is "&", the modified base64 (RFC 2045 base64 with "," for "/" and no padding) of its UTF-16BE form, and "-".
 * Decoding is strict: only the canonical encoding of a name is accepted (no encoded printable ASCII, no empty or
 * adjacent shifts, no stray bits), as Dovecot does, so one name has exactly one spelling.
 */
import { isUtf8 } from 'node:buffer';
import type { Scanner } from './scanner.js';

const AMP = 0x26;

/** Encodes a Unicode mailbox name to modified UTF-7. */
export function encodeModifiedUtf7(name: string): string {
  let out = '';
  let pending: number[] = []; // UTF-16 code units awaiting encoding
  const flush = (): void => {
    if (pending.length === 0) return;
    const bytes = Buffer.alloc(pending.length * 2);
    pending.forEach((unit, i) => bytes.writeUInt16BE(unit, i * 2));
    out += `&${bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
    pending = [];
  };
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    if (unit >= 0x20 && unit <= 0x7e) {
      flush();
      out += unit === AMP ? '&-' : name[i];
    } else pending.push(unit);
  }
  flush();
  return out;
}

/** Decodes a modified UTF-7 mailbox name; `undefined` when it is not the canonical encoding of a valid name. */
export function decodeModifiedUtf7(text: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return undefined;
    if (c !== AMP) {
      out += text[i];
      i++;
      continue;
    }
    const end = text.indexOf('-', i + 1);
    if (end < 0) return undefined;
    const b64 = text.slice(i + 1, end);
    if (b64 === '') out += '&';
    else {
      const units = decodeShift(b64);
      if (units === undefined) return undefined;
      out += units;
    }
    i = end + 1;
  }
  // Canonical form only: re-encoding must give back the input (this also rejects lone surrogates' re-encoding
  // mismatches, encoded ASCII and split shifts).
  return encodeModifiedUtf7(out) === text && isWellFormed(out) ? out : undefined;
}

function decodeShift(b64: string): string | undefined {
  if (!/^[A-Za-z0-9+,]+$/.test(b64)) return undefined;
  // Whole UTF-16 units: 16 bits per unit, 6 per character; leftover bits must be zero (checked by re-encoding).
  const bits = b64.length * 6;
  const units = Math.floor(bits / 16);
  if (units === 0 || bits - units * 16 >= 6) return undefined;
  const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
  let s = '';
  for (let k = 0; k + 1 < bytes.length && k < units * 2; k += 2) s += String.fromCharCode(bytes.readUInt16BE(k));
  return s;
}

function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (u >= 0xdc00 && u <= 0xdfff) return false;
  }
  return true;
}

/** RFC 9051 §5.1: "INBOX" in any case names the inbox; other names are case-sensitive. */
export function normaliseInbox(name: string): string {
  return name.length === 5 && name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}

/**
 * Turns a mailbox name as sent into the Unicode name: UTF-8 in UTF-8 sessions, modified UTF-7 otherwise.
 * `undefined` when the name is not valid in the session's encoding. Wildcards (LIST patterns) pass through.
 */
export function decodeMailboxName(bytes: Buffer, utf8: boolean): string | undefined {
  if (utf8) {
    // Invalid UTF-8 is refused rather than turned into some other name.
    return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
  }
  if (!isAscii(bytes)) return undefined;
  return decodeModifiedUtf7(bytes.toString('latin1'));
}

function isAscii(bytes: Buffer): boolean {
  for (const b of bytes) if (b > 0x7f) return false;
  return true;
}

/** RFC 9051 §9 mailbox = "INBOX" / astring, decoded to Unicode. */
export function parseMailbox(s: Scanner, utf8: boolean): string {
  const name = decodeMailboxName(s.astring('a mailbox name'), utf8);
  if (name === undefined) s.fail(utf8 ? 'mailbox name is not valid UTF-8' : 'mailbox name is not valid modified UTF-7', 'bad-mailbox-name');
  return normaliseInbox(name);
}

/** Encodes a mailbox name for a response in the session's encoding (INBOX always in upper case). */
export function encodeMailboxName(name: string, utf8: boolean): string {
  const normal = normaliseInbox(name);
  return utf8 ? normal : encodeModifiedUtf7(normal);
}
