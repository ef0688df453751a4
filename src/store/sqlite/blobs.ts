/**
 * Message bodies in SQLite, stored once by SHA-256. A body up to {@link storeLimits.blobChunkOctets} sits in
 * `blobs.data`; a bigger one is cut into chunks of that size in `blob_chunks` (its `blobs.data` empty), because
 * SQLite reads a whole BLOB value to answer even `substr()` of it: chunks let IMAP stream a 40 MiB message in
 * pieces (BlobStore.read) without loading it whole for every piece.
 */
import { CorruptDataError } from '../../lib/errors.js';
import { storeLimits } from '../../lib/limits.js';
import type { Db } from './db.js';

/** Inside a transaction (or alone: it is one statement per row): stores the bytes unless they are already there. */
export function putBlob(db: Db, id: string, raw: Buffer): void {
  const chunked = raw.length > storeLimits.blobChunkOctets;
  const res = db.prepare('INSERT INTO blobs (id, size, data) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING').run(id, raw.length, chunked ? Buffer.alloc(0) : raw);
  if (!chunked || res.changes === 0) return;
  const insert = db.prepare('INSERT INTO blob_chunks (blob_id, seq, data) VALUES (?, ?, ?)');
  for (let seq = 0, at = 0; at < raw.length; seq++, at += storeLimits.blobChunkOctets)
    insert.run(id, seq, raw.subarray(at, at + storeLimits.blobChunkOctets));
}

interface BlobHead {
  size: number;
  inline: number;
}

function head(db: Db, id: string): BlobHead | undefined {
  // length() of a BLOB reads the record header only, not the value.
  return db.prepare('SELECT size, length(data) = size AS inline FROM blobs WHERE id = ?').get(id) as BlobHead | undefined;
}

export function getBlob(db: Db, id: string): Buffer | null {
  // One lookup: a chunked blob's `data` is empty, so reading it with the size costs nothing extra (IMAP FETCH reads
  // one blob per message; a separate size lookup first was a third of a header FETCH's time).
  const h = db.prepare('SELECT size, data FROM blobs WHERE id = ?').get(id) as { size: number; data: Buffer } | undefined;
  if (!h) return null;
  if (h.data.length === h.size) return h.data;
  const rows = db.prepare('SELECT data FROM blob_chunks WHERE blob_id = ? ORDER BY seq').all(id) as Array<{ data: Buffer }>;
  const found = rows.reduce((n, r) => n + r.data.length, 0);
  // Buffer.concat would pad a shortfall with zeros: a body that lost a chunk must be reported, never made up.
  if (found !== h.size) throw new CorruptDataError(`blob ${id}: its chunks hold ${found} of its ${h.size} octets`);
  return Buffer.concat(rows.map((r) => r.data), h.size);
}

/** Up to `length` octets from `offset`, reading only the chunks that hold them. */
export function readBlob(db: Db, id: string, offset: number, length: number): Buffer | null {
  const h = head(db, id);
  if (!h) return null;
  const start = Math.min(Math.max(offset, 0), h.size);
  const end = Math.min(start + Math.max(length, 0), h.size);
  if (h.inline) return (db.prepare('SELECT substr(data, ?, ?) AS data FROM blobs WHERE id = ?').get(start + 1, end - start, id) as { data: Buffer }).data;
  const size = storeLimits.blobChunkOctets;
  const rows = db
    .prepare('SELECT seq, data FROM blob_chunks WHERE blob_id = ? AND seq >= ? AND seq <= ? ORDER BY seq')
    .all(id, Math.floor(start / size), Math.floor(Math.max(end - 1, start) / size)) as Array<{ seq: number; data: Buffer }>;
  const parts = rows.map((r) => {
    const from = r.seq * size;
    return r.data.subarray(Math.max(start - from, 0), Math.min(end - from, r.data.length));
  });
  const found = parts.reduce((n, p) => n + p.length, 0);
  if (found !== end - start || rows.some((r, i) => r.seq !== Math.floor(start / size) + i))
    throw new CorruptDataError(`blob ${id}: octets ${start}-${end} are not all in its chunks`);
  return Buffer.concat(parts, end - start);
}

/** Inside a transaction: removes a blob and its chunks. */
export function deleteBlob(db: Db, id: string): void {
  db.prepare('DELETE FROM blob_chunks WHERE blob_id = ?').run(id);
  db.prepare('DELETE FROM blobs WHERE id = ?').run(id);
}
