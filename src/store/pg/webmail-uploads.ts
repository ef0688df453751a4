/** Webmail attachment uploads waiting to be sent (issue 11) in PostgreSQL: bounded per mailbox, expired by a sweep. */
import type { UploadStore } from '../types.js';
import { StoreError } from '../errors.js';
import { type PgDb, type Sql, rowOf, rowsOf } from './db.js';

export class PgUploads implements UploadStore {
  constructor(private readonly db: PgDb) {}

  async addUpload(mailboxId: number, blobId: string, size: number, at: number, maxBytes: number): Promise<void> {
    await this.db.tx(async (q) => {
      // The mailbox row lock serialises one mailbox's uploads on every node, so the sum below stays true until COMMIT.
      if (!(await rowOf(q, 'SELECT 1 FROM mailboxes WHERE id = $1 FOR UPDATE', [mailboxId]))) throw new StoreError('not-found', `no mailbox ${mailboxId}`);
      const r = await rowOf<{ bytes: string }>(q, 'SELECT COALESCE(SUM(size), 0) AS bytes FROM webmail_uploads WHERE mailbox_id = $1 AND blob_id <> $2', [mailboxId, blobId]);
      if (Number(r!.bytes) + size > maxBytes) throw new StoreError('allowance', `uploads waiting to be sent would pass ${maxBytes} bytes`);
      await q.query(
        `INSERT INTO webmail_uploads (mailbox_id, blob_id, size, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (mailbox_id, blob_id) DO UPDATE SET created_at = excluded.created_at`,
        [mailboxId, blobId, size, at],
      );
    });
  }

  async touchUploads(mailboxId: number, blobIds: string[], at: number): Promise<void> {
    if (blobIds.length === 0) return;
    await this.db.query('UPDATE webmail_uploads SET created_at = $3 WHERE mailbox_id = $1 AND blob_id = ANY($2::text[])', [mailboxId, [...new Set(blobIds)], at]);
  }

  async removeUploads(mailboxId: number, blobIds: string[]): Promise<void> {
    if (blobIds.length === 0) return;
    await this.db.tx(async (q) => {
      for (const id of [...new Set(blobIds)].sort()) await forget(q, mailboxId, id);
    });
  }

  async expireUploads(before: number): Promise<number> {
    return this.db.tx(async (q) => {
      const old = await rowsOf<{ mailbox_id: number; blob_id: string }>(
        q,
        'SELECT mailbox_id, blob_id FROM webmail_uploads WHERE created_at < $1 ORDER BY blob_id, mailbox_id FOR UPDATE SKIP LOCKED',
        [before],
      );
      for (const r of old) await forget(q, r.mailbox_id, r.blob_id);
      return old.length;
    });
  }

  async uploadBytes(mailboxId: number): Promise<number> {
    const r = await this.db.row<{ bytes: string }>('SELECT COALESCE(SUM(size), 0) AS bytes FROM webmail_uploads WHERE mailbox_id = $1', [mailboxId]);
    return Number(r!.bytes);
  }
}

/** Inside a transaction: one upload forgotten, its blob removed unless a message or another upload holds it. */
async function forget(q: Sql, mailboxId: number, blobId: string): Promise<void> {
  await q.query('DELETE FROM webmail_uploads WHERE mailbox_id = $1 AND blob_id = $2', [mailboxId, blobId]);
  // As in releaseMessage: the blob row lock first, so a message storing the same bytes right now keeps them.
  await q.query('SELECT 1 FROM blobs WHERE id = $1 FOR UPDATE', [blobId]);
  await q.query(
    `DELETE FROM blobs WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM messages WHERE blob_id = $1)
       AND NOT EXISTS (SELECT 1 FROM webmail_uploads WHERE blob_id = $1)`,
    [blobId],
  );
}
