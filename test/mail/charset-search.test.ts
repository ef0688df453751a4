/**
 * SEARCH finds the text of messages whose charset is windows-1252 (labelled iso-8859-1 too), missing, or us-ascii
 * over UTF-8 octets, and of raw 8-bit headers (RFC 6532): (1) the engine with the SQLite FTS5 index gives the scan's
 * answers and the index's candidates hold every match; (2) the real `outpost serve`, messages APPENDed by imapflow
 * and searched by imapflow (CHARSET UTF-8 / UTF8=ACCEPT), then the stored index read back from the data directory.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/types.js';
import { extractMeta } from '../../src/mail/meta.js';
import { describeMessage } from '../../src/imap/engine/describe.js';
import { searchMessages } from '../../src/imap/engine/search.js';
import { cachedSource } from '../../src/imap/engine/cache.js';
import type { MessageRecord } from '../../src/imap/engine/types.js';
import { storeSearchIndex } from '../../src/imap/commands/search.js';
import type { SearchKey, SearchProgram } from '../../src/protocol/imap/index.js';
import { domainWithMailbox, inbox } from '../../src/store/conformance/fixtures.js';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { samples } from './charset-samples.js';

const PASSWORD = 'a long good passphrase';
const program = (key: SearchKey): SearchProgram => ({ charset: 'UTF-8', criteria: { kind: 'and', keys: [key] } });

/** What each needle must find (by sample name), and must not find elsewhere. */
const expectations: Array<[SearchKey, string[]]> = [
  [{ kind: 'body', value: '42€ “paid”' }, ['windows-1252 body, 8bit']],
  [{ kind: 'body', value: '– it’s done' }, ['windows-1252 body, 8bit']],
  [{ kind: 'body', value: 'GEBÜHR: 5 €' }, ['iso-8859-1 label, quoted-printable with =80']],
  [{ kind: 'header', field: 'Subject', value: 'gebühr €' }, ['iso-8859-1 label, quoted-printable with =80']],
  [{ kind: 'text', value: 'grüße aus köln' }, ['no Content-Type, UTF-8 octets']],
  [{ kind: 'body', value: '東京' }, ['no Content-Type, UTF-8 octets']],
  [{ kind: 'body', value: 'naïve FAÇADE' }, ['text/plain without charset, UTF-8 octets']],
  [{ kind: 'body', value: 'preis 7€, straße' }, ['us-ascii label over windows-1252 octets']],
  [{ kind: 'header', field: 'From', value: 'zoë' }, ['raw UTF-8 header (RFC 6532)']],
  [{ kind: 'header', field: 'Subject', value: 'überraschung' }, ['raw UTF-8 header (RFC 6532)']],
  [{ kind: 'header', field: 'From', value: 'renée' }, ['raw 8-bit windows-1252 header']],
  [{ kind: 'header', field: 'Subject', value: '“angebot” für 9€' }, ['raw 8-bit windows-1252 header']],
  [{ kind: 'text', value: '€' }, ['windows-1252 body, 8bit', 'iso-8859-1 label, quoted-printable with =80', 'us-ascii label over windows-1252 octets', 'raw 8-bit windows-1252 header']],
  // The old readings (C1 controls, UTF-8 read as Latin-1) are gone.
  [{ kind: 'text', value: '\u0080' }, []],
  [{ kind: 'text', value: 'grã¼' }, []],
];

describe('SEARCH over windows-1252, unlabelled and 8-bit header text: index equals scan', () => {
  let dir: string;
  let store: Store;
  let folderId: number;
  let records: MessageRecord[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-charset-search-'));
    store = openSqliteStore({ path: join(dir, 'outpost.db') });
    const box = await domainWithMailbox(store);
    folderId = await inbox(store, box.id);
    for (const m of samples) await store.append(folderId, m.raw, { ...extractMeta(m.raw), ...describeMessage(m.raw) }, [], 1_700_000_000_000);
    records = (await store.listEntries(folderId)).map((e, i) => ({ seq: i + 1, uid: e.uid, flags: e.flags, modSeq: e.modSeq, internalDate: e.internalDate, size: e.size, blobId: e.blobId, recent: false }));
  });

  after(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [key, expected] of expectations) {
    it(`${JSON.stringify(key)} finds ${expected.length ? expected.join(' + ') : 'nothing'}`, async () => {
      const source = cachedSource({ raw: async (id) => (await store.blobs.get(id))! }, 16 << 20);
      const ctx = { source, maxUid: records[records.length - 1]!.uid, now: 1_700_000_000_000 };
      const index = storeSearchIndex(store, folderId);
      const scan = (await searchMessages(program(key), records, ctx)).map((r) => r.uid);
      const indexed = (await searchMessages(program(key), records, { ...ctx, index })).map((r) => r.uid);
      assert.deepEqual(indexed, scan, 'the indexed answer equals the scan');
      const candidates = await index.candidates(program(key), records);
      if ([...(key.kind === 'header' || key.kind === 'text' || key.kind === 'body' ? key.value : '')].length >= 3) assert.ok(candidates, 'looked up in the index');
      if (candidates) for (const uid of scan) assert.ok(candidates.has(uid), `candidate ${uid} present`);
      assert.deepEqual(
        scan.map((uid) => samples[records.findIndex((r) => r.uid === uid)]!.name),
        expected,
      );
    });
  }
});

describe('SEARCH over windows-1252, unlabelled and 8-bit header text through outpost serve', () => {
  let d: TestDataDir;
  let serve: ServeProcess;
  const user = 'alice@example.test';

  before(async () => {
    d = await makeDataDir();
    assert.equal((await outpost(['--data', d.dir, 'account', 'add', user, '--password-stdin'], { stdin: `${PASSWORD}\n` })).code, 0);
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
  });
  let stopped = false;
  after(async () => {
    if (!stopped) assert.equal(await serve.stop(), 0);
  });

  it('imapflow APPENDs the samples and SEARCH finds each needle; the stored index holds the decoded text', async () => {
    const c = new ImapFlow({ host: '127.0.0.1', port: d.ports.imaps, secure: true, auth: { user, pass: PASSWORD }, tls: { rejectUnauthorized: false }, logger: false, disableAutoIdle: true });
    await c.connect();
    const uidOf = new Map<number, string>();
    try {
      for (const m of samples) {
        const r = await c.append('INBOX', m.raw);
        assert.ok(r && typeof r.uid === 'number', `APPENDUID for ${m.name}`);
        uidOf.set(r.uid!, m.name);
      }
      const lock = await c.getMailboxLock('INBOX');
      try {
        const find = async (q: Parameters<ImapFlow['search']>[0]) => ((await c.search(q, { uid: true })) || []).map((u) => uidOf.get(u)).sort();
        assert.deepEqual(await find({ body: '42€ “paid”' }), ['windows-1252 body, 8bit']);
        assert.deepEqual(await find({ body: 'GEBÜHR: 5 €' }), ['iso-8859-1 label, quoted-printable with =80']);
        assert.deepEqual(await find({ subject: 'gebühr €' }), ['iso-8859-1 label, quoted-printable with =80']);
        assert.deepEqual(await find({ text: 'grüße aus köln' }), ['no Content-Type, UTF-8 octets']);
        assert.deepEqual(await find({ body: 'naïve FAÇADE' }), ['text/plain without charset, UTF-8 octets']);
        assert.deepEqual(await find({ body: 'preis 7€, straße' }), ['us-ascii label over windows-1252 octets']);
        assert.deepEqual(await find({ from: 'zoë' }), ['raw UTF-8 header (RFC 6532)']);
        assert.deepEqual(await find({ from: 'renée' }), ['raw 8-bit windows-1252 header']);
        assert.deepEqual(await find({ subject: '“angebot” für 9€' }), ['raw 8-bit windows-1252 header']);
        assert.deepEqual(await find({ text: 'grã¼' }), []);
      } finally {
        lock.release();
      }
    } finally {
      await c.logout();
    }
    // The FTS5 index in the data directory answers the same needles by itself (folded, as the engine asks it).
    stopped = true;
    assert.equal(await serve.stop(), 0);
    const store = openSqliteStore({ path: join(d.dir, 'outpost.db') });
    try {
      const box = (await store.getMailbox(user))!;
      const folder = (await store.getFolder(box.id, 'INBOX'))!;
      const names = async (field: 'header' | 'body' | 'any', needle: string) => ((await store.searchText(folder.id, { kind: 'term', field, needle })) ?? []).map((u) => uidOf.get(u)).sort();
      assert.deepEqual(await names('body', '42€ “paid”'), ['windows-1252 body, 8bit']);
      assert.deepEqual(await names('body', 'grüße aus köln'), ['no Content-Type, UTF-8 octets']);
      assert.deepEqual(await names('body', 'preis 7€'), ['us-ascii label over windows-1252 octets']);
      assert.deepEqual(await names('header', 'renée'), ['raw 8-bit windows-1252 header']);
      assert.deepEqual(await names('header', 'überraschung'), ['raw UTF-8 header (RFC 6532)']);
    } finally {
      await store.close();
    }
  });
});
