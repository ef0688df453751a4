import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { prepareSubmission, type SubmissionResult } from '../../src/mail/submission.js';
import { parseHeaderFields, splitMessage } from '../../src/mail/header-block.js';
import { decodeEncodedWords } from '../../src/mail/encoded-words.js';
import { normaliseLineEndings } from '../../src/mail/normalise.js';

const MINE = new Set(['me@ours.test', 'alias@ours.test', 'jörg@xn--bcher-kva.test']);
const RECEIVED = 'Received: from laptop ([192.0.2.1])\r\n\tby mail.ours.test with ESMTPSA\r\n\tid q1; Sat, 28 Nov 2026 21:00:00 +0000\r\n';
const NOW = new Date(Date.UTC(2026, 10, 28, 21, 0, 0));

function submit(raw: string | Buffer, owns: (a: string) => boolean = (a) => MINE.has(a)): SubmissionResult {
  return prepareSubmission(typeof raw === 'string' ? Buffer.from(raw) : raw, {
    owns,
    hostname: 'mail.ours.test',
    now: NOW,
    received: RECEIVED,
    messageIdDomain: 'ours.test',
    randomId: () => 'fixed-id',
  });
}

const tail = 'To: you@there.test\r\nSubject: hi\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@ours.test>\r\n\r\nbody\r\n';
const withFrom = (from: string): string => `From: ${from}\r\n${tail}`;

describe('prepareSubmission: From and Sender the submitter owns', () => {
  const accepted: string[] = [
    'me@ours.test',
    'ME@Ours.Test',
    '<me@ours.test>',
    'Me <me@ours.test>',
    '"Me, Myself" <me@ours.test>',
    '"boss@bank.test" <me@ours.test>',
    '"Me <me@ours.test>" <me@ours.test>',
    '=?utf-8?q?J=C3=B6rg?= <me@ours.test>',
    '=?utf-8?b?TWUgPG1lQG91cnMudGVzdD4=?= <me@ours.test>',
    'me@ours.test (Me)',
    'me@ours.test, alias@ours.test',
    '"me"@ours.test',
    'me @ ours . test',
    '<@relay.test:me@ours.test>',
    'Jörg <jörg@bücher.test>',
    'Zoë 👨‍👩‍👧 <me@ours.test>',
    'Me\r\n <me@ours.test>',
  ];
  for (const from of accepted) {
    it(`accepts From: ${JSON.stringify(from)}`, () => {
      const r = submit(withFrom(from));
      assert.ok(r.ok, r.ok ? '' : r.message);
    });
  }
});

describe('prepareSubmission: tricks that must not pass', () => {
  const cases: Array<[string, string, RegExp]> = [
    // [raw header lines before the common tail, expected reason, message pattern]
    ['', 'no-from', /no From field/],
    ['From: evil@bank.test\r\n', 'from-not-owned', /evil@bank\.test is not one of your addresses/],
    ['From: Me <evil@bank.test>\r\n', 'from-not-owned', /evil@bank\.test/],
    ['From: me@ours.test\r\nFrom: evil@bank.test\r\n', 'bad-from', /2 From fields/],
    [' From: evil@bank.test\r\nFrom: me@ours.test\r\n', 'bad-from', /looks like a From/],
    ['From: me@ours.test\r\nfrom : me@ours.test\r\n', 'bad-from', /2 From fields/],
    ['From: me@ours.test\nFrom: evil@bank.test\r\n', 'bad-from', /2 From fields/],
    ['From: me@ours.test\rFrom: evil@bank.test\r\n', 'bad-from', /control character/],
    ['From: me@ours.test, evil@bank.test\r\n', 'from-not-owned', /evil@bank\.test/],
    ['From: evil@bank.test, me@ours.test\r\n', 'from-not-owned', /evil@bank\.test/],
    ['From: boss@bank.test <me@ours.test>\r\n', 'bad-from', /cannot be read/],
    ['From: Boss boss@bank.test\r\n', 'bad-from', /cannot be read/],
    ['From: me@ours.test <evil@bank.test>\r\n', 'bad-from', /cannot be read/],
    ['From: Friends: me@ours.test;\r\n', 'bad-from', /group syntax/],
    ['From: Friends: me@ours.test, evil@bank.test;\r\n', 'from-not-owned', /evil@bank\.test/],
    ['From: Undisclosed:;\r\n', 'bad-from', /no address/],
    ['From:\r\n', 'bad-from', /no address/],
    ['From: me@ours.test (boss@bank.test)\r\n', 'from-not-owned', /comment.*boss@bank\.test/],
    ['From: (boss@bank.test) <me@ours.test>\r\n', 'from-not-owned', /boss@bank\.test/],
    ['From: <me@ours.test> (=?utf-8?q?boss=40bank=2Etest?=)\r\n', 'from-not-owned', /boss@bank\.test/],
    ['From: evil@bank.test (<me@ours.test>)\r\n', 'from-not-owned', /The From address evil@bank\.test/],
    ['From: =?utf-8?q?Boss_=3Cboss=40bank=2Etest=3E?= <me@ours.test>\r\n', 'from-not-owned', /display name shows boss@bank\.test/],
    ['From: =?utf-8?b?Ym9zc0BiYW5rLnRlc3Q=?= <me@ours.test>\r\n', 'from-not-owned', /boss@bank\.test/],
    ['From: =?utf-8?q?=3Cboss?= =?utf-8?q?=40bank=2Etest=3E?= <me@ours.test>\r\n', 'from-not-owned', /boss@bank\.test/],
    ['From: "Boss <boss@bank.test>" <me@ours.test>\r\n', 'from-not-owned', /display name shows boss@bank\.test/],
    ['From: "Boss \uff1cboss\uff20bank.test\uff1e" <me@ours.test>\r\n', 'from-not-owned', /boss@bank\.test/],
    ['From: boss\uff20bank.test <me@ours.test>\r\n', 'bad-from', /look-alike/],
    ['From: =?utf-8?q?Boss=00?= <me@ours.test>\r\n', 'bad-from', /control or invisible/],
    ['From: =?utf-8?q?me=0A?= <me@ours.test>\r\n', 'bad-from', /control or invisible/],
    ['From: "\u202etset.knab@ssob" <me@ours.test>\r\n', 'bad-from', /control or invisible/],
    ['From: me@ours.test (\u202ehidden)\r\n', 'bad-from', /comment with control/],
    ['From: "evil@bank.test"@ours.test\r\n', 'from-not-owned', /"evil@bank\.test"@ours\.test/],
    ['From: "me "@ours.test\r\n', 'from-not-owned', /"me "@ours\.test/],
    ['From: m\u0435@ours.test\r\n', 'from-not-owned', /m\\u\{435\}@ours\.test/],
    ['From: me@\u043eurs.test\r\n', 'from-not-owned', /is not one of your addresses/],
    ['From: me@[192.0.2.1]\r\n', 'from-not-owned', /me@\[192\.0\.2\.1\]/],
    ['From: =?utf-8?q?me?=@ours.test\r\n', 'bad-from', /encoded word/],
    ['From: me@ours.test\u0000\r\n', 'bad-from', /control character/],
    ['From: "unterminated <me@ours.test>\r\n', 'bad-from', /not closed/],
    ['From: me@ours.test\r\nSender: evil@bank.test\r\n', 'sender-not-owned', /The Sender address evil@bank\.test/],
    ['From: me@ours.test\r\nSender: me@ours.test, alias@ours.test\r\n', 'bad-from', /exactly one address/],
    ['From: me@ours.test\r\nSender: me@ours.test\r\nSender: me@ours.test\r\n', 'bad-from', /2 Sender fields/],
    ['From: me@ours.test\r\nSender: Me <me@ours.test> (boss@bank.test)\r\n', 'sender-not-owned', /boss@bank\.test/],
    ['From: me@ours.test\r\nSender: boss@bank.test <me@ours.test>\r\n', 'bad-from', /Sender field cannot be read/],
  ];
  for (const [header, reason, message] of cases) {
    it(`refuses ${JSON.stringify(header)} as ${reason}`, () => {
      const r = submit(header + tail);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.reason, reason, r.message);
      assert.match(r.message, message);
      assert.match(r.message, /^[\x20-\x7e]+$/, 'the message is printable ASCII');
    });
  }

  it('refuses a From field that is not UTF-8', () => {
    const r = submit(Buffer.concat([Buffer.from('From: J'), Buffer.from([0xf6]), Buffer.from('rg <me@ours.test>\r\n' + tail)]));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.reason, 'bad-from');
  });

  it('passes the address to owns() lower-cased with the domain in ASCII', () => {
    const seen: string[] = [];
    submit(withFrom('Jörg <JÖRG@Bücher.Test>'), (a) => (seen.push(a), true));
    assert.deepEqual(seen, ['jörg@xn--bcher-kva.test']);
  });
});

describe('prepareSubmission: modifications (RFC 6409 §8)', () => {
  it('prepends Received and keeps every other byte', () => {
    const raw = withFrom('Me <me@ours.test>');
    const r = submit(raw);
    assert.ok(r.ok);
    assert.equal(r.raw.toString(), RECEIVED + raw);
    assert.deepEqual(r.added, []);
  });

  it('removes Bcc, Resent-Bcc and Return-Path with their continuation lines', () => {
    const raw =
      'Return-Path: <me@ours.test>\r\nFrom: me@ours.test\r\nBcc: secret@x.test,\r\n other@y.test\r\nTo: a@b.test\r\n' +
      'BCC:\r\nResent-Bcc: r@x.test\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@ours.test>\r\n\r\nBcc: in the body stays\r\n';
    const r = submit(raw);
    assert.ok(r.ok);
    assert.equal(
      r.raw.toString(),
      RECEIVED + 'From: me@ours.test\r\nTo: a@b.test\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@ours.test>\r\n\r\nBcc: in the body stays\r\n',
    );
  });

  it('adds Message-ID and Date when missing, at the end of the header', () => {
    const r = submit('From: me@ours.test\r\nSubject: x\r\n\r\nbody\r\n');
    assert.ok(r.ok);
    assert.deepEqual(r.added, ['Message-ID', 'Date']);
    assert.equal(
      r.raw.toString(),
      RECEIVED + 'From: me@ours.test\r\nSubject: x\r\nMessage-ID: <fixed-id@ours.test>\r\nDate: Sat, 28 Nov 2026 21:00:00 +0000\r\n\r\nbody\r\n',
    );
  });

  it('treats empty Message-ID and Date fields as missing but keeps them', () => {
    const r = submit('From: me@ours.test\r\nMessage-ID:\r\nDate: \r\n\r\nbody\r\n');
    assert.ok(r.ok);
    assert.deepEqual(r.added, ['Message-ID', 'Date']);
  });

  it('handles a message without a body or a final line break', () => {
    const r = submit('From: me@ours.test');
    assert.ok(r.ok);
    assert.equal(
      r.raw.toString(),
      RECEIVED + 'From: me@ours.test\r\nMessage-ID: <fixed-id@ours.test>\r\nDate: Sat, 28 Nov 2026 21:00:00 +0000\r\n',
    );
  });

  it('uses a random Message-ID by default', () => {
    const o = { owns: () => true, hostname: 'h', now: NOW, received: RECEIVED, messageIdDomain: 'ours.test' };
    const a = prepareSubmission(Buffer.from('From: me@ours.test\r\n\r\n'), o);
    const b = prepareSubmission(Buffer.from('From: me@ours.test\r\n\r\n'), o);
    assert.ok(a.ok && b.ok);
    const id = (r: Buffer): string => /Message-ID: <([^>]+)>/.exec(r.toString())![1]!;
    assert.match(id(a.raw), /^[A-Za-z0-9_-]{20}@ours\.test$/);
    assert.notEqual(id(a.raw), id(b.raw));
  });

  it('never throws, and what it accepts names no foreign address in From or Sender (property)', () => {
    const piece = fc.constantFrom('From: ', 'Sender: ', 'Bcc: ', 'me@ours.test', 'evil@bank.test', '<', '>', '"', '(', ')', ',', ':', ';', '\r\n', '\n', '\r', ' ', '=?utf-8?q?=3C?=', '\uff20');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        // The server normalises line endings first (src/mail/normalise.ts), as it must.
        const r = submit(normaliseLineEndings(Buffer.from(pieces.join(''))));
        if (!r.ok) return;
        const { header } = splitMessage(r.raw);
        for (const f of parseHeaderFields(header)) {
          if (f.lowerName !== 'from' && f.lowerName !== 'sender') continue;
          const shown = decodeEncodedWords(f.value).normalize('NFKC');
          assert.ok(!shown.includes('evil@bank.test'), pieces.join(''));
        }
        assert.ok(!/^bcc:/im.test(header.toString()), 'no Bcc field survives');
      }),
      { numRuns: 3000 },
    );
  });
});
