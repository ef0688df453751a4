/**
 * The whole store: every part behind one object, and the store's own refusal codes. Part of the store's interfaces,
 * re-exported by src/store/types.ts.
 */
import type { AccountStore } from './accounts.js';
import type { CertStore } from './certs.js';
import type { ChangeFeed } from './changes.js';
import type { BlobStore, MailStore } from './mail.js';
import type { QueueStore } from './queue.js';
import type { CounterStore, EventStore, LockStore, SessionStore } from './sessions.js';
import type { UploadStore, WebmailListStore, WebmailPrefsStore } from './webmail.js';

export interface Store
  extends AccountStore,
    MailStore,
    QueueStore,
    EventStore,
    CounterStore,
    SessionStore,
    LockStore,
    CertStore,
    WebmailPrefsStore,
    WebmailListStore,
    UploadStore {
  readonly blobs: BlobStore;
  readonly changes: ChangeFeed;
  /** Which implementation, for logs: `sqlite:/path` or `postgres://host/db`. */
  readonly description: string;
  close(): Promise<void>;
}

/** The store's own refusals; `code` is one of these. */
export type StoreErrorCode = 'taken' | 'allowance' | 'exists' | 'not-found' | 'not-empty' | 'inbox' | 'invalid';
