/**
 * What the reader shows of one message, from its octets and MIME tree (no I/O): the originator and recipient
 * fields as name + address, the text to show (text/plain preferred for the text view, text/html for the rich
 * view, RFC 2046 §5.1.4 multipart/alternative: the last part the reader understands is the best), the parts a
 * user can download, and the inline parts an HTML body refers to by Content-ID (RFC 2392).
 */
import { decodeEncodedWords } from '../mail/encoded-words.js';
import { firstField, type HeaderField } from '../mail/header-block.js';
import { allMailboxes, parseAddressList } from '../mail/address-list.js';
import type { MimePart } from '../mail/mime/parse.js';
import { parseDate } from '../mail/meta.js';
import { decodeBody } from '../imap/engine/sections.js';
import { decodeTextOctets } from '../imap/engine/search-text.js';

export interface Person {
  name: string;
  address: string;
}

export interface PartInfo {
  /** IMAP section path, e.g. `2` or `1.3`. */
  path: string;
  filename: string;
  type: string;
  size: number;
  contentId: string | null;
  /** Shown inside the HTML body rather than listed (an image its HTML refers to by cid:). */
  inline: boolean;
}

export interface MessageView {
  subject: string;
  from: Person[];
  to: Person[];
  cc: Person[];
  replyTo: Person[];
  date: number | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  text: string | null;
  html: string | null;
  attachments: PartInfo[];
}

/** An address field as people: display names decoded (RFC 2047); an unreadable field becomes one raw entry. */
export function people(value: string | null | undefined): Person[] {
  if (!value) return [];
  const parsed = parseAddressList(value.replace(/\r?\n/g, ''));
  if (!parsed.ok) return [{ name: decodeEncodedWords(value).trim().slice(0, 300), address: '' }];
  return allMailboxes(parsed.entries).map((m) => ({ name: m.name, address: m.address }));
}

function field(fields: readonly HeaderField[], name: string): string | null {
  const f = firstField(fields, name);
  return f ? f.value.replace(/\r?\n/g, '').trim() : null;
}

/** The decoded bytes of a leaf part (a part with an unknown transfer encoding is given as it is). */
export function partBytes(raw: Buffer, part: MimePart): Buffer {
  const body = raw.subarray(part.bodyStart, part.end);
  try {
    return decodeBody(body, part.encoding);
  } catch {
    return body;
  }
}

function partText(raw: Buffer, part: MimePart): string {
  return decodeTextOctets(partBytes(raw, part), part.params.charset);
}

/** RFC 2183 filename, else RFC 2045 name; RFC 2231 continuations are already joined by the params parser. */
export function filenameOf(part: MimePart): string {
  const name = part.disposition?.params.filename ?? part.params.name ?? '';
  return decodeEncodedWords(name).replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim().slice(0, 200);
}

interface Walk {
  text: string | null;
  html: string | null;
  attachments: PartInfo[];
}

export function readMessage(raw: Buffer, root: MimePart): MessageView {
  const f = root.fields;
  const walk: Walk = { text: null, html: null, attachments: [] };
  visit(raw, root, '', walk, false);
  const cids = new Set((walk.html ?? '').match(/cid:[^"'\s>)]+/gi)?.map((c) => decodeURIComponent(c.slice(4)).toLowerCase()) ?? []);
  for (const a of walk.attachments) a.inline = a.contentId !== null && cids.has(a.contentId.toLowerCase()) && a.type.startsWith('image/');
  const dateText = field(f, 'date');
  return {
    subject: decodeEncodedWords(field(f, 'subject') ?? ''),
    from: people(field(f, 'from')),
    to: people(field(f, 'to')),
    cc: people(field(f, 'cc')),
    replyTo: people(field(f, 'reply-to')),
    date: dateText ? parseDate(dateText) : null,
    messageId: field(f, 'message-id'),
    inReplyTo: field(f, 'in-reply-to'),
    references: (field(f, 'references') ?? '').match(/<[^<>\s]+>/g) ?? [],
    text: walk.text,
    html: walk.html,
    attachments: walk.attachments,
  };
}

function childPath(prefix: string, n: number): string {
  return prefix ? `${prefix}.${n}` : String(n);
}

function visit(raw: Buffer, part: MimePart, path: string, w: Walk, inAlternative: boolean): void {
  if (part.type === 'multipart') {
    const alternative = part.subtype === 'alternative';
    part.children.forEach((c, i) => visit(raw, c, childPath(path, i + 1), w, alternative));
    return;
  }
  const leafPath = path || '1';
  const isAttachment = part.disposition?.value.toLowerCase() === 'attachment' || (filenameOf(part) !== '' && part.type !== 'text');
  if (part.type === 'text' && !isAttachment && (part.subtype === 'plain' || part.subtype === 'html')) {
    const text = partText(raw, part);
    if (part.subtype === 'plain') {
      if (w.text === null) w.text = text;
      else if (!inAlternative) w.text += `\n\n${text}`;
    } else if (w.html === null) w.html = text;
    else if (!inAlternative) w.html += text;
    return;
  }
  w.attachments.push({
    path: leafPath,
    filename: filenameOf(part) || (part.message ? 'message.eml' : `part-${leafPath}.${part.subtype.replace(/[^a-z0-9]/gi, '').slice(0, 8) || 'bin'}`),
    type: `${part.type}/${part.subtype}`.toLowerCase(),
    size: part.size,
    contentId: part.id ? part.id.replace(/^<|>$/g, '').trim() : null,
    inline: false,
  });
}

/** A plain-text rendering of HTML for quoting and for a message without a text part. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head|title)[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|tr|li|h[1-6]|blockquote)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
