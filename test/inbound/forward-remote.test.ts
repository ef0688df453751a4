/**
 * Forwarding to a remote MX for real: a mailbox forwards to bob@remote.test, served by a private Postfix on loopback
 * found through the test DNS server. Postfix receives the message with our SRS envelope sender.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { startDnsServer, type TestDnsServer } from '../kit/dns-server.js';
import { freePort } from '../kit/ports.js';
import { outpost } from '../kit/cli.js';
import { python } from '../kit/python.js';
import { startPostfix, type PostfixInstance } from '../queue/postfix.js';

describe('forwarding to a remote MX (Postfix)', { timeout: 90_000 }, () => {
  let dns: TestDnsServer;
  let postfix: PostfixInstance;
  let d: TestDataDir;
  let serve: ServeProcess;

  before(async () => {
    dns = await startDnsServer({
      records: {
        'remote.test': [{ type: 'MX', priority: 10, exchange: 'mx.remote.test' }],
        'mx.remote.test': [{ type: 'A', address: '127.0.0.1' }],
      },
    });
    d = await makeDataDir({ dns: [dns.server] });
    postfix = startPostfix({ port: await freePort() });
    appendFileSync(join(d.dir, 'outpost.toml'), `\n[queue]\nsmtp_port = ${postfix.port}\npoll_interval = "200ms"\nretry_first = "1s"\nretry_max = "2s"\n`);
    assert.equal((await outpost(['--data', d.dir, 'account', 'add', 'alice@example.test', '--password-stdin'], { stdin: 'a long good passphrase\n' })).code, 0);
    assert.equal((await outpost(['--data', d.dir, 'account', 'forward', 'alice@example.test', 'bob@remote.test', '--no-keep'])).code, 0);
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
  });
  after(async () => {
    await serve?.stop();
    postfix?.stop();
    await dns?.close();
  });

  it('delivers the forwarded message to the remote MX with an SRS envelope sender', async () => {
    const send = `import smtplib; s=smtplib.SMTP('127.0.0.1', ${d.ports.mx}); s.ehlo('mail.sender.test'); s.sendmail('carol@sender.test', ['alice@example.test'], b'From: carol@sender.test\\r\\nTo: alice@example.test\\r\\nSubject: forward me\\r\\nMessage-ID: <fwd1@sender.test>\\r\\n\\r\\nhello\\r\\n'); s.quit()`;
    const r = await python(send);
    assert.equal(r.code, 0, r.stderr);
    let got: string[] = [];
    for (let i = 0; i < 150 && got.length === 0; i++) {
      got = postfix.delivered().filter((m) => m.includes('Subject: forward me'));
      if (got.length === 0) await new Promise((res) => setTimeout(res, 200));
    }
    assert.equal(got.length, 1, `Postfix received the forwarded message; its log:\n${postfix.log().slice(-2000)}`);
    assert.match(got[0]!, /^Return-Path: <SRS0=[^=]{4}=[A-Z2-7]{2}=sender\.test=carol@example\.test>/m);
    assert.match(got[0]!, /Authentication-Results: mail\.example\.test;/, 'our inbound verdict travels with it');
  });
});
