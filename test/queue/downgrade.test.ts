/**
 * 8BITMIME negotiation (RFC 6152 §3): the 7-bit conversion itself (its result decoded by Python's email package, an
 * independent MIME reader, must equal the original part by part), and the queue sending to a scripted server
 * without 8BITMIME — converted, then DKIM-signed (dkimpy verifies what the server received), or bounced 5.6.7 when
 * the header fields are 8-bit.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { downgradeTo7bit, encodeQuotedPrintable } from '../../src/queue/downgrade.js';
import { dkimRecord } from '../../src/queue/dkim.js';
import { join } from 'node:path';
import { DOMAIN, dkimpyVerifyAll, inboxMessages, queueHarness, reportParts, startScriptedSmtp, type QueueHarness } from './kit.js';

const crlf = (s: string): string => s.replace(/\r?\n/g, '\r\n');
const eightBit = (b: Buffer | string): boolean => [...Buffer.from(b as string, typeof b === 'string' ? 'latin1' : undefined)].some((c) => c > 0x7f);

/** Python's email package: each leaf part's content type and decoded payload (hex), in order. */
function decodedParts(raw: Buffer): Array<[string, string]> {
  const script = [
    'import sys, json, email, email.policy',
    'm = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.compat32)',
    'out = []',
    'for p in m.walk():',
    '    if p.is_multipart(): continue',
    '    if p.get_content_type() == "message/rfc822": continue',
    '    out.append([p.get_content_type(), (p.get_payload(decode=True) or b"").hex()])',
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: raw }).toString()) as Array<[string, string]>;
}

const SIMPLE = crlf(`From: a@example.test\nTo: b@remote.test\nSubject: plain\n\nGrüße aus Köln, = and a trailing space \n${'é'.repeat(60)}\n.dot\n`);
const MULTI = crlf(
  [
    'From: a@example.test',
    'To: b@remote.test',
    'Subject: multi',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    'preamble',
    '--outer',
    'Content-Type: multipart/alternative; boundary=inner',
    '',
    '--inner',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Ça va très bien.',
    '--inner',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>ascii only</p>',
    '--inner--',
    '--outer',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: 8bit',
    '',
    'bin\xff\xfe\x80data',
    '--outer',
    'Content-Type: message/rfc822',
    'Content-Transfer-Encoding: 8bit',
    '',
    'From: c@example.test',
    'Subject: inner',
    'Content-Type: text/plain; charset=iso-8859-1',
    '',
    'Na\xefve caf\xe9',
    '--outer--',
    'epilogue',
    '',
  ].join('\n'),
);

describe('7-bit conversion (RFC 6152 §3, RFC 2045 §6)', () => {
  it('encodes an 8-bit text body as quoted-printable, adding the MIME fields', () => {
    const raw = Buffer.from(SIMPLE);
    const d = downgradeTo7bit(raw);
    assert.equal(d.kind, 'converted');
    const out = (d as { raw: Buffer }).raw;
    assert.equal(eightBit(out), false);
    const text = out.toString('latin1');
    assert.match(text, /^Content-Transfer-Encoding: quoted-printable\r\nMIME-Version: 1\.0\r\n\r\n/m);
    assert.match(text, /Gr=C3=BC=C3=9Fe aus K=C3=B6ln, =3D and a trailing space=20\r\n/);
    assert.ok(text.split('\r\n').every((l) => l.length <= 76), 'lines of at most 76 characters');
    assert.match(text, /\r\n\.dot\r\n$/);
    assert.deepEqual(decodedParts(out), decodedParts(raw), 'Python decodes the same content');
  });

  it('converts every 8-bit part of a nested multipart (base64 for non-text), leaving 7-bit parts and delimiters alone', () => {
    const raw = Buffer.from(MULTI, 'latin1');
    const out = (downgradeTo7bit(raw) as { raw: Buffer }).raw;
    const text = out.toString('latin1');
    assert.equal(eightBit(out), false);
    assert.match(text, /Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=C7a va tr=E8s bien\./);
    assert.match(text, /Content-Type: text\/html; charset=utf-8\r\n\r\n<p>ascii only<\/p>\r\n--inner--/);
    assert.match(text, /Content-Type: application\/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nYmlu\/\/6AZGF0YQ==\r\n/);
    assert.match(text, /Content-Type: message\/rfc822\r\nContent-Transfer-Encoding: 7bit\r\n\r\nFrom: c@example\.test/);
    assert.match(text, /Na=EFve caf=E9/);
    assert.match(text, /\r\npreamble\r\n--outer\r\n/);
    assert.match(text, /--outer--\r\nepilogue\r\n$/);
    assert.deepEqual(decodedParts(out), decodedParts(raw));
  });

  it('returns a 7-bit message unchanged', () => {
    const raw = Buffer.from(crlf('Subject: x\n\nascii\n'));
    assert.deepEqual((downgradeTo7bit(raw) as { raw: Buffer }).raw, raw);
  });

  it('cannot convert 8-bit header fields', () => {
    const d = downgradeTo7bit(Buffer.from(crlf('Subject: grüße\n\nbody ü\n')));
    assert.deepEqual(d, { kind: 'impossible', reason: 'its header fields contain 8-bit characters (non-ASCII text outside encoded words)' });
    const part = downgradeTo7bit(Buffer.from(crlf('Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; name="ü.txt"\n\nü\n--b--\n')));
    assert.equal(part.kind, 'impossible');
  });

  it('on the shared MIME corpus: converted messages are 7-bit and decode (Python) to the same parts; 7-bit ones are untouched', () => {
    const dir = '/work/shared/corpus/mime';
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.eml'))) {
      const raw = Buffer.from(readFileSync(join(dir, name), 'latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
      const d = downgradeTo7bit(raw);
      if (d.kind === 'impossible') {
        assert.match(d.reason, /8-bit/, name);
        continue;
      }
      assert.equal(eightBit(d.raw), false, name);
      if (!eightBit(raw)) assert.ok(d.raw.equals(raw), `${name}: unchanged`);
      else assert.deepEqual(decodedParts(d.raw), decodedParts(raw), name);
    }
  });

  it('never throws on mangled input (random truncation and 8-bit noise); a conversion is always 7-bit', () => {
    const base = Buffer.from(MULTI, 'latin1');
    for (let i = 0; i < 300; i++) {
      const cut = base.subarray(0, Math.floor(Math.random() * base.length));
      const noise = Buffer.from(cut);
      for (const b of randomBytes(4)) noise[b % Math.max(1, noise.length)] = 0x80 | b;
      for (const input of [cut, noise]) {
        const d = downgradeTo7bit(input);
        if (d.kind === 'converted') assert.equal(eightBit(d.raw), false);
      }
    }
  });

  it('soft-breaks long lines without splitting an escape', () => {
    for (let n = 70; n < 80; n++) {
      const line = 'a'.repeat(n) + '\xe9\xe9' + 'b'.repeat(100);
      const enc = encodeQuotedPrintable(line);
      assert.ok(enc.split('\r\n').every((l) => l.length <= 76));
      assert.equal(enc.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), line);
    }
  });
});

describe('sending 8-bit mail to a server without 8BITMIME', () => {
  const cleanup: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanup) await c();
  });

  async function setup(ehlo: string[]): Promise<{ h: QueueHarness; server: Awaited<ReturnType<typeof startScriptedSmtp>> }> {
    const server = await startScriptedSmtp({ ehlo });
    const h = await queueHarness(
      { 'remote.test': [{ type: 'MX', priority: 10, exchange: 'mx.remote.test' }], 'mx.remote.test': [{ type: 'A', address: '127.0.0.1' }] },
      `smtp_port = ${server.port}\n`,
    );
    cleanup.push(() => h.close(), () => server.close());
    return { h, server };
  }

  async function keyRecords(h: QueueHarness): Promise<Record<string, string>> {
    const keys = await h.svc.store.listDkimKeys(DOMAIN);
    return Object.fromEntries(keys.map((k) => [`${k.selector}._domainkey.${k.domain}`, dkimRecord(k)]));
  }

  it('converts to quoted-printable, then signs: the received message is 7-bit and its DKIM signature verifies', async () => {
    const { h, server } = await setup(['PIPELINING', 'SIZE 10000000']);
    const [id] = await h.queue(SIMPLE.replace('From: a@example.test', `From: alice@${DOMAIN}`), `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    assert.equal((await h.svc.store.getQueueEntry(id!))!.status, 'delivered');
    const m = server.received[0]!;
    assert.doesNotMatch(m.mail, /BODY=/);
    assert.equal(eightBit(m.data), false);
    assert.match(m.data, /Content-Transfer-Encoding: quoted-printable/);
    assert.match(m.data, /^DKIM-Signature: .*d=example\.test/m);
    assert.equal(dkimpyVerifyAll(Buffer.from(m.data, 'latin1'), await keyRecords(h)), 'PASS');
  });

  it('sends the 8-bit original with BODY=8BITMIME to a server that offers it', async () => {
    const { h, server } = await setup(['PIPELINING', '8BITMIME']);
    await h.queue(SIMPLE.replace('From: a@example.test', `From: alice@${DOMAIN}`), `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    const m = server.received[0]!;
    assert.match(m.mail, /BODY=8BITMIME/);
    assert.equal(eightBit(m.data), true);
    assert.equal(dkimpyVerifyAll(Buffer.from(m.data, 'latin1'), await keyRecords(h)), 'PASS');
  });

  it('bounces 5.6.7 with a clear text when the 8-bit header fields cannot be converted', async () => {
    const { h, server } = await setup(['PIPELINING']);
    const [id] = await h.queue(crlf(`From: alice@${DOMAIN}\nTo: bob@remote.test\nSubject: Grüße\n\nHallo\n`), `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    const e = (await h.svc.store.getQueueEntry(id!))!;
    assert.equal(e.status, 'bounced');
    assert.equal(server.received.length, 0);
    const [bounce] = await inboxMessages(h, h.alice.id);
    const [text, status] = reportParts(bounce!);
    assert.match(text!.body, /does not accept 8-bit data \(no 8BITMIME\) and this message cannot be converted to 7 bit: its header fields contain 8-bit characters/);
    assert.match(status!.body, /Status: 5\.6\.7/);
  });
});
