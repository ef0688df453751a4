/**
 * The message list: pages, sorting, server search and conversations, over the same entries and flags IMAP uses.
 *
 * The first page of a folder sorted by arrival (newest first) reads only a window of the newest UIDs, so it costs
 * the same for 100 messages or 100,000 (bench/webmail). Other sorts read a page of the store's sort-key indexes
 * (`sortedEntries`: RFC 5256 base subject, sender, sent date, size). Metadata searches (from, to, subject, dates)
 * run in the store over the whole folder, newest first, stopping once a page of answers is found; body and text
 * searches start from the store's text index and are confirmed by the IMAP SEARCH engine (src/imap/engine).
 */
import { webmailLimits } from '../lib/limits.js';
import { cachedSource, searchMessages, type MessageRecord } from '../imap/engine/index.js';
import { indexQueryOf } from '../imap/engine/search-index.js';
import type { SearchKey } from '../protocol/imap/index.js';
import type { EntryFilter, ListOrder, MessageEntry, Store } from '../store/types.js';
import { parseMime } from '../mail/mime/parse.js';
import { quickMailbox, structureHasAttachment } from '../mail/sort-keys.js';
import { people, type Person } from './message.js';

export interface ListItem {
  uid: number;
  subject: string;
  from: Person[];
  to: Person[];
  date: number;
  size: number;
  seen: boolean;
  flagged: boolean;
  answered: boolean;
  draft: boolean;
  messageId: string | null;
}

export type SortKey = ListOrder;

export interface ListQuery {
  sort: SortKey;
  reverse: boolean;
  /** Arrival order: list UIDs below this (the `next` cursor of the page before). */
  beforeUid?: number | undefined;
  offset: number;
  limit: number;
}

export interface Page {
  items: ListItem[];
  /** Cursor for the next page (`u<uid>` or `o<offset>`), or null at the end. */
  next: string | null;
}

/** The people of a list row: the common forms by a pattern ({@link quickMailbox}), anything else by the full parser. */
export function rowPeople(value: string | null): Person[] {
  if (!value) return [];
  const quick = quickMailbox(value);
  return quick ? [quick] : people(value);
}

export function itemOf(e: MessageEntry): ListItem {
  return {
    uid: e.uid,
    subject: e.meta.subject ?? '',
    from: rowPeople(e.meta.from),
    to: rowPeople(e.meta.to),
    date: e.meta.date ?? e.internalDate,
    size: e.size,
    seen: e.flags.includes('\\Seen'),
    flagged: e.flags.includes('\\Flagged'),
    answered: e.flags.includes('\\Answered'),
    draft: e.flags.includes('\\Draft'),
    messageId: e.meta.messageId,
  };
}

/** The newest `limit` entries below `beforeUid`, newest first, reading growing UID windows from the top. */
export async function newestEntries(store: Store, folderId: number, uidNext: number, beforeUid: number | undefined, limit: number): Promise<{ entries: MessageEntry[]; more: boolean }> {
  let hi = Math.min(beforeUid ?? uidNext, uidNext) - 1;
  const out: MessageEntry[] = [];
  let window = limit + 1;
  while (hi >= 1 && out.length <= limit) {
    const lo = Math.max(1, hi - window + 1);
    const got = await store.listEntries(folderId, { fromUid: lo, toUid: hi });
    for (let i = got.length - 1; i >= 0 && out.length <= limit; i--) out.push(got[i]!);
    hi = lo - 1;
    window *= 4; // sparse UIDs (many expunged): widen quickly
  }
  const more = out.length > limit;
  return { entries: out.slice(0, limit), more };
}

export async function listPage(store: Store, folderId: number, q: ListQuery): Promise<Page> {
  if (q.sort === 'arrival' && q.reverse) {
    const f = await store.getFolderById(folderId);
    const { entries, more } = await newestEntries(store, folderId, f?.uidNext ?? 1, q.beforeUid, q.limit);
    return { items: entries.map(itemOf), next: more && entries.length ? `u${entries.at(-1)!.uid}` : null };
  }
  // One more than the page tells whether another page follows.
  const entries = await store.sortedEntries(folderId, { order: q.sort, reverse: q.reverse, offset: q.offset, limit: q.limit + 1 });
  return { items: entries.slice(0, q.limit).map(itemOf), next: entries.length > q.limit ? `o${q.offset + q.limit}` : null };
}

// ---------------------------------------------------------------- search

export interface SearchQuery {
  /** Anywhere: headers and body (IMAP TEXT). */
  text?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  subject?: string | undefined;
  body?: string | undefined;
  /** Calendar days, `YYYY-MM-DD`, on the internal date (IMAP SINCE / BEFORE). */
  since?: string | undefined;
  before?: string | undefined;
  hasAttachment?: boolean | undefined;
}

function imapDate(s: string | undefined): { year: number; month: number; day: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s ?? '');
  return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : null;
}

function contains(hay: string | null, needle: string | undefined): boolean {
  return !needle || (hay ?? '').normalize('NFC').toLowerCase().includes(needle.normalize('NFC').toLowerCase());
}

function hasAttachmentPart(raw: Buffer): boolean {
  const walk = (p: ReturnType<typeof parseMime>): boolean =>
    p.disposition?.value.toLowerCase() === 'attachment' || (p.type !== 'text' && p.type !== 'multipart' && !!(p.disposition?.params.filename ?? p.params.name)) || p.children.some(walk);
  return walk(parseMime(raw));
}

/** Midnight UTC of a `YYYY-MM-DD` day (IMAP SINCE/BEFORE on the internal date, RFC 9051 §6.4.4, zone +0000). */
function dayStart(s: string | undefined): number | undefined {
  const d = imapDate(s);
  return d ? Date.UTC(d.year, d.month - 1, d.day) : undefined;
}

/**
 * What the store is asked to filter by: its LIKE ignores ASCII case only, so a needle with other letters is
 * narrowed to its longest ASCII run (a superset the caller confirms with {@link contains}); none at all, no filter.
 */
export function storeNeedle(needle: string | undefined): string | undefined {
  if (!needle) return undefined;
  if (/^[\x00-\x7f]*$/.test(needle)) return needle;
  const runs = needle.split(/[^\x00-\x7f]+/).filter((r) => r.trim().length > 0);
  return runs.sort((a, b) => b.length - a.length)[0];
}

function metaMatches(e: MessageEntry, q: SearchQuery): boolean {
  return contains(e.meta.from, q.from) && contains(`${e.meta.to ?? ''} ${e.meta.cc ?? ''}`, q.to) && contains(e.meta.subject, q.subject);
}

/**
 * Newest first; at most searchResultsMax results. Searches on metadata only (from, to, subject, dates, has
 * attachment) run in the store over the whole folder, newest first, and stop once enough are found; attachments are
 * known to the store from the BODYSTRUCTURE stored at delivery (at most searchScanMax messages stored without one
 * are read here). Text and body words are looked up in the store's text index (issue 6)
 * across the whole folder, then checked by the IMAP engine on the newest searchScanMax candidates; when the index
 * cannot answer (no words, or words under 3 characters) the newest searchScanMax messages are read.
 */
export async function searchFolder(store: Store, folderId: number, q: SearchQuery, now: number): Promise<{ items: ListItem[]; truncated: boolean }> {
  if (!q.text && !q.body) return searchMetadata(store, folderId, q);
  const folder = await store.getFolderById(folderId);
  const keys: SearchKey[] = [];
  if (q.text) keys.push({ kind: 'text', value: q.text });
  if (q.body) keys.push({ kind: 'body', value: q.body });
  const indexQuery = indexQueryOf({ kind: 'and', keys });
  const indexed = indexQuery ? await store.searchText(folderId, indexQuery) : null;
  // The candidates the engine will read: the newest searchScanMax of the index's answer, or of the folder.
  const candidates = indexed ? new Set([...indexed].sort((a, b) => b - a).slice(0, webmailLimits.searchScanMax)) : null;
  const fromUid = candidates ? [...candidates].reduce((a, b) => Math.min(a, b), folder?.uidNext ?? 1) : Math.max(1, (folder?.uidNext ?? 1) - webmailLimits.searchScanMax);
  const cutShort = candidates ? (indexed?.length ?? 0) > candidates.size : fromUid > 1;
  const scanned = await store.listEntries(folderId, { fromUid });
  // Header fields the store keeps decoded: filtered here without reading a message.
  const byMeta = scanned.filter((e) => (!candidates || candidates.has(e.uid)) && metaMatches(e, q));
  const since = imapDate(q.since);
  const before = imapDate(q.before);
  if (since) keys.push({ kind: 'date', field: 'internal', op: 'since', date: since });
  if (before) keys.push({ kind: 'date', field: 'internal', op: 'before', date: before });
  const source = cachedSource({ raw: async (id) => (await store.blobs.get(id)) ?? Buffer.alloc(0) }, 32 * 1024 * 1024);
  const records: MessageRecord[] = byMeta.map((e, i) => ({ seq: i + 1, uid: e.uid, flags: e.flags, modSeq: e.modSeq, internalDate: e.internalDate, size: e.size, blobId: e.blobId, recent: false }));
  const found = await searchMessages({ charset: 'UTF-8', criteria: { kind: 'and', keys } }, records, { source, maxUid: scanned.at(-1)?.uid ?? 0, now, zoneOffset: () => 0 });
  const uids = new Set(found.map((r) => r.uid));
  let matched = byMeta.filter((e) => uids.has(e.uid));
  if (q.hasAttachment) {
    const keep: MessageEntry[] = [];
    for (const e of matched) if (hasAttachmentPart(await source.raw(e.blobId))) keep.push(e);
    matched = keep;
  }
  const newest = matched.reverse();
  return { items: newest.slice(0, webmailLimits.searchResultsMax).map(itemOf), truncated: newest.length > webmailLimits.searchResultsMax || cutShort };
}

/** Metadata searches: pages of the store's filtered entries, newest first, confirmed here, until enough are found. */
async function searchMetadata(store: Store, folderId: number, q: SearchQuery): Promise<{ items: ListItem[]; truncated: boolean }> {
  const filter: EntryFilter = {
    from: storeNeedle(q.from),
    to: storeNeedle(q.to),
    subject: storeNeedle(q.subject),
    since: dayStart(q.since),
    before: dayStart(q.before),
    attachments: q.hasAttachment || undefined,
  };
  // Needles of three characters or more are looked up first in the text index's header text (issue 6: a superset,
  // messages without indexed text always in it), so a rare sender or subject is found without scanning the folder.
  const headerKeys: SearchKey[] = [];
  if (q.from) headerKeys.push({ kind: 'header', field: 'from', value: q.from });
  if (q.subject) headerKeys.push({ kind: 'header', field: 'subject', value: q.subject });
  if (q.to) headerKeys.push({ kind: 'or', left: { kind: 'header', field: 'to', value: q.to }, right: { kind: 'header', field: 'cc', value: q.to } });
  const indexQuery = headerKeys.length > 0 ? indexQueryOf({ kind: 'and', keys: headerKeys }) : null;
  const indexed = indexQuery ? await store.searchText(folderId, indexQuery) : null;
  const candidates = indexed ? [...indexed].sort((a, b) => b - a) : null;
  const found: MessageEntry[] = [];
  let beforeUid: number | undefined;
  let at = 0;
  let read = 0;
  for (;;) {
    let page: MessageEntry[];
    let last: boolean;
    if (candidates) {
      const chunk = candidates.slice(at, at + webmailLimits.searchPage);
      at += chunk.length;
      page = chunk.length > 0 ? await store.filterEntries(folderId, { ...filter, uids: chunk }, { limit: chunk.length }) : [];
      last = at >= candidates.length;
    } else {
      page = await store.filterEntries(folderId, filter, { beforeUid, limit: webmailLimits.searchPage });
      last = page.length < webmailLimits.searchPage;
      beforeUid = page.at(-1)?.uid;
    }
    const matching = page.filter((e) => metaMatches(e, q));
    // Attachments: from the BODYSTRUCTURE stored at delivery; only messages stored without one are read.
    const structures = q.hasAttachment ? await store.structures(folderId, matching.map((e) => e.uid)) : null;
    for (const e of matching) {
      if (structures) {
        const stored = structureHasAttachment(structures.get(e.uid));
        if (stored !== null) {
          if (!stored) continue;
        } else {
          if (read >= webmailLimits.searchScanMax) return { items: found.map(itemOf), truncated: true };
          read++;
          if (!hasAttachmentPart((await store.blobs.get(e.blobId)) ?? Buffer.alloc(0))) continue;
        }
      }
      found.push(e);
      if (found.length > webmailLimits.searchResultsMax) return { items: found.slice(0, webmailLimits.searchResultsMax).map(itemOf), truncated: true };
    }
    if (last) return { items: found.map(itemOf), truncated: false };
  }
}

// ---------------------------------------------------------------- conversations

const MSGID = /<[^<>\s]+>/g;

type Threadable = { meta: MessageEntry['meta']; internalDate: number };

/**
 * Conversations by Message-ID, In-Reply-To and References (RFC 5322 §3.6.4; the grouping step of RFC 5256
 * REFERENCES threading, from the metadata the store keeps, so no message is read): a function giving each message
 * of `pool` its conversation's key (null for a message with no identifiers at all, a conversation of its own).
 */
function conversationKeys<T extends Threadable>(pool: readonly T[]): (e: T) => string | null {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const idsOf = (e: T): string[] => {
    const own = e.meta.messageId?.match(MSGID)?.[0];
    const linked = [...(e.meta.inReplyTo?.match(MSGID) ?? []), ...(e.meta.references?.match(MSGID) ?? [])];
    return own ? [own, ...linked] : linked;
  };
  for (const e of pool) {
    const ids = idsOf(e);
    for (const id of ids) if (!parent.has(id)) parent.set(id, id);
    for (let i = 1; i < ids.length; i++) {
      const a = find(ids[0]!);
      const b = find(ids[i]!);
      if (a !== b) parent.set(a, b);
    }
  }
  return (e) => {
    const ids = idsOf(e);
    return ids.length ? find(ids[0]!) : null;
  };
}

const sentAt = (e: Threadable) => e.meta.date ?? e.internalDate;

/** The messages of `pool` in the same conversation as `start`, oldest first. */
export function conversation<T extends Threadable>(start: T, pool: readonly T[]): T[] {
  const keyOf = conversationKeys([...pool, start]);
  const root = keyOf(start);
  if (root === null) return [start];
  const out = pool.filter((e) => keyOf(e) === root);
  if (!out.includes(start)) out.push(start);
  return out.sort((a, b) => sentAt(a) - sentAt(b)).slice(-webmailLimits.conversationMax);
}

/** Conversations of `entries`, the one with the newest message first; each oldest first. */
export function groupConversations<T extends Threadable & { uid: number }>(entries: readonly T[]): T[][] {
  const keyOf = conversationKeys(entries);
  const groups = new Map<string, T[]>();
  for (const e of entries) {
    const k = keyOf(e) ?? `uid:${e.uid}`;
    const g = groups.get(k);
    if (g) g.push(e);
    else groups.set(k, [e]);
  }
  const newest = (g: T[]) => Math.max(...g.map((e) => e.uid));
  return [...groups.values()].map((g) => g.sort((a, b) => sentAt(a) - sentAt(b) || a.uid - b.uid)).sort((a, b) => newest(b) - newest(a));
}

export interface ThreadItem extends ListItem {
  /** Messages in this conversation (in this folder, among the newest scanned). */
  count: number;
  unreadCount: number;
  uids: number[];
}

/** The conversation view of a folder: one row per conversation (its newest message), newest first, paged by offset. */
export async function threadPage(store: Store, folderId: number, offset: number, limit: number): Promise<{ items: ThreadItem[]; next: string | null }> {
  const f = await store.getFolderById(folderId);
  const entries = await store.listEntries(folderId, { fromUid: Math.max(1, (f?.uidNext ?? 1) - webmailLimits.searchScanMax) });
  const groups = groupConversations(entries);
  const items = groups.slice(offset, offset + limit).map((g) => {
    const last = g.reduce((a, b) => (b.uid > a.uid ? b : a));
    return { ...itemOf(last), seen: g.every((e) => e.flags.includes('\\Seen')), flagged: g.some((e) => e.flags.includes('\\Flagged')), count: g.length, unreadCount: g.filter((e) => !e.flags.includes('\\Seen')).length, uids: g.map((e) => e.uid) };
  });
  return { items, next: offset + limit < groups.length ? `o${offset + limit}` : null };
}

// ---------------------------------------------------------------- address suggestions

/** People the user wrote to (Sent) or heard from (Inbox), most frequent first, matching `prefix`. */
export function suggestions(sent: readonly MessageEntry[], inbox: readonly MessageEntry[], prefix: string, own: ReadonlySet<string>): Person[] {
  const p = prefix.trim().toLowerCase();
  const score = new Map<string, { person: Person; n: number }>();
  const add = (value: string | null, weight: number) => {
    for (const person of people(value)) {
      const k = person.address.toLowerCase();
      if (!k || own.has(k)) continue;
      if (p && !k.includes(p) && !person.name.toLowerCase().includes(p)) continue;
      const s = score.get(k) ?? { person, n: 0 };
      s.n += weight;
      if (!s.person.name && person.name) s.person = person;
      score.set(k, s);
    }
  };
  for (const e of sent) {
    add(e.meta.to, 3);
    add(e.meta.cc, 2);
  }
  for (const e of inbox) add(e.meta.from, 1);
  return [...score.values()].sort((a, b) => b.n - a.n).slice(0, webmailLimits.suggestions).map((s) => s.person);
}
