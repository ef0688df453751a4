/**
 * The MIME structure of a message with byte offsets (RFC 2045, RFC 2046 §5.1 multipart, §5.2 message/rfc822;
 * RFC 6532 message/global), for IMAP BODYSTRUCTURE, BODY[section] and search. Tolerant of real-world damage:
 * missing end boundaries, no blank line before a boundary, LF-only line endings, absurd nesting (cut off at a limit).
 */
import { parseHeaderFields, type HeaderField } from '../header-block.js';
import { parseContentType, parseStructured } from './params.js';

/** RFC 2046 does not limit nesting; we do, so a hostile message cannot exhaust the stack. Dovecot uses 100. */
export const MIME_MAX_DEPTH = 50;
/** Parts per message, same reason. */
export const MIME_MAX_PARTS = 10_000;

export interface MimePart {
  /** Offset of the part's first header byte. */
  start: number;
  /** Offset just past the header block (and its empty line): where the body starts. */
  bodyStart: number;
  /** Offset just past the body. */
  end: number;
  type: string;
  subtype: string;
  params: Record<string, string>;
  id: string | null;
  description: string | null;
  /** Content-Transfer-Encoding, upper-cased; `7BIT` when absent (RFC 2045 §6.1). */
  encoding: string;
  disposition: { value: string; params: Record<string, string> } | null;
  language: string[] | null;
  location: string | null;
  md5: string | null;
  /** Body octets. */
  size: number;
  /** Body lines (text/* and message/rfc822 report it in BODYSTRUCTURE). */
  lines: number;
  /** multipart/*: the body parts, in order. */
  children: MimePart[];
  /** message/rfc822 or message/global: the encapsulated message (its own header and body). */
  message: MimePart | null;
  /** The header fields of this part (for the encapsulated message: ENVELOPE, BODY[n.HEADER]). */
  fields: HeaderField[];
}

const CR = 0x0d;
const LF = 0x0a;

/** End of the header block starting at `start`, accepting CRLF or bare LF line endings. */
function headerBounds(raw: Buffer, start: number, end: number): { headerEnd: number; bodyStart: number } {
  const b = headerBoundsUnclamped(raw, start, end);
  return { headerEnd: Math.min(b.headerEnd, end), bodyStart: Math.min(b.bodyStart, end) };
}

/**
 * The octets of a message's top-level header section, the empty line that ends it included: what BODY[HEADER]
 * and the parse's root part (`raw.subarray(root.start, root.bodyStart)`) hold.
 */
export function headerSection(raw: Buffer): Buffer {
  return raw.subarray(0, headerBounds(raw, 0, raw.length).bodyStart);
}

function headerBoundsUnclamped(raw: Buffer, start: number, end: number): { headerEnd: number; bodyStart: number } {
  if (start >= end) return { headerEnd: end, bodyStart: end };
  if (raw[start] === LF) return { headerEnd: start, bodyStart: start + 1 };
  if (raw[start] === CR && raw[start + 1] === LF) return { headerEnd: start, bodyStart: start + 2 };
  for (let i = raw.indexOf(LF, start); i >= 0 && i < end; i = raw.indexOf(LF, i + 1)) {
    if (raw[i + 1] === LF && i + 1 < end) return { headerEnd: i + 1, bodyStart: i + 2 };
    if (raw[i + 1] === CR && raw[i + 2] === LF && i + 2 < end) return { headerEnd: i + 1, bodyStart: i + 3 };
  }
  return { headerEnd: end, bodyStart: end };
}

function countLines(raw: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = raw.indexOf(LF, start); i >= 0 && i < end; i = raw.indexOf(LF, i + 1)) n++;
  if (end > start && raw[end - 1] !== LF) n++;
  return n;
}

const fieldValue = (fields: HeaderField[], name: string): string | undefined => fields.find((f) => f.lowerName === name)?.value;
const nstring = (v: string | undefined): string | null => (v === undefined ? null : v.trim() || null);

/** Finds the delimiter lines of a multipart body: returns the parts' [start, end) ranges. */
function splitMultipart(raw: Buffer, start: number, end: number, boundary: string): Array<[number, number]> {
  const dash = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Array<[number, number]> = [];
  let partStart = -1;
  let lineStart = start;
  while (lineStart < end) {
    let nl = raw.indexOf(LF, lineStart);
    if (nl < 0 || nl >= end) nl = end;
    if (raw.compare(dash, 0, dash.length, lineStart, Math.min(lineStart + dash.length, end)) === 0) {
      const after = raw.subarray(lineStart + dash.length, nl).toString('latin1');
      const close = after.startsWith('--');
      if (/^(--)?[ \t\r]*$/.test(after)) {
        // RFC 2046 §5.1.1: the CRLF before a delimiter belongs to the delimiter.
        if (partStart >= 0) {
          let partEnd = lineStart;
          if (partEnd > partStart && raw[partEnd - 1] === LF) partEnd--;
          if (partEnd > partStart && raw[partEnd - 1] === CR) partEnd--;
          parts.push([partStart, Math.max(partStart, partEnd)]);
        }
        if (close) return parts;
        partStart = Math.min(nl + 1, end);
      }
    }
    lineStart = nl + 1;
  }
  // No closing delimiter: the last part runs to the end (RFC 2046 leaves this to the receiver; everyone does this).
  if (partStart >= 0) parts.push([partStart, end]);
  return parts;
}

interface Budget {
  parts: number;
}

function parsePart(raw: Buffer, start: number, end: number, depth: number, defaultType: string, budget: Budget): MimePart {
  budget.parts++;
  const { headerEnd, bodyStart } = headerBounds(raw, start, end);
  const fields = parseHeaderFields(raw.subarray(start, headerEnd));
  const ct = parseContentType(fieldValue(fields, 'content-type'), defaultType);
  const disposition = fieldValue(fields, 'content-disposition');
  const language = fieldValue(fields, 'content-language');
  const part: MimePart = {
    start,
    bodyStart,
    end,
    type: ct.type,
    subtype: ct.subtype,
    params: ct.params,
    id: nstring(fieldValue(fields, 'content-id')),
    description: nstring(fieldValue(fields, 'content-description')),
    encoding: (fieldValue(fields, 'content-transfer-encoding')?.trim().split(/[\s;(]/)[0] || '7bit').toUpperCase(),
    disposition: disposition === undefined ? null : parseStructured(disposition),
    language: language === undefined ? null : language.split(',').map((l) => l.trim()).filter(Boolean),
    location: nstring(fieldValue(fields, 'content-location')),
    md5: nstring(fieldValue(fields, 'content-md5')),
    size: end - bodyStart,
    lines: countLines(raw, bodyStart, end),
    children: [],
    message: null,
    fields,
  };
  const canNest = depth < MIME_MAX_DEPTH && budget.parts < MIME_MAX_PARTS;
  if (part.type === 'multipart' && canNest) {
    const boundary = part.params.boundary;
    const ranges = boundary ? splitMultipart(raw, bodyStart, end, boundary) : [];
    const childDefault = part.subtype === 'digest' ? 'message/rfc822' : 'text/plain';
    for (const [s, e] of ranges) {
      if (budget.parts >= MIME_MAX_PARTS) break;
      part.children.push(parsePart(raw, s, e, depth + 1, childDefault, budget));
    }
    // RFC 3501 §7.4.2: a multipart has at least one part; a broken one gets an empty text/plain (as Dovecot does).
    if (part.children.length === 0) part.children.push(parsePart(raw, bodyStart, bodyStart, depth + 1, 'text/plain', budget));
  } else if (part.type === 'multipart') {
    part.type = 'application';
    part.subtype = 'octet-stream';
  } else if (part.type === 'message' && (part.subtype === 'rfc822' || part.subtype === 'global') && canNest) {
    part.message = parsePart(raw, bodyStart, end, depth + 1, 'text/plain', budget);
  }
  return part;
}

export function parseMime(raw: Buffer): MimePart {
  return parsePart(raw, 0, raw.length, 0, 'text/plain', { parts: 0 });
}

/**
 * The part an IMAP section path names (RFC 3501 §6.4.5): `[]` is the message; in a non-multipart message part 1
 * is its body (and `n.1` of a leaf part `n` is `n` again); a message/rfc822 part's sub-parts are those of the
 * message it contains.
 */
export function partAt(root: MimePart, path: readonly number[]): MimePart | null {
  let cur: MimePart = root;
  // Whether `cur` is a message (the root, or one encapsulated in a message/rfc822 part) rather than a body part.
  let isMessage = true;
  for (const n of path) {
    let container = cur;
    if (!isMessage && cur.message) {
      container = cur.message;
      isMessage = true;
    }
    if (container.type === 'multipart') {
      const next = container.children[n - 1];
      if (!next) return null;
      cur = next;
      isMessage = false;
    } else if (n === 1) {
      // Part 1 of a non-multipart message is its body; part 1 of a leaf body part is the part itself, the way
      // Dovecot reads "Every message has at least one part number" (RFC 3501 §6.4.5).
      cur = container;
      isMessage = false;
    } else return null;
  }
  return cur;
}
