/**
 * RFC 5530 §3 EXPIRED and CORRUPTION through the real IMAP server (src/imap/server.ts) on an implicit-TLS loopback
 * socket, with real services (SQLite store, argon2, the auth service) and an injected clock:
 * - a session whose app password is revoked, or whose password is changed, ends with `* BYE [EXPIRED]` at its
 *   first command once imapServerLimits.credentialRecheckMs have passed (not before: no store read per command);
 *   a session in IDLE ends at its next update; a disabled mailbox gets `* BYE [CONTACTADMIN]`; a session signed in
 *   with a credential that still holds goes on;
 * - a message body that lost a chunk in the store is NO [CORRUPTION] for SEARCH (which reads it whole), and ends
 *   the connection in the middle of a streamed BODY[] (a literal's length is promised, no tagged reply can follow).
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { TestServices } from '../kit/services.js';
import { startTestImap, type TestImapServer } from '../kit/imap-server.js';
import { LineClient } from '../kit/tcp.js';
import { imapServerLimits, storeLimits } from '../../src/lib/limits.js';
import { extractMeta } from '../../src/mail/meta.js';

const PASSWORD = 'a long good passphrase';
const tagged = (tag: string) => new RegExp(`^${tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n`, 'm');
const bye = /^\* BYE [^\r\n]*\r\n/m;

describe('RFC 5530 EXPIRED and CORRUPTION', { timeout: 60_000 }, () => {
  let server: TestImapServer;
  let t: TestServices;
  let port: number;

  beforeEach(async () => {
    server = await startTestImap();
    ({ t, port } = server);
    await t.accounts.addMailbox('alice@example.test', PASSWORD);
  });
  afterEach(() => server.close());

  async function signIn(user: string, password: string): Promise<LineClient> {
    const c = await LineClient.open(port, true);
    await c.read(/^\* OK .*\r\n/);
    assert.match(await c.cmd(`L LOGIN ${user} "${password}"`, tagged('L')), /^L OK /m);
    return c;
  }

  /** Waits for the server to end the connection. */
  async function closed(c: LineClient): Promise<void> {
    await c.read(/(?!)/, 5000).catch((e: Error) => assert.match(e.message, /connection closed/));
    assert.equal(c.closed, true);
  }

  it('a revoked app password: the session goes on until the next check, then BYE [EXPIRED]; the password session is untouched', async () => {
    const { secret } = await t.accounts.addAppPassword('alice@example.test', 'phone');
    const phone = await signIn('alice@example.test', secret);
    const desk = await signIn('alice@example.test', PASSWORD);
    assert.match(await phone.cmd('s1 SELECT INBOX', tagged('s1')), /^s1 OK \[READ-WRITE\]/m);
    await t.accounts.revokeAppPassword('alice@example.test', 'phone');
    // Within the interval: no store read, the command runs.
    t.clock.now += imapServerLimits.credentialRecheckMs - 1;
    assert.match(await phone.cmd('n1 NOOP', tagged('n1')), /^n1 OK/m);
    t.clock.now += 1;
    phone.write('n2 NOOP\r\n');
    const out = await phone.read(bye);
    assert.match(out, /^\* BYE \[EXPIRED\] the app password "phone" was revoked; sign in again with a valid password\r\n/m);
    assert.doesNotMatch(out, /^n2 /m, 'the command is not run');
    await closed(phone);
    assert.match(await desk.cmd('n3 NOOP', tagged('n3')), /^n3 OK/m, 'the session signed in with the password goes on');
    // And the revoked secret no longer signs in (AUTHENTICATIONFAILED: a deleted app password is a wrong one).
    const again = await LineClient.open(port, true);
    await again.read(/^\* OK .*\r\n/);
    assert.match(await again.cmd(`L LOGIN alice@example.test "${secret}"`, tagged('L')), /^L NO \[AUTHENTICATIONFAILED\]/m);
    again.close();
    desk.close();
  });

  it('a changed password: BYE [EXPIRED] for the sessions that signed in with it, not for an app password session', async () => {
    const { secret } = await t.accounts.addAppPassword('alice@example.test', 'laptop');
    const old = await signIn('alice@example.test', PASSWORD);
    const app = await signIn('alice@example.test', secret);
    await t.accounts.changePassword('alice@example.test', 'another long good passphrase');
    t.clock.now += imapServerLimits.credentialRecheckMs;
    old.write('x LIST "" "*"\r\n');
    assert.match(await old.read(bye), /^\* BYE \[EXPIRED\] the password was changed; sign in again with a valid password\r\n/m);
    await closed(old);
    assert.match(await app.cmd('y LIST "" "INBOX"', tagged('y')), /^y OK/m);
    const fresh = await signIn('alice@example.test', 'another long good passphrase');
    t.clock.now += imapServerLimits.credentialRecheckMs;
    assert.match(await fresh.cmd('z NOOP', tagged('z')), /^z OK/m, 'a session with the new password goes on');
    app.close();
    fresh.close();
  });

  it('a session in IDLE with a revoked app password: BYE [EXPIRED] at the next update, which it does not get', async () => {
    const { secret } = await t.accounts.addAppPassword('alice@example.test', 'tablet');
    const c = await signIn('alice@example.test', secret);
    await c.cmd('s SELECT INBOX', tagged('s'));
    assert.match(await c.cmd('i IDLE', /^\+ idling\r\n/m), /^\+ idling/m);
    const inbox = (await t.store.getFolder((await t.store.getMailbox('alice@example.test'))!.id, 'INBOX'))!;
    const raw = Buffer.from('Subject: one\r\n\r\nfirst\r\n');
    await t.store.append(inbox.id, raw, extractMeta(raw), [], 1);
    assert.match(await c.read(/^\* 1 EXISTS\r\n/m), /^\* 1 EXISTS/m, 'updates flow while the credential holds');
    await t.accounts.revokeAppPassword('alice@example.test', 'tablet');
    t.clock.now += imapServerLimits.credentialRecheckMs;
    await t.store.append(inbox.id, raw, extractMeta(raw), [], 2);
    const out = await c.read(bye);
    assert.match(out, /^\* BYE \[EXPIRED\] the app password "tablet" was revoked/m);
    assert.doesNotMatch(out, /^\* 2 EXISTS/m);
    await closed(c);
  });

  it('a disabled mailbox: BYE [CONTACTADMIN]', async () => {
    const c = await signIn('alice@example.test', PASSWORD);
    await t.accounts.setDisabled('alice@example.test', true);
    t.clock.now += imapServerLimits.credentialRecheckMs;
    c.write('s SELECT INBOX\r\n');
    assert.match(await c.read(bye), /^\* BYE \[CONTACTADMIN\] the mailbox was disabled; sign in again after contacting your provider\r\n/m);
    await closed(c);
  });

  it('a body that lost a chunk: SEARCH is NO [CORRUPTION]; a streamed BODY[] ends the connection; other messages still read', async () => {
    const mailbox = (await t.store.getMailbox('alice@example.test'))!;
    const inbox = (await t.store.getFolder(mailbox.id, 'INBOX'))!;
    const small = Buffer.from('Subject: fine\r\n\r\nan intact message\r\n');
    await t.store.append(inbox.id, small, extractMeta(small), [], 1);
    const line = 'the quick brown fox jumps over the lazy dog, line after line of a big message\r\n';
    const big = Buffer.from(`Subject: big\r\n\r\n${line.repeat(Math.ceil((storeLimits.blobChunkOctets * 2.5) / line.length))}`);
    await t.store.append(inbox.id, big, extractMeta(big), [], 1);
    const blobId = (await t.store.listEntries(inbox.id)).find((e) => e.size === big.length)!.blobId;
    // Damage the store as a failing disk or a bad restore would: the middle chunk of the big body is gone.
    const db = new Database(join(t.store.description.replace(/^sqlite:/, '')));
    try {
      assert.equal(db.prepare('DELETE FROM blob_chunks WHERE blob_id = ? AND seq = 1').run(blobId).changes, 1);
    } finally {
      db.close();
    }

    const c = await signIn('alice@example.test', PASSWORD);
    await c.cmd('s SELECT INBOX', tagged('s'));
    assert.match(await c.cmd('f1 FETCH 1 BODY.PEEK[]', tagged('f1')), /an intact message[\s\S]*^f1 OK/m);
    assert.match(await c.cmd('q1 SEARCH BODY "lazy cat"', tagged('q1')), /^q1 NO \[CORRUPTION\] a message or mailbox is damaged on the server/m);
    assert.match(await c.cmd('f2 FETCH 1 RFC822.SIZE', tagged('f2')), /^f2 OK/m, 'the session goes on after NO [CORRUPTION]');
    c.write('f3 FETCH 2 BODY.PEEK[]\r\n');
    const got = await c.read(/(?!)/, 10_000).catch((e: Error) => e.message);
    assert.match(got, /connection closed/);
    assert.doesNotMatch(got, /f3 (OK|NO)/, 'no tagged reply inside the promised literal');
    // A new session still reads the intact message.
    const d = await signIn('alice@example.test', PASSWORD);
    await d.cmd('s SELECT INBOX', tagged('s'));
    assert.match(await d.cmd('f4 FETCH 1 BODY.PEEK[]', tagged('f4')), /an intact message[\s\S]*^f4 OK/m);
    d.close();
  });
});
