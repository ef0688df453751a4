/**
 * Values of server responses and their wire form.
 *
 * RFC 9051 §4 and §9 (atoms, numbers, strings as quoted or literal, NIL, parenthesised lists), §4.3 (a string
 * holding CR, LF or NUL, or 8-bit octets outside UTF-8 sessions, can only be a literal; RFC 9051 quoted strings may
 * carry UTF-8 only once the client enabled it, RFC 6855 §3), RFC 3516 §4.2 (literal8 `~{n}` for BINARY).
 *
 * Responses are built as {@link ImapValue} trees and encoded once, so nothing a client or a message supplies can
 * break the framing: every string is quoted with escapes or sent as a counted literal, and atoms are checked.
 * A message body can be left as a {@link StreamedLiteral} placeholder: the encoder emits its `{n}` prefix and
 * the server writes the octets itself, so `FETCH 1:* BODY[]` never holds a folder in memory.
 */
import { isUtf8 } from 'node:buffer';
import { imapLimits } from '../../lib/limits.js';

/** A literal whose octets the server streams itself (e.g. from the blob store). */
export interface StreamedLiteral {
  readonly kind: 'stream';
  readonly size: number;
  readonly binary: boolean;
  /** Whatever the server needs to find the octets; the encoder does not look at it. */
  readonly source: unknown;
}

export type ImapValue =
  | { readonly kind: 'atom'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number | bigint }
  /** A string: quoted when it can be, a literal otherwise. */
  | { readonly kind: 'string'; readonly value: string | Buffer }
  | { readonly kind: 'nil' }
  | { readonly kind: 'list'; readonly items: readonly ImapValue[] }
  /** Values written back to back with no space (RFC 9051 §9 body-type-mpart = 1*body SP media-subtype). */
  | { readonly kind: 'concat'; readonly items: readonly ImapValue[] }
  | { readonly kind: 'literal'; readonly data: Buffer; readonly binary: boolean }
  | StreamedLiteral
  /** Pre-formatted protocol text built by this layer (e.g. `BODY[1.2]<0>`, a sequence set); checked like an atom. */
  | { readonly kind: 'raw'; readonly text: string };

export interface EncodeOptions {
  /** True when the client enabled UTF-8 (IMAP4rev2 or UTF8=ACCEPT): quoted strings may then hold UTF-8. */
  readonly utf8?: boolean;
}

/** What the encoder produces: octets, and placeholders for streamed literals (their `{n}` already emitted). */
export type Chunk = Buffer | StreamedLiteral;

/** Printable ASCII without SP, parentheses, braces, double quote, and the wildcards that only LIST may use. */
const SAFE_ATOM = /^[\x21\x23-\x27\x2b-\x7a\x7c\x7e]+$/;
/** RFC 9051 §9 ASTRING-CHAR (ATOM-CHAR or "]"). */
const ASTRING = /^[\x21\x23\x24\x26\x27\x2b-\x5b\x5d-\x7a\x7c\x7e]+$/;
/** Raw protocol text may also hold the brackets, angle brackets, spaces and parentheses of section specs. */
const SAFE_RAW = /^[\x20-\x7a\x7c\x7e]*$/;

export const NIL: ImapValue = { kind: 'nil' };

/** An atom; throws RangeError (a server bug, never client input) when it is not one. */
export function atom(value: string): ImapValue {
  // "\*" is flag-perm (RFC 9051 §9): PERMANENTFLAGS says new keywords may be created.
  if (!SAFE_ATOM.test(value) && value !== '\\*') throw new RangeError(`not an atom: ${JSON.stringify(value)}`);
  return { kind: 'atom', value };
}

export function num(value: number | bigint): ImapValue {
  if (typeof value === 'number' && (!Number.isSafeInteger(value) || value < 0)) throw new RangeError(`not an IMAP number: ${value}`);
  if (typeof value === 'bigint' && value < 0n) throw new RangeError(`not an IMAP number: ${value}`);
  return { kind: 'number', value };
}

export function str(value: string | Buffer): ImapValue {
  return { kind: 'string', value };
}

/** RFC 9051 nstring: NIL for null/undefined. */
export function nstr(value: string | Buffer | null | undefined): ImapValue {
  return value === null || value === undefined ? NIL : str(value);
}

/** RFC 9051 astring: an atom when possible (never "NIL", which would read as nil), a string otherwise. */
export function astr(value: string): ImapValue {
  return ASTRING.test(value) && value.toUpperCase() !== 'NIL' ? { kind: 'atom', value } : str(value);
}

export function list(items: readonly ImapValue[]): ImapValue {
  return { kind: 'list', items };
}

export function literal(data: Buffer, binary = false): ImapValue {
  return { kind: 'literal', data, binary };
}

export function raw(text: string): ImapValue {
  if (!SAFE_RAW.test(text)) throw new RangeError(`unsafe protocol text: ${JSON.stringify(text)}`);
  return { kind: 'raw', text };
}

/** How a string will be sent. */
export function stringForm(bytes: Buffer, utf8 = false): 'quoted' | 'literal' {
  if (bytes.length > imapLimits.quotedStringMaxOctets) return 'literal';
  let eightBit = false;
  for (const b of bytes) {
    if (b === 0x0d || b === 0x0a || b === 0) return 'literal';
    if (b > 0x7f) eightBit = true;
  }
  if (!eightBit) return 'quoted';
  return utf8 && isUtf8(bytes) ? 'quoted' : 'literal';
}

/** Encodes values separated by single spaces. */
export function encodeChunks(values: readonly ImapValue[], options: EncodeOptions = {}): Chunk[] {
  const out = new ChunkWriter();
  values.forEach((v, i) => {
    if (i > 0) out.text(' ');
    encodeValue(v, out, options.utf8 ?? false);
  });
  return out.finish();
}

/** Encodes to one buffer; throws RangeError when a value is a streamed literal. */
export function encodeBuffer(values: readonly ImapValue[], options: EncodeOptions = {}): Buffer {
  return joinChunks(encodeChunks(values, options));
}

export function joinChunks(chunks: readonly Chunk[]): Buffer {
  return Buffer.concat(
    chunks.map((c) => {
      if (Buffer.isBuffer(c)) return c;
      throw new RangeError('a streamed literal cannot be encoded into one buffer');
    }),
  );
}

/**
 * Collects text and octets, keeping streamed literals as separate chunks. Text is joined as a string and turned
 * into octets once per run (a `* n FETCH (UID n FLAGS (…))` response is one Buffer, not one per token).
 */
export class ChunkWriter {
  readonly #chunks: Chunk[] = [];
  #pending: Buffer[] = [];
  #text = '';

  text(s: string): void {
    this.#text += s;
  }

  bytes(b: Buffer): void {
    this.#takeText();
    this.#pending.push(b);
  }

  stream(literal: StreamedLiteral): void {
    this.#flush();
    this.#chunks.push(literal);
  }

  #takeText(): void {
    if (this.#text === '') return;
    this.#pending.push(Buffer.from(this.#text, 'utf8'));
    this.#text = '';
  }

  #flush(): void {
    this.#takeText();
    if (this.#pending.length > 0) this.#chunks.push(this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending));
    this.#pending = [];
  }

  finish(): Chunk[] {
    this.#flush();
    return this.#chunks;
  }
}

export function encodeValue(v: ImapValue, out: ChunkWriter, utf8: boolean): void {
  switch (v.kind) {
    case 'atom':
      out.text(v.value);
      return;
    case 'number':
      out.text(String(v.value));
      return;
    case 'nil':
      out.text('NIL');
      return;
    case 'raw':
      out.text(v.text);
      return;
    case 'string': {
      const bytes = typeof v.value === 'string' ? Buffer.from(v.value, 'utf8') : v.value;
      if (stringForm(bytes, utf8) === 'quoted') {
        out.text('"');
        out.bytes(Buffer.from(bytes.toString('latin1').replace(/["\\]/g, '\\$&'), 'latin1'));
        out.text('"');
      } else {
        out.text(`{${bytes.length}}\r\n`);
        out.bytes(bytes);
      }
      return;
    }
    case 'literal':
      out.text(`${v.binary ? '~' : ''}{${v.data.length}}\r\n`);
      out.bytes(v.data);
      return;
    case 'stream':
      out.text(`${v.binary ? '~' : ''}{${v.size}}\r\n`);
      out.stream(v);
      return;
    case 'list':
      out.text('(');
      v.items.forEach((item, i) => {
        if (i > 0) out.text(' ');
        encodeValue(item, out, utf8);
      });
      out.text(')');
      return;
    case 'concat':
      for (const item of v.items) encodeValue(item, out, utf8);
      return;
  }
}
