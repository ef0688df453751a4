/**
 * The keys a folder is sorted by in the webmail's list (issue 11), computed from the metadata the store keeps
 * ({@link MessageMeta}) so a store can index them and answer "the first page sorted by subject" with ORDER BY …
 * LIMIT instead of reading the folder.
 *
 * RFC 5256 §2.1 (base subject), §2.2 (sent date: the Date field, else the internal date); the sender key is what the
 * webmail shows and sorts by: the first From mailbox's display name, else its address. Keys are compared as plain
 * strings (code point order), so they are folded here: NFC, then lower case (a simple stand-in for i;unicode-casemap).
 */
import type { MessageMeta } from '../store/types.js';
import { allMailboxes, parseAddressList } from './address-list.js';
import { decodeEncodedWords } from './encoded-words.js';

export interface SortKeys {
  /** RFC 5256 §2.2 sent date: Date, else the internal date (ms). */
  date: number;
  /** The sender as the list shows it, folded. */
  from: string;
  /** RFC 5256 §2.1 base subject, folded. */
  subject: string;
}

/** Keys longer than this are cut: two messages that agree this far sort together, and the index stays small. */
const KEY_CHARS = 200;

const fold = (s: string): string => s.normalize('NFC').toLowerCase().slice(0, KEY_CHARS);

export function sortKeysOf(meta: Pick<MessageMeta, 'date' | 'from' | 'subject'>, internalDate: number): SortKeys {
  return { date: meta.date ?? internalDate, from: senderKey(meta.from), subject: baseSubject(meta.subject) };
}

/** RFC 5322 §3.4.1 addr-spec in its dot-atom form only (anything else is left to the full parser). */
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM = `${ATOM}(?:\\.${ATOM})*`;
const ADDR_SPEC = `${DOT_ATOM}@${DOT_ATOM}`;
const NAME_ADDR = new RegExp(`^\\s*(?:"((?:[^"\\\\\\r\\n]|\\\\.)*)"|([^<>",;:@()\\\\\\r\\n.[\\]]*?))\\s*<(${ADDR_SPEC})>\\s*$`);
const BARE_ADDR = new RegExp(`^\\s*(${ADDR_SPEC})\\s*$`);

/**
 * One mailbox in the common forms (`Name <a@b>`, `"Name" <a@b>`, `a@b`) read by a pattern, or null for anything
 * else: the full RFC 5322 parser costs about 0.2 ms a field, too much for a list of 50 rows or 100,000 sort keys.
 */
export function quickMailbox(value: string): { name: string; address: string } | null {
  const m = NAME_ADDR.exec(value);
  if (m) return { name: m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? '').trim().replace(/\s+/g, ' '), address: m[3]! };
  const b = BARE_ADDR.exec(value);
  return b ? { name: '', address: b[1]! } : null;
}

/** RFC 5322 §3.4 display name, else address, of the first mailbox of a From value (already RFC 2047-decoded or not). */
export function senderKey(from: string | null): string {
  if (!from) return '';
  const quick = quickMailbox(from);
  if (quick) return fold((quick.name.includes('=?') ? decodeEncodedWords(quick.name) : quick.name) || quick.address);
  const parsed = parseAddressList(from.replace(/\r?\n/g, ''));
  if (!parsed.ok) return fold(decodeEncodedWords(from).trim());
  const first = allMailboxes(parsed.entries)[0];
  return first ? fold((first.name || first.address).trim()) : '';
}

// RFC 5256 §2.1 / §5 grammar: subj-blob = "[" *BLOBCHAR "]" *WSP; subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":".
// "aw", "sv", "wg" (German and Scandinavian mail programs' Re:/Fwd:) are read as subj-refwd too, as users expect.
const BLOB = String.raw`\[[^[\]]*\][ \t]*`;
const LEADER = new RegExp(String.raw`^(?:(?:${BLOB})*(?:re|fwd?|aw|sv|wg)[ \t]*(?:${BLOB})?:|[ \t]+)`, 'i');
const LEADING_BLOB = new RegExp(`^${BLOB}`);
const TRAILER = /(?:\(fwd\)|[ \t])+$/i;

/** RFC 5256 §2.1: the subject without reply/forward markers and list tags, whitespace collapsed, folded. */
export function baseSubject(subject: string | null): string {
  // (1) decoded (the store keeps Subject decoded; decoding again is harmless), whitespace runs to one space.
  let s = decodeEncodedWords(subject ?? '').replace(/[\r\n]+/g, '').replace(/[ \t]+/g, ' ');
  for (;;) {
    // (2) subj-trailer
    s = s.replace(TRAILER, '');
    // (3) and (4), repeated until nothing changes: subj-leader, then a subj-blob if something remains after it.
    for (;;) {
      const before = s;
      let m: RegExpExecArray | null;
      while ((m = LEADER.exec(s)) && m[0].length > 0) s = s.slice(m[0].length);
      const blob = LEADING_BLOB.exec(s);
      if (blob && s.length > blob[0].length) s = s.slice(blob[0].length);
      if (s === before) break;
    }
    // (5) subj-fwd-hdr / subj-fwd-trl: "[fwd: … ]" around the whole subject.
    if (/^\[fwd:/i.test(s) && s.endsWith(']')) {
      s = s.slice(5, -1);
      continue;
    }
    break;
  }
  return fold(s.trim());
}

type Part = {
  kind?: unknown;
  type?: unknown;
  parts?: unknown;
  body?: unknown;
  fields?: { params?: unknown };
  extension?: { disposition?: { type?: unknown; params?: unknown } | null };
};

const hasParam = (params: unknown, name: string): boolean =>
  Array.isArray(params) && params.some((p) => Array.isArray(p) && typeof p[0] === 'string' && p[0].toLowerCase() === name);

/**
 * Whether a stored description's BODYSTRUCTURE (the JSON the IMAP engine stores, {@link MessageMeta.structure}
 * `.body`) shows an attachment: a part with `Content-Disposition: attachment` (RFC 2183), or a named part that is
 * neither text nor multipart; null when `structure` is not such a description (then only the octets can tell).
 */
export function structureHasAttachment(structure: unknown): boolean | null {
  const body = (structure as { v?: unknown; body?: unknown } | null)?.body;
  if ((structure as { v?: unknown } | null)?.v !== 1 || typeof body !== 'object' || body === null) return null;
  const walk = (b: Part): boolean => {
    if (b.kind === 'multipart') return Array.isArray(b.parts) && (b.parts as Part[]).some(walk);
    const d = b.extension?.disposition;
    if (typeof d?.type === 'string' && d.type.toLowerCase() === 'attachment') return true;
    if (b.kind !== 'text' && (hasParam(d?.params, 'filename') || hasParam(b.fields?.params, 'name'))) return true;
    return b.kind === 'message' && typeof b.body === 'object' && b.body !== null && walk(b.body as Part);
  };
  return walk(body as Part);
}

/** Everything a folder entry is sorted and filtered by in the webmail, as the stores keep it in its columns. */
export interface EntryKeys extends SortKeys {
  size: number;
  /** 1 / 0 from the stored structure, null when there is none. */
  attachments: 0 | 1 | null;
}

/** The keys of an entry of a message described by `meta` (structure as an object or its JSON text). */
export function entryKeysOf(meta: Pick<MessageMeta, 'date' | 'from' | 'subject' | 'structure'>, internalDate: number, size: number): EntryKeys {
  const structure = typeof meta.structure === 'string' ? (JSON.parse(meta.structure) as unknown) : meta.structure;
  const a = structure === null || structure === undefined ? null : structureHasAttachment(structure);
  return { ...sortKeysOf(meta, internalDate), size, attachments: a === null ? null : a ? 1 : 0 };
}
