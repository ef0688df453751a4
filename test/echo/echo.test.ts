/**
 * The echo address against the real `outpost serve`: a signed-in user gets the report in their INBOX, a sender
 * that SPF authenticates gets it through the outbound queue; RFC 3834 refusals (`<>`, automatic mail, lists),
 * unauthenticated senders and the per-sender rate limit get nothing (and the log says why).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { editConfig, makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { startDnsServer, type TestDnsServer } from '../kit/dns-server.js';
import { outpost } from '../kit/cli.js';
import { freePort } from '../kit/ports.js';
import { PASSWORD, RawClient, sendMessage, signedIn, storeView } from '../smtp/kit.js';
import { doctorLimits } from '../../src/lib/limits.js';
import type { MessageEntry } from '../../src/store/types.js';

const ECHO = 'echo@example.test';

describe('the echo address', () => {
  let dns: TestDnsServer;
  let d: TestDataDir;
  let serve: ServeProcess;

  before(async () => {
    dns = await startDnsServer({
      records: {
        'sender.test': [{ type: 'TXT', data: 'v=spf1 ip4:127.0.0.1 -all' }],
        'forged.test': [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' }],
      },
    });
    d = await makeDataDir({ dns: [dns.server] });
    const closed = await freePort(); // replies to sender.test wait in the queue (the "remote MX" does not answer)
    editConfig(d.dir, (t) => `${t}\n[routes]\n"sender.test" = "127.0.0.1:${closed}"\n"forged.test" = "127.0.0.1:${closed}"\n`);
    for (const m of ['alice@example.test', 'carol@example.test']) {
      const r = await outpost(['--data', d.dir, 'account', 'add', m, '--password-stdin'], { stdin: `${PASSWORD}\n` });
      assert.equal(r.code, 0, r.stderr);
    }
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
  });
  after(async () => {
    await serve.stop();
    await dns.close();
  });

  const skipped = () => serve.logs().filter((l) => l.msg === 'echo.skipped');

  async function fromMx(mailFrom: string, headers: string, subject: string): Promise<string | null> {
    const c = await RawClient.open(d.ports.mx);
    await c.reply();
    await c.cmd('EHLO client.sender.test');
    const from = mailFrom || 'someone@sender.test';
    const r = await sendMessage(c, mailFrom, [ECHO], `From: <${from}>\r\nTo: <${ECHO}>\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@sender.test>\r\n${headers}\r\nHello echo.\r\n`);
    c.close();
    return r;
  }

  it('answers a signed-in user in their INBOX with the report: port, TLS, sign-in, client IP, size, Received chain', async () => {
    const c = await signedIn(d.ports.submissions, 'alice@example.test');
    const r = await sendMessage(c, 'alice@example.test', [ECHO], 'From: alice@example.test\r\nTo: echo@example.test\r\nSubject: how did this arrive\r\n\r\nHello echo.\r\n');
    c.close();
    assert.match(r ?? '', /^250 /);
    const view = await storeView(d.dir);
    try {
      const entries = await view.inbox('alice@example.test');
      assert.equal(entries.length, 1);
      const raw = await view.raw(entries[0]!);
      assert.match(raw, /^From: Echo service <echo@example\.test>\r$/m);
      assert.match(raw, /^Subject: Echo: how did this arrive\r$/m);
      assert.match(raw, /^Auto-Submitted: auto-replied\r$/m);
      assert.match(raw, new RegExp(`^Port: +${d.ports.submissions} \\(message submission over implicit TLS`, 'm'));
      assert.match(raw, /^TLS: +TLSv1\.[23], cipher \S+/m);
      assert.match(raw, /^Signed in: +yes, as alice@example\.test\r$/m);
      assert.match(raw, /^Client address: +127\.0\.0\.1\r$/m);
      assert.match(raw, /^Client name: +client\.test\r$/m);
      assert.match(raw, /^Size: +\d+ bytes\r$/m);
      assert.match(raw, /^SPF\/DKIM\/DMARC: +not checked: you signed in/m);
      assert.match(raw, /^Received chain \(1 hop, newest first\):\r\n {2}1\. from client\.test .*by mail\.example\.test with ESMTPSA/m);
    } finally {
      await view.close();
    }
  });

  it('answers a sender that SPF authenticates, through the queue, with a null envelope sender', async () => {
    assert.match((await fromMx('bob@sender.test', 'Received: from origin.sender.test by relay.sender.test; Sat, 28 Nov 2026 23:00:00 +0000\r\n', 'spf aligned')) ?? '', /^250 /);
    const view = await storeView(d.dir);
    try {
      const q = (await view.queue()).filter((e) => e.rcptTo === 'bob@sender.test');
      assert.equal(q.length, 1);
      assert.equal(q[0]!.mailFrom, '');
      const raw = await view.raw({ blobId: q[0]!.blobId! } as MessageEntry);
      assert.match(raw, /^In-Reply-To: <spfaligned@sender\.test>\r$/m);
      assert.match(raw, new RegExp(`^Port: +${d.ports.mx} \\(the MX: the port for other mail servers`, 'm'));
      assert.match(raw, /^TLS: +none/m);
      assert.match(raw, /^Signed in: +no\r$/m);
      assert.match(raw, /^SPF: +pass\r$/m);
      assert.match(raw, /^DKIM: +none \(not signed\)\r$/m);
      assert.match(raw, /^Received chain \(2 hops, newest first\):/m);
      assert.match(raw, /^ {2}2\. from origin\.sender\.test by relay\.sender\.test/m);
      assert.match(raw, /\[\+[\d.]+ (ms|s|min) since the previous hop\]/);
    } finally {
      await view.close();
    }
  });

  it('never answers <>, automatic mail, lists, or senders nothing authenticates (no backscatter)', async () => {
    const before = skipped().length;
    assert.match((await fromMx('', '', 'null sender')) ?? '', /^250 /);
    assert.match((await fromMx('bob@sender.test', 'Auto-Submitted: auto-generated\r\n', 'automatic')) ?? '', /^250 /);
    assert.match((await fromMx('bob@sender.test', 'Precedence: bulk\r\n', 'bulk')) ?? '', /^250 /);
    assert.match((await fromMx('bob@sender.test', 'List-Id: <news.sender.test>\r\n', 'list')) ?? '', /^250 /);
    assert.match((await fromMx('mailer-daemon@sender.test', '', 'daemon')) ?? '', /^250 /);
    assert.match((await fromMx('victim@unsigned.test', '', 'no spf at all')) ?? '', /^250 /);
    assert.match((await fromMx('victim@forged.test', '', 'spf fails')) ?? '', /^(250|550) /);
    const reasons = skipped().slice(before).map((l) => l.reason);
    assert.deepEqual(reasons.slice(0, 6), ['null-sender', 'auto-submitted', 'list-or-bulk', 'list-or-bulk', 'automatic-sender', 'unauthenticated']);
    const view = await storeView(d.dir);
    try {
      const q = await view.queue();
      assert.deepEqual(q.map((e) => e.rcptTo), ['bob@sender.test'], 'only the authenticated sender got a reply');
    } finally {
      await view.close();
    }
  });

  it(`answers one sender at most ${doctorLimits.echoRepliesPerHour} times an hour`, async () => {
    const c = await signedIn(d.ports.submissions, 'carol@example.test');
    for (let i = 0; i <= doctorLimits.echoRepliesPerHour; i++) {
      const r = await sendMessage(c, 'carol@example.test', [ECHO], `From: carol@example.test\r\nTo: echo@example.test\r\nSubject: echo ${i}\r\n\r\nHello.\r\n`);
      assert.match(r ?? '', /^250 /);
    }
    c.close();
    const view = await storeView(d.dir);
    try {
      assert.equal((await view.inbox('carol@example.test')).length, doctorLimits.echoRepliesPerHour);
    } finally {
      await view.close();
    }
    assert.ok(skipped().some((l) => l.reason === 'rate-limited' && l.mailFrom === 'carol@example.test'));
  });

  it('only the echo local part is special: other unknown addresses still get 550 at RCPT', async () => {
    const c = await signedIn(d.ports.submissions, 'alice@example.test');
    assert.match((await sendMessage(c, 'alice@example.test', ['echo2@example.test'], 'Subject: x\r\n\r\nx\r\n')) ?? '', /^550 5\.1\.1 /);
    c.close();
  });
});
