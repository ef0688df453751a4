/**
 * The kept header section (src/store/header-cache.ts) answers RFC822.HEADER, BODY[HEADER] and
 * BODY[HEADER.FIELDS (…)] with exactly the octets the whole message gives: every message of the MIME corpus,
 * edge cases (bare LF, no empty line, folded and 8-bit names, a header bigger than the limit) and partials.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchMessage } from '../../src/imap/engine/fetch.js';
import { headerSection, parseMime } from '../../src/mail/mime/parse.js';
import { HEADER_PREFIX_OCTETS, keptHeader, keptHeaderOfPrefix } from '../../src/store/header-cache.js';
import { parseHeaderFields } from '../../src/mail/header-block.js';
import { headerSectionBytes, sectionFields } from '../../src/imap/engine/sections.js';
import { storeLimits } from '../../src/lib/limits.js';
import type { FetchItem, SectionText } from '../../src/protocol/imap/index.js';
import type { MessageRecord, MessageSource } from '../../src/imap/engine/types.js';

const CORPUS = join(import.meta.dirname, '../fixtures/mime');

const EDGES: Record<string, Buffer> = {
  'bare LF': Buffer.from('From: a@x.test\nSubject: hi\n folded\nTo: b@x.test\n\nbody\n'),
  'no empty line': Buffer.from('From: a@x.test\r\nSubject: only a header\r\n'),
  'no final line end': Buffer.from('From: a@x.test\r\nSubject: cut'),
  'empty header': Buffer.from('\r\nbody only\r\n'),
  'odd names': Buffer.from('From : spaced@x.test\r\nX-Caf\xc3\xa9: utf8 name\r\nNoColonLine\r\n\tcontinued\r\nSUBJECT: upper\r\nX-\xe9: latin1 name\r\n\r\nbody\r\n', 'latin1'),
};

const TEXTS: SectionText[] = [
  { kind: 'header' },
  { kind: 'header-fields', fields: ['From', 'To', 'Subject', 'Date', 'Message-ID'], not: false },
  { kind: 'header-fields', fields: ['subject', 'x-café', 'X-\u00e9', 'nocolonline'], not: false },
  { kind: 'header-fields', fields: ['Received', 'DKIM-Signature', 'Content-Type'], not: true },
  { kind: 'header-fields', fields: ['X-Absent'], not: false },
];

function record(raw: Buffer): MessageRecord {
  return { uid: 1, seq: 1, flags: [], modSeq: 1, internalDate: 0, recent: false, size: raw.length, blobId: 'b' } as unknown as MessageRecord;
}

function sourceOf(raw: Buffer, reads: { n: number }): MessageSource {
  return {
    raw: async () => {
      reads.n++;
      return raw;
    },
  };
}

async function both(raw: Buffer, items: FetchItem[]): Promise<{ whole: unknown; kept: unknown; reads: number }> {
  const whole = await fetchMessage(record(raw), items, { source: sourceOf(raw, { n: 0 }), utf8: false });
  const reads = { n: 0 };
  const kept = await fetchMessage(record(raw), items, { source: sourceOf(raw, reads), utf8: false }, undefined, headerSection(raw));
  return { whole, kept, reads: reads.n };
}

const messages = (): Array<[string, Buffer]> => [
  ...readdirSync(CORPUS)
    .filter((f) => f.endsWith('.eml'))
    .map((f): [string, Buffer] => [f, readFileSync(join(CORPUS, f))]),
  ...Object.entries(EDGES),
];

describe('IMAP FETCH from the kept header section', () => {
  it('is the root part\'s header section of every corpus message', () => {
    for (const [name, raw] of messages()) {
      const root = parseMime(raw);
      assert.deepEqual(headerSection(raw), raw.subarray(root.start, root.bodyStart), name);
    }
  });

  it('gives the header fields the MIME parse gives the root (what SORT and THREAD read)', () => {
    for (const [name, raw] of messages()) assert.deepEqual(sectionFields(headerSection(raw)), parseMime(raw).fields, name);
  });

  it('answers each header item with the octets the whole message gives, without reading it', async () => {
    for (const [name, raw] of messages()) {
      for (const text of TEXTS) {
        const items: FetchItem[] = [{ kind: 'BODY[]', peek: true, section: { part: [], text }, partial: undefined }];
        const r = await both(raw, items);
        assert.deepEqual(r.kept, r.whole, `${name} ${JSON.stringify(text)}`);
        assert.equal(r.reads, 0, `${name}: the message was read`);
      }
      const r = await both(raw, [{ kind: 'RFC822.HEADER' }, { kind: 'BODY[]', peek: true, section: { part: [], text: { kind: 'header' } }, partial: { offset: 3, length: 10 } }]);
      assert.deepEqual(r.kept, r.whole, `${name} RFC822.HEADER and a partial`);
      assert.equal(r.reads, 0);
    }
  });

  it('picks HEADER.FIELDS as the full field parse names them (names decoded, white space before the colon dropped)', () => {
    // The reference: every field fully parsed (parseHeaderFields decodes names and values), picked by lowerName.
    const reference = (header: Buffer, names: readonly string[], not: boolean): Buffer => {
      // The header sections compared below end in CRLF CRLF (or are the lone CRLF of an empty header).
      const fields = header.subarray(0, header.length - 2);
      const wanted = new Set(names.map((n) => n.toLowerCase()));
      const picked = parseHeaderFields(fields).filter((f) => f.lowerName !== '' && wanted.has(f.lowerName) !== not);
      return Buffer.concat([...picked.map((f) => (f.raw[f.raw.length - 1] === 0x0a ? f.raw : Buffer.concat([f.raw, Buffer.from('\r\n')]))), Buffer.from('\r\n')]);
    };
    for (const [name, raw] of messages()) {
      const header = headerSection(raw);
      if (!(header.equals(Buffer.from('\r\n')) || header.subarray(-4).equals(Buffer.from('\r\n\r\n')))) continue;
      for (const text of TEXTS)
        if (text.kind === 'header-fields') assert.deepEqual(headerSectionBytes(header, text).toString('latin1'), reference(header, text.fields, text.not).toString('latin1'), `${name} ${text.fields}`);
    }
    const odd = headerSection(EDGES['odd names']!);
    const picked = headerSectionBytes(odd, { kind: 'header-fields', fields: ['from', 'x-café', 'x-\u00e9'], not: false }).toString('latin1');
    assert.equal(picked, 'From : spaced@x.test\r\nX-Caf\xc3\xa9: utf8 name\r\nX-\xe9: latin1 name\r\n\r\n');
  });

  it('still reads the message for items the header cannot answer', async () => {
    const [, raw] = messages()[0]!;
    const r = await both(raw, [{ kind: 'BODY[]', peek: true, section: { part: [], text: { kind: 'header' } }, partial: undefined }, { kind: 'BODY[]', peek: true, section: { part: [1], text: undefined }, partial: undefined }]);
    assert.deepEqual(r.kept, r.whole);
    assert.equal(r.reads, 1);
  });

  it('decides from the first octets of a message what the whole message decides (the backfill reads no more)', () => {
    const limit = storeLimits.headerCacheOctets;
    const sized = (headerOctets: number, eol = '\r\n') => {
      const head = `Subject: `;
      const end = `${eol}${eol}`;
      return Buffer.from(`${head}${'x'.repeat(headerOctets - head.length - end.length)}${end}${'body line\r\n'.repeat(5000)}`);
    };
    const cases: Array<[string, Buffer]> = [...messages(), ['at the limit', sized(limit)], ['one over', sized(limit + 1)], ['bare LF at the limit', sized(limit, '\n')], ['three over', sized(limit + 3)], ['far over', sized(limit * 3)]];
    for (let cut = 1; cut <= 6; cut++) cases.push([`end of the section ${cut} octets past the prefix`, sized(HEADER_PREFIX_OCTETS + cut)]);
    for (const [name, raw] of cases) {
      const whole = keptHeader(raw);
      assert.deepEqual(keptHeaderOfPrefix(raw.subarray(0, HEADER_PREFIX_OCTETS), raw.length), whole, name);
    }
    assert.equal(keptHeader(sized(limit))?.length, limit);
    assert.equal(keptHeader(sized(limit + 1)), null);
  });

  it('keeps a header section up to storeLimits.headerCacheOctets, none above', () => {
    const fill = (n: number) => Buffer.from(`Subject: ${'x'.repeat(n)}\r\n\r\nbody\r\n`);
    const limit = storeLimits.headerCacheOctets;
    const at = fill(limit - 'Subject: \r\n\r\n'.length);
    assert.equal(keptHeader(at)?.length, limit);
    assert.equal(keptHeader(fill(limit)), null);
  });
});
