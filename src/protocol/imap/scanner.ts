/**
 * A cursor over one framed command (text parts and literals) with the lexical rules of RFC 9051 §9 and RFC 3501
 * §9: atoms, quoted strings, literals, astrings, nstrings, numbers. The per-area parsers build on it.
 *
 * Grammar notes: ATOM-CHAR is any CHAR (7-bit, no CTL) except atom-specials `( ) { SP % * " \ ]`; ASTRING-CHAR adds
 * `]`; list-char adds `% *` (§9). Quoted strings escape only `"` and `\`; RFC 9051 also allows UTF-8 in them
 * (UTF8-2/3/4 in QUOTED-CHAR), which RFC 6855 §3 needs. Literals (CHAR8) exclude NUL; literal8 (RFC 3516) may
 * hold anything and is only accepted where the grammar says so. Keywords are case-insensitive (RFC 5234 §2.3).
 */
import { isUtf8 } from 'node:buffer';
import { imapLimits } from '../../lib/limits.js';
import { ImapSyntaxError, type SyntaxResponseCode } from './errors.js';
import type { RawPart } from './reader.js';

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;

/** RFC 9051 §9 atom-specials other than CTL and SP. */
const ATOM_SPECIALS = new Set([...'(){%*"\\]'].map((c) => c.charCodeAt(0)));

export function isAtomChar(c: number): boolean {
  return c > 0x20 && c < 0x7f && !ATOM_SPECIALS.has(c);
}

export function isAstringChar(c: number): boolean {
  return isAtomChar(c) || c === 0x5d;
}

/** RFC 9051 §9 list-char = ATOM-CHAR / list-wildcards / resp-specials. */
export function isListChar(c: number): boolean {
  return isAstringChar(c) || c === 0x25 || c === 0x2a;
}

/** Text from a string or literal: UTF-8 when it is valid UTF-8, otherwise each octet as one Latin-1 character. */
export function decodeText(bytes: Buffer): string {
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes.toString('latin1');
}

/** A literal as it was sent, for the places where the grammar tells literal8 from literal. */
export interface LiteralValue {
  readonly bytes: Buffer;
  readonly binary: boolean;
}

export class Scanner {
  readonly #parts: readonly RawPart[];
  /** The tag, once read: every error carries it. */
  tag: string | undefined;
  #index = 0;
  #pos = 0;
  #depth = 0;

  constructor(parts: readonly RawPart[], tag?: string) {
    this.#parts = parts;
    this.tag = tag;
  }

  /** Throws the syntax error for this command. */
  fail(message: string, code = 'syntax', responseCode?: SyntaxResponseCode): never {
    throw new ImapSyntaxError(code, message, { tag: this.tag, responseCode });
  }

  /** Steps over the end of a text part so that a following literal is "current". */
  #current(): RawPart | undefined {
    for (;;) {
      const part = this.#parts[this.#index];
      if (part === undefined) return undefined;
      if (part.kind === 'text' && this.#pos >= part.bytes.length) {
        this.#index++;
        this.#pos = 0;
        continue;
      }
      return part;
    }
  }

  /** The next octet of line text, or -1 at the end of the command or before a literal. */
  peek(): number {
    const part = this.#current();
    return part?.kind === 'text' ? part.bytes[this.#pos]! : -1;
  }

  atLiteral(): boolean {
    return this.#current()?.kind === 'literal';
  }

  atEnd(): boolean {
    return this.#current() === undefined;
  }

  #advance(): void {
    this.#pos++;
  }

  /** Requires the end of the command. */
  end(): void {
    if (!this.atEnd()) this.fail(this.peek() === SP ? 'unexpected space' : 'unexpected characters at the end of the command');
  }

  sp(): void {
    if (this.peek() !== SP) this.fail(this.atEnd() ? 'missing arguments' : 'expected a space');
    this.#advance();
  }

  /** Consumes `c` when it is next. */
  tryChar(c: string): boolean {
    if (this.peek() !== c.charCodeAt(0)) return false;
    this.#advance();
    return true;
  }

  expect(c: string, what?: string): void {
    if (!this.tryChar(c)) this.fail(`expected ${what ?? `"${c}"`}`);
  }

  /** True when the next octet is `c` (not consumed). */
  at(c: string): boolean {
    return this.peek() === c.charCodeAt(0);
  }

  /** A run of octets matching `accept`, as Latin-1 text (may be empty). */
  #run(accept: (c: number) => boolean): string {
    const part = this.#current();
    if (part?.kind !== 'text') return '';
    const start = this.#pos;
    let pos = start;
    while (pos < part.bytes.length && accept(part.bytes[pos]!)) pos++;
    this.#pos = pos;
    return part.bytes.toString('latin1', start, pos);
  }

  /** RFC 9051 §9 atom. */
  atom(what = 'an atom'): string {
    const text = this.#run(isAtomChar);
    if (text === '') this.fail(`expected ${what}`);
    return text;
  }

  /** An atom in upper case (command names, keywords). */
  keyword(what = 'a keyword'): string {
    return this.atom(what).toUpperCase();
  }

  /** Octets matching `accept` (at least one). */
  chars(accept: (c: number) => boolean, what: string): string {
    const text = this.#run(accept);
    if (text === '') this.fail(`expected ${what}`);
    return text;
  }

  /**
   * Consumes `word` (case-insensitive) when it is next and is not merely the start of a longer atom.
   * Used for optional keywords such as `CHARSET`, `RETURN`, `.SILENT`.
   */
  tryWord(word: string): boolean {
    const part = this.#current();
    if (part?.kind !== 'text') return false;
    const end = this.#pos + word.length;
    if (end > part.bytes.length) return false;
    if (part.bytes.toString('latin1', this.#pos, end).toUpperCase() !== word) return false;
    const after = part.bytes[end];
    if (after !== undefined && isAtomChar(after) && isAtomChar(word.charCodeAt(word.length - 1))) return false;
    this.#pos = end;
    return true;
  }

  /** RFC 9051 §9 quoted (without the quotes, unescaped). */
  #quoted(): Buffer {
    const part = this.#current();
    if (part?.kind !== 'text') this.fail('expected a quoted string');
    const bytes = part.bytes;
    const out: number[] = [];
    let pos = this.#pos + 1; // after the DQUOTE
    for (;;) {
      const c = bytes[pos];
      if (c === undefined) this.fail('unterminated quoted string');
      pos++;
      if (c === DQUOTE) break;
      if (c === BACKSLASH) {
        const e = bytes[pos];
        if (e !== DQUOTE && e !== BACKSLASH) this.fail('bad escape in a quoted string');
        out.push(e);
        pos++;
        continue;
      }
      // QUOTED-CHAR is TEXT-CHAR (no CR, LF, NUL) or UTF-8; anything 8-bit is checked by the caller if needed.
      if (c === 0) this.fail('NUL in a quoted string');
      out.push(c);
    }
    this.#pos = pos;
    return Buffer.from(out);
  }

  /** A literal (the reader already framed it). `binary` allows literal8 (RFC 3516 §4.2). */
  literal(allowBinary = false): LiteralValue {
    const part = this.#current();
    if (part?.kind !== 'literal') this.fail('expected a literal');
    if (part.binary && !allowBinary) this.fail('literal8 is not allowed here');
    // RFC 9051 §4.3: CHAR8 = %x01-ff; only literal8 may carry NUL.
    if (!part.binary && part.bytes.includes(0)) this.fail('NUL in a literal');
    this.#index++;
    this.#pos = 0;
    return { bytes: part.bytes, binary: part.binary };
  }

  /** RFC 9051 §9 string = quoted / literal. */
  string(what = 'a string'): Buffer {
    if (this.atLiteral()) return this.literal().bytes;
    if (this.peek() === DQUOTE) return this.#quoted();
    this.fail(`expected ${what}`);
  }

  /** RFC 9051 §9 astring = 1*ASTRING-CHAR / string. */
  astring(what = 'a string'): Buffer {
    if (this.atLiteral() || this.peek() === DQUOTE) return this.string(what);
    const text = this.#run(isAstringChar);
    if (text === '') this.fail(`expected ${what}`);
    return Buffer.from(text, 'latin1');
  }

  /** An astring as text (see {@link decodeText}). */
  astringText(what?: string): string {
    return decodeText(this.astring(what));
  }

  /** RFC 9051 §9 nstring = string / nil. */
  nstring(what?: string): Buffer | null {
    if (this.tryWord('NIL')) return null;
    return this.string(what);
  }

  /** RFC 9051 §9 number: an unsigned 32-bit integer. `nonZero` for nz-number (no leading zero). */
  number(what = 'a number', nonZero = false): number {
    const digits = this.#run((c) => c >= 0x30 && c <= 0x39);
    if (digits === '') this.fail(`expected ${what}`);
    if (nonZero && digits.startsWith('0')) this.fail(`${what} must not be zero or start with 0`);
    if (digits.length > 10 || Number(digits) > 0xffffffff) this.fail(`${what} is out of range`);
    return Number(digits);
  }

  /** RFC 9051 §9 number64 (and RFC 7162 mod-sequence-value): an unsigned 63-bit integer. */
  number64(what = 'a number', nonZero = false): bigint {
    const digits = this.#run((c) => c >= 0x30 && c <= 0x39);
    if (digits === '') this.fail(`expected ${what}`);
    const value = digits.length > 19 ? 1n << 63n : BigInt(digits);
    if (value >= 1n << 63n) this.fail(`${what} is out of range`);
    if (nonZero && value === 0n) this.fail(`${what} must not be zero`);
    return value;
  }

  /** Enters a parenthesised group; nesting is bounded (imapLimits.nestingMaxDepth). */
  open(): void {
    this.expect('(');
    if (++this.#depth > imapLimits.nestingMaxDepth) this.fail('too deeply nested', 'too-deep', 'LIMIT');
  }

  close(): void {
    this.expect(')');
    this.#depth--;
  }

  /**
   * Parses `"(" item *(SP item) ")"`, or `"(" ")"` when `allowEmpty`. Each item is parsed by `item`.
   */
  list<T>(item: () => T, allowEmpty = false, max = Infinity): T[] {
    this.open();
    const items: T[] = [];
    if (this.peek() === CLOSE && allowEmpty) {
      this.close();
      return items;
    }
    for (;;) {
      items.push(item());
      if (items.length > max) this.fail('too many items in a list', 'too-many', 'LIMIT');
      if (this.peek() === CLOSE) break;
      this.sp();
    }
    this.close();
    return items;
  }

  /** True when the next octet opens a list. */
  atOpen(): boolean {
    return this.peek() === OPEN;
  }

  atClose(): boolean {
    return this.peek() === CLOSE;
  }
}
