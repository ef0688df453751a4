import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { searchMessages, type SearchIndex } from '../../src/imap/engine/search.js';
import { crlf, mailbox, program } from './engine-kit.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 0, 20, 12, 0, 0);

const box = mailbox([
  // uid 10: encoded-word subject and name, QP UTF-8 body
  {
    raw: crlf(`From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <jm@example.test>
To: team@example.test
Subject: =?UTF-8?B?R3LDvMOfZQ==?= aus Berlin
Date: Mon, 15 Jan 2024 23:30:00 -0800
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Sch=C3=B6ne Gr=C3=BC=C3=9Fe und ein langer Satz der weiter=
geht.
`),
    flags: ['\\Seen'],
    internalDate: NOW - 5 * DAY,
  },
  // uid 20: latin-1 body in base64, a binary attachment whose base64 spells words, a text attachment
  {
    raw: crlf(`From: ann@example.test
Cc: Bob <bob@example.test>
Subject: report
Date: Tue, 16 Jan 2024 08:00:00 +0000
X-Priority: 1
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: base64

Q2Fm6SBub2lyCg==
--b
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

U0VDUkVUV09SRA==
--b
Content-Type: text/csv; charset=us-ascii
Content-Disposition: attachment; filename=data.csv

name,amount
--b--
`),
    flags: ['\\Flagged', '$Important'],
    recent: true,
    internalDate: NOW - 1 * DAY,
    modSeq: 50,
  },
  // uid 30: a forwarded message, no Date header, big
  {
    raw: crlf(`From: carol@example.test
Subject: Fwd: hello
Content-Type: message/rfc822

From: dave@example.test
Subject: inner subject

inner body words ${'padding '.repeat(200)}
`),
    recent: true,
    internalDate: NOW - 60_000,
    modSeq: 90,
  },
]);

const ctx = { source: box.source, maxUid: 30, now: NOW, zoneOffset: () => 0, searchResult: [20] };
const uids = async (text: string) => (await searchMessages(program(text), box.records, ctx)).map((m) => m.uid);

describe('SEARCH (engine)', () => {
  const cases: Array<[string, number[]]> = [
    ['ALL', [10, 20, 30]],
    ['SEEN', [10]],
    ['UNSEEN', [20, 30]],
    ['FLAGGED', [20]],
    ['KEYWORD $important', [20]],
    ['UNKEYWORD $Important', [10, 30]],
    ['RECENT', [20, 30]],
    ['OLD', [10]],
    ['NEW', [20, 30]],
    ['2:*', [20, 30]],
    ['*', [30]],
    ['1,3', [10, 30]],
    ['UID 15:25', [20]],
    ['UID *', [30]],
    ['UID 99:*', [30]],
    ['$', [20]],
    ['UID $', [20]],
    ['LARGER 1000', [30]],
    ['SMALLER 400', [10]],
    ['MODSEQ 50', [20, 30]],
    ['OLDER 3600', [10, 20]],
    ['YOUNGER 3600', [30]],
    // encoded words, charsets, case
    ['FROM "müller"', [10]],
    ['FROM "JÖRG"', [10]],
    ['SUBJECT "grüße"', [10]],
    ['SUBJECT "aus berlin"', [10]],
    ['CC bob', [20]],
    ['TO TEAM@', [10]],
    ['BCC x', []],
    ['HEADER X-Priority ""', [20]],
    ['HEADER x-priority 1', [20]],
    ['HEADER X-Missing ""', []],
    // bodies: QP soft breaks, base64 + Latin-1, text attachments yes, binary attachments never
    ['BODY "schöne grüße"', [10]],
    ['BODY weitergeht', [10]],
    ['BODY "café noir"', [20]],
    ['BODY SECRETWORD', []],
    ['BODY U0VDUkVU', []],
    ['BODY name,amount', [20]],
    ['BODY "inner body words"', [30]],
    ['BODY "inner subject"', []],
    ['TEXT "inner body"', [30]],
    ['TEXT report', [20]],
    ['TEXT "Fwd: hello"', [30]],
    // dates: internal in the server zone, sent in the header's own zone
    ['ON 15-Jan-2024', [10]],
    ['SINCE 19-Jan-2024', [20, 30]],
    ['BEFORE 19-Jan-2024', [10]],
    ['SENTON 15-Jan-2024', [10]],
    ['SENTSINCE 16-Jan-2024', [20]],
    ['SENTBEFORE 16-Jan-2024', [10]],
    // logic
    ['NOT SEEN', [20, 30]],
    ['OR SEEN FLAGGED', [10, 20]],
    ['OR (FROM ann BODY "café") UID 30', [20, 30]],
    ['NOT (RECENT LARGER 1000)', [10, 20]],
    ['FROM example.test SUBJECT report', [20]],
  ];
  for (const [text, expected] of cases) it(text, async () => assert.deepEqual(await uids(text), expected));

  it('reads no message for record-only keys, and pre-filters through an index', async () => {
    let reads = 0;
    const counting = { raw: async (id: string) => (reads++, box.source.raw(id)) };
    await searchMessages(program('FLAGGED UNSEEN BODY x'), box.records, { ...ctx, source: counting });
    assert.equal(reads, 1, 'only the flagged message is read');
    const index: SearchIndex = { candidates: async () => new Set([10, 30]) };
    const got = await searchMessages(program('TEXT e'), box.records, { ...ctx, index });
    assert.deepEqual(got.map((m) => m.uid), [10, 30]);
  });

  it('treats `$` as empty when nothing was saved', async () => {
    assert.deepEqual(await searchMessages(program('$'), box.records, { ...ctx, searchResult: undefined }), []);
  });
});
