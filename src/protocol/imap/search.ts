/**
 * SEARCH programs (also the criteria of SORT and THREAD).
 *
 * RFC 3501 §6.4.4 and §9 (search-key: every key incl. NEW, OLD, RECENT); RFC 9051 §6.4.4 and §9 (the same minus
 * \Recent keys, LARGER/SMALLER take number64; "search-return-opts"); RFC 4731 §3.1 and RFC 9051 §6.4.4.1
 * (ESEARCH: RETURN (MIN MAX ALL COUNT SAVE), "RETURN ()" means ALL); RFC 5182 §2 (SAVE and "$"); RFC 7162
 * §3.1.5 (MODSEQ [entry-name entry-type-req] mod-sequence-valzer); RFC 5032 (WITHIN: OLDER/YOUNGER seconds).
 * Nesting (parentheses, NOT, OR) and the number of keys are bounded (imapLimits).
 *
 * Search strings are text in the program's CHARSET (RFC 9051 §6.4.4). The parser reads them as UTF-8; when
 * that reading may be wrong (another charset was declared, or the octets are not UTF-8) the key also keeps the
 * octets as sent (`raw`), and the server decodes them by the charset (src/imap/engine/search-charset.ts).
 */
import { imapLimits } from '../../lib/limits.js';
import { parseDate, type ImapDate } from './date-time.js';
import { parseFlag } from './flags.js';
import { isUtf8 } from 'node:buffer';
import { Scanner, decodeText, isAtomChar } from './scanner.js';
import { atSequenceSet, parseSequenceSet, type SequenceSet } from './sequence.js';

export type SearchDateField = 'internal' | 'sent';
export type SearchDateOp = 'before' | 'on' | 'since';

export type SearchKey =
  | { readonly kind: 'all' }
  /** A flag or keyword that must be set (`present`) or clear: ANSWERED, UNSEEN, KEYWORD x, RECENT, OLD… */
  | { readonly kind: 'flag'; readonly flag: string; readonly present: boolean }
  /** RFC 3501 NEW: \Recent and not \Seen. */
  | { readonly kind: 'new' }
  /** A header contains `value`: HEADER name value, and BCC/CC/FROM/TO/SUBJECT (field in canonical case). */
  | { readonly kind: 'header'; readonly field: string; readonly value: string; readonly raw?: Buffer }
  | { readonly kind: 'body'; readonly value: string; readonly raw?: Buffer }
  | { readonly kind: 'text'; readonly value: string; readonly raw?: Buffer }
  /** BEFORE/ON/SINCE (internal date) and SENTBEFORE/SENTON/SENTSINCE (Date: header), by calendar day. */
  | { readonly kind: 'date'; readonly field: SearchDateField; readonly op: SearchDateOp; readonly date: ImapDate }
  | { readonly kind: 'size'; readonly op: 'larger' | 'smaller'; readonly size: bigint }
  /** RFC 5032 OLDER/YOUNGER: internal date relative to now, in seconds. */
  | { readonly kind: 'within'; readonly op: 'older' | 'younger'; readonly seconds: number }
  | { readonly kind: 'uid'; readonly set: SequenceSet }
  | { readonly kind: 'seq'; readonly set: SequenceSet }
  | { readonly kind: 'modseq'; readonly modSeq: bigint; readonly entry: ModSeqEntry | undefined }
  | { readonly kind: 'not'; readonly key: SearchKey }
  | { readonly kind: 'or'; readonly left: SearchKey; readonly right: SearchKey }
  /** A parenthesised list, and the top level of a program: every key must match. */
  | { readonly kind: 'and'; readonly keys: readonly SearchKey[] };

/** RFC 7162 §3.1.5 entry-name and entry-type-req: the metadata item whose mod-sequence is compared. */
export interface ModSeqEntry {
  /** The flag of "/flags/<flag>". */
  readonly flag: string;
  readonly type: 'priv' | 'shared' | 'all';
}

export type SearchReturnOption = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE';

export interface SearchProgram {
  /** The CHARSET given, upper case; `undefined` when none (US-ASCII, or UTF-8 under RFC 9051). */
  readonly charset: string | undefined;
  /** All keys of the top level (an implicit AND). */
  readonly criteria: SearchKey;
}

const FLAG_KEYS: Readonly<Record<string, readonly [string, boolean]>> = {
  ANSWERED: ['\\Answered', true],
  UNANSWERED: ['\\Answered', false],
  DELETED: ['\\Deleted', true],
  UNDELETED: ['\\Deleted', false],
  DRAFT: ['\\Draft', true],
  UNDRAFT: ['\\Draft', false],
  FLAGGED: ['\\Flagged', true],
  UNFLAGGED: ['\\Flagged', false],
  SEEN: ['\\Seen', true],
  UNSEEN: ['\\Seen', false],
  RECENT: ['\\Recent', true],
  OLD: ['\\Recent', false],
};
const HEADER_KEYS: Readonly<Record<string, string>> = { BCC: 'Bcc', CC: 'Cc', FROM: 'From', TO: 'To', SUBJECT: 'Subject' };
const DATE_KEYS: Readonly<Record<string, readonly [SearchDateField, SearchDateOp]>> = {
  BEFORE: ['internal', 'before'],
  ON: ['internal', 'on'],
  SINCE: ['internal', 'since'],
  SENTBEFORE: ['sent', 'before'],
  SENTON: ['sent', 'on'],
  SENTSINCE: ['sent', 'since'],
};
const RETURN_OPTIONS: ReadonlySet<string> = new Set(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']);

/** Counts keys across one program, so a flat list of thousands of keys is refused too; the declared charset. */
interface Budget {
  keys: number;
  readonly charset: string | undefined;
}

/** Charsets whose search strings the parser's UTF-8 reading gets right (US-ASCII with 8-bit octets: as UTF-8). */
const UTF8_CHARSETS: ReadonlySet<string | undefined> = new Set([undefined, 'UTF-8', 'US-ASCII']);

/**
 * RFC 9051 §9 search-return-opts, when present: ` RETURN (…)` (the leading space is consumed). `undefined`
 * when there is no RETURN; an empty list becomes ['ALL'] (RFC 4731 §3.1).
 */
export function parseSearchReturn(s: Scanner): SearchReturnOption[] | undefined {
  if (!s.tryWord('RETURN')) return undefined;
  s.sp();
  const options = s.list(() => {
    const name = s.keyword('a RETURN option');
    if (!RETURN_OPTIONS.has(name)) s.fail(`unknown RETURN option ${name}`);
    return name as SearchReturnOption;
  }, true);
  return options.length === 0 ? ['ALL'] : [...new Set(options)];
}

/** RFC 9051 §9 search-program: ["CHARSET" SP charset SP] search-key *(SP search-key), up to the end. */
export function parseSearchProgram(s: Scanner, charsetRequired = false): SearchProgram {
  let charset: string | undefined;
  if (charsetRequired || s.tryWord('CHARSET')) {
    if (!charsetRequired) s.sp();
    charset = decodeText(s.astring('a charset')).toUpperCase();
    s.sp();
  }
  const budget: Budget = { keys: 0, charset };
  const keys: SearchKey[] = [parseSearchKey(s, budget, 0)];
  while (!s.atEnd()) {
    s.sp();
    keys.push(parseSearchKey(s, budget, 0));
  }
  return { charset, criteria: keys.length === 1 ? keys[0]! : { kind: 'and', keys } };
}

function parseSearchKey(s: Scanner, budget: Budget, depth: number): SearchKey {
  if (++budget.keys > imapLimits.searchKeysMax) s.fail('too many search keys', 'too-many', 'LIMIT');
  if (depth > imapLimits.nestingMaxDepth) s.fail('search keys nested too deeply', 'too-deep', 'LIMIT');
  if (s.atOpen()) {
    const keys = s.list(() => parseSearchKey(s, budget, depth + 1));
    return keys.length === 1 ? keys[0]! : { kind: 'and', keys };
  }
  if (atSequenceSet(s)) return { kind: 'seq', set: parseSequenceSet(s) };
  const name = s.keyword('a search key');
  const flag = FLAG_KEYS[name];
  if (flag) return { kind: 'flag', flag: flag[0], present: flag[1] };
  const header = HEADER_KEYS[name];
  if (header) return { kind: 'header', field: header, ...argText(s, budget) };
  const date = DATE_KEYS[name];
  if (date) {
    s.sp();
    return { kind: 'date', field: date[0], op: date[1], date: parseDate(s) };
  }
  switch (name) {
    case 'ALL':
      return { kind: 'all' };
    case 'NEW':
      return { kind: 'new' };
    case 'KEYWORD':
    case 'UNKEYWORD':
      s.sp();
      return { kind: 'flag', flag: parseKeyword(s), present: name === 'KEYWORD' };
    case 'HEADER': {
      s.sp();
      const field = s.astringText('a header field name');
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(field)) s.fail('invalid header field name');
      return { kind: 'header', field, ...argText(s, budget) };
    }
    case 'BODY':
    case 'TEXT':
      return { kind: name === 'BODY' ? 'body' : 'text', ...argText(s, budget) };
    case 'LARGER':
    case 'SMALLER':
      s.sp();
      return { kind: 'size', op: name === 'LARGER' ? 'larger' : 'smaller', size: s.number64('a size') };
    case 'OLDER':
    case 'YOUNGER':
      s.sp();
      return { kind: 'within', op: name === 'OLDER' ? 'older' : 'younger', seconds: s.number('a number of seconds', true) };
    case 'UID':
      s.sp();
      return { kind: 'uid', set: parseSequenceSet(s) };
    case 'NOT':
      s.sp();
      return { kind: 'not', key: parseSearchKey(s, budget, depth + 1) };
    case 'OR': {
      s.sp();
      const left = parseSearchKey(s, budget, depth + 1);
      s.sp();
      return { kind: 'or', left, right: parseSearchKey(s, budget, depth + 1) };
    }
    case 'MODSEQ':
      return parseModSeq(s);
    default:
      s.fail(`unknown search key ${name.slice(0, 40)}`);
  }
}

/** A search string: its text read as UTF-8, plus the octets when the charset decides what they mean. */
function argText(s: Scanner, budget: Budget): { value: string; raw?: Buffer } {
  s.sp();
  const bytes = s.astring('a search string');
  const value = decodeText(bytes);
  // Printable ASCII reads the same in every charset that can appear in a command.
  if (/^[\x20-\x7e]*$/.test(value) || (UTF8_CHARSETS.has(budget.charset) && isUtf8(bytes))) return { value };
  return { value, raw: bytes };
}

/** flag-keyword (RFC 9051 §9): an atom, no backslash. */
function parseKeyword(s: Scanner): string {
  if (s.at('\\')) s.fail('KEYWORD takes a keyword, not a system flag');
  return s.chars(isAtomChar, 'a keyword');
}

/** RFC 7162 §3.1.5: "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer. */
function parseModSeq(s: Scanner): SearchKey {
  s.sp();
  let entry: ModSeqEntry | undefined;
  if (s.at('"') || s.atLiteral()) {
    const name = decodeText(s.string('an entry name'));
    const m = /^\/flags\/(.+)$/i.exec(name);
    if (!m) s.fail('invalid MODSEQ entry name');
    s.sp();
    const type = s.keyword('an entry type').toLowerCase();
    if (type !== 'priv' && type !== 'shared' && type !== 'all') s.fail('invalid MODSEQ entry type');
    entry = { flag: flagFromEntry(s, m[1]!), type };
    s.sp();
  }
  return { kind: 'modseq', modSeq: s.number64('a mod-sequence'), entry };
}

function flagFromEntry(s: Scanner, text: string): string {
  // The flag inside the entry name is itself a flag (attr-flag); parse it with the flag grammar.
  const inner = new Scanner([{ kind: 'text', bytes: Buffer.from(text, 'latin1') }], s.tag);
  const flag = parseFlag(inner);
  inner.end();
  return flag;
}
