/**
 * FETCH attributes and modifiers.
 *
 * RFC 3501 §6.4.5 and RFC 9051 §6.4.5, §9: fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822"
 * [".HEADER" / ".SIZE" / ".TEXT"] / "BODY" ["STRUCTURE"] / "UID" / "BODY" section [partial] / "BODY.PEEK"
 * section [partial] / "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary; the macros ALL,
 * FAST and FULL; section = "[" [section-spec] "]" with section-part ("1.2.3"), HEADER, HEADER.FIELDS[.NOT]
 * (header-list), TEXT and MIME (MIME only after a part); partial = "<" number "." nz-number ">". RFC 3516 §4.2
 * (BINARY); RFC 7162 §3.1.4.1 and §3.2.6 (MODSEQ item; modifiers CHANGEDSINCE and VANISHED).
 */
import { imapLimits } from '../../lib/limits.js';
import { decodeText, type Scanner } from './scanner.js';

/** RFC 9051 §6.4.5 section-text; `header-fields` carries the field names and whether it is `.NOT`. */
export type SectionText =
  | { readonly kind: 'header' }
  | { readonly kind: 'header-fields'; readonly fields: readonly string[]; readonly not: boolean }
  | { readonly kind: 'text' }
  | { readonly kind: 'mime' };

/** A body section: the part path (empty for the whole message) and what of it. `text` undefined is the part. */
export interface Section {
  readonly part: readonly number[];
  readonly text: SectionText | undefined;
}

/** `<offset.length>`: `length` octets from `offset` (RFC 9051 §6.4.5). */
export interface Partial {
  readonly offset: number;
  readonly length: number;
}

export type FetchItem =
  | { readonly kind: 'ENVELOPE' }
  | { readonly kind: 'FLAGS' }
  | { readonly kind: 'INTERNALDATE' }
  | { readonly kind: 'UID' }
  | { readonly kind: 'MODSEQ' }
  | { readonly kind: 'RFC822' }
  | { readonly kind: 'RFC822.HEADER' }
  | { readonly kind: 'RFC822.SIZE' }
  | { readonly kind: 'RFC822.TEXT' }
  /** BODY without a section: the body structure without extension data. */
  | { readonly kind: 'BODY' }
  | { readonly kind: 'BODYSTRUCTURE' }
  /** BODY[section]<partial> and BODY.PEEK (peek: does not set \Seen). */
  | { readonly kind: 'BODY[]'; readonly section: Section; readonly partial: Partial | undefined; readonly peek: boolean }
  | { readonly kind: 'BINARY[]'; readonly part: readonly number[]; readonly partial: Partial | undefined; readonly peek: boolean }
  | { readonly kind: 'BINARY.SIZE'; readonly part: readonly number[] };

export interface FetchModifiers {
  /** RFC 7162 §3.1.4.1 CHANGEDSINCE mod-sequence-value. */
  readonly changedSince: bigint | undefined;
  /** RFC 7162 §3.2.6 VANISHED (UID FETCH only, with CHANGEDSINCE). */
  readonly vanished: boolean;
}

const MACROS: Readonly<Record<string, readonly FetchItem[]>> = {
  ALL: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }, { kind: 'ENVELOPE' }],
  FAST: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }],
  FULL: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }, { kind: 'ENVELOPE' }, { kind: 'BODY' }],
};
const SIMPLE: ReadonlySet<string> = new Set(['ENVELOPE', 'FLAGS', 'INTERNALDATE', 'UID', 'MODSEQ', 'RFC822', 'RFC822.HEADER', 'RFC822.SIZE', 'RFC822.TEXT', 'BODY', 'BODYSTRUCTURE']);
const NAME_CHAR = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e;
/** RFC 5322 §3.6.8 field-name: printable ASCII but colon. */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** The attributes of FETCH: a macro, one attribute, or a parenthesised list of them. */
export function parseFetchItems(s: Scanner): FetchItem[] {
  if (s.atOpen()) return s.list(() => parseFetchItem(s), false, imapLimits.fetchItemsMax);
  if (s.tryWord('ALL')) return [...MACROS.ALL!];
  if (s.tryWord('FAST')) return [...MACROS.FAST!];
  if (s.tryWord('FULL')) return [...MACROS.FULL!];
  return [parseFetchItem(s)];
}

function parseFetchItem(s: Scanner): FetchItem {
  const name = s.chars(NAME_CHAR, 'a fetch attribute').toUpperCase();
  if (!s.at('[')) {
    if (SIMPLE.has(name)) return { kind: name } as FetchItem;
    s.fail(`unknown fetch attribute ${name.slice(0, 40)}`);
  }
  switch (name) {
    case 'BODY':
    case 'BODY.PEEK': {
      const section = parseSection(s);
      return { kind: 'BODY[]', section, partial: parsePartial(s), peek: name === 'BODY.PEEK' };
    }
    case 'BINARY':
    case 'BINARY.PEEK': {
      const part = parseBinarySection(s);
      return { kind: 'BINARY[]', part, partial: parsePartial(s), peek: name === 'BINARY.PEEK' };
    }
    case 'BINARY.SIZE':
      return { kind: 'BINARY.SIZE', part: parseBinarySection(s) };
    default:
      s.fail(`unknown fetch attribute ${name.slice(0, 40)}`);
  }
}

/** RFC 9051 §9 section. */
export function parseSection(s: Scanner): Section {
  s.expect('[');
  const spec = s.at(']') ? '' : s.chars(NAME_CHAR, 'a section').toUpperCase();
  const pieces = spec === '' ? [] : spec.split('.');
  const part: number[] = [];
  while (pieces.length > 0 && /^[0-9]+$/.test(pieces[0]!)) part.push(partNumber(s, pieces.shift()!));
  const rest = pieces.join('.');
  let text: SectionText | undefined;
  switch (rest) {
    case '':
      if (spec.endsWith('.')) s.fail('invalid section');
      break;
    case 'HEADER':
    case 'TEXT':
      text = { kind: rest === 'HEADER' ? 'header' : 'text' };
      break;
    case 'MIME':
      // RFC 9051 §6.4.5: MIME refers to a part's MIME header; there is none for the top level.
      if (part.length === 0) s.fail('MIME needs a part number');
      text = { kind: 'mime' };
      break;
    case 'HEADER.FIELDS':
    case 'HEADER.FIELDS.NOT':
      s.sp();
      text = { kind: 'header-fields', fields: parseHeaderList(s), not: rest.endsWith('.NOT') };
      break;
    default:
      s.fail('invalid section');
  }
  s.expect(']', '"]"');
  return { part, text };
}

function partNumber(s: Scanner, digits: string): number {
  if (digits.startsWith('0') || digits.length > 10 || Number(digits) > 0xffffffff) s.fail('invalid part number');
  return Number(digits);
}

/** RFC 9051 §9 header-list = "(" header-fld-name *(SP header-fld-name) ")". */
function parseHeaderList(s: Scanner): string[] {
  return s.list(() => {
    const name = decodeText(s.astring('a header field name'));
    if (!FIELD_NAME.test(name)) s.fail('invalid header field name');
    return name;
  }, false, imapLimits.headerFieldsMax);
}

/** RFC 3516 §4.2 section-binary = "[" [section-part] "]". */
function parseBinarySection(s: Scanner): number[] {
  s.expect('[');
  const part: number[] = [];
  if (!s.at(']')) {
    const spec = s.chars(NAME_CHAR, 'a part number');
    for (const piece of spec.split('.')) {
      if (!/^[0-9]+$/.test(piece)) s.fail('invalid binary section');
      part.push(partNumber(s, piece));
    }
  }
  s.expect(']', '"]"');
  return part;
}

/** RFC 9051 §9 partial, when present. */
function parsePartial(s: Scanner): Partial | undefined {
  if (!s.tryChar('<')) return undefined;
  const offset = s.number('an offset');
  s.expect('.');
  const length = s.number('a length', true);
  s.expect('>');
  return { offset, length };
}

/** RFC 4466 §2.4 fetch-modifiers: SP "(" fetch-modifier *(SP fetch-modifier) ")", when present (SP consumed). */
export function parseFetchModifiers(s: Scanner, uid: boolean): FetchModifiers {
  let changedSince: bigint | undefined;
  let vanished = false;
  if (s.atEnd()) return { changedSince, vanished };
  s.sp();
  s.list(() => {
    const name = s.keyword('a fetch modifier');
    if (name === 'CHANGEDSINCE' && changedSince === undefined) {
      s.sp();
      changedSince = s.number64('a mod-sequence', true);
    } else if (name === 'VANISHED' && uid && !vanished) vanished = true;
    else s.fail(`unexpected fetch modifier ${name.slice(0, 40)}`);
  });
  // RFC 7162 §3.2.6: VANISHED without CHANGEDSINCE is a BAD.
  if (vanished && changedSince === undefined) s.fail('VANISHED needs CHANGEDSINCE');
  return { changedSince, vanished };
}
