/**
 * What IMAP's selected view reads in PostgreSQL (issue 6): the compact listing SELECT reads (UID, flags,
 * mod-sequence, INTERNALDATE from `entries` alone, never the messages' metadata) and blob ids and sizes only for
 * the UIDs a command touches. Same answers as the SQLite store (conformance: imap-view.ts).
 */
import type { CompactEntry, EntryBlob, EntryHeader, HeaderlessMessage } from '../types.js';
import { flagsInterner } from '../flags.js';
import type { PgDb } from './db.js';

type Range = { fromUid?: number; toUid?: number; changedSince?: number };

export async function listCompactEntries(db: PgDb, folderId: number, range: Range = {}): Promise<CompactEntry[]> {
  const rows = await db.rows<{ uid: number; flags: string; modseq: number; internal_date: number }>(
    `SELECT uid, flags, modseq, internal_date FROM entries WHERE folder_id = $1 AND uid >= $2 AND uid <= $3 AND modseq > $4 ORDER BY uid`,
    [folderId, range.fromUid ?? 1, range.toUid ?? Number.MAX_SAFE_INTEGER, range.changedSince ?? 0],
  );
  const flagsOf = flagsInterner();
  return rows.map((r) => ({ uid: r.uid, flags: flagsOf(r.flags), modSeq: r.modseq, internalDate: r.internal_date }));
}

export async function entryBlobs(db: PgDb, folderId: number, uids: readonly number[]): Promise<Map<number, EntryBlob>> {
  if (uids.length === 0) return new Map();
  const rows = await db.rows<{ uid: number; blob_id: string; size: number }>(
    `SELECT e.uid, m.blob_id, m.size FROM entries e JOIN messages m ON m.id = e.message_id WHERE e.folder_id = $1 AND e.uid = ANY($2::bigint[])`,
    [folderId, [...new Set(uids)]],
  );
  return new Map(rows.map((r) => [r.uid, { blobId: r.blob_id, size: r.size }]));
}

/** Blob ids, sizes and kept header sections (src/store/header-cache.ts) of the UIDs asked. */
export async function entryHeaders(db: PgDb, folderId: number, uids: readonly number[]): Promise<Map<number, EntryHeader>> {
  if (uids.length === 0) return new Map();
  const rows = await db.rows<{ uid: number; blob_id: string; size: number; header: Buffer | null }>(
    `SELECT e.uid, m.blob_id, m.size, h.header FROM entries e JOIN messages m ON m.id = e.message_id
     LEFT JOIN message_headers h ON h.message_id = e.message_id WHERE e.folder_id = $1 AND e.uid = ANY($2::bigint[])`,
    [folderId, [...new Set(uids)]],
  );
  return new Map(rows.map((r) => [r.uid, { blobId: r.blob_id, size: r.size, header: r.header }]));
}

export async function headerlessMessages(db: PgDb, afterMessageId: number, limit: number): Promise<HeaderlessMessage[]> {
  return db.rows<HeaderlessMessage>(
    `SELECT m.id AS "messageId", m.blob_id AS "blobId", m.size FROM messages m
     WHERE m.id > $1 AND NOT EXISTS (SELECT 1 FROM message_headers h WHERE h.message_id = m.id) ORDER BY m.id LIMIT $2`,
    [afterMessageId, limit],
  );
}

/** The sections the backfill cut, for the messages that still exist and have none (one statement). */
export async function keepHeaders(db: PgDb, headers: ReadonlyArray<{ messageId: number; header: Buffer | null }>): Promise<void> {
  if (headers.length === 0) return;
  await db.rows(
    `INSERT INTO message_headers (message_id, header)
     SELECT m.id, k.header FROM unnest($1::bigint[], $2::bytea[]) AS k(id, header) JOIN messages m ON m.id = k.id
     ON CONFLICT (message_id) DO NOTHING`,
    [headers.map((h) => h.messageId), headers.map((h) => h.header)],
  );
}
