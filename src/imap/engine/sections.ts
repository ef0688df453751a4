/**
 * The octets a BODY[section] or BINARY[part] names.
 *
 * RFC 9051 §6.4.5 (RFC 3501 §6.4.5): parts are numbered as in `partAt`; HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT
 * and TEXT apply to the message (the top level, or the message inside a message/rfc822 part); MIME is a part's
 * own MIME header; a header section includes the empty line that ends it; HEADER.FIELDS matches names
 * case-insensitively and keeps the message's order. RFC 3516 §4.2: BINARY is the part's body with its
 * Content-Transfer-Encoding removed.
 */
import type { Section, SectionText } from '../../protocol/imap/index.js';
import { fieldNameText, headerFieldSpans, parseHeaderFields, type HeaderField } from '../../mail/header-block.js';
import { partAt, type MimePart } from '../../mail/mime/parse.js';
import { UnknownCteError } from './types.js';

const CRLF = Buffer.from('\r\n');
const EMPTY = Buffer.alloc(0);

/**
 * A header section as stored: the fields and the empty line after them when there is one. Nothing is added when
 * a part's header runs to its end without an empty line (Dovecot sends the same octets).
 */
function headerBytes(raw: Buffer, msg: MimePart): Buffer {
  return raw.subarray(msg.start, msg.bodyStart);
}

/** The header fields of a header section, without the empty line that ends them. */
function fieldBytes(block: Buffer): Buffer {
  if (block.length >= 2 && block[block.length - 2] === 0x0d && block[block.length - 1] === 0x0a && (block.length === 2 || block[block.length - 3] === 0x0a)) return block.subarray(0, block.length - 2);
  if (block.length >= 1 && block[block.length - 1] === 0x0a && (block.length === 1 || block[block.length - 2] === 0x0a)) return block.subarray(0, block.length - 1);
  return block;
}

/**
 * HEADER.FIELDS (or .NOT) of a header section. Names compare case-insensitively as decoded text; a name of plain
 * ASCII whose length no wanted name has is passed over without making a string of it (most fields, in a listing).
 */
function headerFields(block: Buffer, names: readonly string[], not: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const lengths = new Set([...wanted].map((n) => n.length));
  const out: Buffer[] = [];
  for (const f of headerFieldSpans(fieldBytes(block))) {
    if (f.nameLength <= 0) continue;
    const named = isAscii(f.raw, f.nameLength)
      ? lengths.has(f.nameLength) && wanted.has(f.raw.toString('latin1', 0, f.nameLength).toLowerCase())
      : wanted.has(fieldNameText(f.raw, f.nameLength).toLowerCase());
    if (named === not) continue;
    out.push(f.raw);
    if (f.raw[f.raw.length - 1] !== 0x0a) out.push(CRLF);
  }
  out.push(CRLF);
  return Buffer.concat(out);
}

function isAscii(bytes: Buffer, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

/**
 * The fields of a message's kept top-level header section (src/store/header-cache.ts), as the MIME parse of the
 * whole message gives its root's: what SORT and THREAD read, without reading the message.
 */
export function sectionFields(header: Buffer): HeaderField[] {
  return parseHeaderFields(fieldBytes(header));
}

/** The text items answered from a message's top-level header section alone (BODY[HEADER], HEADER.FIELDS). */
export type HeaderText = Extract<SectionText, { kind: 'header' | 'header-fields' }>;

/**
 * BODY[HEADER] or BODY[HEADER.FIELDS (…)] of the message from its header section alone (the store keeps it apart,
 * src/store/header-cache.ts): the same octets {@link sectionBytes} cuts from the whole message.
 */
export function headerSectionBytes(header: Buffer, text: HeaderText): Buffer {
  return text.kind === 'header' ? header : headerFields(header, text.fields, text.not);
}

/**
 * The message a HEADER/TEXT section applies to: the top level for an empty part path, or the message inside
 * the message/rfc822 part the path names; null when the path names something else.
 */
function messageAt(root: MimePart, part: readonly number[]): MimePart | null {
  if (part.length === 0) return root;
  const p = partAt(root, part);
  return p?.message ?? null;
}

/**
 * BODY[section] octets (before any partial). A section that does not exist is the empty string, as Dovecot
 * answers (RFC 9051 §6.4.5 does not say; NIL would break clients that expect a string).
 */
export function sectionBytes(raw: Buffer, root: MimePart, section: Section): Buffer {
  const text = section.text;
  if (text === undefined) {
    if (section.part.length === 0) return raw;
    const p = partAt(root, section.part);
    return p === null ? EMPTY : raw.subarray(p.bodyStart, p.end);
  }
  if (text.kind === 'mime') {
    const p = partAt(root, section.part);
    return p === null ? EMPTY : headerBytes(raw, p);
  }
  const msg = messageAt(root, section.part);
  if (msg === null) return EMPTY;
  switch (text.kind) {
    case 'header':
      return headerBytes(raw, msg);
    case 'header-fields':
      return headerFields(headerBytes(raw, msg), text.fields, text.not);
    case 'text':
      return raw.subarray(msg.bodyStart, msg.end);
  }
}

/** RFC 2045 §6.8 base64, ignoring characters outside the alphabet. */
function decodeBase64(body: Buffer): Buffer {
  return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

/** RFC 2045 §6.7 quoted-printable: `=XX`, soft line breaks `=` CRLF, trailing white space dropped. */
export function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length);
  let n = 0;
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === 0x3d) {
      const h = body.subarray(i + 1, i + 3).toString('latin1');
      if (/^[0-9A-Fa-f]{2}$/.test(h)) {
        out[n++] = parseInt(h, 16);
        i += 3;
        continue;
      }
      // A soft line break: "=" then optional white space then CRLF or LF.
      let j = i + 1;
      while (body[j] === 0x20 || body[j] === 0x09) j++;
      if (body[j] === 0x0d && body[j + 1] === 0x0a) {
        i = j + 2;
        continue;
      }
      if (body[j] === 0x0a) {
        i = j + 1;
        continue;
      }
      if (j >= body.length) break;
      out[n++] = c;
      i++;
      continue;
    }
    if (c === 0x20 || c === 0x09) {
      // Transport padding: white space at the end of a line is not part of the data.
      let j = i;
      while (body[j] === 0x20 || body[j] === 0x09) j++;
      if (j >= body.length || body[j] === 0x0d || body[j] === 0x0a) {
        i = j;
        continue;
      }
    }
    out[n++] = c;
    i++;
  }
  return out.subarray(0, n);
}

/** A part's body with its transfer encoding removed; throws UnknownCteError for an encoding we do not know. */
export function decodeBody(body: Buffer, encoding: string): Buffer {
  switch (encoding.toUpperCase()) {
    case 'BASE64':
      return decodeBase64(body);
    case 'QUOTED-PRINTABLE':
      return decodeQuotedPrintable(body);
    case '7BIT':
    case '8BIT':
    case 'BINARY':
      return body;
    default:
      throw new UnknownCteError(encoding);
  }
}

/** BINARY[part] octets: the message for `[]`, else the part's decoded body; null when the part does not exist. */
export function binaryBytes(raw: Buffer, root: MimePart, part: readonly number[]): Buffer | null {
  if (part.length === 0) return raw;
  const p = partAt(root, part);
  if (p === null) return null;
  const body = raw.subarray(p.bodyStart, p.end);
  // Multiparts and messages have no encoding to undo (RFC 2045 §6.4: only 7bit, 8bit or binary are allowed).
  if (p.type === 'multipart' || p.message) return body;
  return decodeBody(body, p.encoding);
}

/** Applies `<offset.length>`: octets past the end give an empty string (RFC 9051 §6.4.5). */
export function applyPartial(bytes: Buffer, partial: { offset: number; length: number } | undefined): Buffer {
  if (partial === undefined) return bytes;
  return bytes.subarray(Math.min(partial.offset, bytes.length), Math.min(partial.offset + partial.length, bytes.length));
}
