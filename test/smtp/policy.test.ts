/**
 * Policy transcripts against the real server: AUTH only after TLS (loopback not exempt), AUTH before MAIL on
 * submission, no AUTH on the MX, relay refusals that say how to fix it (and the tricks that must not open a relay),
 * local recipients checked at RCPT, alias expansion, quota, sender ownership and its header tricks.
 */
import { waitForEvents } from '../kit/events.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient, message, sendMessage, signedIn, startSmtpServer, storeView, PASSWORD, type SmtpTestServer } from './kit.js';

let server: SmtpTestServer;
const plain = (user: string) => Buffer.from(`\0${user}\0${PASSWORD}`).toString('base64');

before(async () => {
  server = await startSmtpServer({ mailboxes: ['alice@example.test', 'bob@example.test', 'carol@example.test'] });
  for (const args of [
    ['alias', 'add', 'team@example.test', 'alice@example.test', 'bob@example.test'],
    ['alias', 'add', 'al@example.test', 'alice@example.test'],
    ['alias', 'add', 'fwd@example.test', 'someone@elsewhere.test'],
  ]) {
    const r = await server.cli(args);
    assert.equal(r.code, 0, r.stderr);
  }
});
after(async () => {
  await server.stop();
});

async function mx(): Promise<RawClient> {
  const c = await RawClient.open(server.port.mx);
  assert.match((await c.reply())!, /^220 mail\.example\.test /);
  assert.match((await c.cmd('EHLO client.test'))!, /^250/);
  return c;
}

describe('authentication', () => {
  it('587 before TLS: no AUTH advertised, AUTH refused with 538 5.7.11 (loopback is not exempt), MAIL with 530 5.7.0', async () => {
    const c = await RawClient.open(server.port.submission);
    await c.reply();
    const ehlo = (await c.cmd('EHLO client.test'))!;
    assert.match(ehlo, /STARTTLS/);
    assert.doesNotMatch(ehlo, /AUTH/);
    assert.match((await c.cmd(`AUTH PLAIN ${plain('alice@example.test')}`))!, /^538 5\.7\.11 /);
    assert.match((await c.cmd('AUTH LOGIN'))!, /^538 5\.7\.11 /);
    assert.match((await c.cmd('MAIL FROM:<alice@example.test>'))!, /^530 5\.7\.0 .*STARTTLS/);
    c.close();
    const events = await waitForEvents(server.dir, 'alice@example.test', (ev) => ev.some((e) => e.reason === 'plaintext-refused'));
    assert.ok(events.some((e) => e.reason === 'plaintext-refused' && !e.tls), 'the refused plaintext AUTH is in alice\'s event log');
  });

  it('587 after STARTTLS: AUTH advertised; MAIL before AUTH is 530 5.7.0; wrong password 535 5.7.8; then 235', async () => {
    const c = await RawClient.open(server.port.submission);
    await c.reply();
    await c.cmd('EHLO client.test');
    assert.match((await c.cmd('STARTTLS'))!, /^220 /);
    await c.upgrade();
    const ehlo = (await c.cmd('EHLO client.test'))!;
    assert.match(ehlo, /AUTH PLAIN LOGIN/);
    assert.doesNotMatch(ehlo, /STARTTLS/);
    assert.match((await c.cmd('MAIL FROM:<alice@example.test>'))!, /^530 5\.7\.0 authentication required/);
    assert.match((await c.cmd(`AUTH PLAIN ${Buffer.from('\0alice@example.test\0wrong password!').toString('base64')}`))!, /^535 5\.7\.8 /);
    assert.match((await c.cmd('AUTH LOGIN'))!, /^334 VXNlcm5hbWU6/);
    assert.match((await c.cmd(Buffer.from('alice@example.test').toString('base64')))!, /^334 UGFzc3dvcmQ6/);
    assert.match((await c.cmd(Buffer.from(PASSWORD).toString('base64')))!, /^235 2\.7\.0 /);
    assert.match((await c.cmd(`AUTH PLAIN ${plain('alice@example.test')}`))!, /^503 /);
    c.close();
  });

  it('the MX offers no AUTH and refuses it', async () => {
    const c = await RawClient.open(server.port.mx);
    await c.reply();
    assert.doesNotMatch((await c.cmd('EHLO client.test'))!, /AUTH/);
    assert.match((await c.cmd('STARTTLS'))!, /^220/);
    await c.upgrade();
    assert.doesNotMatch((await c.cmd('EHLO client.test'))!, /AUTH/);
    assert.match((await c.cmd(`AUTH PLAIN ${plain('alice@example.test')}`))!, /^502 5\.5\.1 /);
    c.close();
  });
});

describe('relay policy', () => {
  it('the MX refuses other domains with 554 5.7.1 saying how to fix it, and logs a local sender', async () => {
    const c = await mx();
    await c.cmd('MAIL FROM:<alice@example.test>');
    const r = (await c.cmd('RCPT TO:<bob@elsewhere.test>'))!;
    assert.match(r, /^554-5\.7\.1 relaying to <bob@elsewhere\.test> denied/);
    assert.match(r, new RegExp(`port ${server.port.submissions} \\(SSL/TLS\\)`));
    assert.match(r, new RegExp(`port ${server.port.submission} \\(STARTTLS\\)`));
    assert.match(r, /https:\/\/mail\.example\.test:\d+\/settings/);
    c.close();
  });

  for (const trick of [
    'bob%elsewhere.test@example.test',
    '"bob@elsewhere.test"@example.test',
    'elsewhere.test!bob@example.test',
    '@example.test:bob@elsewhere.test',
    'bob@[127.0.0.1]',
    'bob@[IPv6:::1]',
    'postmaster@elsewhere.test',
  ])
    it(`never opens a relay: ${trick}`, async () => {
      const c = await mx();
      await c.cmd('MAIL FROM:<x@sender.test>');
      assert.match((await c.cmd(`RCPT TO:<${trick}>`))!, /^(550 5\.1\.1|554[- ]5\.7\.1)/);
      c.close();
    });

  it('local recipients: unknown → 550 5.1.1 at RCPT; <Postmaster> and aliases accepted and expanded', async () => {
    const c = await mx();
    await c.cmd('MAIL FROM:<x@sender.test>');
    assert.match((await c.cmd('RCPT TO:<nobody@example.test>'))!, /^550 5\.1\.1 /);
    assert.match((await c.cmd('RCPT TO:<Postmaster>'))!, /^250 2\.1\.5/);
    assert.match((await c.cmd('RCPT TO:<TEAM@Example.Test>'))!, /^250 2\.1\.5/);
    assert.match((await c.cmd('RCPT TO:<fwd@example.test>'))!, /^250 2\.1\.5/);
    assert.match((await c.cmd('DATA'))!, /^354/);
    c.send(`${message('x@sender.test', 'team@example.test', 'to-the-team')}.\r\n`);
    assert.match((await c.reply())!, /^250 2\.0\.0 /);
    c.close();
    const view = await storeView(server.dir);
    try {
      for (const who of ['alice@example.test', 'bob@example.test'])
        assert.ok((await view.inbox(who)).some((e) => e.meta.subject === 'to-the-team'), `${who} got the alias copy`);
      assert.ok((await view.queue()).some((q) => q.rcptTo === 'someone@elsewhere.test'), 'the remote alias target is queued');
    } finally {
      await view.close();
    }
  });

  it('quota exceeded → 452 4.2.2 at RCPT', async () => {
    const c = await mx();
    assert.match((await sendMessage(c, 'x@sender.test', ['carol@example.test'], message('x@sender.test', 'carol@example.test', 'fill')))!, /^250/);
    const q = await server.cli(['account', 'quota', 'carol@example.test', '1']);
    assert.equal(q.code, 0, q.stderr);
    await c.cmd('MAIL FROM:<x@sender.test>');
    assert.match((await c.cmd('RCPT TO:<carol@example.test>'))!, /^452 4\.2\.2 /);
    c.close();
  });
});

describe('sender ownership (RFC 6409 §8.1)', () => {
  it('envelope: own address, own alias and <> accepted; someone else\'s refused with 550 5.7.1', async () => {
    const c = await signedIn(server.port.submissions);
    for (const ok of ['alice@example.test', 'ALICE@example.test', 'al@example.test', '']) {
      assert.match((await c.cmd(`MAIL FROM:<${ok}>`))!, /^250 /, ok);
      await c.cmd('RSET');
    }
    assert.match((await c.cmd('MAIL FROM:<bob@example.test>'))!, /^550 5\.7\.1 .*not yours/);
    assert.match((await c.cmd('MAIL FROM:<alice@elsewhere.test>'))!, /^550 5\.7\.1 /);
    c.close();
  });

  const tricks: Array<[string, string]> = [
    ['someone else', 'From: bob@example.test'],
    ['two From fields', 'From: alice@example.test\r\nFrom: bob@example.test'],
    ['an address in the display name', 'From: "alice@example.test" <bob@example.test>'],
    ['several addresses', 'From: alice@example.test, bob@example.test'],
    ['an encoded word hiding an address', 'From: =?utf-8?q?alice=40example=2Etest?= <bob@example.test>'],
    ['a Sender that is not ours', 'From: alice@example.test\r\nSender: bob@example.test'],
    ['no From at all', 'Subject: nothing'],
  ];
  for (const [what, header] of tricks)
    it(`header trick refused with 550 5.7.1: ${what}`, async () => {
      const c = await signedIn(server.port.submissions);
      const r = await sendMessage(c, 'alice@example.test', ['bob@example.test'], `${header}\r\nTo: bob@example.test\r\nSubject: trick\r\n\r\nbody\r\n`);
      assert.match(r!, /^550 5\.7\.1 /);
      c.close();
    });

  it('an accepted submission loses Bcc and Return-Path and gains Message-ID and Date', async () => {
    const c = await signedIn(server.port.submissions);
    const msg = 'Return-Path: <evil@x.test>\r\nFrom: Alice <al@example.test>\r\nTo: bob@example.test\r\nBcc: secret@example.test\r\nSubject: clean\r\n\r\nbody\r\n';
    assert.match((await sendMessage(c, 'alice@example.test', ['bob@example.test'], msg))!, /^250 /);
    c.close();
    const view = await storeView(server.dir);
    try {
      const e = (await view.inbox('bob@example.test')).find((x) => x.meta.subject === 'clean')!;
      const raw = await view.raw(e);
      assert.doesNotMatch(raw, /^Bcc:/im);
      assert.doesNotMatch(raw, /^Return-Path:/im);
      assert.match(raw, /^Message-ID: <.+@example\.test>/im);
      assert.match(raw, /^Date: /im);
      assert.match(raw, /with ESMTPSA/);
    } finally {
      await view.close();
    }
  });
});
