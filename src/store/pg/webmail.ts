/** Webmail preferences (issue 11) in PostgreSQL: one row per mailbox, removed with it. */
import type { WebmailPrefs, WebmailPrefsStore } from '../types.js';
import { StoreError } from '../errors.js';
import { type PgDb, pgCode } from './db.js';

export class PgWebmailPrefs implements WebmailPrefsStore {
  constructor(private readonly db: PgDb) {}

  async getWebmailPrefs(mailboxId: number): Promise<WebmailPrefs | null> {
    const r = await this.db.row<{ display_name: string; signature: string; trusted_senders: string }>(
      'SELECT display_name, signature, trusted_senders FROM webmail_prefs WHERE mailbox_id = $1',
      [mailboxId],
    );
    return r ? { displayName: r.display_name, signature: r.signature, trustedSenders: JSON.parse(r.trusted_senders) as string[] } : null;
  }

  async setWebmailPrefs(mailboxId: number, p: WebmailPrefs): Promise<void> {
    try {
      await this.db.query(
        `INSERT INTO webmail_prefs (mailbox_id, display_name, signature, trusted_senders) VALUES ($1, $2, $3, $4)
         ON CONFLICT (mailbox_id) DO UPDATE SET display_name = excluded.display_name, signature = excluded.signature, trusted_senders = excluded.trusted_senders`,
        [mailboxId, p.displayName, p.signature, JSON.stringify(p.trustedSenders)],
      );
    } catch (e) {
      // The foreign key is the existence check, atomically.
      if (pgCode(e) === '23503') throw new StoreError('not-found', `no mailbox ${mailboxId}`);
      throw e;
    }
  }
}
