/**
 * The background checkpointer: the worker thread copies the WAL into the database file while the serving
 * connection's own automatic checkpoint (the backstop) never fires, and a dead worker gives the checkpoint back to
 * SQLite's default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, writeTx } from '../../src/store/sqlite/db.js';
import { BackgroundCheckpointer } from '../../src/store/sqlite/checkpointer.js';
import { storeLimits } from '../../src/lib/limits.js';

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the worker checkpoints what the store commits; the serving connection never does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-ckpt-'));
  const path = join(dir, 'outpost.db');
  const db = openDatabase(path);
  const cp = new BackgroundCheckpointer(db, path);
  try {
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), storeLimits.walBackstopPages);
    db.exec('CREATE TABLE bulk (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
    const before = statSync(path).size;
    // ~12 MB in 2,000 commits: ~3,000 pages, far below the backstop, so only the worker can move them.
    const row = Buffer.alloc(6000, 0x61);
    for (let i = 0; i < 2000; i++) await writeTx(db, () => db.prepare('INSERT INTO bulk (data) VALUES (?)').run(row));
    // Passes run from the worker's own ticks during the inserts too; wait for the one that copies the last commits
    // (a tick asks for a pass only when something was committed since the one before).
    await until('the worker to copy every commit into the database file', () => {
      cp.tick();
      return cp.last !== null && cp.last.ok && cp.last.log === cp.last.checkpointed && statSync(path).size > before + 10_000_000;
    });
    assert.ok(cp.passes >= 1);
    assert.equal(cp.alive, true);
  } finally {
    await cp.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a worker that dies gives the checkpoint back to SQLite (the WAL never grows without bound)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-ckpt-'));
  const path = join(dir, 'outpost.db');
  const db = openDatabase(path);
  const cp = new BackgroundCheckpointer(db, path);
  try {
    await cp.kill();
    await until('the store to notice', () => !cp.alive);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
    cp.tick(); // no worker: nothing is asked, nothing throws
  } finally {
    await cp.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
