/**
 * What the submission server checks and changes in a message before it is queued.
 *
 * RFC 6409 §8 (an MSA may add Message-ID, Date and Sender, and may refuse a From the submitter does not own;
 * common practice, mox among others, is to enforce it), RFC 5322 §3.6 (From exactly once, Sender at most once
 * and a single mailbox; §3.6.2 originator fields; §3.6.3 Bcc), RFC 5321 §4.4 (only final delivery adds
 * Return-Path), RFC 2047 (display names in encoded words).
 *
 * The ownership check reads From and Sender the way a mail client would show them, and refuses when any address
 * a reader would see or a program would use is not the submitter's:
 * - the address itself (src/mail/address-list.ts parses RFC 5322 §3.4 in full, so a malformed list such as
 *   `boss@bank.test <me@ours.test>` or an address without angle brackets after a name is refused, not guessed);
 * - every address inside a comment (`me@ours.test (boss@bank.test)` shows boss@bank.test as the name);
 * - every address in text that came from an encoded word (clients that decode before parsing, and Mailsploit,
 *   turn `=?utf-8?b?…?=` into `boss@bank.test <`…);
 * - every `<address>` in a display name, quoted or not;
 * - look-alikes: display text is compared after NFKC, so a fullwidth ＠ or ＜ counts as @ or <;
 * - control, bidirectional and line-separator characters in display text (they hide or reorder what is shown).
 * A plain address as quoted display text (`"boss@bank.test" <me@ours.test>`) is allowed: every client shows the
 * real address beside it, and refusing it would refuse many ordinary messages.
 *
 * Every byte not removed or added stays exactly as the client sent it. Call this after normaliseLineEndings (or
 * after refusing bare CR and LF): a later reader that ends a line at a bare CR would see fields we did not.
 */
import { randomBytes } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { domainToASCII } from 'node:url';
import { formatField, locateBody, parseHeaderFields, type HeaderField } from './header-block.js';
import { allMailboxes, parseAddressList, phraseText, type Comment, type Mailbox } from './address-list.js';
import { hasEncodedWords } from './encoded-words.js';
import { formatDate } from './received.js';

export type SubmissionRefusal = {
  ok: false;
  reason: 'no-from' | 'from-not-owned' | 'sender-not-owned' | 'bad-from';
  /** Safe to show the client (printable ASCII); names the address that is not theirs. */
  message: string;
};

export interface SubmissionOptions {
  /** True when the authenticated submitter may send as this address (lower case, domain in ASCII). */
  owns: (address: string) => boolean;
  /** Our host name. Not used today (Message-ID uses `messageIdDomain`); kept in the agreed signature. */
  hostname: string;
  now: Date;
  /** The complete Received field to prepend (see receivedHeader). */
  received: string;
  messageIdDomain: string;
  /** The left part of a new Message-ID; random by default (tests inject a fixed one). */
  randomId?: () => string;
}

export type SubmissionResult = { ok: true; raw: Buffer; added: string[] } | SubmissionRefusal;

/** Fields the MSA removes: blind copies (RFC 5322 §3.6.3, also Resent-Bcc) and Return-Path (RFC 5321 §4.4). */
const REMOVED = new Set(['bcc', 'resent-bcc', 'return-path']);

const CRLF = Buffer.from('\r\n');

export function prepareSubmission(raw: Buffer, o: SubmissionOptions): SubmissionResult {
  const { headerEnd } = locateBody(raw);
  const fields = parseHeaderFields(raw.subarray(0, headerEnd));

  const refusal = checkOriginators(fields, o.owns);
  if (refusal) return refusal;

  const parts: Buffer[] = [Buffer.from(o.received.endsWith('\r\n') ? o.received : `${o.received}\r\n`)];
  for (const f of fields) if (!REMOVED.has(f.lowerName)) parts.push(f.raw);

  const added: string[] = [];
  const extra: Buffer[] = [];
  if (!present(fields, 'message-id')) {
    const left = o.randomId ? o.randomId() : randomBytes(15).toString('base64url');
    extra.push(formatField('Message-ID', `<${left}@${o.messageIdDomain}>`));
    added.push('Message-ID');
  }
  if (!present(fields, 'date')) {
    extra.push(formatField('Date', formatDate(o.now)));
    added.push('Date');
  }
  // A header without a final line break (a message with no body and no CRLF at the end) gets one first.
  if (extra.length > 0 && parts.at(-1)!.at(-1) !== 0x0a) parts.push(CRLF);
  parts.push(...extra, raw.subarray(headerEnd));
  return { ok: true, raw: Buffer.concat(parts), added };
}

function present(fields: readonly HeaderField[], lowerName: string): boolean {
  return fields.some((f) => f.lowerName === lowerName && f.value.trim() !== '');
}

// ---------------------------------------------------------------- originator checks

type Role = 'From' | 'Sender';

function refuse(reason: SubmissionRefusal['reason'], message: string): SubmissionRefusal {
  return { ok: false, reason, message };
}

function checkOriginators(fields: readonly HeaderField[], owns: (address: string) => boolean): SubmissionRefusal | null {
  // A line we do not read as a field (a continuation with nothing before it) but a lenient reader might.
  const hidden = fields.find((f) => f.lowerName === '' && /^[ \t]*(from|sender)[ \t]*:/i.test(f.value));
  if (hidden) return refuse('bad-from', 'The message has a malformed line that looks like a From or Sender field');
  const froms = fields.filter((f) => f.lowerName === 'from');
  if (froms.length === 0) return refuse('no-from', 'The message has no From field; add one with your address');
  if (froms.length > 1) return refuse('bad-from', `The message has ${froms.length} From fields; it must have exactly one`);
  const senders = fields.filter((f) => f.lowerName === 'sender');
  if (senders.length > 1) return refuse('bad-from', `The message has ${senders.length} Sender fields; it may have at most one`);
  return checkField(froms[0]!, 'From', owns) ?? (senders[0] ? checkField(senders[0], 'Sender', owns) : null);
}

function checkField(field: HeaderField, role: Role, owns: (address: string) => boolean): SubmissionRefusal | null {
  const notOwned = role === 'From' ? 'from-not-owned' : 'sender-not-owned';
  if (!isUtf8(field.raw)) return refuse('bad-from', `The ${role} field is not valid UTF-8`);
  const parsed = parseAddressList(field.value);
  if (!parsed.ok) return refuse('bad-from', `The ${role} field cannot be read: ${safe(parsed.error)}`);
  const mailboxes = allMailboxes(parsed.entries);
  if (mailboxes.length === 0) return refuse('bad-from', `The ${role} field has no address`);

  for (const mb of mailboxes) {
    if (hasEncodedWords(mb.localPart) || hasEncodedWords(mb.domain)) {
      return refuse('bad-from', `The ${role} address ${safe(mb.address)} contains an encoded word, which addresses may not`);
    }
    if (!owns(ownershipKey(mb))) return refuse(notOwned, `The ${role} address ${safe(mb.address)} is not one of your addresses`);
  }
  for (const mb of mailboxes) {
    const problem = displayProblem(mb, owns);
    if (problem?.kind === 'bad') return refuse('bad-from', `The ${role} ${problem.where} ${problem.what}`);
    if (problem?.kind === 'shows') {
      return refuse(notOwned, `The ${role} ${problem.where} shows ${safe(problem.address)}, which is not one of your addresses`);
    }
  }
  for (const entry of parsed.entries) {
    if (entry.kind === 'group') return refuse('bad-from', `The ${role} field may not use group syntax ("name: ...;")`);
  }
  if (role === 'Sender' && mailboxes.length > 1) return refuse('bad-from', 'The Sender field must hold exactly one address');
  return null;
}

/** The address as `owns` expects it: lower case, domain in ASCII (a look-alike IDN becomes a different A-label). */
export function ownershipKey(mb: Pick<Mailbox, 'address' | 'domain'>): string {
  const at = mb.address.lastIndexOf('@');
  const local = mb.address.slice(0, at).toLowerCase();
  let domain = mb.domain.toLowerCase();
  if (!domain.startsWith('[')) {
    const ascii = domainToASCII(domain);
    if (ascii !== '') domain = ascii.toLowerCase();
  }
  return `${local}@${domain}`;
}

type DisplayProblem = { kind: 'bad'; where: string; what: string } | { kind: 'shows'; where: string; address: string };

/** Characters that hide or reorder displayed text: bidi controls, line separators, BOM, and any Cc. */
const HIDING = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/u;
/** Address-like text (after NFKC); deliberately loose. */
const ADDRESS_LIKE = /[^\s<>()[\],;:"@]+@[^\s<>()[\],;:"@]+/gu;
/** `<…@…>` in display text. */
const ANGLE_ADDRESS = /<([^<>]*@[^<>]*)>/gu;
/** RFC 5322 §3.2.3 specials other than ".", which obs-phrase allows in a display name. */
const SPECIALS = /[()<>[\]:;@\\,"]/u;

function displayProblem(mb: Mailbox, owns: (address: string) => boolean): DisplayProblem | null {
  const shown = (text: string, all: boolean): string | null => {
    const n = text.normalize('NFKC');
    for (const m of n.matchAll(ANGLE_ADDRESS)) if (!ownsLoose(m[1]!, owns)) return m[1]!.trim();
    if (all) for (const m of n.matchAll(ADDRESS_LIKE)) if (!ownsLoose(m[0], owns)) return m[0];
    return null;
  };

  for (const w of mb.nameWords) {
    const tab = w.decoded.replace(/\t/g, ' ');
    if (HIDING.test(tab)) return { kind: 'bad', where: 'display name', what: 'contains control or invisible formatting characters' };
    // An atom cannot hold a special; one that appears after NFKC came from a look-alike character.
    if (w.kind === 'atom' && !w.encoded && SPECIALS.test(w.text.normalize('NFKC'))) {
      return { kind: 'bad', where: 'display name', what: 'uses a look-alike of @, <, > or another special character; put the name in quotes' };
    }
  }
  if (mb.nameWords.length > 0) {
    const name = phraseText(mb.nameWords);
    const address = shown(name, mb.nameWords.some((w) => w.encoded));
    if (address !== null) return { kind: 'shows', where: 'display name', address };
  }
  for (const c of mb.comments) {
    const problem = commentProblem(c, shown);
    if (problem) return problem;
  }
  return null;
}

function commentProblem(c: Comment, shown: (text: string, all: boolean) => string | null): DisplayProblem | null {
  if (HIDING.test(c.decoded.replace(/\t/g, ' '))) {
    return { kind: 'bad', where: 'field', what: 'has a comment with control or invisible formatting characters' };
  }
  const address = shown(c.decoded, true);
  return address === null ? null : { kind: 'shows', where: 'field, in a comment,', address };
}

/** Ownership of an address found in display text: trimmed of surrounding punctuation, parsed as a mailbox. */
function ownsLoose(text: string, owns: (address: string) => boolean): boolean {
  const candidate = text.trim().replace(/^[.'`]+|[.'`]+$/g, '');
  const parsed = parseAddressList(candidate);
  if (parsed.ok) {
    const mbs = allMailboxes(parsed.entries);
    if (mbs.length > 0) return mbs.every((mb) => owns(ownershipKey(mb)));
  }
  return owns(candidate.toLowerCase());
}

/** Printable ASCII for a reply line: other characters as \u{…}, at most 100 characters. */
function safe(text: string): string {
  let out = '';
  for (const c of text) {
    const cp = c.codePointAt(0)!;
    out += cp >= 0x20 && cp < 0x7f ? c : `\\u{${cp.toString(16)}}`;
    if (out.length > 100) return `${out.slice(0, 100)}...`;
  }
  return out;
}
