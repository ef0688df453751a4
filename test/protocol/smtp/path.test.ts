import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SmtpSyntaxError } from '../../../src/protocol/smtp/codes.js';
import {
  formatLocalPart,
  parseAddressLiteral,
  parseForwardPath,
  parseReversePath,
  scanPath,
  type PathMailbox,
} from '../../../src/protocol/smtp/path.js';

const ascii = { smtputf8: false };
const utf8 = { smtputf8: true };

function mailboxOf(text: string, options = ascii): PathMailbox {
  const path = parseForwardPath(text, options);
  assert.equal(path.kind, 'mailbox');
  return (path as { mailbox: PathMailbox }).mailbox;
}

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SmtpSyntaxError, `unexpected ${String(e)}`);
    return `${e.status.code} ${e.status.enhanced} ${e.code}`;
  }
  assert.fail('expected a syntax error');
}

describe('paths (RFC 5321 §4.1.2)', () => {
  it('normalises quoting: a quoted dot-atom becomes a dot-atom', () => {
    const cases: ReadonlyArray<[string, string, string]> = [
      ['<"john.doe"@example.com>', 'john.doe', 'john.doe@example.com'],
      ['<"john doe"@example.com>', 'john doe', '"john doe"@example.com'],
      ['<"a\\"b"@example.com>', 'a"b', '"a\\"b"@example.com'],
      ['<"a\\b"@example.com>', 'ab', 'ab@example.com'],
      ['<"a@b"@example.com>', 'a@b', '"a@b"@example.com'],
      ['<"a>b"@example.com>', 'a>b', '"a>b"@example.com'],
      ['<"a..b"@example.com>', 'a..b', '"a..b"@example.com'],
      ['<Mixed.Case+tag@Example.COM>', 'Mixed.Case+tag', 'Mixed.Case+tag@Example.COM'],
    ];
    for (const [text, local, address] of cases) {
      const mb = mailboxOf(text);
      assert.equal(mb.localPart, local, text);
      assert.equal(mb.address, address, text);
    }
    assert.deepEqual(mailboxOf('<a@Example.COM>').domain, { kind: 'name', name: 'Example.COM', ascii: 'example.com' });
  });

  it('accepts the null reverse-path and <Postmaster> forward-path only where they belong', () => {
    assert.deepEqual(parseReversePath('<>', ascii), { kind: 'null' });
    assert.deepEqual(parseForwardPath('<postMaster>', ascii), { kind: 'postmaster' });
    assert.equal(failure(() => parseForwardPath('<>', ascii)), '501 5.1.3 bad-path');
    assert.equal(failure(() => parseReversePath('<Postmaster>', ascii)), '501 5.1.7 bad-path');
  });

  it('accepts and discards source routes (§4.1.1.3, Appendix C)', () => {
    assert.equal(mailboxOf('<@relay.example:user@example.com>').address, 'user@example.com');
    assert.equal(mailboxOf('<@a.example,@b.example:"x y"@example.com>').address, '"x y"@example.com');
    for (const bad of ['<@:u@example.com>', '<@a.example u@example.com>', '<@a.example,b.example:u@example.com>', '<@[1.2.3.4]:u@example.com>'])
      assert.equal(failure(() => parseForwardPath(bad, ascii)), '501 5.1.3 bad-path', bad);
  });

  it('parses address literals (§4.1.3)', () => {
    assert.deepEqual(mailboxOf('<u@[192.0.2.1]>').domain, { kind: 'ipv4', address: '192.0.2.1', text: '[192.0.2.1]' });
    assert.deepEqual(parseAddressLiteral('[010.000.002.001]'), { kind: 'ipv4', address: '10.0.2.1', text: '[010.000.002.001]' });
    for (const v6 of ['::1', '::', '2001:DB8::1', '1:2:3:4:5:6:7:8', '::ffff:192.0.2.1', '1:2:3:4:5:6:192.0.2.1', '1::8'])
      assert.equal(parseAddressLiteral(`[IPv6:${v6}]`)?.kind, 'ipv6', v6);
    assert.equal(parseAddressLiteral('[ipv6:2001:DB8::1]')?.kind === 'ipv6' && parseAddressLiteral('[ipv6:2001:DB8::1]')?.address, '2001:db8::1');
    for (const bad of ['[1.2.3]', '[256.1.1.1]', '[1.2.3.4.5]', '[IPv6:1:2:3:4:5:6:7:8:9]', '[IPv6:1::2::3]', '[IPv6:gggg::1]', '[IPv6:1:2:3:4:5:6:7]',
      '[IPv6:::1.2.3.999]', '[foo:bar]', '[]', '[IPv6:]', '[IPv6::1:]', '192.0.2.1'])
      assert.equal(parseAddressLiteral(bad), undefined, bad);
    assert.equal(failure(() => parseForwardPath('<u@[x-tag:abc]>', ascii)), '501 5.1.3 bad-path');
  });

  it('rejects malformed mailboxes with X.1.7 for senders and X.1.3 for recipients', () => {
    const bad = ['a@b.c', '<a@b.c', 'a@b.c>', '<a>', '<@>', '<a@>', '<@b.c>', '<a..b@c.d>', '<.a@c.d>', '<a.@c.d>', '<a b@c.d>', '<a@-b.c>',
      '<a@b-.c>', '<a@b..c>', '<a@b.c.>', '<a@b_c.d>', '<a@b@c.d>', '<"a"b@c.d>', '<"a@c.d>', '<"a\tb"@c.d>', '<""@c.d>', '<a(b)@c.d>', '<a@c.d >'];
    for (const text of bad) {
      assert.equal(failure(() => parseReversePath(text, ascii)), '501 5.1.7 bad-path', text);
      assert.equal(failure(() => parseForwardPath(text, ascii)), '501 5.1.3 bad-path', text);
    }
  });

  it('enforces the length limits of §4.5.3.1', () => {
    const local64 = 'a'.repeat(64);
    assert.equal(mailboxOf(`<${local64}@example.com>`).localPart, local64);
    assert.equal(failure(() => parseForwardPath(`<${local64}a@example.com>`, ascii)), '501 5.1.3 path-too-long');
    // A quoted local part is measured as it will be written: with its quotes.
    assert.equal(failure(() => parseForwardPath(`<"${'a '.repeat(31)}a"@example.com>`, ascii)), '501 5.1.3 path-too-long');
    const label63 = 'b'.repeat(63);
    assert.equal(mailboxOf(`<a@${label63}.example>`).localPart, 'a');
    assert.equal(failure(() => parseForwardPath(`<a@${label63}b.example>`, ascii)), '501 5.1.3 bad-path');
    const longDomain = Array.from({ length: 4 }, () => label63).join('.'); // 255 octets
    assert.equal(failure(() => parseReversePath(`<a@${longDomain}>`, ascii)), '501 5.1.7 path-too-long');
  });

  it('allows UTF-8 only with SMTPUTF8 (RFC 6531 §3.3, §3.5)', () => {
    const mb = mailboxOf('<jösé@bücher.example>', utf8);
    assert.equal(mb.utf8, true);
    assert.deepEqual(mb.domain, { kind: 'name', name: 'bücher.example', ascii: 'xn--bcher-kva.example' });
    assert.equal(mailboxOf('<"jö sé"@example.com>', utf8).address, '"jö sé"@example.com');
    assert.equal(mailboxOf('<a@xn--bcher-kva.example>').utf8, false);
    assert.equal(failure(() => parseReversePath('<jö@example.com>', ascii)), '550 5.6.7 non-ascii-address');
    assert.equal(failure(() => parseForwardPath('<j@bücher.example>', ascii)), '553 5.6.7 non-ascii-address');
    assert.equal(failure(() => parseForwardPath('<"jö"@example.com>', ascii)), '553 5.6.7 non-ascii-address');
    // UTF-8 does not make invalid syntax valid.
    assert.equal(failure(() => parseForwardPath('<j\u0085@example.com>', utf8)), '501 5.1.3 bad-path');
    assert.equal(failure(() => parseForwardPath('<j@[IPv6:ü]>', utf8)), '501 5.1.3 bad-path');
    assert.equal(failure(() => parseForwardPath('<j@bü cher.example>', utf8)), '501 5.1.3 bad-path');
  });

  it('writes local parts as dot-atoms when possible', () => {
    assert.equal(formatLocalPart('a.b'), 'a.b');
    assert.equal(formatLocalPart('a b'), '"a b"');
    assert.equal(formatLocalPart('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(formatLocalPart('.a'), '".a"');
  });

  it('finds the end of a path outside quoted strings', () => {
    assert.equal(scanPath('<a@b> SIZE=1', 0), 5);
    assert.equal(scanPath('<"a>\\"b"@c> X', 0), 11);
    assert.equal(scanPath('<a@b', 0), -1);
    assert.equal(scanPath('a@b>', 0), -1);
  });

  it('only ever throws SmtpSyntaxError on random input (property)', () => {
    const piece = fc.constantFrom('<', '>', '@', '"', '\\', '.', ',', ':', '[', ']', 'IPv6:', '1', 'ff', 'a', 'ü', ' ', '\x00', 'postmaster', 'xn--', '-');
    const input = fc.oneof(fc.array(piece, { maxLength: 30 }).map((p) => p.join('')), fc.string({ unit: 'binary', maxLength: 80 }));
    fc.assert(
      fc.property(input, fc.boolean(), (text, smtputf8) => {
        for (const parse of [parseReversePath, parseForwardPath]) {
          try {
            const path = parse(`<${text}>`, { smtputf8 });
            if (path.kind === 'mailbox') assert.equal(typeof path.mailbox.address, 'string');
          } catch (e) {
            if (!(e instanceof SmtpSyntaxError)) throw e;
          }
          try {
            parse(text, { smtputf8 });
          } catch (e) {
            if (!(e instanceof SmtpSyntaxError)) throw e;
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('re-parses the normalised address to the same mailbox (property)', () => {
    const local = fc.string({ unit: fc.constantFrom('a', 'B', '.', ' ', '"', '\\', '+', '@', 'é'), minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(local, (content) => {
        const text = `<"${content.replace(/["\\]/g, '\\$&')}"@example.com>`;
        let first: PathMailbox;
        try {
          first = mailboxOf(text, utf8);
        } catch (e) {
          if (e instanceof SmtpSyntaxError) return; // e.g. too long
          throw e;
        }
        assert.equal(first.localPart, content);
        assert.deepEqual(mailboxOf(`<${first.address}>`, utf8), first);
      }),
    );
  });
});
