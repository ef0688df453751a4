/**
 * Opening an SQLite database the way Outpost needs it: WAL so readers never block the writer, every write
 * transaction made durable before it is acknowledged (a 2xx after DATA is a promise), a busy timeout so the CLI and
 * `outpost serve` can write to the same file at once.
 *
 * Durability without blocking the event loop: with `synchronous=FULL` SQLite fsyncs the WAL inside COMMIT, on the
 * one thread every session shares, so one session's disk wait stalled all the others (half of the IMAP benchmark's
 * busy time). Instead the connection runs `synchronous=NORMAL` (COMMIT only write()s the WAL frames; SQLite still
 * syncs the WAL before every checkpoint and the database after it, https://sqlite.org/pragma.html#pragma_synchronous)
 * and `writeTx` resolves only after an fdatasync of the WAL file made on libuv's thread pool has completed
 * (`WalFlusher`). fsync is per file, not per descriptor (POSIX fsync(2)), so syncing the WAL through our own
 * descriptor flushes the frames SQLite wrote through its own. Commits that finish while a flush is in flight share
 * the next one: group commit for every writer, not only SMTP deliveries.
 */
import { closeSync, existsSync, fdatasync, fstatSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { fsyncPath } from '../../lib/fsync.js';
import { storeLimits } from '../../lib/limits.js';
import { migrations } from './migrations.js';

export type Db = Database.Database & { readonly wal: WalFlusher; readonly walFile: WalFile | null };

/** How long a writer waits for another process's write transaction before giving up. */
const BUSY_TIMEOUT_MS = 10_000;

/** With no `sync`, the WAL is flushed through a descriptor kept open ({@link WalFile}); `close()` closes it. */
export function openDatabase(path: string, sync?: (file: string) => Promise<void>): Db {
  const raw = new Database(path);
  const memory = raw.memory;
  const walFile = memory || sync ? null : new WalFile(`${path}-wal`);
  raw.pragma('journal_mode = WAL');
  raw.pragma(memory ? 'synchronous = OFF' : 'synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  raw.pragma(`cache_size = -${storeLimits.sqliteCacheKiB}`);
  const db = Object.assign(raw, { wal: new WalFlusher(memory ? null : `${path}-wal`, sync ?? (() => walFile!.sync())), walFile });
  migrate(db);
  if (!memory) {
    // The WAL file now exists; make its directory entry durable once, as SQLite does when it creates a journal.
    if (existsSync(`${path}-wal`)) fsyncPath(`${path}-wal`);
    fsyncPath(dirname(path));
  }
  reuseStatements(db, storeLimits.preparedStatements);
  return db;
}

/**
 * Flushes the WAL to disk off the event loop and groups concurrent requests: a flush requested while another is
 * running waits for the next one, which starts when the running one ends and covers every commit made before it.
 */
export class WalFlusher {
  #running: Promise<void> | null = null;
  #next: Promise<void> | null = null;
  /** How many fdatasyncs have completed (tests, metrics). */
  flushes = 0;

  constructor(
    private readonly file: string | null,
    private readonly sync: (file: string) => Promise<void>,
  ) {}

  /** Resolves once every commit that finished before this call is on disk; rejects if the flush failed. */
  flush(): Promise<void> {
    if (this.file === null) return Promise.resolve();
    if (this.#next !== null) return this.#next;
    if (this.#running === null) return this.#start();
    const after = (): Promise<void> => {
      this.#next = null;
      return this.#start();
    };
    this.#next = this.#running.then(after, after);
    return this.#next;
  }

  #start(): Promise<void> {
    const running = this.sync(this.file!).then(() => {
      this.flushes++;
    });
    this.#running = running;
    const clear = (): void => {
      if (this.#running === running) this.#running = null;
    };
    running.then(clear, clear);
    return running;
  }
}

/**
 * fdatasync of the WAL through a descriptor kept open: one trip to the thread pool per flush, where opening and
 * closing a descriptor each time took three (STORE of one message waited for all of them). Before each flush the
 * path is stat'ed on the event loop (microseconds): when it no longer names the file the descriptor holds (SQLite
 * removes the WAL when the last connection to the database closes, and the next one makes a new file) the
 * descriptor is replaced, so the flush always reaches the file SQLite writes; a WAL that no longer exists was
 * checkpointed into the database (which SQLite synced), so there is nothing to flush. The flusher runs one sync
 * at a time, so the descriptor is never replaced under a running fdatasync.
 */
export class WalFile {
  #fd: number | null = null;
  #id = '';
  #running: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  sync(): Promise<void> {
    const run = this.#sync();
    this.#running = run.catch(() => undefined);
    return run;
  }

  async #sync(): Promise<void> {
    let id: string;
    try {
      const st = statSync(this.path);
      id = `${st.dev}:${st.ino}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    if (this.#fd === null || id !== this.#id) {
      this.#closeNow();
      const fd = openSync(this.path, 'r+');
      const st = fstatSync(fd);
      this.#fd = fd;
      this.#id = `${st.dev}:${st.ino}`;
    }
    const fd = this.#fd;
    await new Promise<void>((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
  }

  /** Closes the descriptor once a running flush has ended. */
  async close(): Promise<void> {
    await this.#running;
    this.#closeNow();
  }

  /** `dev:ino` of the file the kept descriptor holds ('' when none): for tests. */
  get identity(): string {
    return this.#id;
  }

  #closeNow(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    this.#id = '';
  }
}

/**
 * Makes `db.prepare` return the statement already prepared for the same SQL text. The store prepares at the point
 * of use, which kept preparation near the top of the IMAP benchmark's profile (a fifth of FETCH's time). Safe
 * because statements run synchronously to completion here (no `iterate()`, no `pluck()`/`raw()` mode changes);
 * the least recently added statement goes when the cache is full.
 */
function reuseStatements(db: Db, max: number): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
    }
    return statement;
  }) as Db['prepare'];
}

/** Applies every migration newer than the database's `user_version`, each in its own transaction. */
export function migrate(db: Database.Database): void {
  const run = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (const m of migrations) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  });
  run.immediate();
}

/**
 * Runs `fn` in a write transaction taken at BEGIN IMMEDIATE (so two writers never deadlock on upgrade) and resolves
 * once the commit is on disk. Every write of the store goes through here: a bare `.run()` outside it would commit
 * without being flushed before the caller answers its client.
 */
export async function writeTx<T>(db: Db, fn: () => T): Promise<T> {
  const result = db.transaction(fn).immediate();
  await db.wal.flush();
  return result;
}

/** Next UIDVALIDITY: increasing across the whole database, so a recreated folder never repeats one (RFC 3501 §2.3.1.1). */
export function nextUidValidity(db: Db, now: number): number {
  const row = db.prepare(`SELECT value FROM settings WHERE key = 'uid_validity'`).get() as { value: string } | undefined;
  const last = row ? Number(row.value) : 0;
  const next = Math.max(last + 1, Math.floor(now / 1000));
  db.prepare(`INSERT INTO settings (key, value) VALUES ('uid_validity', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(
    String(next),
  );
  return next;
}
