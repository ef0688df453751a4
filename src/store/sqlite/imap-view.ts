/**
 * What IMAP's selected view reads and writes in SQLite (issue 6, a 100,000-message folder):
 * - the compact listing SELECT reads: UID, flags, mod-sequence and INTERNALDATE from `entries` alone, aggregated by
 *   SQLite into one JSON document (measured on 100,000 entries: ~60 ms, where one row object per entry took
 *   ~250 ms and the JOIN with `messages` for size and metadata ~850 ms);
 * - blob ids and sizes only for the UIDs a command touches (`entryBlobs`), and their kept header sections
 *   (`entryHeaders`: a header listing reads no message);
 * - STORE's flag changes (RFC 3501 §6.4.6) planned per distinct stored flag set, UNCHANGEDSINCE checked per entry
 *   (RFC 7162 §3.1.3), then written as one UPDATE per set: over the UID range when the command named every entry
 *   in it (`STORE 1:* +FLAGS (\Seen)` on an unread folder is one statement), else by UID list.
 * Functions take the connection; writes run inside the caller's `writeTx`.
 */
import type { CompactEntry, EntryBlob, EntryHeader, FlagMode, HeaderlessMessage } from '../types.js';
import { applyFlags, decodeFlags, encodeFlags, flagsInterner, sameFlags } from '../flags.js';
import type { Db } from './db.js';

type Range = { fromUid?: number; toUid?: number; changedSince?: number };

export function listCompactEntries(db: Db, folderId: number, range: Range = {}): CompactEntry[] {
  const json = db
    .prepare(
      `SELECT json_group_array(json_array(uid, flags, modseq, internal_date) ORDER BY uid) FROM entries
       WHERE folder_id = ? AND uid >= ? AND uid <= ? AND modseq > ?`,
    )
    .pluck()
    .get(folderId, range.fromUid ?? 1, range.toUid ?? Number.MAX_SAFE_INTEGER, range.changedSince ?? 0) as string;
  const flagsOf = flagsInterner();
  return (JSON.parse(json) as Array<[number, string, number, number]>).map(([uid, stored, modSeq, internalDate]) => ({
    uid,
    flags: flagsOf(stored),
    modSeq,
    internalDate,
  }));
}

export function entryBlobs(db: Db, folderId: number, uids: readonly number[]): Map<number, EntryBlob> {
  const out = new Map<number, EntryBlob>();
  for (const [uid, blobId, size] of byUids<[number, string, number]>(db, 'e.uid, m.blob_id, m.size', 'messages m ON m.id = e.message_id', folderId, uids))
    out.set(uid, { blobId, size });
  return out;
}

/**
 * Rows of `entries e JOIN <join>` for the UIDs asked (the first column must be e.uid). A batch that is (nearly) a
 * run of UIDs, as a command on `1:*` asks, is read as one range of the primary key and the UIDs not asked are
 * dropped; a scattered one looks each UID up: IN (subquery) rather than a JOIN with json_each, so the planner
 * uses the primary key for each.
 */
function byUids<Row extends [number, ...unknown[]]>(db: Db, columns: string, join: string, folderId: number, uids: readonly number[]): Row[] {
  if (uids.length === 0) return [];
  let low = uids[0]!;
  let high = low;
  for (const u of uids) {
    if (u < low) low = u;
    if (u > high) high = u;
  }
  if (high - low < 2 * uids.length) {
    const rows = db.prepare(`SELECT ${columns} FROM entries e JOIN ${join} WHERE e.folder_id = ? AND e.uid BETWEEN ? AND ?`).raw().all(folderId, low, high) as Row[];
    if (rows.length === uids.length && high - low + 1 === uids.length) return rows;
    const asked = new Set(uids);
    return rows.filter((r) => asked.has(r[0]));
  }
  return db
    .prepare(`SELECT ${columns} FROM entries e JOIN ${join} WHERE e.folder_id = ? AND e.uid IN (SELECT value FROM json_each(?))`)
    .raw()
    .all(folderId, JSON.stringify(uids)) as Row[];
}

/** Blob ids, sizes and kept header sections (src/store/header-cache.ts) of the UIDs asked. */
export function entryHeaders(db: Db, folderId: number, uids: readonly number[]): Map<number, EntryHeader> {
  const out = new Map<number, EntryHeader>();
  const join = 'messages m ON m.id = e.message_id LEFT JOIN message_headers h ON h.message_id = e.message_id';
  for (const [uid, blobId, size, header] of byUids<[number, string, number, Buffer | null]>(db, 'e.uid, m.blob_id, m.size, h.header', join, folderId, uids))
    out.set(uid, { blobId, size, header });
  return out;
}

export function headerlessMessages(db: Db, afterMessageId: number, limit: number): HeaderlessMessage[] {
  return db
    .prepare(
      `SELECT m.id AS messageId, m.blob_id AS blobId, m.size FROM messages m
       WHERE m.id > ? AND NOT EXISTS (SELECT 1 FROM message_headers h WHERE h.message_id = m.id) ORDER BY m.id LIMIT ?`,
    )
    .all(afterMessageId, limit) as HeaderlessMessage[];
}

/** Inside the caller's writeTx: the sections the backfill cut, for the messages that still exist and have none. */
export function keepHeaders(db: Db, headers: ReadonlyArray<{ messageId: number; header: Buffer | null }>): void {
  const insert = db.prepare(
    'INSERT INTO message_headers (message_id, header) SELECT id, ? FROM messages WHERE id = ? ON CONFLICT (message_id) DO NOTHING',
  );
  for (const h of headers) insert.run(h.header, h.messageId);
}

/** A STORE's changes, computed before any write ({@link planFlagChange}), written by {@link writeFlagChange}. */
export interface FlagPlan {
  /** The entries whose flags change, ascending, with their new flags. */
  readonly pending: Array<{ uid: number; flags: string[] }>;
  /** RFC 7162 §3.1.3: entries changed after UNCHANGEDSINCE, ascending. */
  readonly failed: number[];
  /** Stored flags → new stored flags, for each stored value the change alters. */
  readonly rewrites: Map<string, string>;
  /** Set when every entry from `low` to `high` was asked for (`1:*`): then one range UPDATE per rewrite. */
  readonly range: { low: number; high: number; unchangedSince: number } | null;
}

/** Inside a write transaction: what a STORE changes (RFC 3501 §6.4.6), UNCHANGEDSINCE checked per entry. */
export function planFlagChange(db: Db, folderId: number, uids: readonly number[], mode: FlagMode, change: string[], unchangedSince: number | undefined): FlagPlan {
  const { rows, range } = flagRows(db, folderId, [...new Set(uids)]);
  const pending: Array<{ uid: number; flags: string[] }> = [];
  const failed: number[] = [];
  // Entries with the same stored flags get the same result: computed once per distinct value.
  const results = new Map<string, string[] | null>();
  const rewrites = new Map<string, string>();
  for (const [uid, stored, modSeq] of rows) {
    if (unchangedSince !== undefined && modSeq > unchangedSince) {
      failed.push(uid);
      continue;
    }
    let next = results.get(stored);
    if (next === undefined) {
      const current = decodeFlags(stored);
      const applied = applyFlags(current, mode, change);
      next = sameFlags(current, applied) ? null : applied;
      results.set(stored, next);
      if (next !== null) rewrites.set(stored, encodeFlags(next));
    }
    if (next !== null) pending.push({ uid, flags: next });
  }
  return { pending, failed, rewrites, range: range && { ...range, unchangedSince: unchangedSince ?? Number.MAX_SAFE_INTEGER } };
}

/**
 * UID, flags and modseq of the given UIDs that exist, ascending. A dense set (`1:*`) is one range scan of the
 * primary key filtered here (`range` says so when nothing in it was left out); a sparse one is looked up UID by UID.
 */
function flagRows(db: Db, folderId: number, uids: number[]): { rows: Array<[number, string, number]>; range: { low: number; high: number } | null } {
  if (uids.length === 0) return { rows: [], range: null };
  let low = uids[0]!;
  let high = low;
  for (const u of uids) {
    if (u < low) low = u;
    if (u > high) high = u;
  }
  if (high - low + 1 <= 2 * uids.length) {
    const wanted = new Set(uids);
    const all = db
      .prepare('SELECT uid, flags, modseq FROM entries WHERE folder_id = ? AND uid >= ? AND uid <= ? ORDER BY uid')
      .raw()
      .all(folderId, low, high) as Array<[number, string, number]>;
    const rows = all.filter((r) => wanted.has(r[0]));
    return { rows, range: rows.length === all.length ? { low, high } : null };
  }
  const rows = db
    .prepare('SELECT uid, flags, modseq FROM entries WHERE folder_id = ? AND uid IN (SELECT value FROM json_each(?)) ORDER BY uid')
    .raw()
    .all(folderId, JSON.stringify(uids)) as Array<[number, string, number]>;
  return { rows, range: null };
}

/** Inside a write transaction: writes a plan, one UPDATE per distinct new flag set (a range when it can). */
export function writeFlagChange(db: Db, folderId: number, plan: FlagPlan, modSeq: number): void {
  if (plan.range) {
    const { low, high, unchangedSince } = plan.range;
    // Exactly the pending entries: every entry of the range was asked for, and the plan saw them in this transaction.
    const set = db.prepare('UPDATE entries SET flags = ?, modseq = ? WHERE folder_id = ? AND uid >= ? AND uid <= ? AND flags = ? AND modseq <= ?');
    for (const [from, to] of plan.rewrites) set.run(to, modSeq, folderId, low, high, from, unchangedSince);
    return;
  }
  const groups = new Map<string, number[]>();
  for (const p of plan.pending) {
    const key = encodeFlags(p.flags);
    const uids = groups.get(key);
    if (uids) uids.push(p.uid);
    else groups.set(key, [p.uid]);
  }
  const set = db.prepare('UPDATE entries SET flags = ?, modseq = ? WHERE folder_id = ? AND uid IN (SELECT value FROM json_each(?))');
  for (const [flags, uids] of groups) set.run(flags, modSeq, folderId, JSON.stringify(uids));
}
