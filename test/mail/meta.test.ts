import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { extractMeta, parseDate } from '../../src/mail/meta.js';

const CORPUS = new URL('../fixtures/mime/', import.meta.url).pathname;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

describe('extractMeta', () => {
  it('reads the fields of a simple message', () => {
    const raw = Buffer.from(
      'From: =?utf-8?q?Andr=C3=A9?= <a@x.test>\r\nTo: Bob <b@y.test>,\r\n c@z.test\r\nCc: d@w.test\r\n' +
        'Subject: =?utf-8?b?R3LDvMOfZQ==?=\r\n =?utf-8?q?_und_mehr?=\r\nDate: Sat, 28 Nov 2026 21:00:00 +0100\r\n' +
        'Message-ID:  <1@x.test> \r\nIn-Reply-To: <0@x.test>\r\nReferences: <a@x.test>\r\n <0@x.test>\r\n\r\n' +
        'Subject: not this one\r\n',
    );
    assert.deepEqual(extractMeta(raw), {
      size: raw.length,
      subject: 'Grüße und mehr',
      from: 'André <a@x.test>',
      to: 'Bob <b@y.test>, c@z.test',
      cc: 'd@w.test',
      date: Date.UTC(2026, 10, 28, 20, 0, 0),
      messageId: '<1@x.test>',
      inReplyTo: '<0@x.test>',
      references: '<a@x.test> <0@x.test>',
      structure: null,
    });
  });

  it('gives null for absent fields and never reads the body', () => {
    const meta = extractMeta(Buffer.from('X-Other: 1\r\n\r\nFrom: body@x.test\r\nSubject: body\r\n'));
    assert.equal(meta.from, null);
    assert.equal(meta.subject, null);
    assert.equal(meta.date, null);
  });

  it('reads every message of the MIME corpus without throwing', () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.eml'));
    assert.ok(files.length >= 10);
    for (const f of files) {
      const raw = readFileSync(join(CORPUS, f));
      const meta = extractMeta(raw);
      assert.equal(meta.size, raw.length, f);
    }
  });

  const corpus: Array<[string, Partial<Record<'subject' | 'from' | 'to' | 'cc' | 'messageId' | 'references', string | null>> & { date?: string | null }]> = [
    ['mime-torture-ryan-finnie.eml', { subject: "Ryan Finnie's MIME Torture Test v1.0", from: 'Ryan Finnie <rfinnie@domain.dom>', to: 'bob@domain.dom', messageId: '<1066976914.4721.5.camel@localhost>', date: '2003-10-24T06:28:34.000Z' }],
    ['mailparser-nodemailer.eml', { subject: 'Nodemailer is unicode friendly ✔ (1476358788189)', from: 'Andris Kreata <andris@kreata.ee>', date: '2016-10-13T11:39:48.000Z' }],
    ['mailparser-large_text.eml', { from: 'Brian Murray <brian@ubuntu.com>', subject: '[Bug 381598] Re: ubiquity crashes in ubuntu 9.04 installation', date: '2011-08-03T17:43:19.000Z' }],
    ['mailparser-decoderended.eml', { subject: 'Fwd: fotos', to: 'dabadabadu <wwer@iiieww.net>', date: '2004-09-09T08:15:52.000Z' }],
    ['mailparser-spam.eml', { from: '"Matilda Klein" <noreply@guide-des-vins-de-bourgogne.fr>', date: '2015-11-24T00:35:26.000Z' }],
    ['wildduck-fix1.eml', { from: 'sender@example.com', cc: 'cc@example.com', subject: 'test', date: null }],
    ['wildduck-fix3.eml', { messageId: '<testmessage-for-bug>;', subject: null }],
    ['mailparser-mixed.eml', { from: null, subject: null }],
  ];
  for (const [file, expected] of corpus) {
    it(`reads ${file}`, () => {
      const meta = extractMeta(readFileSync(join(CORPUS, file)));
      for (const [key, value] of Object.entries(expected)) {
        const actual = key === 'date' ? iso(meta.date) : meta[key as keyof typeof meta];
        assert.equal(actual, value, key);
      }
    });
  }

  it('never throws (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        extractMeta(Buffer.from(bytes));
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseDate (RFC 5322 §3.3, §4.3)', () => {
  const cases: Array<[string, string | null]> = [
    ['Sat, 28 Nov 2026 21:00:00 +0000', '2026-11-28T21:00:00.000Z'],
    ['28 Nov 2026 21:00:00 +0000', '2026-11-28T21:00:00.000Z'],
    ['Sat, 28 Nov 2026 21:00 +0000', '2026-11-28T21:00:00.000Z'],
    ['Wed,  3 Aug 2011 17:55:18 +0000 (UTC)', '2011-08-03T17:55:18.000Z'],
    ['Thu, 13 Oct 2016 04:39:49 -0700 (PDT)', '2016-10-13T11:39:49.000Z'],
    ['Thu, 13 Oct 2016 04:39:49 +0530', '2016-10-12T23:09:49.000Z'],
    ['Thu, 13 Oct 16 04:39:49 GMT', '2016-10-13T04:39:49.000Z'],
    ['13 Oct 99 04:39:49 EST', '1999-10-13T09:39:49.000Z'],
    ['13 Oct 116 04:39:49 PDT', '2016-10-13T11:39:49.000Z'],
    ['13 Oct 2016 04:39:49 Z', '2016-10-13T04:39:49.000Z'],
    ['13 Oct 2016 04:39:49 A', '2016-10-13T04:39:49.000Z'],
    ['13 Oct 2016 04:39:49', '2016-10-13T04:39:49.000Z'],
    ['Thursday, 13 October 2016 04:39:49 +0000', '2016-10-13T04:39:49.000Z'],
    ['31 Dec 2016 23:59:60 +0000', '2016-12-31T23:59:59.000Z'],
    ['29 Feb 2024 00:00:00 +0000', '2024-02-29T00:00:00.000Z'],
    ['29 Feb 2023 00:00:00 +0000', null],
    ['31 Apr 2023 00:00:00 +0000', null],
    ['0 Jan 2023 00:00:00 +0000', null],
    ['1 Foo 2023 00:00:00 +0000', null],
    ['1 Jan 2023 24:00:00 +0000', null],
    ['1 Jan 2023 00:60:00 +0000', null],
    ['1 Jan 2023 00:00:00 +0060', null],
    ['1 Jan 2023 00:00:00 XYZ', null],
    ['1 Jan 0099 00:00:00 +0000', null],
    ['2023-01-01T00:00:00Z', null],
    ['', null],
    ['yesterday', null],
  ];
  for (const [input, expected] of cases) it(`reads ${JSON.stringify(input)}`, () => assert.equal(iso(parseDate(input)), expected));

  it('never throws (property)', () => {
    fc.assert(fc.property(fc.string(), (s) => void parseDate(s)), { numRuns: 500 });
  });
});
