/**
 * Inbound checks in the real MX: a real `outpost serve` whose [dns] points at a loopback DNS server, mail sent with
 * Python smtplib, results read from the store. DMARC p=reject is refused at DATA; p=quarantine lands in Junk;
 * authenticated mail lands in INBOX with our Authentication-Results; a forged one in our name is removed.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDnsServer, type TestDnsServer } from '../kit/dns-server.js';
import { makeDataDir, editConfig, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { python } from '../kit/python.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const SEND = `
import smtplib, sys
port, sender, rcpt, raw = sys.argv[1:5]
s = smtplib.SMTP('127.0.0.1', int(port))
s.ehlo('mail.sender.test')
try:
    s.sendmail(sender, [rcpt], raw.replace('\\n', '\\r\\n'))
    print('250')
except smtplib.SMTPDataError as e:
    print(e.smtp_code, e.smtp_error.decode())
s.quit()
`;

describe('inbound checks in the MX', () => {
  let dns: TestDnsServer;
  let d: TestDataDir;
  let serve: ServeProcess;

  const send = async (from: string, extraHeaders = '') => {
    const raw = `From: ${from}\nTo: alice@example.test\nSubject: from ${from}\nMessage-ID: <${Date.now()}.${Math.random()}@x>\n${extraHeaders}\nhello\n`;
    const r = await python(SEND, [String(d.ports.mx), from, 'alice@example.test', raw]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const folder = async (name: string) => {
    const store = openSqliteStore({ path: join(d.dir, 'outpost.db') });
    try {
      const m = (await store.getMailbox('alice@example.test'))!;
      const f = (await store.getFolder(m.id, name))!;
      const entries = await store.listEntries(f.id);
      return Promise.all(entries.map(async (e) => (await store.blobs.get(e.blobId))!.toString()));
    } finally {
      await store.close();
    }
  };

  before(async () => {
    dns = await startDnsServer({
      records: {
        'good.test': [{ type: 'TXT', data: 'v=spf1 ip4:127.0.0.1 -all' }],
        '_dmarc.good.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject' }],
        'strict.test': [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' }],
        '_dmarc.strict.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject' }],
        'careful.test': [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' }],
        '_dmarc.careful.test': [{ type: 'TXT', data: 'v=DMARC1; p=quarantine' }],
      },
    });
    d = await makeDataDir({ dns: [dns.server] });
    editConfig(d.dir, (t) => `${t}\n[inbound]\ndmarc_reject = "reject"\n`);
    assert.equal((await outpost(['--data', d.dir, 'account', 'add', 'alice@example.test', '--password-stdin'], { stdin: 'a long good passphrase\n' })).code, 0);
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
  });
  after(async () => {
    await serve.stop();
    await dns.close();
  });

  it('delivers authenticated mail to INBOX with Authentication-Results and removes a forged one in our name', async () => {
    const reply = await send('bob@good.test', 'Authentication-Results: mail.example.test; dmarc=pass header.from=bank.test\n');
    assert.equal(reply, '250');
    const inbox = await folder('INBOX');
    assert.equal(inbox.length, 1);
    assert.match(inbox[0]!, /^Received: from mail\.sender\.test/);
    assert.match(inbox[0]!, /Authentication-Results: mail\.example\.test;\r\n /);
    assert.match(inbox[0]!, /spf=pass/);
    assert.match(inbox[0]!, /dmarc=pass/);
    assert.match(inbox[0]!, /X-Spam: No/);
    assert.doesNotMatch(inbox[0]!, /header\.from=bank\.test/, 'the forged result is gone');
    assert.ok(dns.queries.some((q) => q.name === '_dmarc.good.test'), 'DMARC was looked up through our DNS server');
  });

  it('refuses a DMARC failure under p=reject with 550 5.7.1 at DATA', async () => {
    const reply = await send('ceo@strict.test');
    assert.match(reply, /^550 5\.7\.1 Message refused: the domain strict\.test publishes a DMARC policy of reject/);
    assert.equal((await folder('INBOX')).filter((m) => m.includes('ceo@strict.test')).length, 0);
  });

  it('files a DMARC failure under p=quarantine in Junk', async () => {
    assert.equal(await send('x@careful.test'), '250');
    const junk = await folder('Junk');
    assert.equal(junk.length, 1);
    assert.match(junk[0]!, /X-Spam: Yes/);
    assert.match(junk[0]!, /DMARC_QUARANTINE/);
  });
});
