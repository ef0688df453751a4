/**
 * The header block of an Internet message: where it ends and which fields it holds.
 *
 * RFC 5322 §2.1 (a message is header fields, then an empty line, then the body), §2.2 (a field is a name, a
 * colon and a body), §2.2.3 (folding: a CRLF followed by WSP continues the field), §3.6 (fields may occur in
 * any order), §4.5.3 (obsolete: white space between the field name and the colon).
 *
 * Everything here is tolerant and never throws: the SMTP server hands us whatever a client sent, and policy
 * (src/mail/submission.ts) decides what to refuse. Fields keep their exact bytes so a message can be rebuilt
 * byte for byte with some fields removed.
 */
import { decodeUnlabelled } from './charset.js';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');

export interface HeaderField {
  /** The field name as written, without white space before the colon (RFC 5322 §4.5.3); '' for a line without a colon. */
  name: string;
  lowerName: string;
  /** raw bytes incl. folded continuation lines and the final CRLF */
  raw: Buffer;
  /** unfolded value, undecoded, without the leading space */
  value: string;
}

/**
 * Where the header block ends: `headerEnd` is the offset just past the last header line's CRLF and `bodyStart`
 * the offset just past the empty line, or both are `raw.length` when there is no empty line.
 */
export function locateBody(raw: Buffer): { headerEnd: number; bodyStart: number; separated: boolean } {
  // An empty line at the very start: no header fields at all (RFC 5322 §3.5, "fields" may be empty).
  if (raw.length >= 2 && raw[0] === CR && raw[1] === LF) return { headerEnd: 0, bodyStart: 2, separated: true };
  const i = raw.indexOf(CRLFCRLF);
  if (i < 0) return { headerEnd: raw.length, bodyStart: raw.length, separated: false };
  return { headerEnd: i + 2, bodyStart: i + 4, separated: true };
}

/** Splits at the first CRLFCRLF (the header keeps its final CRLF); no empty line → all header, empty body. */
export function splitMessage(raw: Buffer): { header: Buffer; body: Buffer } {
  const { headerEnd, bodyStart } = locateBody(raw);
  return { header: raw.subarray(0, headerEnd), body: raw.subarray(bodyStart) };
}

/**
 * The end of the header block for reading only (meta data, never policy): the first empty line, whether its
 * lines end in CRLF or in a bare LF as in the files of many test corpora.
 */
export function lenientHeaderEnd(raw: Buffer): number {
  if (raw[0] === LF) return 0;
  if (raw[0] === CR && raw[1] === LF) return 0;
  for (let i = raw.indexOf(LF); i >= 0; i = raw.indexOf(LF, i + 1)) {
    const next = raw[i + 1];
    if (next === LF) return i + 1;
    if (next === CR && raw[i + 2] === LF) return i + 1;
  }
  return raw.length;
}

/**
 * Text of header bytes: UTF-8 when valid (RFC 6532, UTF8=ACCEPT), else windows-1252 (one character per byte, what
 * clients show for raw 8-bit headers; src/mail/charset.ts). Fields keep their bytes in `raw` for rebuilding.
 */
export function headerText(bytes: Buffer): string {
  return decodeUnlabelled(bytes);
}

/** Removes the line breaks of folding (RFC 5322 §2.2.3: "unfolding"); the white space after them stays. */
export function unfold(text: string): string {
  return text.replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n$/, '');
}

/**
 * Splits a header block into fields. Lines end at LF (a CR before it belongs to the line end); a line starting
 * with SP or HTAB continues the previous field; any other line is a new field, named by what precedes its first
 * colon, or named '' when it has no colon (kept so that the fields' raw bytes always add up to `header`).
 */
export function parseHeaderFields(header: Buffer): HeaderField[] {
  const fields: HeaderField[] = [];
  let start = 0;
  while (start < header.length) {
    let end = lineEnd(header, start);
    // Continuation lines belong to this field.
    while (end < header.length && (header[end] === SP || header[end] === HTAB)) end = lineEnd(header, end);
    fields.push(makeField(header.subarray(start, end)));
    start = end;
  }
  return fields;
}

/**
 * The fields of a header block as {@link parseHeaderFields} splits them, undecoded: each field's bytes and the
 * octet length of its name (white space before the colon left out), or -1 for a line that names no field (a
 * continuation, or no colon). For picking fields by name (IMAP HEADER.FIELDS), where decoding every value was
 * most of the cost; {@link fieldNameText} decodes a name as parseHeaderFields does.
 */
export function headerFieldSpans(header: Buffer): Array<{ raw: Buffer; nameLength: number }> {
  const fields: Array<{ raw: Buffer; nameLength: number }> = [];
  let start = 0;
  while (start < header.length) {
    const first = lineEnd(header, start);
    let end = first;
    while (end < header.length && (header[end] === SP || header[end] === HTAB)) end = lineEnd(header, end);
    let nameLength = -1;
    if (header[start] !== SP && header[start] !== HTAB) {
      const colon = header.indexOf(COLON, start);
      if (colon >= 0 && colon < first) {
        nameLength = colon - start;
        while (nameLength > 0 && (header[start + nameLength - 1] === SP || header[start + nameLength - 1] === HTAB)) nameLength--;
      }
    }
    fields.push({ raw: header.subarray(start, end), nameLength });
    start = end;
  }
  return fields;
}

/** The name of a field {@link headerFieldSpans} found, as text (what {@link HeaderField.name} holds). */
export function fieldNameText(raw: Buffer, nameLength: number): string {
  return headerText(raw.subarray(0, nameLength));
}

/** Offset just past the LF that ends the line starting at `from`, or the end of the buffer. */
function lineEnd(buf: Buffer, from: number): number {
  const lf = buf.indexOf(LF, from);
  return lf < 0 ? buf.length : lf + 1;
}

function makeField(raw: Buffer): HeaderField {
  const firstLine = raw.subarray(0, lineEnd(raw, 0));
  const colon = firstLine.indexOf(COLON);
  const startsWithSpace = raw[0] === SP || raw[0] === HTAB;
  if (colon < 0 || startsWithSpace) {
    return { name: '', lowerName: '', raw, value: unfold(headerText(raw)) };
  }
  const name = headerText(raw.subarray(0, colon)).replace(/[ \t]+$/, '');
  const value = unfold(headerText(raw.subarray(colon + 1))).replace(/^[ \t]+/, '');
  return { name, lowerName: name.toLowerCase(), raw, value };
}

/** The first field called `lowerName`, or undefined. */
export function firstField(fields: readonly HeaderField[], lowerName: string): HeaderField | undefined {
  return fields.find((f) => f.lowerName === lowerName);
}

/** Formats one field, ending in CRLF; the caller guarantees `value` holds no line break. */
export function formatField(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from(`${name}: ${value}`), CRLF]);
}
