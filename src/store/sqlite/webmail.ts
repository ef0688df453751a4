/** Webmail preferences (issue 11) in SQLite: one row per mailbox, removed with it. */
import type { WebmailPrefs, WebmailPrefsStore } from '../types.js';
import { StoreError } from '../errors.js';
import { type Db, writeTx } from './db.js';

export class SqliteWebmailPrefs implements WebmailPrefsStore {
  constructor(private readonly db: Db) {}

  async getWebmailPrefs(mailboxId: number): Promise<WebmailPrefs | null> {
    const r = this.db.prepare('SELECT display_name, signature, trusted_senders FROM webmail_prefs WHERE mailbox_id = ?').get(mailboxId) as
      | { display_name: string; signature: string; trusted_senders: string }
      | undefined;
    return r ? { displayName: r.display_name, signature: r.signature, trustedSenders: JSON.parse(r.trusted_senders) as string[] } : null;
  }

  async setWebmailPrefs(mailboxId: number, p: WebmailPrefs): Promise<void> {
    await writeTx(this.db, () => {
      if (!this.db.prepare('SELECT 1 FROM mailboxes WHERE id = ?').get(mailboxId)) throw new StoreError('not-found', `no mailbox ${mailboxId}`);
      this.db
        .prepare(
          `INSERT INTO webmail_prefs (mailbox_id, display_name, signature, trusted_senders) VALUES (?, ?, ?, ?)
           ON CONFLICT (mailbox_id) DO UPDATE SET display_name = excluded.display_name, signature = excluded.signature, trusted_senders = excluded.trusted_senders`,
        )
        .run(mailboxId, p.displayName, p.signature, JSON.stringify(p.trustedSenders));
    });
  }
}
