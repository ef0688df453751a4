/**
 * The embedded default store: one SQLite file (WAL, each commit flushed before it is acknowledged) holding accounts, mail, bodies, queue,
 * events, counters and sessions, so one commit makes a message durable and one file is a complete backup.
 */
import type { BlobStore, ChangeFeed, Store } from '../types.js';
import { LocalChangeFeed } from '../change-feed.js';
import { type Db, openDatabase, writeTx } from './db.js';
import { getBlob, putBlob, readBlob } from './blobs.js';
import { SqliteAccounts } from './accounts.js';
import { SqliteMail, blobIdOf } from './mail.js';
import { SqliteQueue } from './queue.js';
import { SqliteCounters, SqliteEvents, SqliteLocks, SqliteSessions } from './misc.js';
import { SqliteCerts } from './certs.js';
import { SqliteWebmailPrefs } from './webmail.js';
import { BackgroundCheckpointer } from './checkpointer.js';
import { SqliteWebmailList } from './webmail-list.js';
import { SqliteUploads } from './webmail-uploads.js';

class SqliteBlobs implements BlobStore {
  constructor(private readonly db: Db) {}

  async put(raw: Buffer): Promise<string> {
    const id = blobIdOf(raw);
    await writeTx(this.db, () => putBlob(this.db, id, raw));
    return id;
  }

  async get(id: string): Promise<Buffer | null> {
    return getBlob(this.db, id);
  }

  async read(id: string, offset: number, length: number): Promise<Buffer | null> {
    return readBlob(this.db, id, offset, length);
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Buffer>> {
    // One read transaction for the lot: each statement outside one takes and drops the WAL read lock, which was
    // three quarters of a small blob's read time.
    return this.db.transaction(() => {
      const out = new Map<string, Buffer>();
      for (const id of ids) {
        const raw = getBlob(this.db, id);
        if (raw) out.set(id, raw);
      }
      return out;
    })();
  }
}

/** Copies every method of `part` (bound to it) onto `target`. */
function mixIn(target: Record<string, unknown>, part: object): void {
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(part))) {
    const fn = (part as Record<string, unknown>)[name];
    if (name !== 'constructor' && typeof fn === 'function') target[name] = fn.bind(part);
  }
}

export interface SqliteStoreOptions {
  path: string;
  /** Shared feed, e.g. when tests open several handles on one file in one process. */
  changes?: ChangeFeed;
  now?: () => number;
  /** Makes the WAL durable (default: fdatasync on the thread pool); tests observe or delay it. */
  syncWal?: (walFile: string) => Promise<void>;
  /** Checkpoint the WAL from a worker thread instead of inside commits (checkpointer.ts); for long-running use. */
  backgroundCheckpoints?: boolean;
}

export function openSqliteStore(opts: SqliteStoreOptions): Store {
  const db = openDatabase(opts.path, opts.syncWal);
  const checkpointer = opts.backgroundCheckpoints && !db.memory ? new BackgroundCheckpointer(db, opts.path) : null;
  const changes = opts.changes ?? new LocalChangeFeed();
  const now = opts.now ?? Date.now;
  const store: Record<string, unknown> = {
    blobs: new SqliteBlobs(db),
    changes,
    description: `sqlite:${opts.path}`,
    close: async () => {
      await checkpointer?.stop();
      db.close();
      await db.walFile?.close();
    },
  };
  const mail = new SqliteMail(db, changes, now);
  for (const part of [
    new SqliteAccounts(db),
    mail,
    new SqliteQueue(db, mail),
    new SqliteEvents(db),
    new SqliteCounters(db),
    new SqliteSessions(db),
    new SqliteLocks(db),
    new SqliteCerts(db),
    new SqliteWebmailPrefs(db),
    new SqliteWebmailList(db),
    new SqliteUploads(db),
  ])
    mixIn(store, part);
  return store as unknown as Store;
}
