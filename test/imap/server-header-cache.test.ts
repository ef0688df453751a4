/**
 * A header listing through the real server (`outpost serve`, SQLite) answers from the header sections the store
 * keeps apart (src/store/header-cache.ts), and gives the same octets for a message whose header is bigger than
 * storeLimits.headerCacheOctets (read from its blob). Messages stored before migration 11 (simulated by deleting
 * their rows while the server is stopped) get their sections from the backfill at the next start
 * (src/imap/header-backfill.ts).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { LineClient } from '../kit/tcp.js';
import { storeLimits } from '../../src/lib/limits.js';

const PASSWORD = 'a long good passphrase';
const tagged = (tag: string) => new RegExp(`^${tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n`, 'm');

const MESSAGES = [
  'From: Ann <ann@example.test>\r\nTo: alice@example.test\r\nSubject: plain\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\nMessage-ID: <1@example.test>\r\n\r\nhello\r\n',
  'Received: from a by b; Mon, 2 Feb 2026 10:00:00 +0000\r\nFrom: bob@example.test\r\nSubject: =?UTF-8?Q?caf=C3=A9?=\r\n folded\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\npart\r\n--b--\r\n',
  `From: carol@example.test\r\nSubject: huge header\r\nX-Filler: ${'z'.repeat(storeLimits.headerCacheOctets)}\r\n\r\nbody\r\n`,
  'Subject: no body, no empty line\r\nFrom: dan@example.test\r\n',
];

const LISTING = 'FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)] BODY.PEEK[HEADER.FIELDS.NOT (RECEIVED X-FILLER)] RFC822.HEADER BODY.PEEK[HEADER]<5.20>)';

describe('IMAP header listing from the kept header sections', { timeout: 120_000 }, () => {
  let d: TestDataDir;
  let serve: ServeProcess;

  before(async () => {
    d = await makeDataDir();
    assert.equal((await outpost(['--data', d.dir, 'account', 'add', 'alice@example.test', '--password-stdin'], { stdin: `${PASSWORD}\n` })).code, 0);
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
  });
  after(async () => {
    if (serve) await serve.stop();
  });

  async function session(): Promise<LineClient> {
    const c = await LineClient.open(d.ports.imaps, true);
    await c.read(/^\* OK .*\r\n/);
    assert.match(await c.cmd(`a LOGIN alice@example.test "${PASSWORD}"`, tagged('a')), /^a OK/m);
    assert.match(await c.cmd('b SELECT INBOX', tagged('b')), /^b OK/m);
    return c;
  }

  it('gives the same octets from the kept sections as from the messages', async () => {
    const c = await session();
    for (const [i, m] of MESSAGES.entries()) {
      c.write(`p${i} APPEND INBOX {${Buffer.byteLength(m)}}\r\n`);
      await c.read(/^\+ [^\r\n]*\r\n/m);
      assert.match(await c.cmd(m, tagged(`p${i}`)), new RegExp(`^p${i} OK`, 'm'));
    }
    const kept = await c.cmd(`f ${LISTING}`, tagged('f'));
    c.close();
    assert.match(kept, /^f OK/m);
    assert.match(kept, /^\* 1 FETCH \(UID 1 RFC822\.SIZE \d+ FLAGS \(\\Recent\) BODY\[HEADER\.FIELDS \(FROM TO SUBJECT DATE MESSAGE-ID\)\] \{\d+\}\r\nFrom: Ann <ann@example\.test>\r\nTo: alice@example\.test\r\nSubject: plain\r\nDate: Mon, 2 Feb 2026 10:00:00 \+0000\r\nMessage-ID: <1@example\.test>\r\n\r\n/m);
    assert.match(kept, /Subject: =\?UTF-8\?Q\?caf=C3=A9\?=\r\n folded\r\n/);
    assert.match(kept, /^\* 4 FETCH \(UID 4 RFC822\.SIZE \d+ FLAGS \(\\Recent\) BODY\[HEADER\.FIELDS \(FROM TO SUBJECT DATE MESSAGE-ID\)\] \{\d+\}\r\nSubject: no body, no empty line\r\nFrom: dan@example\.test\r\n\r\n/m);

    // Which messages the store kept a section for: all but the huge header (a row with none).
    assert.equal(await serve.stop(), 0);
    const db = new Database(join(d.dir, 'outpost.db'));
    try {
      assert.deepEqual(db.prepare('SELECT count(*) AS n, count(header) AS kept FROM message_headers').get(), { n: 4, kept: 3 });
      // As if stored before the migration: no kept section at all.
      db.prepare('DELETE FROM message_headers').run();
    } finally {
      db.close();
    }
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
    // The backfill decides every message's section again in the background: three kept, the huge one not.
    await serve.waitFor(/imap\.headers\.backfilled/);
    const peek = new Database(join(d.dir, 'outpost.db'), { readonly: true });
    try {
      assert.deepEqual(peek.prepare('SELECT count(*) AS n, count(header) AS kept FROM message_headers').get(), { n: 4, kept: 3 });
    } finally {
      peek.close();
    }
    const again = await session();
    const read = await again.cmd(`f ${LISTING}`, tagged('f'));
    again.close();
    // \Recent went to the first session; everything else is the same octets.
    assert.equal(read, kept.replaceAll('FLAGS (\\Recent)', 'FLAGS ()'));
  });
});
