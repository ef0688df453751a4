/**
 * Charsets (src/mail/charset.ts): windows-1252 from the WHATWG index for every label that names it (iso-8859-1,
 * latin1, cp1252…), checked byte for byte against Python's cp1252 codec; text with no charset or a us-ascii one
 * read as UTF-8 when valid, else windows-1252; the same rule for raw 8-bit header bytes (RFC 6532), encoded words
 * (RFC 2047) and RFC 2231 parameters. Property tests with fast-check.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { decodeCharset, decodeText, decodeUnlabelled, decodeWindows1252, encodingOf } from '../../src/mail/charset.js';
import { decodeEncodedWords } from '../../src/mail/encoded-words.js';
import { parseHeaderFields } from '../../src/mail/header-block.js';
import { parseContentType } from '../../src/mail/mime/params.js';
import { isUtf8 } from 'node:buffer';

const bytes = (...b: number[]): Buffer => Buffer.from(b);
const HIGH = [...Array(32).keys()].map((i) => 0x80 + i);

describe('windows-1252', () => {
  it('decodes 0x80–0x9F as € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ (WHATWG index)', () => {
    assert.equal(decodeWindows1252(bytes(0x80, 0x93, 0x71, 0x94, 0x20, 0x99, 0x9f)), '€“q” ™Ÿ');
    // The five octets the index maps to their own C1 code point.
    assert.equal(decodeWindows1252(bytes(0x81, 0x8d, 0x8f, 0x90, 0x9d)), '\u0081\u008d\u008f\u0090\u009d');
  });

  it('agrees with Python’s cp1252 codec on all 256 octets (the five it leaves undefined are C1 in WHATWG)', () => {
    const all = Buffer.from([...Array(256).keys()]);
    const py = execFileSync('python3', ['-c', 'import sys; sys.stdout.write(bytes(range(256)).decode("cp1252", "replace").encode("utf-8").hex())']).toString();
    const expected = [...Buffer.from(py, 'hex').toString('utf8')];
    const ours = [...decodeWindows1252(all)];
    assert.equal(ours.length, 256);
    for (let b = 0; b < 256; b++) {
      if (expected[b] === '\ufffd') assert.equal(ours[b], String.fromCharCode(b), `0x${b.toString(16)}`);
      else assert.equal(ours[b], expected[b], `0x${b.toString(16)}`);
    }
  });

  for (const label of ['windows-1252', 'WINDOWS-1252', 'iso-8859-1', 'ISO_8859-1', 'latin1', 'l1', 'cp1252', 'x-cp1252', '"iso-8859-1"', ' iso-8859-1 ']) {
    it(`reads the label ${JSON.stringify(label)} as windows-1252`, () => {
      assert.equal(encodingOf(label), 'windows-1252');
      assert.equal(decodeCharset(label, bytes(0x80, 0x20, 0x92, 0xe9)), '€ ’é');
    });
  }

  it('keeps one character per octet and round-trips through its own table (property)', () => {
    const reverse = new Map<string, number>();
    for (let b = 0; b < 256; b++) reverse.set(decodeWindows1252(bytes(b)), b);
    assert.equal(reverse.size, 256, 'the table is a bijection');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (octets) => {
        const text = decodeWindows1252(octets);
        assert.equal(text.length, octets.length);
        assert.deepEqual(Buffer.from([...text].map((c) => reverse.get(c)!)), Buffer.from(octets));
      }),
      { numRuns: 500 },
    );
  });
});

describe('text without a charset, or with us-ascii', () => {
  it('is UTF-8 when its octets are valid UTF-8', () => {
    assert.equal(decodeText(Buffer.from('Grüße aus Köln – 東京 🙂'), undefined), 'Grüße aus Köln – 東京 🙂');
    assert.equal(decodeCharset('us-ascii', Buffer.from('Grüße')), 'Grüße');
    assert.equal(decodeCharset('US-ASCII', Buffer.from('plain')), 'plain');
  });

  it('is windows-1252 when it is not', () => {
    assert.equal(decodeText(Buffer.from('Gr\xfc\xdfe \x80', 'latin1'), undefined), 'Grüße €');
    assert.equal(decodeCharset('ascii', Buffer.from('caf\xe9 \x93x\x94', 'latin1')), 'café “x”');
  });

  it('round-trips any Unicode text written as UTF-8 (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        assert.equal(decodeUnlabelled(Buffer.from(s, 'utf8')), s);
        assert.equal(decodeText(Buffer.from(s, 'utf8'), 'us-ascii'), s);
      }),
      { numRuns: 500 },
    );
  });

  it('reads octets that are not UTF-8 as windows-1252, one character each (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (octets) => {
        const text = decodeUnlabelled(octets);
        if (isUtf8(octets)) assert.equal(text, Buffer.from(octets).toString('utf8'));
        else assert.equal(text, decodeWindows1252(octets));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('decodeCharset', () => {
  it('uses the declared charset when it is known', () => {
    assert.equal(decodeCharset('iso-8859-2', bytes(0xb1, 0xb9)), 'ąš');
    assert.equal(decodeCharset('iso-8859-15', bytes(0xa4)), '€');
    assert.equal(decodeCharset('koi8-r', bytes(0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4)), 'Привет');
    assert.equal(decodeCharset('windows-1251', bytes(0xcf, 0xf0, 0xe8)), 'При');
    assert.equal(decodeCharset('shift_jis', bytes(0x93, 0x8c, 0x8b, 0x9e)), '東京');
    // A declared charset is trusted even when the octets happen to be valid UTF-8.
    assert.equal(decodeCharset('iso-8859-1', Buffer.from('é')), 'Ã©');
  });

  it('returns null for an unknown charset and for WHATWG’s "replacement" encoding', () => {
    assert.equal(decodeCharset('x-unknown', bytes(0x41)), null);
    assert.equal(decodeCharset('utf-7', bytes(0x41)), null);
    assert.equal(decodeCharset('iso-2022-kr', bytes(0x41, 0x42)), null);
    assert.equal(decodeText(bytes(0x41, 0x42), 'iso-2022-kr'), 'AB');
    assert.equal(decodeText(bytes(0x41, 0x80), 'x-unknown'), 'A€');
  });

  it('never throws, whatever the label and octets (property)', () => {
    const label = fc.oneof(fc.constantFrom('utf-8', 'utf-16', 'utf-16be', 'iso-8859-1', 'us-ascii', 'gb18030', 'big5', 'euc-jp', 'iso-2022-jp', 'replacement', ''), fc.string({ maxLength: 20 }));
    fc.assert(
      fc.property(label, fc.uint8Array({ maxLength: 100 }), (l, octets) => {
        const out = decodeCharset(l, octets);
        assert.ok(out === null || typeof out === 'string');
        assert.equal(typeof decodeText(octets, l), 'string');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('charsets where mail carries them', () => {
  it('encoded words in iso-8859-1 and windows-1252 (RFC 2047)', () => {
    assert.equal(decodeEncodedWords('=?iso-8859-1?q?10_=80?='), '10 €');
    assert.equal(decodeEncodedWords('=?windows-1252?Q?=93quoted=94_it=92s?='), '“quoted” it’s');
    assert.equal(decodeEncodedWords('=?us-ascii?b?R3LDvMOfZQ==?='), 'Grüße');
    assert.equal(decodeEncodedWords('=?iso-2022-kr?q?x?='), '=?iso-2022-kr?q?x?=');
  });

  it('raw 8-bit header bytes: UTF-8 when valid (RFC 6532), else windows-1252', () => {
    const header = Buffer.concat([
      Buffer.from('Subject: Grüße – 東京\r\n', 'utf8'),
      Buffer.from('From: Ren\xe9e \x93R\x94 <r@example.test>\r\n', 'latin1'),
      Buffer.from('X-Price: 10\x80\r\n', 'latin1'),
    ]);
    const fields = parseHeaderFields(header);
    assert.deepEqual(
      fields.map((f) => f.value),
      ['Grüße – 東京', 'Renée “R” <r@example.test>', '10€'],
    );
    assert.deepEqual(Buffer.concat(fields.map((f) => f.raw)), header, 'the raw bytes stay as they were');
  });

  it('RFC 2231 parameters in iso-8859-1, and without a charset', () => {
    assert.equal(parseContentType("text/plain; name*=iso-8859-1''10%80.txt").params.name, '10€.txt');
    assert.equal(parseContentType("text/plain; name*=''caf%C3%A9.txt").params.name, 'café.txt');
    assert.equal(parseContentType("text/plain; name*=''caf%E9.txt").params.name, 'café.txt');
  });
});
