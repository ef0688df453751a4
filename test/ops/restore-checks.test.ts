/** What `outpost restore` refuses before touching a store: a newer Outpost's store, a damaged copy, a foreign database. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { backupDatabase, restoreDatabase } from '../../src/ops/backup.js';
import { migrations } from '../../src/store/sqlite/migrations.js';

const dir = () => mkdtempSync(join(tmpdir(), 'outpost-restore-'));

describe('restore checks', () => {
  it('refuses a newer store, a damaged copy and a foreign database, leaving the target as it was', async () => {
    const d = dir();
    const source = join(d, 'source.db');
    const store = openSqliteStore({ path: source });
    await store.addDomain({ name: 'example.test', adminAddress: null, signupPolicy: 'closed', createdAt: 0 });
    await store.close();
    const good = join(d, 'good.db');
    const summary = await backupDatabase(source, good);
    assert.equal(summary.schemaVersion, Math.max(...migrations.map((m) => m.version)));
    const target = join(d, 'target.db');
    writeFileSync(target, 'the store in place');

    const newer = join(d, 'newer.db');
    await backupDatabase(source, newer);
    const db = new Database(newer);
    db.pragma('user_version = 9999');
    db.close();
    assert.throws(() => restoreDatabase(newer, target, { replace: true }), /made by a newer Outpost \(store version 9999/);

    const damaged = join(d, 'damaged.db');
    const bytes = readFileSync(good);
    writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length / 2)));
    assert.throws(() => restoreDatabase(damaged, target, { replace: true }), /damaged|not (a database|an Outpost)/);

    const foreign = join(d, 'foreign.db');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    assert.throws(() => restoreDatabase(foreign, target, { replace: true }), /not an Outpost store/);

    assert.equal(readFileSync(target, 'utf8'), 'the store in place', 'nothing was overwritten');
    assert.throws(() => restoreDatabase(good, target, { replace: false }), /add --replace/);
    const r = restoreDatabase(good, target, { replace: true });
    assert.equal(r.mailboxes, 0);
    const back = openSqliteStore({ path: target });
    assert.deepEqual((await back.listDomains()).map((x) => x.name), ['example.test']);
    await back.close();
    assert.equal(existsSync(join(d, '.target.db.restoring')), false);
  });
});
