import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addressLiteral, formatDate, receivedHeader, type ReceivedOptions } from '../../src/mail/received.js';
import { parseHeaderFields } from '../../src/mail/header-block.js';

const DATE = new Date(Date.UTC(2026, 10, 28, 21, 0, 0));
const base: ReceivedOptions = { helo: 'laptop', clientIp: '192.0.2.1', by: 'mail.example.test', protocol: 'ESMTPSA', id: 'abc', date: DATE };

describe('receivedHeader (RFC 5321 §4.4, RFC 3848, RFC 8314 §4.3)', () => {
  it('formats the documented example', () => {
    assert.equal(
      receivedHeader({ ...base, tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' } }),
      'Received: from laptop ([192.0.2.1])\r\n\tby mail.example.test with ESMTPSA (TLSv1.3 TLS_AES_256_GCM_SHA384)\r\n\tid abc; Sat, 28 Nov 2026 21:00:00 +0000\r\n',
    );
  });

  it('adds a single recipient with for', () => {
    assert.equal(
      receivedHeader({ ...base, protocol: 'ESMTP', clientIp: '::ffff:198.51.100.7', for: 'b@y.test', tls: null }),
      'Received: from laptop ([198.51.100.7])\r\n\tby mail.example.test with ESMTP\r\n\tid abc\r\n\tfor <b@y.test>; Sat, 28 Nov 2026 21:00:00 +0000\r\n',
    );
  });

  it('writes address literals per RFC 5321 §4.1.3', () => {
    const cases: Array<[string, string]> = [
      ['192.0.2.1', '[192.0.2.1]'],
      ['::ffff:192.0.2.1', '[192.0.2.1]'],
      ['2001:DB8::1', '[IPv6:2001:db8::1]'],
      ['fe80::1%eth0', '[IPv6:fe80::1]'],
      ['', '[unknown]'],
      ['not an ip)', '[not?an?ip?]'],
    ];
    for (const [ip, literal] of cases) assert.equal(addressLiteral(ip), literal, ip);
  });

  it('cannot be broken by what the client chose (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (helo, forAddr, ip) => {
        const field = receivedHeader({ ...base, helo, for: forAddr, clientIp: ip });
        const fields = parseHeaderFields(Buffer.from(field));
        assert.equal(fields.length, 1);
        assert.equal(fields[0]!.lowerName, 'received');
        assert.ok(field.endsWith('; Sat, 28 Nov 2026 21:00:00 +0000\r\n'));
        assert.equal(field.split(';').length, 2, 'exactly one ";" before the date');
        assert.match(field.split('\r\n')[0]!, /^Received: from [^\s();]+ \(\[[^\s()[\];]*\]\)$/);
      }),
      { numRuns: 500 },
    );
  });

  it('replaces line breaks and structure characters in the EHLO name', () => {
    const field = receivedHeader({ ...base, helo: 'evil\r\nBcc: x@y.test (a;b)' });
    assert.ok(field.startsWith('Received: from evil??Bcc:?x@y.test??a?b? ([192.0.2.1])\r\n'));
  });
});

describe('formatDate (RFC 5322 §3.3)', () => {
  const cases: Array<[Date, string]> = [
    [DATE, 'Sat, 28 Nov 2026 21:00:00 +0000'],
    [new Date(Date.UTC(2000, 0, 1, 0, 0, 0)), 'Sat, 01 Jan 2000 00:00:00 +0000'],
    [new Date(Date.UTC(2024, 1, 29, 9, 5, 7)), 'Thu, 29 Feb 2024 09:05:07 +0000'],
  ];
  for (const [d, text] of cases) it(`formats ${d.toISOString()}`, () => assert.equal(formatDate(d), text));
});
