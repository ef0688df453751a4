/**
 * Hostile input against the real server: SMTP smuggling (every bare-LF/bare-CR end-of-data variant stays inside
 * one message), STARTTLS command injection (CVE-2011-0411), line and size limits, the recipient limit, the error
 * budget, HTTP and TLS spoken to a plain-text port, hop count, SMTPUTF8 and unknown parameters, BDAT.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient, message, sendMessage, startSmtpServer, storeView, type SmtpTestServer } from './kit.js';

let server: SmtpTestServer;

before(async () => {
  server = await startSmtpServer({ smtp: ['max_message_size = "64K"', 'max_received_headers = 10'], mailboxes: ['alice@example.test', 'bob@example.test'] });
});
after(async () => {
  await server.stop();
});

async function mx(): Promise<RawClient> {
  const c = await RawClient.open(server.port.mx);
  await c.reply();
  await c.cmd('EHLO client.test');
  return c;
}

async function subjects(who: string): Promise<string[]> {
  const view = await storeView(server.dir);
  try {
    return (await view.inbox(who)).map((e) => e.meta.subject ?? '');
  } finally {
    await view.close();
  }
}

describe('SMTP smuggling: only CRLF.CRLF ends DATA', () => {
  const variants: Record<string, string> = {
    'LF.LF': '\n.\n',
    'CR.CR': '\r.\r',
    'LF.CRLF': '\n.\r\n',
    'CRLF.LF': '\r\n.\n',
    'CR.LF': '\r.\n',
    'CRLF.CR': '\r\n.\r',
  };
  for (const [name, end] of Object.entries(variants))
    it(`${name} stays inside the message; the smuggled commands never run`, async () => {
      const c = await mx();
      await c.cmd('MAIL FROM:<x@sender.test>');
      await c.cmd('RCPT TO:<alice@example.test>');
      assert.match((await c.cmd('DATA'))!, /^354/);
      const smuggled = `MAIL FROM:<evil@sender.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled-${name}\r\n\r\nevil\r\n`;
      c.send(`Subject: carrier-${name}\r\n\r\nhello${end}${smuggled}\r\n.\r\n`);
      assert.match((await c.reply())!, /^250 2\.0\.0 /);
      assert.match((await c.cmd('NOOP'))!, /^250 /, 'the next reply answers our NOOP: nothing smuggled was executed');
      c.close();
      assert.ok((await subjects('alice@example.test')).includes(`carrier-${name}`));
      assert.ok(!(await subjects('bob@example.test')).includes(`smuggled-${name}`), 'no second message');
      const view = await storeView(server.dir);
      const e = (await view.inbox('alice@example.test')).find((x) => x.meta.subject === `carrier-${name}`)!;
      const raw = await view.raw(e);
      await view.close();
      assert.match(raw, /evil@sender\.test/, 'the smuggled text is body content');
      assert.doesNotMatch(raw.replace(/\r\n/g, ''), /[\r\n]/, 'bare CR and LF were normalised to CRLF');
    });
});

describe('STARTTLS command injection (RFC 3207 §4.2)', () => {
  it('commands pipelined behind STARTTLS in the same packet are discarded, never answered', async () => {
    const c = await RawClient.open(server.port.mx);
    await c.reply();
    await c.cmd('EHLO client.test');
    c.send('STARTTLS\r\nMAIL FROM:<injected@sender.test>\r\nRCPT TO:<alice@example.test>\r\n');
    assert.match((await c.reply())!, /^220 /);
    await c.upgrade();
    const first = (await c.cmd('EHLO client.test'))!;
    assert.match(first, /^250-mail\.example\.test/, `the first reply after TLS answers EHLO, got ${first}`);
    assert.match((await c.cmd('MAIL FROM:<x@sender.test>'))!, /^250 2\.1\.0/, 'no transaction was started by the injected MAIL');
    c.close();
  });
});

describe('limits', () => {
  it('a command line over the limit gets 500 and the session goes on', async () => {
    const c = await mx();
    assert.match((await c.cmd(`NOOP ${'x'.repeat(5000)}`))!, /^500 5\.5\.2 line too long/);
    assert.match((await c.cmd('NOOP'))!, /^250/);
    c.close();
  });

  it('SIZE up front: 552 5.3.4 at MAIL; and the EHLO advertises the limit', async () => {
    const c = await RawClient.open(server.port.mx);
    await c.reply();
    assert.match((await c.cmd('EHLO client.test'))!, /250-SIZE 65536/);
    assert.match((await c.cmd('MAIL FROM:<x@sender.test> SIZE=100000'))!, /^552 5\.3\.4 /);
    c.close();
  });

  it('too big while reading: the data is read to the end, then 552 5.3.4, and the session stays in sync', async () => {
    const c = await mx();
    const r = await sendMessage(c, 'x@sender.test', ['alice@example.test'], message('x@sender.test', 'alice@example.test', 'huge', 'y'.repeat(900) + '\r\n'.repeat(1) + ('z'.repeat(998) + '\r\n').repeat(80)));
    assert.match(r!, /^552 5\.3\.4 /);
    assert.match((await c.cmd('NOOP'))!, /^250/);
    c.close();
  });

  it('the 101st recipient gets 452 4.5.3 (pipelined)', async () => {
    const c = await mx();
    c.send('MAIL FROM:<x@sender.test>\r\n' + Array.from({ length: 101 }, () => 'RCPT TO:<alice@example.test>\r\n').join(''));
    assert.match((await c.reply())!, /^250/);
    for (let i = 0; i < 100; i++) assert.match((await c.reply())!, /^250 2\.1\.5/);
    assert.match((await c.reply())!, /^452 4\.5\.3 /);
    c.close();
  });

  it('the error budget: after too many bad commands, 421 and the connection closes', async () => {
    const c = await mx();
    let last: string | null = '';
    for (let i = 0; i < 20 && !c.closed; i++) {
      last = await c.cmd('BOGUS');
      if (last?.startsWith('421')) break;
    }
    assert.match(last ?? '', /421 4\.7\.0 too many errors/);
    assert.ok(await c.closedWithin(2000));
  });

  it('a message with too many Received headers is refused as a loop: 554 5.4.6', async () => {
    const c = await mx();
    const hops = Array.from({ length: 11 }, (_, i) => `Received: from hop${i}.test by hop${i + 1}.test; Mon, 1 Jan 2024 00:00:00 +0000\r\n`).join('');
    const r = await sendMessage(c, 'x@sender.test', ['alice@example.test'], `${hops}${message('x@sender.test', 'alice@example.test', 'loop')}`);
    assert.match(r!, /^554 5\.4\.6 /);
    c.close();
  });

  it('non-ASCII addresses need SMTPUTF8 (550/553 5.6.7); unknown parameters get 555', async () => {
    const c = await mx();
    assert.match((await c.cmd('MAIL FROM:<jörg@sender.test>'))!, /^550 5\.6\.7 /);
    assert.match((await c.cmd('MAIL FROM:<x@sender.test> FOO=BAR'))!, /^555 /);
    assert.match((await c.cmd('MAIL FROM:<x@sender.test>'))!, /^250/);
    assert.match((await c.cmd('RCPT TO:<jörg@example.test>'))!, /^553 5\.6\.7 /);
    c.close();
  });
});

describe('hang-ups', () => {
  it('an HTTP request on the port: the connection is closed', async () => {
    const c = await RawClient.open(server.port.mx);
    await c.reply();
    c.send('GET / HTTP/1.1\r\nHost: mail.example.test\r\n\r\n');
    assert.ok(await c.closedWithin(3000), 'closed');
  });

  it('a TLS handshake on the plain-text port: the connection is closed', async () => {
    const c = await RawClient.open(server.port.submission);
    await c.reply();
    c.send(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00, 0x0d, 0x0a]));
    assert.ok(await c.closedWithin(3000), 'closed');
  });
});

describe('CHUNKING (RFC 3030)', () => {
  it('BDAT delivers a message in chunks; BDAT outside a transaction is read and refused, its bytes never run as commands', async () => {
    const c = await mx();
    const payload = 'RCPT TO:<bob@example.test>\r\n';
    c.send(`BDAT ${payload.length} LAST\r\n${payload}`);
    assert.match((await c.reply())!, /^503 /);
    assert.match((await c.cmd('MAIL FROM:<x@sender.test>'))!, /^250/);
    assert.match((await c.cmd('RCPT TO:<alice@example.test>'))!, /^250/);
    const part1 = 'Subject: chunked\r\n';
    const part2 = '\r\nin two chunks\r\n';
    c.send(`BDAT ${part1.length}\r\n${part1}`);
    assert.match((await c.reply())!, /^250 /);
    c.send(`BDAT ${part2.length} LAST\r\n${part2}`);
    assert.match((await c.reply())!, /^250 2\.0\.0 /);
    c.close();
    assert.ok((await subjects('alice@example.test')).includes('chunked'));
  });
});
