/** The echo address's policy (RFC 3834 and alignment) and report, sans-I/O. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aligned, echoSkip, type EchoSender } from '../../src/echo/policy.js';
import { echoReport, receivedChain } from '../../src/echo/report.js';
import type { SenderAuth } from '../../src/inbound/types.js';

const auth = (over: Partial<SenderAuth>): SenderAuth => ({ spf: 'none', dkim: [], dmarc: null, arc: 'none', fromDomain: 'sender.test', header: '', ...over });
const msg = (headers = '') => Buffer.from(`From: bob@sender.test\r\nSubject: hi\r\n${headers}\r\nbody\r\n`);
const mx = (mailFrom: string, a: SenderAuth | null): EchoSender => ({ mailFrom, signedIn: null, auth: a });

describe('echo policy', () => {
  const table: Array<[string, Buffer, EchoSender, string | null]> = [
    ['null sender', msg(), mx('', auth({ spf: 'pass' })), 'null-sender'],
    ['mailer-daemon', msg(), mx('MAILER-DAEMON@sender.test', auth({ spf: 'pass' })), 'automatic-sender'],
    ['list owner', msg(), mx('news-request@sender.test', auth({ spf: 'pass' })), 'automatic-sender'],
    ['Auto-Submitted: auto-replied', msg('Auto-Submitted: auto-replied\r\n'), mx('bob@sender.test', auth({ spf: 'pass' })), 'auto-submitted'],
    ['Auto-Submitted: no', msg('Auto-Submitted: no\r\n'), mx('bob@sender.test', auth({ spf: 'pass' })), null],
    ['Precedence: list', msg('Precedence: list\r\n'), mx('bob@sender.test', auth({ spf: 'pass' })), 'list-or-bulk'],
    ['List-Unsubscribe', msg('List-Unsubscribe: <mailto:x@sender.test>\r\n'), mx('bob@sender.test', auth({ spf: 'pass' })), 'list-or-bulk'],
    ['SPF pass, aligned', msg(), mx('bob@sender.test', auth({ spf: 'pass' })), null],
    ['SPF pass, subdomain (relaxed alignment)', msg(), mx('bob@mail.sender.test', auth({ spf: 'pass' })), null],
    ['SPF pass, unaligned', msg(), mx('bob@other.test', auth({ spf: 'pass' })), 'unauthenticated'],
    ['SPF fail', msg(), mx('bob@sender.test', auth({ spf: 'fail' })), 'unauthenticated'],
    ['DKIM pass aligned', msg(), mx('x@other.test', auth({ dkim: [{ domain: 'sender.test', result: 'pass', aligned: true }] })), null],
    ['DKIM pass unaligned', msg(), mx('x@other.test', auth({ dkim: [{ domain: 'esp.test', result: 'pass', aligned: false }] })), 'unauthenticated'],
    ['DMARC pass', msg(), mx('x@other.test', auth({ dmarc: { result: 'pass', policy: 'none', domain: 'sender.test' } })), null],
    ['no checks ran', msg(), mx('bob@sender.test', null), 'unauthenticated'],
    ['signed in, own address', msg(), { mailFrom: 'a@example.test', signedIn: { address: 'a@example.test', owned: new Set(['a@example.test']) }, auth: null }, null],
    ['signed in, foreign address', msg(), { mailFrom: 'x@else.test', signedIn: { address: 'a@example.test', owned: new Set(['a@example.test']) }, auth: null }, 'unauthenticated'],
  ];
  for (const [name, raw, sender, want] of table) it(name, () => assert.equal(echoSkip(raw, sender), want));

  it('alignment is relaxed both ways, never a mere suffix', () => {
    assert.equal(aligned('a.sender.test', 'sender.test'), true);
    assert.equal(aligned('sender.test', 'A.Sender.Test'), true);
    assert.equal(aligned('evilsender.test', 'sender.test'), false);
  });
});

describe('echo report', () => {
  const raw = Buffer.from(
    'Received: from c ([127.0.0.1]) by mail.example.test with ESMTPS id 1; Sun, 29 Nov 2026 00:00:05 +0000\r\n' +
      'Received: from a by b;\r\n Sun, 29 Nov 2026 00:00:02 +0000\r\n' +
      'Received: no date here\r\n' +
      'Subject: x\r\n\r\nbody\r\n',
  );
  it('the Received chain, newest first, with dates (folded fields unfolded)', () => {
    const hops = receivedChain(raw);
    assert.equal(hops.length, 3);
    assert.equal(hops[1]!.text, 'from a by b; Sun, 29 Nov 2026 00:00:02 +0000');
    assert.equal(hops[1]!.date?.toISOString(), '2026-11-29T00:00:02.000Z');
    assert.equal(hops[2]!.date, null);
  });
  it('says every fact, with the time spent between hops', () => {
    const text = echoReport(
      { role: 'mx', port: 25, clientIp: '127.0.0.1', helo: 'c', tls: { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' }, signedInAs: null, mailFrom: 'bob@sender.test', size: 123, receivedAt: Date.parse('2026-11-29T00:00:05Z'), auth: auth({ spf: 'pass', dkim: [{ domain: 'sender.test', result: 'pass', aligned: true }] }) },
      raw,
    );
    for (const line of ['Port:            25 (the MX: the port for other mail servers, no sign-in)', 'TLS:             TLSv1.3, cipher TLS_AES_128_GCM_SHA256', 'Signed in:       no', 'SPF:             pass', 'DKIM:            pass (d=sender.test, aligned)', 'DMARC:           none', 'Size:            123 bytes'])
      assert.ok(text.split('\r\n').includes(line), line);
    assert.match(text, /1\. from c .*\[\+3\.0 s since the previous hop\]/);
    assert.doesNotMatch(text, /[^\r]\n/, 'CRLF only');
  });
});
