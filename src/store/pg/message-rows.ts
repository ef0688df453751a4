/**
 * The rows behind one stored message in PostgreSQL: the bytes (stored once by SHA-256), the message row with its
 * SEARCH text and kept header section, a folder entry placed with its UID and modseq, and the release of a
 * reference. Every function runs inside the caller's transaction (src/store/pg/mail.ts, queue.ts).
 */
import { createHash } from 'node:crypto';
import type { MessageMeta } from '../types.js';
import { StoreError } from '../errors.js';
import { encodeFlags, normaliseFlags } from '../flags.js';
import type { EntryKeys } from '../../mail/sort-keys.js';
import { keptHeader } from '../header-cache.js';
import { rowOf, type Sql } from './db.js';

export const blobIdOf = (raw: Buffer): string => createHash('sha256').update(raw).digest('hex');

/**
 * Stores bytes once. DO UPDATE (not DO NOTHING) takes the existing row's lock, so a transaction releasing the last
 * message that used these bytes cannot delete them under us before we commit.
 */
export async function putBlob(q: Sql, raw: Buffer): Promise<string> {
  const id = blobIdOf(raw);
  await q.query('INSERT INTO blobs (id, size, data) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET size = blobs.size', [id, raw.length, raw]);
  return id;
}

/**
 * Inside a transaction: the bytes stored once, a message row referencing them and its SEARCH text, in ONE statement
 * (one round trip; the foreign keys see the rows the statement's own CTEs wrote).
 */
export async function insertMessage(q: Sql, raw: Buffer, meta: MessageMeta, receivedAt: number, refcount: number): Promise<{ id: number; blobId: string }> {
  const blobId = blobIdOf(raw);
  const r = await rowOf<{ id: number }>(
    q,
    `WITH b AS (
       INSERT INTO blobs (id, size, data) VALUES ($1, $2, $14) ON CONFLICT (id) DO UPDATE SET size = blobs.size RETURNING id),
     m AS (
       INSERT INTO messages (blob_id, size, received_at, subject, from_addr, to_addr, cc_addr, date, message_id, in_reply_to, refs, structure, refcount)
       SELECT b.id, $2::bigint, $3::bigint, $4::text, $5::text, $6::text, $7::text, $8::bigint, $9::text, $10::text, $11::text, $12::text, $13::bigint FROM b
       RETURNING id),
     t AS (
       INSERT INTO message_text (message_id, header, body) SELECT m.id, $15::text, $16::text FROM m WHERE $15::text IS NOT NULL),
     h AS (
       INSERT INTO message_headers (message_id, header) SELECT m.id, $17::bytea FROM m)
     SELECT id FROM m`,
    [
      blobId,
      raw.length,
      receivedAt,
      meta.subject,
      meta.from,
      meta.to,
      meta.cc,
      meta.date,
      meta.messageId,
      meta.inReplyTo,
      meta.references,
      meta.structure === null || meta.structure === undefined ? null : JSON.stringify(meta.structure),
      refcount,
      raw,
      meta.text ? meta.text.header : null,
      meta.text ? meta.text.body : null,
      keptHeader(raw),
    ],
  );
  return { id: r!.id, blobId };
}

/**
 * Inside a transaction: the next UID and a new modseq of a folder (its row locked until COMMIT) and the entry placed
 * there, in one statement; `usage` bytes added to the mailbox too when given (else the caller adds them in order).
 */
export async function placeEntry(
  q: Sql,
  folderId: number,
  messageId: number,
  flags: string[],
  internalDate: number,
  usage: number | null,
  keys: EntryKeys,
): Promise<{ uid: number; modSeq: number; mailboxId: number }> {
  const r = await rowOf<{ uid: number; mod_seq: number; mailbox_id: number }>(
    q,
    `WITH f AS (
       UPDATE folders SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1 WHERE id = $1
       RETURNING uid_next - 1 AS uid, highest_modseq AS mod_seq, mailbox_id),
     e AS (
       INSERT INTO entries (folder_id, uid, message_id, flags, modseq, internal_date, sort_date, sort_from, sort_subject, sort_size, attachments)
       SELECT $1::bigint, f.uid, $2::bigint, $3::text, f.mod_seq, $4::bigint, $6::bigint, $7::text, $8::text, $9::bigint, $10::smallint FROM f),
     u AS (
       UPDATE mailboxes SET used_bytes = used_bytes + $5::bigint WHERE $5::bigint IS NOT NULL AND id = (SELECT mailbox_id FROM f))
     SELECT uid, mod_seq, mailbox_id FROM f`,
    [folderId, messageId, encodeFlags(normaliseFlags(flags)), internalDate, usage, keys.date, keys.from, keys.subject, keys.size, keys.attachments],
  );
  if (!r) throw new StoreError('not-found', 'no such folder');
  return { uid: r.uid, modSeq: r.mod_seq, mailboxId: r.mailbox_id };
}

/** Inside a transaction: one reference to a message dropped; the message and its blob go when nothing holds them. */
export async function releaseMessage(q: Sql, messageId: number): Promise<void> {
  const r = await rowOf<{ refcount: number; blob_id: string }>(q, 'UPDATE messages SET refcount = refcount - 1 WHERE id = $1 RETURNING refcount, blob_id', [
    messageId,
  ]);
  if (!r || r.refcount > 0) return;
  await q.query('DELETE FROM messages WHERE id = $1', [messageId]);
  // Another node may be storing the same bytes right now (its upsert holds the blob row until it commits). Taking
  // the row lock first waits for it; the DELETE's fresh snapshot (READ COMMITTED) then sees its message and keeps
  // the blob. A storer that comes after us waits for our COMMIT and inserts the blob again.
  await q.query('SELECT 1 FROM blobs WHERE id = $1 FOR UPDATE', [r.blob_id]);
  await q.query('DELETE FROM blobs WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM messages WHERE blob_id = $1)', [r.blob_id]);
}
