/** The store conformance suite on a real PostgreSQL 15 (a throwaway cluster; one fresh database per case). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runStoreConformance } from '../../src/store/conformance/index.js';
import { openPgStore } from '../../src/store/pg/index.js';
import { startPostgres, type TestPostgres } from '../kit/postgres.js';
import { notifyPayloads } from '../../src/store/pg/change-feed.js';
import { domainWithMailbox, inbox, message, meta } from '../../src/store/conformance/fixtures.js';

let pg: TestPostgres;
/** A database the migrations already ran on: each case gets a copy (CREATE DATABASE ... TEMPLATE), not a re-run. */
let template: string;
before(async () => {
  pg = await startPostgres();
  template = await pg.createDatabase();
  const s = openPgStore({ url: template });
  await s.ready();
  await s.close();
});
after(async () => {
  await pg.stop();
});

runStoreConformance({
  name: 'postgres',
  async createDatabase() {
    const url = await pg.createDatabase(template);
    return {
      open: async () => {
        const s = openPgStore({ url });
        await s.ready();
        return s;
      },
      destroy: () => pg.dropDatabase(url),
      exec: async (sql) => void (await pg.sql(sql, [], new URL(url).pathname.slice(1))),
    };
  },
});

/**
 * PostgreSQL-only: the change feed between handles (separate pools and LISTEN connections, as two nodes have).
 * NOTIFY payloads are capped at 8000 bytes, so a big expunge must arrive split but whole.
 */
describe('postgres change feed across handles', () => {
  it('an expunge of 3,000 UIDs on one handle reaches a subscriber on another handle whole, in payloads under 8000 bytes', async () => {
    const huge = notifyPayloads('node', { kind: 'expunge', mailboxId: 1, folderId: 2, uids: Array.from({ length: 3000 }, (_, i) => 1_000_000 + i), modSeq: 9 });
    assert.ok(huge.length > 1 && huge.every((p) => Buffer.byteLength(p) < 8000));
    const url = await pg.createDatabase(template);
    const a = openPgStore({ url });
    const b = openPgStore({ url });
    try {
      await a.ready();
      await b.ready();
      const m = await domainWithMailbox(a);
      const f = await inbox(a, m.id);
      const raw = message('bulk');
      const n = 3000;
      const d = await a.deliver({ raw, meta: meta(raw), receivedAt: 1, targets: Array.from({ length: n }, () => ({ mailboxId: m.id, folder: 'INBOX' })), queue: [] });
      const heard = new Set<number>();
      const own: number[] = [];
      const done = new Promise<void>((resolve) =>
        b.changes.subscribe(m.id, (c) => {
          if (c.kind !== 'expunge') return;
          c.uids.forEach((u) => heard.add(u));
          if (heard.size === n) resolve();
        }),
      );
      a.changes.subscribe(m.id, (c) => c.kind === 'expunge' && own.push(...c.uids));
      const removed = await a.deleteEntries(f, d.placed.map((p) => p.uid));
      assert.equal(removed.length, n);
      await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`heard ${heard.size} of ${n}`)), 10_000))]);
      assert.equal(own.length, n, 'the writing handle hears its own change once, locally');
    } finally {
      await a.close();
      await b.close();
      await pg.dropDatabase(url);
    }
  });
});
