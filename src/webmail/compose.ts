/**
 * A message written in the webmail, turned into RFC 5322 octets (no I/O): the header fields with display names
 * and the subject as RFC 2047 encoded words when they are not ASCII, a text/plain UTF-8 body in quoted-printable
 * (RFC 2045 §6.7), attachments as base64 parts of a multipart/mixed (RFC 2046 §5.1.3) with RFC 2231 file names,
 * and the reply fields In-Reply-To and References (RFC 5322 §3.6.4). Quoting for replies and forwards is here too.
 */
import { randomBytes } from 'node:crypto';
import { UserError } from '../lib/errors.js';
import { allMailboxes, parseAddressList } from '../mail/address-list.js';
import { formatDate } from '../mail/received.js';
import type { MessageView, Person } from './message.js';

export interface Attachment {
  filename: string;
  type: string;
  data: Buffer;
}

export interface Composition {
  from: Person;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  inReplyTo: string | null;
  references: string[];
  attachments: Attachment[];
}

/** Parses recipient entries (`a@b`, `Name <a@b>`, or a comma-separated list) into people; refuses what cannot be read. */
export function recipients(entries: readonly string[]): Person[] {
  const out: Person[] = [];
  for (const entry of entries) {
    if (entry.trim() === '') continue;
    if (/[\r\n]/.test(entry)) throw new UserError('invalid', 'a recipient may not contain a line break');
    const parsed = parseAddressList(entry);
    const boxes = parsed.ok ? allMailboxes(parsed.entries) : [];
    if (!parsed.ok || boxes.length === 0) throw new UserError('invalid', `"${entry.slice(0, 100)}" is not an address`);
    for (const m of boxes) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(m.address) && !/^[^@\s]+@\[[^\]]+\]$/.test(m.address))
        throw new UserError('invalid', `"${m.address.slice(0, 100)}" is not a complete address`);
      out.push({ name: m.name, address: m.address });
    }
  }
  return out;
}

const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;

/** RFC 2047 §4.1: a B-encoded word per ≤ 45 input bytes, never splitting a UTF-8 character. */
export function encodeWords(text: string): string {
  if (ASCII_PRINTABLE.test(text) && !/=\?/.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(' ');
}

/** A person as a mailbox for a header field: `"Name" <a@b>` (name quoted or encoded), or the bare address. */
export function formatPerson(p: Person): string {
  const name = p.name.replace(/[\r\n]/g, ' ').trim();
  if (!name) return p.address;
  if (!ASCII_PRINTABLE.test(name)) return `${encodeWords(name)} <${p.address}>`;
  return `"${name.replace(/["\\]/g, '\\$&')}" <${p.address}>`;
}

/** Folds a header field at spaces so no line passes 78 characters where it can be helped (RFC 5322 §2.2.3). */
function fold(name: string, value: string): string {
  const words = value.split(' ');
  const lines: string[] = [];
  let line = `${name}:`;
  for (const w of words) {
    if (line.length + 1 + w.length > 78 && line.length > name.length + 1) {
      lines.push(line);
      line = ` ${w}`;
    } else line += ` ${w}`;
  }
  lines.push(line);
  return `${lines.join('\r\n')}\r\n`;
}

/** RFC 2045 §6.7 quoted-printable of UTF-8 text with CRLF line breaks; lines at most 76 characters. */
export function quotedPrintable(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  return lines
    .map((line) => {
      const bytes = Buffer.from(line, 'utf8');
      let out = '';
      let width = 0;
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]!;
        const last = i === bytes.length - 1;
        const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
        const token = literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
        if (width + token.length > 75) {
          out += '=\r\n';
          width = 0;
        }
        out += token;
        width += token.length;
      }
      return out;
    })
    .join('\r\n');
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** RFC 2231 §4: a parameter value, extended (UTF-8, percent-encoded) when it is not plain ASCII. */
function param(name: string, value: string): string {
  if (/^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value)) return `${name}="${value}"`;
  return `${name}*=UTF-8''${encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

const SAFE_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

export interface BuildOptions {
  now: Date;
  messageIdDomain: string;
  /** Keep Bcc in the header (drafts); a sent message never carries it (the MSA strips it anyway). */
  keepBcc: boolean;
  randomId?: () => string;
}

/**
 * The copy kept in Sent of a message sent with blind copies: the transmitted octets with a Bcc field added at the
 * end of the header (RFC 5322 §3.6.3: the sender's own copy may show every blind recipient, as Thunderbird and
 * Apple Mail keep it), so the user can see later who got one. The transmitted message never has it.
 */
export function withBcc(raw: Buffer, bcc: readonly Person[]): Buffer {
  if (bcc.length === 0) return raw;
  const end = raw.indexOf('\r\n\r\n');
  const at = end < 0 ? raw.length : end + 2;
  return Buffer.concat([raw.subarray(0, at), Buffer.from(fold('Bcc', bcc.map(formatPerson).join(', ')), 'utf8'), raw.subarray(at)]);
}

export function buildMessage(c: Composition, o: BuildOptions): Buffer {
  if (/[\r\n]/.test(c.subject)) throw new UserError('invalid', 'the subject must be one line');
  const to = recipients(c.to);
  const cc = recipients(c.cc);
  const bcc = recipients(c.bcc);
  let head = '';
  head += fold('From', formatPerson(c.from));
  if (to.length) head += fold('To', to.map(formatPerson).join(', '));
  if (cc.length) head += fold('Cc', cc.map(formatPerson).join(', '));
  if (o.keepBcc && bcc.length) head += fold('Bcc', bcc.map(formatPerson).join(', '));
  head += fold('Subject', encodeWords(c.subject));
  head += `Date: ${formatDate(o.now)}\r\n`;
  head += `Message-ID: <${o.randomId ? o.randomId() : randomBytes(15).toString('base64url')}@${o.messageIdDomain}>\r\n`;
  const msgIds = (s: string) => /^<[^<>\s]+>$/.test(s);
  if (c.inReplyTo && msgIds(c.inReplyTo)) head += `In-Reply-To: ${c.inReplyTo}\r\n`;
  const refs = c.references.filter(msgIds).slice(-20);
  if (refs.length) head += fold('References', refs.join(' '));
  head += 'MIME-Version: 1.0\r\n';
  const textPart = `Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(c.text)}\r\n`;
  if (c.attachments.length === 0) return Buffer.from(head + textPart, 'utf8');
  const boundary = `=_outpost_${randomBytes(12).toString('hex')}`;
  const parts = [textPart];
  for (const a of c.attachments) {
    const type = SAFE_TYPE.test(a.type.toLowerCase()) ? a.type.toLowerCase() : 'application/octet-stream';
    const name = a.filename.replace(/[\r\n"\\/]/g, '_').slice(0, 200) || 'attachment';
    parts.push(
      `Content-Type: ${type}; ${param('name', name)}\r\nContent-Disposition: attachment; ${param('filename', name)}\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(a.data)}\r\n`,
    );
  }
  const body = `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\nThis is a message in MIME format.\r\n${parts.map((p) => `--${boundary}\r\n${p}`).join('')}--${boundary}--\r\n`;
  return Buffer.from(head + body, 'utf8');
}

// ---------------------------------------------------------------- replies and forwards

/** RFC 5322 §3.6.5: "Re: " once, however many the original had. */
export function replySubject(subject: string): string {
  return /^\s*(re|aw|sv)\s*:/i.test(subject) ? subject : `Re: ${subject}`;
}

export function forwardSubject(subject: string): string {
  return /^\s*(fwd?|wg)\s*:/i.test(subject) ? subject : `Fwd: ${subject}`;
}

function personText(p: Person): string {
  return p.name ? `${p.name} <${p.address}>` : p.address;
}

/** `> ` before every line of the original (RFC 3676 §4.5 quote marks; an already quoted line gets another `>`). */
export function quote(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => (l.startsWith('>') ? `>${l}` : `> ${l}`))
    .join('\n');
}

export interface ReplyDraft {
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  inReplyTo: string | null;
  references: string[];
}

/**
 * RFC 5322 §3.6.4: In-Reply-To is the original's Message-ID; References is the original's References (or its
 * In-Reply-To when it has none) followed by its Message-ID. Replies go to Reply-To when present, else From;
 * reply-all adds the other To and Cc recipients, never the user's own addresses.
 */
export function replyDraft(m: MessageView, bodyText: string, mode: 'reply' | 'all' | 'forward', own: ReadonlySet<string>, when: string): ReplyDraft {
  const refs = m.references.length ? [...m.references] : m.inReplyTo && /^<[^<>\s]+>$/.test(m.inReplyTo) ? [m.inReplyTo] : [];
  if (m.messageId) refs.push(m.messageId);
  if (mode === 'forward') {
    const header = [
      '-------- Forwarded message --------',
      `From: ${m.from.map(personText).join(', ')}`,
      `Date: ${when}`,
      `Subject: ${m.subject}`,
      `To: ${m.to.map(personText).join(', ')}`,
      ...(m.cc.length ? [`Cc: ${m.cc.map(personText).join(', ')}`] : []),
    ].join('\n');
    return { to: [], cc: [], subject: forwardSubject(m.subject), text: `\n\n${header}\n\n${bodyText}`, inReplyTo: null, references: refs };
  }
  const primary = (m.replyTo.length ? m.replyTo : m.from).filter((p) => p.address);
  const seen = new Set<string>();
  const keep = (p: Person) => {
    const k = p.address.toLowerCase();
    if (!k || seen.has(k) || own.has(k)) return false;
    seen.add(k);
    return true;
  };
  let to = primary.filter(keep);
  // Replying to one's own message: the reply goes to its recipients.
  if (to.length === 0 && mode === 'reply') to = m.to.filter(keep);
  const cc = mode === 'all' ? [...m.to, ...m.cc].filter(keep) : [];
  const who = m.from[0] ? personText(m.from[0]) : 'someone';
  return {
    to: to.map(personText),
    cc: cc.map(personText),
    subject: replySubject(m.subject),
    text: `\n\nOn ${when}, ${who} wrote:\n${quote(bodyText)}\n`,
    inReplyTo: m.messageId,
    references: refs,
  };
}
