/**
 * FETCH of a message whose octets are gone, through the real IMAP server (src/imap/server.ts) on an implicit-TLS
 * loopback socket with real services (SQLite store): the two causes get the two RFC 5530 §3 codes.
 * - The entry is live but the blob store lost its body (a row deleted from the SQLite file, as a bad restore
 *   would): the other messages of the FETCH are answered, the command ends NO [CORRUPTION], the session goes on.
 * - The message was expunged by another session (RFC 2180 §4.1.2): NO [EXPUNGEISSUED], also when this session had
 *   read its blob id before and the blob was released since.
 * - SEARCH, SORT and THREAD that must read a lost body end NO [CORRUPTION] too.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { TestServices } from '../kit/services.js';
import { startTestImap, type TestImapServer } from '../kit/imap-server.js';
import { LineClient } from '../kit/tcp.js';
import { storeLimits } from '../../src/lib/limits.js';
import { extractMeta } from '../../src/mail/meta.js';

const PASSWORD = 'a long good passphrase';
const tagged = (tag: string) => new RegExp(`^${tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n`, 'm');

describe('FETCH of a message whose body is gone', { timeout: 60_000 }, () => {
  let server: TestImapServer;
  let t: TestServices;
  let port: number;
  let folderId: number;

  beforeEach(async () => {
    server = await startTestImap();
    ({ t, port } = server);
    await t.accounts.addMailbox('alice@example.test', PASSWORD);
    folderId = (await t.store.getFolder((await t.store.getMailbox('alice@example.test'))!.id, 'INBOX'))!.id;
  });
  afterEach(() => server.close());

  async function append(text: string): Promise<string> {
    const raw = Buffer.from(text);
    await t.store.append(folderId, raw, extractMeta(raw), [], 1_770_000_000_000);
    const entries = await t.store.listEntries(folderId);
    return entries[entries.length - 1]!.blobId;
  }

  /**
   * Removes a body from the SQLite file behind the server's back, as a failing disk or a bad restore would; with
   * `header`, its kept header section too (src/store/header-cache.ts), so that SORT and THREAD must read the body.
   */
  function loseBlob(blobId: string, opts: { header?: boolean } = {}): void {
    const db = new Database(t.store.description.replace(/^sqlite:/, ''));
    try {
      db.pragma('foreign_keys = OFF');
      db.prepare('DELETE FROM blob_chunks WHERE blob_id = ?').run(blobId);
      assert.equal(db.prepare('DELETE FROM blobs WHERE id = ?').run(blobId).changes, 1);
      if (opts.header) db.prepare('DELETE FROM message_headers WHERE message_id IN (SELECT id FROM messages WHERE blob_id = ?)').run(blobId);
    } finally {
      db.close();
    }
  }

  async function signIn(): Promise<LineClient> {
    const c = await LineClient.open(port, true);
    await c.read(/^\* OK .*\r\n/);
    assert.match(await c.cmd(`L LOGIN alice@example.test "${PASSWORD}"`, tagged('L')), /^L OK /m);
    assert.match(await c.cmd('S SELECT INBOX', tagged('S')), /^S OK /m);
    return c;
  }

  it('a live message without its body: the others are answered, then NO [CORRUPTION]; the session goes on', async () => {
    await append('Subject: one\r\n\r\nfirst body\r\n');
    const lostId = await append('Subject: two\r\n\r\nsecond body\r\n');
    await append('Subject: three\r\n\r\nthird body\r\n');
    loseBlob(lostId);
    const c = await signIn();
    const out = await c.cmd('f1 FETCH 1:3 (UID BODY.PEEK[])', tagged('f1'));
    assert.match(out, /^\* 1 FETCH \(UID 1 BODY\[\] \{\d+\}\r\nSubject: one\r\n\r\nfirst body\r\n\)\r\n/m);
    assert.match(out, /^\* 3 FETCH \(UID 3 BODY\[\] \{\d+\}\r\nSubject: three\r\n\r\nthird body\r\n\)\r\n/m);
    assert.doesNotMatch(out, /^\* 2 FETCH/m);
    assert.match(out, /^f1 NO \[CORRUPTION\] /m);
    assert.doesNotMatch(out, /EXPUNGEISSUED/);
    // The same with a UID FETCH of the damaged one alone, and items that need no body still answer.
    assert.match(await c.cmd('f2 UID FETCH 2 BODY.PEEK[TEXT]', tagged('f2')), /^f2 NO \[CORRUPTION\] /m);
    assert.match(await c.cmd('f3 FETCH 2 (UID FLAGS)', tagged('f3')), /^\* 2 FETCH \(UID 2 FLAGS \([^)]*\)\)\r\nf3 OK/m);
    assert.match(await c.cmd('n NOOP', tagged('n')), /^n OK/m, 'the session goes on');
    c.close();
  });

  it('SEARCH, SORT and THREAD that read a lost body: NO [CORRUPTION]; keys that need no body still answer', async () => {
    await append('Subject: one\r\n\r\nfirst body\r\n');
    const lostId = await append('Subject: two\r\n\r\nsecond body\r\n');
    loseBlob(lostId, { header: true });
    const c = await signIn();
    assert.match(await c.cmd('s1 SEARCH BODY "body"', tagged('s1')), /^s1 NO \[CORRUPTION\] /m);
    assert.match(await c.cmd('s2 UID SORT (SUBJECT) UTF-8 ALL', tagged('s2')), /^s2 NO \[CORRUPTION\] /m);
    assert.match(await c.cmd('s3 THREAD REFERENCES UTF-8 ALL', tagged('s3')), /^s3 NO \[CORRUPTION\] /m);
    assert.match(await c.cmd('s4 SEARCH UNSEEN', tagged('s4')), /^\* SEARCH 1 2\r\ns4 OK/m);
    assert.match(await c.cmd('s5 SEARCH LARGER 1', tagged('s5')), /^\* SEARCH 1 2\r\ns5 OK/m);
    c.close();
  });

  it('SORT and THREAD of a message whose body is lost but whose header section is kept: answered from the section', async () => {
    await append('Subject: b-one\r\n\r\nfirst body\r\n');
    const lostId = await append('Subject: a-two\r\n\r\nsecond body\r\n');
    loseBlob(lostId);
    const c = await signIn();
    assert.match(await c.cmd('s1 SORT (SUBJECT) UTF-8 ALL', tagged('s1')), /^\* SORT 2 1\r\ns1 OK/m);
    assert.match(await c.cmd('s2 THREAD ORDEREDSUBJECT UTF-8 ALL', tagged('s2')), /^\* THREAD \(1\)\(2\)\r\ns2 OK/m); // threads in order of their first message's date
    assert.match(await c.cmd('s3 FETCH 2 BODY.PEEK[TEXT]', tagged('s3')), /^s3 NO \[CORRUPTION\] /m, 'the body itself is still reported lost');
    c.close();
  });

  it('a big (streamed) message without its body: NO [CORRUPTION] before any of its response is written', async () => {
    await append('Subject: small\r\n\r\nintact\r\n');
    const line = 'a line of a message big enough to be stored in chunks and streamed\r\n';
    const lostId = await append(`Subject: big\r\n\r\n${line.repeat(Math.ceil((storeLimits.blobChunkOctets * 2.5) / line.length))}`);
    loseBlob(lostId);
    const c = await signIn();
    const out = await c.cmd('f1 FETCH 1:2 BODY.PEEK[]', tagged('f1'));
    assert.match(out, /^\* 1 FETCH \(BODY\[\] \{\d+\}\r\nSubject: small\r\n\r\nintact\r\n\)\r\n/m);
    assert.doesNotMatch(out, /^\* 2 FETCH/m);
    assert.match(out, /^f1 NO \[CORRUPTION\] /m);
    assert.match(await c.cmd('n NOOP', tagged('n')), /^n OK/m);
    c.close();
  });

  it('a message expunged by another session is still NO [EXPUNGEISSUED] (RFC 2180 §4.1.2), also once its blob is released', async () => {
    await append('Subject: one\r\n\r\nfirst body\r\n');
    const twoId = await append('Subject: two\r\n\r\nsecond body\r\n');
    await append('Subject: three\r\n\r\nthird body\r\n');
    const a = await signIn();
    // A reads the size of 2 (its blob id is now known to A's view) and not yet anything of 3.
    assert.match(await a.cmd('z FETCH 2 RFC822.SIZE', tagged('z')), /^z OK/m);
    const b = await signIn();
    assert.match(await b.cmd('d STORE 2:3 +FLAGS.SILENT (\\Deleted)', tagged('d')), /^d OK/m);
    assert.match(await b.cmd('e EXPUNGE', tagged('e')), /^e OK/m);
    b.close();
    // Whether or not the store has already released it: make the body of 2 gone, as a later clean-up would.
    const db = new Database(t.store.description.replace(/^sqlite:/, ''));
    const still = db.prepare('SELECT count(*) AS n FROM blobs WHERE id = ?').get(twoId) as { n: number };
    db.close();
    if (still.n > 0) loseBlob(twoId);
    const out = await a.cmd('f FETCH 1:3 BODY.PEEK[]', tagged('f'));
    assert.match(out, /^\* 1 FETCH \(BODY\[\] \{\d+\}\r\nSubject: one\r\n/m);
    assert.doesNotMatch(out, /CORRUPTION/);
    assert.match(out, /^f NO \[EXPUNGEISSUED\] /m);
    // The expunges are announced at the next command that allows it; then all is well.
    assert.match(await a.cmd('n NOOP', tagged('n')), /^\* 3 EXPUNGE\r\n\* 2 EXPUNGE\r\nn OK/m);
    a.close();
  });

  it('a lost body and an expunged message in one FETCH: NO [CORRUPTION], the more serious', async () => {
    await append('Subject: one\r\n\r\nfirst body\r\n');
    const lostId = await append('Subject: two\r\n\r\nsecond body\r\n');
    await append('Subject: three\r\n\r\nthird body\r\n');
    const a = await signIn();
    const b = await signIn();
    assert.match(await b.cmd('d STORE 3 +FLAGS.SILENT (\\Deleted)', tagged('d')), /^d OK/m);
    assert.match(await b.cmd('e EXPUNGE', tagged('e')), /^e OK/m);
    b.close();
    loseBlob(lostId);
    const out = await a.cmd('f FETCH 1:3 BODY.PEEK[]', tagged('f'));
    assert.match(out, /^\* 1 FETCH /m);
    assert.doesNotMatch(out, /^\* [23] FETCH/m);
    assert.match(out, /^f NO \[CORRUPTION\] /m);
    a.close();
  });
});
