/**
 * The SQLite store's durability off the event loop: a write resolves only after a WAL flush that started after its
 * commit, concurrent commits share flushes, a failed flush fails the write, and the event loop keeps running while
 * a flush is slow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WalFile, WalFlusher, openDatabase } from '../../src/store/sqlite/db.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/types.js';

/** A sync function the test releases by hand, recording when each call started. */
function controlledSync(): { sync: (file: string) => Promise<void>; calls: Array<{ file: string; release: (e?: Error) => void }> } {
  const calls: Array<{ file: string; release: (e?: Error) => void }> = [];
  return {
    calls,
    sync: (file) =>
      new Promise<void>((resolve, reject) => {
        calls.push({ file, release: (e) => (e ? reject(e) : resolve()) });
      }),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('WalFlusher: requests during a running flush share the next one, which starts only after it', async () => {
  const c = controlledSync();
  const f = new WalFlusher('/x-wal', c.sync);
  const done: string[] = [];
  const a = f.flush().then(() => done.push('a'));
  assert.equal(c.calls.length, 1);
  const b = f.flush().then(() => done.push('b'));
  const b2 = f.flush().then(() => done.push('b2'));
  await tick();
  assert.equal(c.calls.length, 1, 'the second flush waits for the first to end');
  c.calls[0]!.release();
  await a;
  await tick();
  assert.deepEqual(done, ['a'], 'b was requested during flush 1, so flush 1 does not cover it');
  assert.equal(c.calls.length, 2, 'one more flush for both waiting requests');
  const c3 = f.flush().then(() => done.push('c'));
  await tick();
  assert.equal(c.calls.length, 2);
  c.calls[1]!.release();
  await Promise.all([b, b2]);
  await tick();
  assert.deepEqual(done, ['a', 'b', 'b2']);
  assert.equal(c.calls.length, 3);
  c.calls[2]!.release();
  await c3;
  assert.equal(f.flushes, 3);
});

test('WalFlusher: a failed flush rejects its waiters and the next flush runs again', async () => {
  const c = controlledSync();
  const f = new WalFlusher('/x-wal', c.sync);
  const a = f.flush();
  c.calls[0]!.release(new Error('EIO'));
  await assert.rejects(a, /EIO/);
  const b = f.flush();
  assert.equal(c.calls.length, 2);
  c.calls[1]!.release();
  await b;
});

function withStore(fn: (store: Store, c: ReturnType<typeof controlledSync>, path: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-wal-'));
    const path = join(dir, 'outpost.db');
    const c = controlledSync();
    let store: Store | undefined;
    try {
      store = openSqliteStore({ path, syncWal: c.sync });
      await fn(store, c, path);
    } finally {
      for (const call of c.calls) call.release();
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'a store write is acknowledged only after the WAL flush that follows its commit, and the event loop runs meanwhile',
  withStore(async (store, c, path) => {
    const addDomain = store.addDomain({ name: 'example.test', adminAddress: null, signupPolicy: 'closed', createdAt: 1 });
    let acknowledged = false;
    void addDomain.then(() => (acknowledged = true));
    await tick();
    assert.equal(c.calls.length, 1, 'the commit asked for a flush');
    assert.equal(c.calls[0]!.file, `${path}-wal`, 'the flush is of the WAL file');
    // The commit is visible to readers already (it is in the WAL), but not acknowledged until the flush ends.
    assert.ok(await store.getDomain('example.test'));
    for (let i = 0; i < 5; i++) await tick(); // the loop keeps turning while the disk is slow
    assert.equal(acknowledged, false);
    c.calls[0]!.release();
    await addDomain;
    assert.equal(acknowledged, true);
  }),
);

test(
  'concurrent writers share flushes (group commit for every writer, not only SMTP deliveries)',
  withStore(async (store, c) => {
    const first = store.addDomain({ name: 'a.test', adminAddress: null, signupPolicy: 'closed', createdAt: 1 });
    await tick();
    c.calls[0]!.release();
    await first;
    const writes = Array.from({ length: 20 }, (_, i) => store.hitCounter(`k${i}`, 1000, 60_000));
    await tick();
    // The first write started flush 2; the other 19 committed while it ran and wait for one more flush.
    assert.equal(c.calls.length, 2);
    c.calls[1]!.release();
    await tick();
    assert.equal(c.calls.length, 3, 'one flush for the 19 commits that came during the running one');
    c.calls[2]!.release();
    const states = await Promise.all(writes);
    assert.equal(states.length, 20);
    assert.equal(c.calls.length, 3);
  }),
);

test(
  'a failed flush fails the write: nothing is acknowledged',
  withStore(async (store, c) => {
    const p = store.addDomain({ name: 'b.test', adminAddress: null, signupPolicy: 'closed', createdAt: 1 });
    await tick();
    c.calls[0]!.release(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await assert.rejects(p, /EIO/);
  }),
);

test('the real store: synchronous=NORMAL on the connection and a real fdatasync per group of commits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-wal-'));
  const path = join(dir, 'outpost.db');
  const synced: string[] = [];
  const wal = new WalFile(`${path}-wal`);
  const store = openSqliteStore({ path, syncWal: async (file) => (synced.push(file), wal.sync()) });
  try {
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.hitCounter(`k${i}`, 1000, 60_000)));
    // 50 commits in one turn of the loop: the first starts a flush, the 49 others share the next one.
    assert.deepEqual(synced, [`${path}-wal`, `${path}-wal`]);
    const peek = new Database(path, { readonly: true });
    try {
      assert.equal((peek.prepare('SELECT COUNT(*) AS n FROM counters').get() as { n: number }).n, 50);
    } finally {
      peek.close();
    }
    const db = openDatabase(path);
    try {
      assert.equal(db.pragma('synchronous', { simple: true }), 1, 'NORMAL: COMMIT does not fsync on the event loop');
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  } finally {
    await store.close();
    await wal.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('WalFile: one descriptor kept across flushes, replaced when the path names another file, none needed for no file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-walfile-'));
  const path = join(dir, 'x-wal');
  const wal = new WalFile(path);
  const id = (): string => {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  };
  try {
    await wal.sync(); // no WAL yet: nothing to flush, nothing opened
    assert.equal(wal.identity, '');
    writeFileSync(path, 'frames');
    await wal.sync();
    const first = id();
    assert.equal(wal.identity, first);
    await wal.sync();
    assert.equal(wal.identity, first, 'the same descriptor');
    // SQLite removed the WAL (its last connection closed) and a new connection made a new one (a new inode: the
    // descriptor still holds the old one).
    unlinkSync(path);
    writeFileSync(path, 'new frames');
    assert.notEqual(id(), first);
    await wal.sync();
    assert.equal(wal.identity, id(), 'the flush reaches the file SQLite now writes');
    unlinkSync(path);
    await wal.sync();
  } finally {
    await wal.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
