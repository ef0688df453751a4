/**
 * The untagged FETCH response, built from typed items.
 *
 * RFC 9051 §7.5.2 and §9: message-data = nz-number SP "FETCH" SP msg-att; msg-att = "(" (msg-att-dynamic /
 * msg-att-static) *(SP …) ")"; BODY[section]<origin> carries only the origin octet of a partial fetch; BINARY
 * data is literal8 when it holds NUL (RFC 3516 §4.2 and §4.3); RFC 7162 §3.1.4 (MODSEQ (value)).
 */
import { formatDateTime } from './date-time.js';
import { NIL, atom, list, literal, num, raw, str, type ImapValue, type StreamedLiteral } from './encode.js';
import { bodyStructureValue, envelopeValue, type BodyStructure, type Envelope } from './body-structure.js';
import type { Section } from './fetch-items.js';
import { data, type ImapResponse } from './response.js';

/** Message content for a FETCH item: octets, a streamed literal, or null (NIL, e.g. a part that does not exist). */
export type FetchContent = Buffer | StreamedLiteral | null;

export type FetchResponseItem =
  | { readonly kind: 'UID'; readonly uid: number }
  | { readonly kind: 'FLAGS'; readonly flags: readonly string[] }
  | { readonly kind: 'INTERNALDATE'; readonly date: Date; readonly offsetMinutes: number }
  | { readonly kind: 'RFC822.SIZE'; readonly size: number }
  | { readonly kind: 'ENVELOPE'; readonly envelope: Envelope }
  | { readonly kind: 'BODY' | 'BODYSTRUCTURE'; readonly structure: BodyStructure }
  | { readonly kind: 'MODSEQ'; readonly modSeq: bigint }
  | { readonly kind: 'RFC822' | 'RFC822.HEADER' | 'RFC822.TEXT'; readonly content: FetchContent }
  /** BODY[section]<origin>: `origin` is the partial fetch's offset, when the client asked for a partial. */
  | { readonly kind: 'BODY[]'; readonly section: Section; readonly origin: number | undefined; readonly content: FetchContent }
  | { readonly kind: 'BINARY[]'; readonly part: readonly number[]; readonly origin: number | undefined; readonly content: FetchContent }
  | { readonly kind: 'BINARY.SIZE'; readonly part: readonly number[]; readonly size: number };

/** `* n FETCH (…)`. */
export function fetchResponse(seq: number, items: readonly FetchResponseItem[]): ImapResponse {
  return data(num(seq), atom('FETCH'), list(items.flatMap(fetchItemValues)));
}

/** The items {@link FlagsLines} encodes. */
export type FlagsFetchItem = Extract<FetchResponseItem, { kind: 'UID' | 'FLAGS' | 'MODSEQ' }>;

/**
 * `* n FETCH (…)` CRLF lines as text, for responses of UID, FLAGS and MODSEQ only: the octets {@link fetchResponse}
 * and the encoder produce, without building values (FETCH and STORE send 100,000 of them for `1:*` on a big folder,
 * issue 6). Each distinct flag list (messages share their stored lists) is checked as atoms ({@link atom}) and
 * joined once. `seq`, `uid` and `modSeq` come from the server's own view (positive integers) and are written as
 * they are.
 */
export class FlagsLines {
  readonly #kinds: ReadonlyArray<FlagsFetchItem['kind']>;
  readonly #plain = new Map<readonly string[], string>();
  readonly #recent = new Map<readonly string[], string>();

  constructor(kinds: ReadonlyArray<FlagsFetchItem['kind']>) {
    this.#kinds = kinds;
  }

  line(seq: number, uid: number, flags: readonly string[], recent: boolean, modSeq: number): string {
    let line = '* ' + seq + ' FETCH (';
    for (let i = 0; i < this.#kinds.length; i++) {
      if (i > 0) line += ' ';
      const kind = this.#kinds[i];
      if (kind === 'UID') line += 'UID ' + uid;
      else if (kind === 'MODSEQ') line += 'MODSEQ (' + modSeq + ')';
      else line += this.#flags(flags, recent);
    }
    return line + ')\r\n';
  }

  #flags(flags: readonly string[], recent: boolean): string {
    const cache = recent ? this.#recent : this.#plain;
    let text = cache.get(flags);
    if (text === undefined) {
      for (const f of flags) atom(f);
      text = `FLAGS (${(recent ? [...flags, '\\Recent'] : flags).join(' ')})`;
      cache.set(flags, text);
    }
    return text;
  }
}

/**
 * `* n FETCH (…)` CRLF as octets, for responses whose items are plain values and message text already in memory
 * (UID, FLAGS, MODSEQ, RFC822.SIZE, INTERNALDATE, RFC822[.HEADER|.TEXT], BODY[…]): the octets {@link fetchResponse}
 * gives through the encoder, without building values (a header listing sends one per message). Null when an item
 * needs the general encoder (ENVELOPE, BODYSTRUCTURE, BINARY, a streamed body); numbers, flags and section specs
 * are checked as the encoder checks them. `labels` keeps each section's formatted label across the calls of one
 * command.
 */
export function simpleFetchOctets(seq: number, items: readonly FetchResponseItem[], labels: Map<Section, string> = new Map()): Buffer | null {
  const parts: Buffer[] = [];
  let text = '* ' + numberText(seq) + ' FETCH (';
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (i > 0) text += ' ';
    switch (item.kind) {
      case 'UID':
        text += 'UID ' + numberText(item.uid);
        break;
      case 'FLAGS':
        for (const f of item.flags) atom(f);
        text += 'FLAGS (' + item.flags.join(' ') + ')';
        break;
      case 'MODSEQ':
        text += 'MODSEQ (' + numberText(item.modSeq) + ')';
        break;
      case 'RFC822.SIZE':
        text += 'RFC822.SIZE ' + numberText(item.size);
        break;
      case 'INTERNALDATE':
        // A date-time is digits, letters, spaces, '-', '+' and ':': always a quoted string with nothing to escape.
        text += 'INTERNALDATE "' + formatDateTime(item.date, item.offsetMinutes) + '"';
        break;
      case 'RFC822':
      case 'RFC822.HEADER':
      case 'RFC822.TEXT':
      case 'BODY[]': {
        if (item.content !== null && !Buffer.isBuffer(item.content)) return null;
        if (item.kind !== 'BODY[]') text += item.kind;
        else {
          // The same section for every message of a command: formatted and checked once (`labels` is the caller's).
          let label = labels.get(item.section);
          if (label === undefined) labels.set(item.section, (label = checkedRaw(`BODY[${formatSection(item.section)}]`)));
          text += label + origin(item.origin);
        }
        if (item.content === null) {
          text += ' NIL';
          break;
        }
        text += ' {' + item.content.length + '}\r\n';
        parts.push(Buffer.from(text, 'latin1'), item.content);
        text = '';
        break;
      }
      default:
        return null;
    }
  }
  parts.push(Buffer.from(text + ')\r\n', 'latin1'));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Protocol text checked as {@link raw} checks it. */
function checkedRaw(text: string): string {
  raw(text);
  return text;
}

function numberText(n: number | bigint): string {
  num(n);
  return String(n);
}

/** The section spec as text, e.g. `1.2.HEADER.FIELDS (SUBJECT FROM)`; the names are checked field names. */
export function formatSection(section: Section): string {
  const pieces = section.part.map(String);
  const text = section.text;
  if (text !== undefined) {
    if (text.kind === 'header-fields') {
      const names = text.fields.map((f) => {
        if (!/^[\x21-\x39\x3b-\x7e]+$/.test(f) || /[()"\\{}%*\]]/.test(f)) throw new RangeError(`invalid field name ${JSON.stringify(f)}`);
        return f.toUpperCase();
      });
      pieces.push(`HEADER.FIELDS${text.not ? '.NOT' : ''} (${names.join(' ')})`);
    } else pieces.push(text.kind.toUpperCase());
  }
  return pieces.join('.');
}

function content(c: FetchContent, binary: boolean): ImapValue {
  if (c === null) return NIL;
  if (!Buffer.isBuffer(c)) return c;
  // RFC 3516 §4.3: literal8 is needed only when the data holds NUL; BODY[] data is always a literal (it is long,
  // may hold CRLF, and quoting it would only save a few octets for tiny parts).
  return literal(c, binary && c.includes(0));
}

function fetchItemValues(item: FetchResponseItem): ImapValue[] {
  switch (item.kind) {
    case 'UID':
      return [atom('UID'), num(item.uid)];
    case 'FLAGS':
      return [atom('FLAGS'), list(item.flags.map(atom))];
    case 'INTERNALDATE':
      return [atom('INTERNALDATE'), str(formatDateTime(item.date, item.offsetMinutes))];
    case 'RFC822.SIZE':
      return [atom('RFC822.SIZE'), num(item.size)];
    case 'ENVELOPE':
      return [atom('ENVELOPE'), envelopeValue(item.envelope)];
    case 'BODY':
    case 'BODYSTRUCTURE':
      return [atom(item.kind), bodyStructureValue(item.structure, item.kind === 'BODYSTRUCTURE')];
    case 'MODSEQ':
      return [atom('MODSEQ'), list([num(item.modSeq)])];
    case 'RFC822':
    case 'RFC822.HEADER':
    case 'RFC822.TEXT':
      return [atom(item.kind), content(item.content, false)];
    case 'BODY[]':
      return [raw(`BODY[${formatSection(item.section)}]${origin(item.origin)}`), content(item.content, false)];
    case 'BINARY[]':
      return [raw(`BINARY[${item.part.join('.')}]${origin(item.origin)}`), content(item.content, true)];
    case 'BINARY.SIZE':
      return [raw(`BINARY.SIZE[${item.part.join('.')}]`), num(item.size)];
  }
}

function origin(offset: number | undefined): string {
  return offset === undefined ? '' : `<${offset}>`;
}
