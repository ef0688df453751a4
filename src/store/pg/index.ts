/**
 * The PostgreSQL store, for several Outpost nodes on one database (issue 13): the same interfaces and conformance
 * suite as the SQLite store; coordination (UID allocation, queue claims, limiter counters, locks, sessions) goes
 * through rows and row locks, folder changes through LISTEN/NOTIFY. See docs/DEPLOYMENT.md.
 */
import type { BlobStore, Store } from '../types.js';
import { PgDb } from './db.js';
import { PgAccounts } from './accounts.js';
import { PgMail } from './mail.js';
import { putBlob } from './message-rows.js';
import { PgQueue } from './queue.js';
import { PgCounters, PgEvents, PgLocks, PgSessions } from './misc.js';
import { PgChangeFeed } from './change-feed.js';
import { PgCerts } from './certs.js';
import { PgWebmailPrefs } from './webmail.js';
import { PgWebmailList } from './webmail-list.js';
import { PgUploads } from './webmail-uploads.js';

class PgBlobs implements BlobStore {
  constructor(private readonly db: PgDb) {}

  put(raw: Buffer): Promise<string> {
    return putBlob(this.db, raw);
  }

  async get(id: string): Promise<Buffer | null> {
    const r = await this.db.row<{ data: Buffer }>('SELECT data FROM blobs WHERE id = $1', [id]);
    return r ? r.data : null;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Buffer>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.rows<{ id: string; data: Buffer }>('SELECT id, data FROM blobs WHERE id = ANY($1::text[])', [[...new Set(ids)]]);
    return new Map(rows.map((r) => [r.id, r.data]));
  }

  /** substring() on an uncompressed (STORAGE EXTERNAL) bytea reads only the TOAST chunks it covers. */
  async read(id: string, offset: number, length: number): Promise<Buffer | null> {
    const r = await this.db.row<{ data: Buffer }>('SELECT substring(data from $2::int for $3::int) AS data FROM blobs WHERE id = $1', [
      id,
      Math.max(offset, 0) + 1,
      Math.max(length, 0),
    ]);
    return r ? r.data : null;
  }
}

/** Copies every method of `part` (bound to it) onto `target`. */
function mixIn(target: Record<string, unknown>, part: object): void {
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(part))) {
    const fn = (part as Record<string, unknown>)[name];
    if (name !== 'constructor' && typeof fn === 'function') target[name] = fn.bind(part);
  }
}

export interface PgStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  now?: () => number;
}

/** The store and its feed; `ready` resolves once migrations ran and the LISTEN connection is up. */
export type PgStore = Store & { ready(): Promise<void> };

/** Opens a pool on the database; migrations run before the first query (every method waits for them). */
export function openPgStore(opts: PgStoreOptions): PgStore {
  const db = new PgDb(opts.url);
  const changes = new PgChangeFeed(db);
  const now = opts.now ?? Date.now;
  const u = new URL(opts.url);
  const store: Record<string, unknown> = {
    blobs: new PgBlobs(db),
    changes,
    // Never the password.
    description: `postgres://${u.host}${u.pathname}`,
    ready: async () => {
      await db.ready();
      await changes.listening;
    },
    close: async () => {
      await changes.close();
      await db.close();
    },
  };
  const mail = new PgMail(db, changes, now);
  for (const part of [new PgAccounts(db), mail, new PgQueue(db, mail), new PgEvents(db), new PgCounters(db), new PgSessions(db), new PgLocks(db), new PgCerts(db), new PgWebmailPrefs(db), new PgWebmailList(db), new PgUploads(db)]) mixIn(store, part);
  return store as unknown as PgStore;
}
