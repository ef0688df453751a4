/**
 * POP3 and IMAP on one mailbox: after a POP3 DELE + QUIT (RFC 1939 §6 UPDATE), an IMAP session that has INBOX
 * selected is told with an untagged EXPUNGE at its next command, and a new IMAP session no longer sees the message.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { python, SEND_VIA_MX } from '../kit/python.js';
import { LineClient } from '../kit/tcp.js';

const PASSWORD = 'a long good passphrase';
const tagged = (tag: string) => new RegExp(`^${tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n`, 'm');

const POP_DELETE_FIRST = `
import poplib, ssl, sys
port, user, password = sys.argv[1:4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3_SSL('127.0.0.1', int(port), context=ctx)
p.user(user); p.pass_(password)
print(p.stat()[0])
p.dele(1)
p.quit()
`;

describe('IMAP view after POP3 deletions', () => {
  let d: TestDataDir;
  let serve: ServeProcess;

  before(async () => {
    d = await makeDataDir();
    assert.equal((await outpost(['--data', d.dir, 'account', 'add', 'alice@example.test', '--password-stdin'], { stdin: `${PASSWORD}\n` })).code, 0);
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
  });
  after(async () => {
    assert.equal(await serve.stop(), 0);
  });

  it('POP3 DELE + QUIT → untagged EXPUNGE in the selected IMAP session, gone for new sessions', async () => {
    for (const subject of ['first', 'second']) {
      const r = await python(SEND_VIA_MX, [String(d.ports.mx), 'bob@remote.test', 'alice@example.test', subject, 'body']);
      assert.equal(r.code, 0, r.stderr);
    }
    const imap = await LineClient.open(d.ports.imaps, true);
    await imap.read(/^\* OK .*\r\n/);
    assert.match(await imap.cmd(`a LOGIN alice@example.test "${PASSWORD}"`, tagged('a')), /^a OK/m);
    assert.match(await imap.cmd('b SELECT INBOX', tagged('b')), /^\* 2 EXISTS\r\n/m);

    const pop = await python(POP_DELETE_FIRST, [String(d.ports.pop3s), 'alice@example.test', PASSWORD]);
    assert.equal(pop.code, 0, pop.stderr);
    assert.equal(pop.stdout.trim(), '2');

    assert.match(await imap.cmd('c NOOP', tagged('c')), /^\* 1 EXPUNGE\r\nc OK/m);
    assert.match(await imap.cmd('d FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])', tagged('d')), /^\* 1 FETCH \(UID 2 BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}\r\nSubject: second\r\n/m);
    imap.close();

    const fresh = await LineClient.open(d.ports.imaps, true);
    await fresh.read(/^\* OK .*\r\n/);
    await fresh.cmd(`a LOGIN alice@example.test "${PASSWORD}"`, tagged('a'));
    const sel = await fresh.cmd('b SELECT INBOX', tagged('b'));
    assert.match(sel, /^\* 1 EXISTS\r\n/m);
    assert.match(sel, /\[UIDNEXT 3\]/, 'UIDs are never reused');
    fresh.close();
  });
});
