/**
 * Against the real `outpost serve`: a command that fails inside the store (the SQLite file held by another
 * process with BEGIN EXCLUSIVE for longer than the busy timeout) answers NO [INUSE] in that session only; the
 * same session, other sessions and new connections keep working and the process lives on. Plus transcripts for
 * the RFC 5530 response codes the other transcript tests do not cover: AUTHORIZATIONFAILED, CONTACTADMIN,
 * CLIENTBUG and EXPUNGEISSUED.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { LineClient } from '../kit/tcp.js';

const PASSWORD = 'a long good passphrase';
const tagged = (tag: string) => new RegExp(`^${tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n`, 'm');

describe('IMAP: failures stay in their session; RFC 5530 codes', () => {
  let d: TestDataDir;
  let serve: ServeProcess;
  const session = async (user: string): Promise<LineClient> => {
    const c = await LineClient.open(d.ports.imaps, true);
    await c.read(/^\* OK .*\r\n/, 30_000);
    assert.match(await c.cmd(`L LOGIN ${user} "${PASSWORD}"`, tagged('L')), /^L OK /m);
    return c;
  };
  const append = (c: LineClient, tag: string, subject: string) => {
    const msg = `Subject: ${subject}\r\n\r\nbody\r\n`;
    return c.cmd(`${tag} APPEND INBOX {${msg.length}+}\r\n${msg}`, tagged(tag));
  };

  before(async () => {
    d = await makeDataDir();
    for (const u of ['alice', 'bob', 'carol', 'dave'])
      assert.equal((await outpost(['--data', d.dir, 'account', 'add', `${u}@example.test`, '--password-stdin'], { stdin: `${PASSWORD}\n` })).code, 0);
    assert.equal((await outpost(['--data', d.dir, 'account', 'disable', 'dave@example.test'])).code, 0);
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/, 60_000);
  });
  after(async () => {
    assert.equal(await serve.stop(), 0);
  });

  it('a STORE failing in the store (file locked past the busy timeout) is NO [INUSE] for that session only', async () => {
    const a = await session('alice@example.test');
    const b = await session('bob@example.test');
    assert.match(await append(a, 'p', 'one'), /^p OK/m);
    assert.match(await append(b, 'q', 'two'), /^q OK/m);
    await a.cmd('s SELECT INBOX', tagged('s'));
    await b.cmd('s SELECT INBOX', tagged('s'));

    // Another process takes the write lock and keeps it past the server's busy timeout (10 s).
    const locker = new Database(join(d.dir, 'outpost.db'));
    locker.exec('BEGIN EXCLUSIVE');
    const release = setTimeout(() => locker.exec('COMMIT'), 12_000);
    try {
      a.write('t STORE 1 +FLAGS (\\Flagged)\r\n');
      const r = await a.read(tagged('t'), 40_000);
      assert.match(r, /^t NO \[INUSE\] /m, r);
    } finally {
      clearTimeout(release);
      if (locker.inTransaction) locker.exec('COMMIT');
      locker.close();
    }
    // The failing session goes on, the other session too, and the process takes new connections.
    a.write('n NOOP\r\n');
    assert.match(await a.read(tagged('n'), 30_000), /^n OK/m);
    assert.match(await a.cmd('u STORE 1 +FLAGS (\\Flagged)', tagged('u')), /^\* 1 FETCH \(FLAGS \(\\Flagged( \\Recent)?\)\)\r\nu OK/m);
    assert.match(await b.cmd('f FETCH 1 (FLAGS ENVELOPE)', tagged('f')), /^\* 1 FETCH \(FLAGS \((\\Recent)?\) ENVELOPE \(NIL "two" .*\r\nf OK/m);
    const c = await session('carol@example.test');
    assert.match(await c.cmd('x SELECT INBOX', tagged('x')), /^x OK/m);
    for (const s of [a, b, c]) s.close();
    assert.equal(serve.child.exitCode, null, 'the server is still running');
    assert.ok(serve.logs().some((l) => l.msg === 'imap.command.store-busy'), 'the failure is logged');
  });

  it('AUTHORIZATIONFAILED, CONTACTADMIN and CLIENTBUG', async () => {
    const c = await LineClient.open(d.ports.imaps, true);
    await c.read(/^\* OK .*\r\n/, 30_000);
    assert.match(await c.cmd('a SELECT INBOX', tagged('a')), /^a BAD \[CLIENTBUG\] /m);
    const asBob = Buffer.from(`bob@example.test\0carol@example.test\0${PASSWORD}`).toString('base64');
    assert.match(await c.cmd(`b AUTHENTICATE PLAIN ${asBob}`, tagged('b')), /^b NO \[AUTHORIZATIONFAILED\] /m);
    assert.match(await c.cmd(`c LOGIN dave@example.test "${PASSWORD}"`, tagged('c')), /^c NO \[CONTACTADMIN\] /m);
    c.close();
    const s = await session('carol@example.test');
    assert.match(await s.cmd('d FETCH 1 FLAGS', tagged('d')), /^d BAD \[CLIENTBUG\] /m, 'FETCH without a selected mailbox');
    s.close();
  });

  it('EXPUNGEISSUED: FETCH of a message another session expunged, before this one was told', async () => {
    const a = await session('carol@example.test');
    const b = await session('carol@example.test');
    assert.match(await append(a, 'p', 'to be expunged'), /^p OK/m);
    await a.cmd('s SELECT INBOX', tagged('s'));
    await b.cmd('s SELECT INBOX', tagged('s'));
    assert.match(await b.cmd('e1 STORE 1 +FLAGS.SILENT (\\Deleted)', tagged('e1')), /^e1 OK/m);
    assert.match(await b.cmd('e2 EXPUNGE', tagged('e2')), /^\* 1 EXPUNGE\r\ne2 OK/m);
    // RFC 9051 §7.5.1: no EXPUNGE during FETCH; the message's octets are gone, so the FETCH says so.
    const r = await a.cmd('f FETCH 1 BODY.PEEK[]', tagged('f'));
    assert.match(r, /^f NO \[EXPUNGEISSUED\] /m, r);
    assert.match(await a.cmd('n NOOP', tagged('n')), /^\* 1 EXPUNGE\r\n[\s\S]*n OK/m);
    a.close();
    b.close();
  });
});
