/** Webmail attachment uploads waiting to be sent (issue 11) in SQLite: bounded per mailbox, expired by a sweep. */
import type { UploadStore } from '../types.js';
import { StoreError } from '../errors.js';
import { type Db, writeTx } from './db.js';
import { deleteBlob } from './blobs.js';

export class SqliteUploads implements UploadStore {
  constructor(private readonly db: Db) {}

  async addUpload(mailboxId: number, blobId: string, size: number, at: number, maxBytes: number): Promise<void> {
    await writeTx(this.db, () => {
      if (!this.db.prepare('SELECT 1 FROM mailboxes WHERE id = ?').get(mailboxId)) throw new StoreError('not-found', `no mailbox ${mailboxId}`);
      const { bytes } = this.db.prepare('SELECT COALESCE(SUM(size), 0) AS bytes FROM webmail_uploads WHERE mailbox_id = ? AND blob_id <> ?').get(mailboxId, blobId) as {
        bytes: number;
      };
      if (bytes + size > maxBytes) throw new StoreError('allowance', `uploads waiting to be sent would pass ${maxBytes} bytes`);
      this.db
        .prepare(
          `INSERT INTO webmail_uploads (mailbox_id, blob_id, size, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (mailbox_id, blob_id) DO UPDATE SET created_at = excluded.created_at`,
        )
        .run(mailboxId, blobId, size, at);
    });
  }

  async touchUploads(mailboxId: number, blobIds: string[], at: number): Promise<void> {
    if (blobIds.length === 0) return;
    await writeTx(this.db, () => {
      const set = this.db.prepare('UPDATE webmail_uploads SET created_at = ? WHERE mailbox_id = ? AND blob_id = ?');
      for (const id of new Set(blobIds)) set.run(at, mailboxId, id);
    });
  }

  async removeUploads(mailboxId: number, blobIds: string[]): Promise<void> {
    if (blobIds.length === 0) return;
    await writeTx(this.db, () => {
      for (const id of new Set(blobIds)) this.forget(mailboxId, id);
    });
  }

  async expireUploads(before: number): Promise<number> {
    return writeTx(this.db, () => {
      const old = this.db.prepare('SELECT mailbox_id, blob_id FROM webmail_uploads WHERE created_at < ?').all(before) as Array<{ mailbox_id: number; blob_id: string }>;
      for (const r of old) this.forget(r.mailbox_id, r.blob_id);
      return old.length;
    });
  }

  async uploadBytes(mailboxId: number): Promise<number> {
    return (this.db.prepare('SELECT COALESCE(SUM(size), 0) AS bytes FROM webmail_uploads WHERE mailbox_id = ?').get(mailboxId) as { bytes: number }).bytes;
  }

  /** Inside a transaction: one upload forgotten, its blob removed unless a message or another upload holds it. */
  private forget(mailboxId: number, blobId: string): void {
    this.db.prepare('DELETE FROM webmail_uploads WHERE mailbox_id = ? AND blob_id = ?').run(mailboxId, blobId);
    if (this.db.prepare('SELECT 1 FROM messages WHERE blob_id = ?').get(blobId)) return;
    if (this.db.prepare('SELECT 1 FROM webmail_uploads WHERE blob_id = ?').get(blobId)) return;
    deleteBlob(this.db, blobId);
  }
}
