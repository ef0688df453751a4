/**
 * Sort keys are written in the delivery commit (deliver and APPEND) on SQLite: no entry waits for the lazy fill, which
 * only copies and rows stored before migration 10 need. Read from the database file itself.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { domainWithMailbox } from '../../src/store/conformance/fixtures.js';
import { extractMeta } from '../../src/mail/meta.js';
import { describeMessage } from '../../src/imap/engine/describe.js';

describe('SQLite entries get their webmail keys when stored', () => {
  it('deliver and APPEND write them; a copy gets them on the next sorted page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-keys-'));
    const path = join(dir, 'outpost.db');
    const store = openSqliteStore({ path });
    try {
      const m = await domainWithMailbox(store, 'ann@example.test');
      const inbox = (await store.getFolder(m.id, 'INBOX'))!;
      const trash = (await store.getFolder(m.id, 'Trash'))!;
      const raw = Buffer.from('From: "Zoë" <z@x.test>\r\nSubject: Re: [list] Plans\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/pdf; name=a.pdf\r\n\r\nAAAA\r\n--b--\r\n');
      const meta = { ...extractMeta(raw), ...describeMessage(raw) };
      await store.deliver({ raw, meta, receivedAt: 5000, targets: [{ mailboxId: m.id, folder: 'INBOX' }], queue: [] });
      await store.append(inbox.id, raw, extractMeta(raw), [], 6000);
      await store.copy(inbox.id, [1], trash.id);
      const db = new Database(path, { readonly: true });
      try {
        const rows = db.prepare('SELECT folder_id, uid, sort_date, sort_from, sort_subject, sort_size, attachments FROM entries ORDER BY folder_id, uid').all();
        assert.deepEqual(rows, [
          { folder_id: inbox.id, uid: 1, sort_date: 5000, sort_from: 'zoë', sort_subject: 'plans', sort_size: raw.length, attachments: 1 },
          { folder_id: inbox.id, uid: 2, sort_date: 6000, sort_from: 'zoë', sort_subject: 'plans', sort_size: raw.length, attachments: null },
          { folder_id: trash.id, uid: 1, sort_date: null, sort_from: null, sort_subject: null, sort_size: null, attachments: null },
        ]);
      } finally {
        db.close();
      }
      assert.deepEqual((await store.sortedEntries(trash.id, { order: 'subject', reverse: false, offset: 0, limit: 5 })).map((e) => e.uid), [1]);
      const db2 = new Database(path, { readonly: true });
      try {
        assert.equal((db2.prepare('SELECT count(*) AS n FROM entries WHERE sort_date IS NULL').get() as { n: number }).n, 0);
      } finally {
        db2.close();
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
