import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fetchMarksSeen, fetchMessage, fetchNeedsBody, fetchNeedsMime } from '../../src/imap/engine/fetch.js';
import { UnknownCteError } from '../../src/imap/engine/types.js';
import { cachedSource } from '../../src/imap/engine/cache.js';
import { decodeQuotedPrintable } from '../../src/imap/engine/sections.js';
import { crlf, fetchItems, mailbox, wire } from './engine-kit.js';

const NESTED = crlf(`From: "Joe Q. Public" <joe@example.test>
To: Mary <mary@x.test>, team: ann@x.test, bob@x.test;
Subject: =?UTF-8?Q?caf=C3=A9?= news
Date: Mon, 15 Jan 2024 10:00:00 +0100
Message-ID: <m1@example.test>
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 au lait=
 please
--outer
Content-Type: message/rfc822
Content-Description: forwarded

Subject: inner
From: ann@x.test
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain

inner plain
--inner
Content-Type: text/html; charset=iso-8859-1
Content-Transfer-Encoding: base64

PGI+aOk8L2I+
--inner--
--outer
Content-Type: application/octet-stream; name*0="long"; name*1=".bin"
Content-Disposition: attachment; filename="a.bin"
Content-Transfer-Encoding: x-uuencode

begin 644 a.bin
--outer--
`);

const one = mailbox([{ raw: NESTED, flags: ['\\Seen', '$Work'], recent: true, modSeq: 7, internalDate: Date.UTC(2024, 0, 15, 9, 30, 5) }]);
const record = one.records[0]!;
const fetch = async (items: string, zone = 0) => wire(1, await fetchMessage(record, fetchItems(items), { source: one.source, utf8: false, zoneOffset: () => zone }));

describe('FETCH (engine)', () => {
  const cases: Array<[string, string]> = [
    ['(UID FLAGS MODSEQ RFC822.SIZE)', `* 1 FETCH (UID 10 FLAGS (\\Seen $Work \\Recent) MODSEQ (7) RFC822.SIZE ${NESTED.length})`],
    [
      'ENVELOPE',
      '* 1 FETCH (ENVELOPE ("Mon, 15 Jan 2024 10:00:00 +0100" "=?UTF-8?Q?caf=C3=A9?= news" (("Joe Q. Public" NIL "joe" "example.test")) (("Joe Q. Public" NIL "joe" "example.test")) (("Joe Q. Public" NIL "joe" "example.test")) (("Mary" NIL "mary" "x.test")(NIL NIL "team" NIL)(NIL NIL "ann" "x.test")(NIL NIL "bob" "x.test")(NIL NIL NIL NIL)) NIL NIL NIL "<m1@example.test>"))',
    ],
    ['BODY[1]', '* 1 FETCH (BODY[1] {27}\r\nCaf=C3=A9 au lait=\r\n please)'],
    ['BODY.PEEK[1]<5.4>', '* 1 FETCH (BODY[1]<5> {4}\r\n3=A9)'],
    ['BODY.PEEK[1]<500.4>', '* 1 FETCH (BODY[1]<500> {0}\r\n)'],
    ['BODY.PEEK[2.HEADER.FIELDS (subject)]', '* 1 FETCH (BODY[2.HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: inner\r\n\r\n)'],
    ['BODY.PEEK[2.1]', '* 1 FETCH (BODY[2.1] {11}\r\ninner plain)'],
    ['BODY.PEEK[2.2.MIME]', '* 1 FETCH (BODY[2.2.MIME] {82}\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n)'],
    ['BODY.PEEK[2.TEXT]<0.7>', '* 1 FETCH (BODY[2.TEXT]<0> {7}\r\n--inner)'],
    ['BODY.PEEK[1.HEADER]', '* 1 FETCH (BODY[1.HEADER] {0}\r\n)'],
    ['BODY.PEEK[9]', '* 1 FETCH (BODY[9] {0}\r\n)'],
    ['BINARY.PEEK[1]', '* 1 FETCH (BINARY[1] {20}\r\nCafé au lait please)'],
    ['INTERNALDATE', '* 1 FETCH (INTERNALDATE "15-Jan-2024 09:30:05 +0000")'],
  ];
  for (const [items, expected] of cases) {
    it(items, async () => {
      assert.equal(await fetch(items), expected);
    });
  }

  it('BINARY decodes base64 in a nested message and counts decoded octets', async () => {
    const got = await fetchMessage(record, fetchItems('(BINARY.PEEK[2.2] BINARY.SIZE[2.2])'), { source: one.source, utf8: false });
    assert.deepEqual(got[0], { kind: 'BINARY[]', part: [2, 2], origin: undefined, content: Buffer.from('<b>h\xe9</b>', 'latin1') });
    assert.deepEqual(got[1], { kind: 'BINARY.SIZE', part: [2, 2], size: 9 });
  });

  it('shows INTERNALDATE in the server zone', async () => {
    assert.equal(await fetch('INTERNALDATE', 120), '* 1 FETCH (INTERNALDATE "15-Jan-2024 11:30:05 +0200")');
  });

  it('BODYSTRUCTURE keeps spellings, joins RFC 2231 continuations, nests message/rfc822', async () => {
    assert.equal(
      await fetch('BODYSTRUCTURE'),
      '* 1 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 27 1 NIL NIL NIL NIL)' +
        '("message" "rfc822" NIL NIL "forwarded" "7bit" 253 (NIL "inner" ((NIL NIL "ann" "x.test")) ((NIL NIL "ann" "x.test")) ((NIL NIL "ann" "x.test")) NIL NIL NIL NIL NIL) ' +
        '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 11 0 NIL NIL NIL NIL)("text" "html" ("charset" "iso-8859-1") NIL NIL "base64" 12 0 NIL NIL NIL NIL) "alternative" ("boundary" "inner") NIL NIL NIL) 13 NIL NIL NIL NIL)' +
        '("application" "octet-stream" ("name" "long.bin") NIL NIL "x-uuencode" 15 NIL ("attachment" ("filename" "a.bin")) NIL NIL) "mixed" ("boundary" "outer") NIL NIL NIL))',
    );
    assert.doesNotMatch(await fetch('BODY'), /attachment/);
  });

  it('BINARY of an unknown transfer encoding throws UnknownCteError', async () => {
    await assert.rejects(fetch('BINARY[3]'), (e: unknown) => e instanceof UnknownCteError && e.encoding === 'X-UUENCODE');
    await assert.rejects(fetch('BINARY.SIZE[3]'), UnknownCteError);
  });

  it('knows which items set \\Seen and which need the body', () => {
    assert.equal(fetchMarksSeen(fetchItems('(BODY.PEEK[] FLAGS)')), false);
    assert.equal(fetchMarksSeen(fetchItems('BODY[TEXT]')), true);
    assert.equal(fetchMarksSeen(fetchItems('RFC822')), true);
    assert.equal(fetchMarksSeen(fetchItems('RFC822.HEADER')), false);
    assert.equal(fetchMarksSeen(fetchItems('BINARY[1]')), true);
    assert.equal(fetchNeedsBody(fetchItems('FAST')), false);
    assert.equal(fetchNeedsBody(fetchItems('ALL')), true);
  });

  it('RFC822, RFC822.HEADER and RFC822.TEXT', async () => {
    const got = await fetchMessage(record, fetchItems('(RFC822.HEADER RFC822.TEXT RFC822)'), { source: one.source, utf8: false });
    const [h, t, all] = got.map((i) => ('content' in i ? (i.content as Buffer) : Buffer.alloc(0)));
    assert.ok(Buffer.concat([h!, t!]).equals(all!));
    assert.match(h!.toString(), /\r\n\r\n$/);
  });

  it('ENVELOPE defaults, NIL rules and a header without an empty line', async () => {
    const box = mailbox([crlf('Subject:\nFrom: a@b.test (Ann Example)\nSender: s@b.test\nReply-To: \nIn-Reply-To: <x@y>\n')]);
    const got = wire(1, await fetchMessage(box.records[0]!, fetchItems('(ENVELOPE BODY[HEADER])'), { source: box.source, utf8: false }));
    assert.match(got, /^\* 1 FETCH \(ENVELOPE \(NIL NIL \(\("Ann Example" NIL "a" "b.test"\)\) \(\(NIL NIL "s" "b.test"\)\) \(\("Ann Example" NIL "a" "b.test"\)\) NIL NIL NIL "<x@y>" NIL\) BODY\[HEADER\]/);
  });
});

describe('engine helpers', () => {
  it('decodes quoted-printable soft breaks, padding and bad escapes', () => {
    assert.equal(decodeQuotedPrintable(Buffer.from('a=3Db  \r\nc=\r\nd=ZZ=\n')).toString(), 'a=b\r\ncd=ZZ');
  });

  it('caches parsed messages and evicts past the budget', async () => {
    let reads = 0;
    const src = cachedSource({ raw: async (id) => (reads++, Buffer.from(`Subject: ${id}\r\n\r\n${'x'.repeat(100)}`)) }, 1000);
    await src.parsed('a');
    await src.parsed('a');
    await src.raw('a');
    assert.equal(reads, 1);
    for (const id of ['b', 'c', 'd', 'e']) await src.parsed(id);
    await src.parsed('a');
    assert.equal(reads, 6, 'a was evicted');
  });

  it('whole-message items (BODY[], BODY.PEEK[]<partial>, RFC822) read the octets unparsed, once, from a cacheless source', async () => {
    assert.equal(fetchNeedsMime(fetchItems('(UID FLAGS BODY.PEEK[] RFC822 RFC822.SIZE BODY[]<0.10> MODSEQ)')), false);
    for (const text of ['ENVELOPE', 'BODY[TEXT]', 'BODY.PEEK[1]', 'RFC822.HEADER', 'BODYSTRUCTURE', 'BINARY[]']) assert.equal(fetchNeedsMime(fetchItems(text)), true, text);
    // Not MIME at all: a parse would still work, but the point is that none is attempted and nothing is kept.
    const raw = crlf('Subject: big\n\n' + 'line\n'.repeat(1000));
    let reads = 0;
    const source = {
      raw: async () => {
        reads++;
        return raw;
      },
    };
    const { records } = mailbox([raw]);
    const out = await fetchMessage(records[0]!, fetchItems('(BODY.PEEK[] RFC822 BODY[]<5.7>)'), { source, utf8: false });
    assert.equal(reads, 1);
    assert.equal(out[0]!.kind === 'BODY[]' && out[0]!.content, raw);
    assert.equal(out[1]!.kind === 'RFC822' && out[1]!.content, raw);
    assert.deepEqual(out[2]!.kind === 'BODY[]' && out[2]!.content, raw.subarray(5, 12));
  });
});
