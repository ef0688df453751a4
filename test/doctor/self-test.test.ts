/**
 * The web self-tests against the real `outpost serve`: "Test my mail" (the server sends through its own submission
 * listener and finds the message in the INBOX; its one-off app password is gone afterwards) and "Test my program"
 * watching a message sent by a real client (swaks over implicit TLS) and fetched by another (imapflow over IMAPS).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { Browser } from '../http/client.js';
import { run } from '../smtp/kit.js';

interface StagesJson {
  token: string;
  done: boolean;
  stages: Array<{ key: string; done: boolean; text: string }>;
}

describe('web self-tests', () => {
  let d: TestDataDir;
  let serve: ServeProcess;
  let b: Browser;

  before(async () => {
    d = await makeDataDir();
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
    b = new Browser(`https://127.0.0.1:${d.ports.https}`);
    const page = await b.get('/signin');
    assert.equal((await b.post('/signin', { csrf: Browser.csrf(page.body), address: d.postmaster, password: d.postmasterPassword })).status, 303);
  });
  after(async () => {
    await serve.stop();
  });

  it('the account page links to the tests; they need a session', async () => {
    assert.match((await b.get('/account')).body, /href="\/account\/self-test" id="self-test-link"/);
    const stranger = new Browser(b.origin);
    assert.equal((await stranger.get('/account/self-test')).status, 303);
    assert.equal((await stranger.post('/account/self-test/mail', { csrf: 'x'.repeat(43) })).status, 403);
  });

  it('Test my mail: sent through our own submission port, found in the INBOX; the one-off app password is revoked', async () => {
    const page = await b.get('/account/self-test');
    const r = await b.post('/account/self-test/mail', { csrf: Browser.csrf(page.body) });
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, new RegExp(`Your mail works: the test message went through port ${d.ports.submissions} \\(SSL/TLS\\), was signed in and accepted, and was delivered into your INBOX after \\d+ ms\\.`));
    const account = await b.get('/account');
    assert.doesNotMatch(account.body, /self-test [0-9a-f]{8}<\/td>|self-test [0-9a-f]{8}</, 'no app password left behind');
  });

  it('Test my program: port, TLS, who signed in, delivered, then fetched over IMAP', async () => {
    const page = await b.get('/account/self-test');
    const token = /id="token"><strong>([A-Za-z0-9_-]+)</.exec(page.body)![1]!;
    const watch = async () => JSON.parse((await b.get(`/account/self-test/program?token=${token}&format=json`)).body) as StagesJson;
    const waiting = await watch();
    assert.deepEqual(waiting.stages.map((s) => s.done), [false, false, false]);
    const html = await b.get(`/account/self-test/program?token=${token}`);
    assert.equal(html.headers.refresh, '3', 'the page refreshes itself while waiting');

    const sent = await run('swaks', [
      '--server', `127.0.0.1:${d.ports.submissions}`, '--tlsc', '--ehlo', 'my-laptop.test',
      '--auth', 'PLAIN', '--auth-user', d.postmaster, '--auth-password', d.postmasterPassword,
      '--from', d.postmaster, '--to', d.postmaster, '--header', `Subject: testing my program ${token}`, '--body', 'hello',
    ]);
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    let s = await watch();
    for (let i = 0; i < 40 && !s.stages[0]!.done; i++) (await new Promise((r) => setTimeout(r, 250)), (s = await watch()));
    assert.equal(s.stages[0]!.done, true);
    assert.match(s.stages[0]!.text, new RegExp(`^Your program sent it on port ${d.ports.submissions}, with TLS \\(TLSv1\\.[23] \\S+\\), signed in as ${d.postmaster} with your password; the program calls itself "my-laptop\\.test"\\.$`));
    assert.match(s.stages[1]!.text, /^Delivered into INBOX at \d{4}-\d\d-\d\d /);
    assert.equal(s.stages[2]!.done, false);

    const client = new ImapFlow({ host: '127.0.0.1', port: d.ports.imaps, secure: true, auth: { user: d.postmaster, pass: d.postmasterPassword }, tls: { rejectUnauthorized: false }, logger: false });
    await client.connect();
    const lock = await client.getMailboxLock('INBOX');
    try {
      const uids = (await client.search({ subject: token }, { uid: true })) || [];
      assert.equal(uids.length, 1);
      for await (const m of client.fetch(uids, { source: true }, { uid: true })) assert.ok(m.source);
    } finally {
      lock.release();
      await client.logout();
    }
    for (let i = 0; i < 40 && !s.done; i++) (await new Promise((r) => setTimeout(r, 250)), (s = await watch()));
    assert.equal(s.done, true);
    assert.match(s.stages[2]!.text, new RegExp(`^Your program fetched mail over IMAP on port ${d.ports.imaps}, with TLS, at \\d{4}-\\d\\d-\\d\\d [\\d:]+ UTC(, and the message is marked as read)?\\.$`));
    const final = await b.get(`/account/self-test/program?token=${token}`);
    assert.equal(final.headers.refresh, undefined);
    assert.match(final.body, /<li class="done" id="stage-fetched">/);
  });
});
