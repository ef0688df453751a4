import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseMime, partAt, type MimePart } from '../../src/mail/mime/parse.js';
import { parseContentType, parseStructured } from '../../src/mail/mime/params.js';

const CORPUS = new URL('../fixtures/mime/', import.meta.url);
const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'));
const body = (raw: Buffer, p: MimePart) => raw.subarray(p.bodyStart, p.end).toString();
const shape = (p: MimePart): unknown =>
  p.type === 'multipart' ? [`${p.type}/${p.subtype}`, p.children.map(shape)] : p.message ? [`${p.type}/${p.subtype}`, shape(p.message)] : `${p.type}/${p.subtype}`;

describe('MIME parameters (RFC 2045, 2183, 2231)', () => {
  it('parses types, quoted values, comments and defaults', () => {
    assert.deepEqual(parseContentType('Text/HTML; Charset="UTF-8" (a comment); format=flowed'), {
      type: 'text',
      subtype: 'html',
      params: { charset: 'UTF-8', format: 'flowed' },
    });
    assert.deepEqual(parseContentType(undefined), { type: 'text', subtype: 'plain', params: { charset: 'us-ascii' } });
    assert.deepEqual(parseContentType('garbage'), { type: 'text', subtype: 'plain', params: { charset: 'us-ascii' } });
    assert.deepEqual(parseContentType('multipart/mixed; boundary="a;b=c\\"d"').params, { boundary: 'a;b=c"d' });
  });

  it('joins RFC 2231 continuations and decodes charsets', () => {
    assert.equal(parseStructured("attachment; filename*=utf-8''%E2%82%AC%20rates.pdf").params.filename, '€ rates.pdf');
    assert.equal(parseStructured('attachment; filename*0="long "; filename*1="name.txt"').params.filename, 'long name.txt');
    assert.equal(parseStructured("inline; name*0*=iso-8859-1'de'M%FC; name*1=ller.txt").params.name, 'Müller.txt');
  });
});

describe('MIME structure', () => {
  it('finds parts, offsets, sizes and lines of a nested message', () => {
    const raw = crlf(`From: a@example.test
Content-Type: multipart/mixed; boundary=outer

preamble
--outer
Content-Type: text/plain; charset=utf-8

Hello
world
--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain

plain
--inner
Content-Type: text/html

<b>html</b>
--inner--
--outer
Content-Type: message/rfc822

Subject: inside
Content-Type: multipart/mixed; boundary=deep

--deep

deep text
--deep--
--outer--
epilogue
`);
    const root = parseMime(raw);
    assert.deepEqual(shape(root), [
      'multipart/mixed',
      ['text/plain', ['multipart/alternative', ['text/plain', 'text/html']], ['message/rfc822', ['multipart/mixed', ['text/plain']]]],
    ]);
    const text = root.children[0]!;
    assert.equal(body(raw, text), 'Hello\r\nworld');
    assert.equal(text.size, 12);
    assert.equal(text.lines, 2);
    assert.equal(text.params.charset, 'utf-8');
    assert.equal(body(raw, partAt(root, [2, 2])!), '<b>html</b>');
    assert.equal(partAt(root, [3])!.type, 'message');
    assert.equal(body(raw, partAt(root, [3, 1])!), 'deep text', '3.1 is the first part of the message in part 3');
    assert.equal(partAt(root, [4]), null);
    assert.equal(partAt(root, [1, 1]), text, '1.1 of a leaf part is the part itself, as Dovecot answers');
    assert.equal(partAt(root, [1, 2]), null);
    assert.match(raw.subarray(root.children[2]!.message!.start, root.children[2]!.message!.bodyStart).toString(), /^Subject: inside\r\n/);
  });

  it('part 1 of a single-part message is its body; defaults and encodings', () => {
    const raw = crlf('Subject: x\nContent-Transfer-Encoding: Base64\n\nSGVsbG8=\n');
    const root = parseMime(raw);
    assert.equal(partAt(root, [1]), root);
    assert.equal(root.encoding, 'BASE64');
    assert.deepEqual([root.type, root.subtype, root.params], ['text', 'plain', { charset: 'us-ascii' }]);
    assert.equal(root.lines, 1);
  });

  it('survives missing end boundaries, LF line endings, no blank line, and empty multiparts', () => {
    const noEnd = parseMime(Buffer.from('Content-Type: multipart/mixed; boundary=b\n\n--b\n\nfirst\n--b\nContent-Type: text/html\n\nsecond\n'));
    assert.deepEqual(shape(noEnd), ['multipart/mixed', ['text/plain', 'text/html']]);
    const empty = parseMime(crlf('Content-Type: multipart/mixed; boundary=zz\n\nno boundaries here\n'));
    assert.deepEqual(shape(empty), ['multipart/mixed', ['text/plain']]);
    assert.equal(empty.children[0]!.size, 0);
    const headerOnly = parseMime(Buffer.from('Subject: only a header\r\n'));
    assert.equal(headerOnly.size, 0);
    const digest = parseMime(crlf('Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: in digest\n\nx\n--d--\n'));
    assert.deepEqual(shape(digest), ['multipart/digest', [['message/rfc822', 'text/plain']]]);
  });

  it('stops nesting at the depth limit without throwing', () => {
    let msg = 'x\r\n';
    for (let i = 0; i < 200; i++) msg = `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n${msg}\r\n--b${i}--\r\n`;
    const root = parseMime(Buffer.from(msg));
    let depth = 0;
    for (let p: MimePart | undefined = root; p; p = p.children[0]) depth++;
    assert.ok(depth <= 52);
  });

  it('parses every message of the corpus', () => {
    for (const name of readdirSync(CORPUS).filter((f) => f.endsWith('.eml'))) {
      const raw = readFileSync(new URL(name, CORPUS));
      const root = parseMime(raw);
      const walk = (p: MimePart): void => {
        assert.ok(p.start <= p.bodyStart && p.bodyStart <= p.end && p.end <= raw.length, `${name}: offsets in order`);
        p.children.forEach(walk);
        if (p.message) walk(p.message);
      };
      walk(root);
    }
    const torture = parseMime(readFileSync(new URL('mime-torture-ryan-finnie.eml', CORPUS)));
    assert.equal(torture.type, 'multipart');
    assert.ok(torture.children.length >= 5);
  });

  it('never throws on random input', () =>
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: fc.constantFrom('-', 'b', '\r', '\n', ':', ' ', 'C', 'x', ';', '=') }), (s) => {
        const raw = Buffer.from(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${s}`);
        const root = parseMime(raw);
        assert.ok(root.end === raw.length);
      }),
      { numRuns: 1000 },
    ));
});
