/**
 * SEARCH: which messages of the selected mailbox match a search program.
 *
 * RFC 9051 §6.4.4 and RFC 3501 §6.4.4 (every key: flags and keywords, NEW/OLD/RECENT, sequence and UID sets,
 * LARGER/SMALLER, BEFORE/ON/SINCE on the internal date and SENTBEFORE/SENTON/SENTSINCE on the Date header, both
 * by calendar day; HEADER, FROM/TO/CC/BCC/SUBJECT, BODY and TEXT as case-insensitive substrings of decoded text;
 * NOT, OR, parenthesised lists); RFC 5032 OLDER/YOUNGER; RFC 5182 `$`; RFC 7162 §3.1.5 MODSEQ.
 *
 * Keys that need only the record are tested first, and a message's octets are read only when a text or
 * sent-date key still decides the outcome. An optional {@link SearchIndex} may narrow the candidates first (an
 * FTS5 index, issue 6); the engine still checks every candidate, so an index may over-approximate.
 */
import type { ImapDate, SearchKey, SearchProgram, SequenceSet } from '../../protocol/imap/index.js';
import { sequenceSetIncludes } from '../../protocol/imap/index.js';
import { parseDate as parseRfc5322Date } from '../../mail/meta.js';
import { parsedMessage } from './cache.js';
import { decodedHeaderValue, foldText, foldedBodyText, foldedHeaderText } from './search-text.js';
import { localZoneOffset, type MessageRecord, type MessageSource, type ParsedMessage, type ZoneOffset } from './types.js';

/** CHARSETs SEARCH accepts (RFC 9051 §6.4.4: US-ASCII and UTF-8 are required); others → NO [BADCHARSET]. */
export const SEARCH_CHARSETS: readonly string[] = ['UTF-8', 'US-ASCII'];

/** A pre-filter: the UIDs that may match (a superset), or undefined when it cannot tell. */
export interface SearchIndex {
  candidates(program: SearchProgram, messages?: readonly MessageRecord[]): Promise<ReadonlySet<number> | undefined>;
}

export interface SearchContext {
  readonly source: MessageSource;
  /** The largest UID in the mailbox (`*` in a UID set). */
  readonly maxUid: number;
  /** The largest sequence number (`*` in a sequence set) when `messages` is not the whole mailbox; default theirs. */
  readonly maxSeq?: number;
  /** Now, for OLDER/YOUNGER (ms since the epoch; injected, never read from the clock here). */
  readonly now: number;
  /** RFC 5182 `$`: the saved result, as UIDs. */
  readonly searchResult?: readonly number[];
  /** The zone calendar days of INTERNALDATE are taken in; default the process's local zone. */
  readonly zoneOffset?: ZoneOffset;
  readonly index?: SearchIndex;
}

const DAY = 86_400_000;

/** The messages that match, in the order given (sequence order). */
export async function searchMessages(program: SearchProgram, messages: readonly MessageRecord[], ctx: SearchContext): Promise<MessageRecord[]> {
  const maxSeq = ctx.maxSeq ?? messages.reduce((n, m) => Math.max(n, m.seq), 0);
  const env: Env = { ctx, maxSeq, saved: new Set(ctx.searchResult ?? []), zone: ctx.zoneOffset ?? localZoneOffset };
  const candidates = ctx.index ? await ctx.index.candidates(program, messages) : undefined;
  const out: MessageRecord[] = [];
  for (const m of messages) {
    if (candidates && !candidates.has(m.uid)) continue;
    const lazy = new LazyMessage(ctx.source, m);
    if (await matches(program.criteria, m, lazy, env)) out.push(m);
  }
  return out;
}

interface Env {
  readonly ctx: SearchContext;
  readonly maxSeq: number;
  readonly saved: ReadonlySet<number>;
  readonly zone: ZoneOffset;
}

/** A message's octets and derived search text, read on first use. */
class LazyMessage {
  #parsed: Promise<ParsedMessage> | undefined;
  #header: string | undefined;
  #body: string | undefined;
  #sentDay: number | null | undefined;

  constructor(
    private readonly source: MessageSource,
    private readonly record: MessageRecord,
  ) {}

  parsed(): Promise<ParsedMessage> {
    // The blob id is read only here: a search decided by the record alone never needs it.
    return (this.#parsed ??= parsedMessage(this.source, this.record.blobId));
  }

  async header(): Promise<string> {
    return (this.#header ??= foldedHeaderText((await this.parsed()).mime));
  }

  async body(): Promise<string> {
    if (this.#body === undefined) {
      const { raw, mime } = await this.parsed();
      this.#body = foldedBodyText(raw, mime);
    }
    return this.#body;
  }

  /** The calendar day of the Date header as written (its own zone), as days since the epoch; null if none. */
  async sentDay(): Promise<number | null> {
    if (this.#sentDay === undefined) {
      const f = (await this.parsed()).mime.fields.find((x) => x.lowerName === 'date');
      this.#sentDay = f === undefined ? null : dayAsWritten(f.value);
    }
    return this.#sentDay;
  }
}

/** The day of an RFC 5322 date in the zone it was written in ("disregarding time and timezone"). */
function dayAsWritten(value: string): number | null {
  const instant = parseRfc5322Date(value);
  if (instant === null) return null;
  const zone = /([+-])(\d{2})(\d{2})\s*(?:\([^)]*\)\s*)?$/.exec(value.trim());
  const offset = zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
  return Math.floor((instant + offset * 60_000) / DAY);
}

function dayNumber(d: ImapDate): number {
  return Date.UTC(d.year, d.month - 1, d.day) / DAY;
}

function compareDay(day: number, op: 'before' | 'on' | 'since', wanted: number): boolean {
  return op === 'before' ? day < wanted : op === 'on' ? day === wanted : day >= wanted;
}

/** Set membership; `$` (RFC 5182) holds UIDs, so as a message set too it names messages by UID. */
function inSet(set: SequenceSet, n: number, largest: number, m: MessageRecord, env: Env): boolean {
  return set.kind === 'saved' ? env.saved.has(m.uid) : sequenceSetIncludes(set, n, largest);
}

function hasFlag(m: MessageRecord, flag: string): boolean {
  if (flag.toLowerCase() === '\\recent') return m.recent;
  const lower = flag.toLowerCase();
  return m.flags.some((f) => f.toLowerCase() === lower);
}

/** Whether a key is decided by the record alone. */
function cheap(key: SearchKey): boolean {
  switch (key.kind) {
    case 'header':
    case 'body':
    case 'text':
      return false;
    case 'date':
      return key.field === 'internal';
    case 'not':
      return cheap(key.key);
    case 'or':
      return cheap(key.left) && cheap(key.right);
    case 'and':
      return key.keys.every(cheap);
    default:
      return true;
  }
}

async function matches(key: SearchKey, m: MessageRecord, msg: LazyMessage, env: Env): Promise<boolean> {
  switch (key.kind) {
    case 'all':
      return true;
    case 'flag':
      return hasFlag(m, key.flag) === key.present;
    case 'new':
      return m.recent && !hasFlag(m, '\\Seen');
    case 'size':
      return key.op === 'larger' ? BigInt(m.size) > key.size : BigInt(m.size) < key.size;
    case 'within': {
      const limit = env.ctx.now - key.seconds * 1000;
      return key.op === 'older' ? m.internalDate < limit : m.internalDate >= limit;
    }
    case 'seq':
      return inSet(key.set, m.seq, env.maxSeq, m, env);
    case 'uid':
      return inSet(key.set, m.uid, env.ctx.maxUid, m, env);
    case 'modseq':
      return BigInt(m.modSeq) >= key.modSeq;
    case 'date': {
      if (key.field === 'internal') {
        const day = Math.floor((m.internalDate + env.zone(m.internalDate) * 60_000) / DAY);
        return compareDay(day, key.op, dayNumber(key.date));
      }
      const day = await msg.sentDay();
      return day !== null && compareDay(day, key.op, dayNumber(key.date));
    }
    case 'header': {
      const name = key.field.toLowerCase();
      const needle = foldText(key.value);
      const fields = (await msg.parsed()).mime.fields.filter((f) => f.lowerName === name);
      // RFC 9051 §6.4.4: HEADER with an empty string matches every message that has the field.
      return fields.some((f) => needle === '' || foldText(decodedHeaderValue(f)).includes(needle));
    }
    case 'body':
      return (await msg.body()).includes(foldText(key.value));
    case 'text': {
      const needle = foldText(key.value);
      return (await msg.header()).includes(needle) || (await msg.body()).includes(needle);
    }
    case 'not':
      return !(await matches(key.key, m, msg, env));
    case 'or': {
      const [first, second] = cheap(key.right) && !cheap(key.left) ? [key.right, key.left] : [key.left, key.right];
      return (await matches(first, m, msg, env)) || matches(second, m, msg, env);
    }
    case 'and': {
      // Record-only keys first: a message they exclude is never read.
      const ordered = [...key.keys].sort((a, b) => Number(cheap(b)) - Number(cheap(a)));
      for (const k of ordered) if (!(await matches(k, m, msg, env))) return false;
      return true;
    }
  }
}
