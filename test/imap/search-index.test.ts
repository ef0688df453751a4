/**
 * The SEARCH text index (issue 6) gives exactly the scan's answers: every message of the MIME corpus
 * (test/fixtures/mime) and messages with encoded words, charsets and transfer encodings are stored in a real
 * SQLite store with their description (as the composition root stores them), then TEXT, BODY, SUBJECT, FROM,
 * HEADER programs, with needles cut from each message's own text (in other letter cases too), are answered with
 * the index (MailStore.searchText narrowing, the engine confirming) and by scanning every message; the answers
 * must be equal, the index's candidates must hold every match, and a long needle must actually narrow.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/types.js';
import { extractMeta } from '../../src/mail/meta.js';
import { parseMime } from '../../src/mail/mime/parse.js';
import { describeMessage } from '../../src/imap/engine/describe.js';
import { searchMessages } from '../../src/imap/engine/search.js';
import { foldedBodyText, foldedHeaderText } from '../../src/imap/engine/search-text.js';
import { cachedSource } from '../../src/imap/engine/cache.js';
import type { MessageRecord } from '../../src/imap/engine/types.js';
import { storeSearchIndex } from '../../src/imap/commands/search.js';
import type { SearchKey, SearchProgram } from '../../src/protocol/imap/index.js';
import { domainWithMailbox, inbox } from '../../src/store/conformance/fixtures.js';
import { crlf } from './engine-kit.js';

const CORPUS = new URL('../fixtures/mime/', import.meta.url);
const corpus = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.eml'))
  .sort()
  .map((f) => ({ name: f, raw: Buffer.from(readFileSync(new URL(f, CORPUS)).toString('latin1').replace(/^From [^\n]*\n/, '').replace(/\r?\n/g, '\r\n'), 'latin1') }));

const latin1 = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');

/** Encoded words, charsets and transfer encodings; an attachment that is not text; one that is. */
const crafted = [
  {
    name: 'encoded words in several charsets',
    raw: crlf(`From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <jm@example.test>
To: =?UTF-8?B?w4lsb2TDrWU=?= <elodie@example.test>
Subject: =?UTF-8?B?R3LDvMOfZQ==?= aus =?windows-1252?Q?K=F6ln_=80?= und =?KOI8-R?B?8NLJ18XU?=
X-Note: =?UTF-8?Q?caf=C3=A9_cr=C3=A8me?=
Content-Type: text/plain; charset=utf-8

plain body
`),
  },
  {
    name: 'latin-1 quoted-printable body, soft line breaks',
    raw: latin1(`From: ann@example.test
Subject: qp
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Sch=F6ne Gr=FC=DFe aus M=FCnchen, ein sehr langer Satz der weiter=
geht und STRA=DFE sagt.
`),
  },
  {
    name: 'windows-1252, ISO-8859-15 and KOI8-R parts in base64; a binary attachment; a text attachment',
    raw: crlf(`From: bob@example.test
Subject: mixed charsets
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain; charset=windows-1252
Content-Transfer-Encoding: base64

${Buffer.from('Price: 10\x80 \x93quoted\x94', 'latin1').toString('base64')}
--b
Content-Type: text/html; charset=iso-8859-15
Content-Transfer-Encoding: base64

${Buffer.from('<p>Euro \xa4 sign</p>', 'latin1').toString('base64')}
--b
Content-Type: text/plain; charset=koi8-r
Content-Transfer-Encoding: base64

${Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4, 0x20, 0xcd, 0xc9, 0xd2]).toString('base64')}
--b
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

${Buffer.from('SECRETWORD hidden in a binary attachment').toString('base64')}
--b
Content-Type: text/csv; charset=us-ascii
Content-Disposition: attachment; filename=data.csv

name,amount,visibleword
--b--
`),
  },
  {
    name: 'an encapsulated message',
    raw: crlf(`From: carol@example.test
Subject: fwd
Content-Type: multipart/mixed; boundary=o

--o
Content-Type: text/plain

see below
--o
Content-Type: message/rfc822

From: dave@example.test
Subject: inner subject words
Content-Type: text/plain; charset=utf-8

inner body Ünïcödé text
--o--
`),
  },
  {
    name: 'UTF-8 header (RFC 6532), Greek and Turkish letters',
    raw: crlf(`From: Σωκράτης <s@example.test>
Subject: ΟΔΟΣ İstanbul ıi
Content-Type: text/plain; charset=utf-8

ΚΑΛΗΜΈΡΑ κόσμε; DİYARBAKIR
`),
  },
];

/** A deterministic PRNG (mulberry32), so a failure names a needle that can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A piece of `text` (by code points, no line ends), in a random letter case. */
function cut(text: string, random: () => number, length: number): string {
  const chars = [...text];
  if (chars.length === 0) return '';
  const at = Math.floor(random() * chars.length);
  const piece = chars.slice(at, at + length).join('').split(/[\r\n]/)[0]!;
  const r = random();
  return r < 0.33 ? piece.toUpperCase() : r < 0.66 ? piece : piece.replace(/./gu, (c) => (random() < 0.5 ? c.toUpperCase() : c));
}

const program = (key: SearchKey): SearchProgram => ({ charset: 'UTF-8', criteria: { kind: 'and', keys: [key] } });

describe('SEARCH with the text index equals the scan', () => {
  let dir: string;
  let store: Store;
  let folderId: number;
  let records: MessageRecord[];
  const texts: Array<{ name: string; header: string; body: string; subject: string; from: string }> = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-search-index-'));
    store = openSqliteStore({ path: join(dir, 'outpost.db') });
    const box = await domainWithMailbox(store);
    folderId = await inbox(store, box.id);
    for (const m of [...corpus, ...crafted]) {
      await store.append(folderId, m.raw, { ...extractMeta(m.raw), ...describeMessage(m.raw) }, [], 1_700_000_000_000);
      const mime = parseMime(m.raw);
      const field = (n: string) => mime.fields.find((f) => f.lowerName === n)?.value ?? '';
      texts.push({ name: m.name, header: foldedHeaderText(mime), body: foldedBodyText(m.raw, mime), subject: field('subject'), from: field('from') });
    }
    // One message stored without a description (as before the index existed): always a candidate.
    const bare = crlf('From: old@example.test\nSubject: stored before the index\n\nlegacy needle text\n');
    await store.append(folderId, bare, extractMeta(bare), [], 1_700_000_000_000);
    texts.push({ name: 'unindexed', header: 'subject: stored before the index', body: 'legacy needle text', subject: 'stored before the index', from: 'old@example.test' });
    records = (await store.listEntries(folderId)).map((e, i) => ({
      seq: i + 1,
      uid: e.uid,
      flags: e.flags,
      modSeq: e.modSeq,
      internalDate: e.internalDate,
      size: e.size,
      blobId: e.blobId,
      recent: false,
    }));
  });

  after(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `key` both ways; returns the matches (UIDs) and the index's candidates. */
  async function both(key: SearchKey): Promise<{ scan: number[]; indexed: number[]; candidates: ReadonlySet<number> | undefined }> {
    const source = cachedSource({ raw: async (id) => (await store.blobs.get(id))! }, 64 << 20);
    const ctx = { source, maxUid: records[records.length - 1]!.uid, now: 1_700_000_000_000 };
    const index = storeSearchIndex(store, folderId);
    const scan = (await searchMessages(program(key), records, ctx)).map((r) => r.uid);
    const indexed = (await searchMessages(program(key), records, { ...ctx, index })).map((r) => r.uid);
    return { scan, indexed, candidates: await index.candidates(program(key), records) };
  }

  async function check(key: SearchKey, label: string): Promise<{ scan: number[]; candidates: ReadonlySet<number> | undefined }> {
    const r = await both(key);
    assert.deepEqual(r.indexed, r.scan, `${label}: indexed answer equals the scan`);
    if (r.candidates) for (const uid of r.scan) assert.ok(r.candidates.has(uid), `${label}: candidate ${uid} present`);
    return r;
  }

  it('agrees on needles cut from every message, in every letter case, for TEXT, BODY, SUBJECT, FROM and HEADER', async () => {
    const random = prng(20261129);
    let narrowed = 0;
    let looked = 0;
    for (const t of texts) {
      for (let i = 0; i < 4; i++) {
        for (const [kind, text] of [
          ['text', t.header],
          ['body', t.body],
          ['text', t.body],
        ] as const) {
          const needle = cut(text, random, 1 + Math.floor(random() * 14));
          if (needle === '') continue;
          const r = await check({ kind, value: needle }, `${t.name} ${kind.toUpperCase()} ${JSON.stringify(needle)}`);
          if ([...needle].length >= 3) {
            looked++;
            assert.ok(r.candidates, `a needle of three characters or more is looked up (${JSON.stringify(needle)})`);
            if (r.candidates.size < records.length) narrowed++;
          }
        }
        const subject = cut(t.subject, random, 3 + Math.floor(random() * 8));
        if (subject) await check({ kind: 'header', field: 'Subject', value: subject }, `${t.name} SUBJECT ${JSON.stringify(subject)}`);
        const from = cut(t.from, random, 3 + Math.floor(random() * 8));
        if (from) await check({ kind: 'header', field: 'From', value: from }, `${t.name} FROM ${JSON.stringify(from)}`);
      }
    }
    assert.ok(narrowed > looked / 2, `the index narrows most lookups (${narrowed} of ${looked})`);
  });

  it('agrees on decoded words, charsets, attachments and combinations', async () => {
    const cases: Array<[SearchKey, string[]]> = [
      [{ kind: 'header', field: 'Subject', value: 'GRÜSSE' }, []], // ß does not fold to ss (simple case folding)
      [{ kind: 'header', field: 'Subject', value: 'grüße' }, ['encoded words in several charsets']],
      [{ kind: 'header', field: 'Subject', value: 'köln' }, ['encoded words in several charsets']],
      [{ kind: 'header', field: 'Subject', value: 'привет' }, ['encoded words in several charsets']],
      [{ kind: 'header', field: 'From', value: 'jörg müller' }, ['encoded words in several charsets']],
      [{ kind: 'header', field: 'To', value: 'ÉLODÍE' }, ['encoded words in several charsets']],
      [{ kind: 'header', field: 'X-Note', value: 'CAFÉ CRÈME' }, ['encoded words in several charsets']],
      [{ kind: 'body', value: 'weitergeht' }, ['latin-1 quoted-printable body, soft line breaks']],
      [{ kind: 'body', value: 'straße' }, ['latin-1 quoted-printable body, soft line breaks']],
      [{ kind: 'body', value: 'price: 10' }, ['windows-1252, ISO-8859-15 and KOI8-R parts in base64; a binary attachment; a text attachment']],
      [{ kind: 'body', value: 'euro € sign' }, ['windows-1252, ISO-8859-15 and KOI8-R parts in base64; a binary attachment; a text attachment']],
      [{ kind: 'body', value: 'ПРИВЕТ МИР' }, ['windows-1252, ISO-8859-15 and KOI8-R parts in base64; a binary attachment; a text attachment']],
      [{ kind: 'text', value: 'secretword' }, []],
      [{ kind: 'text', value: 'visibleword' }, ['windows-1252, ISO-8859-15 and KOI8-R parts in base64; a binary attachment; a text attachment']],
      [{ kind: 'body', value: 'ünïcödé' }, ['an encapsulated message']],
      [{ kind: 'body', value: 'inner subject' }, []], // the encapsulated header is not body text
      [{ kind: 'text', value: 'οδος' }, ['UTF-8 header (RFC 6532), Greek and Turkish letters']],
      [{ kind: 'body', value: 'καλημέρα' }, ['UTF-8 header (RFC 6532), Greek and Turkish letters']],
      [{ kind: 'text', value: 'legacy needle' }, ['unindexed']],
      [{ kind: 'header', field: 'X-Mailer', value: '' }, []],
      [
        { kind: 'or', left: { kind: 'body', value: 'weitergeht' }, right: { kind: 'header', field: 'Subject', value: 'fwd' } },
        ['latin-1 quoted-printable body, soft line breaks', 'an encapsulated message'],
      ],
      [{ kind: 'and', keys: [{ kind: 'text', value: 'example' }, { kind: 'not', key: { kind: 'body', value: 'plain body' } }] }, []],
      [{ kind: 'and', keys: [{ kind: 'text', value: 'ex' }, { kind: 'header', field: 'Subject', value: 'mixed charsets' }] }, ['windows-1252, ISO-8859-15 and KOI8-R parts in base64; a binary attachment; a text attachment']],
      [{ kind: 'or', left: { kind: 'body', value: 'ü' }, right: { kind: 'header', field: 'Subject', value: 'qp' } }, []],
    ];
    for (const [key, expected] of cases) {
      const label = JSON.stringify(key);
      const { scan } = await check(key, label);
      const names = scan.map((uid) => texts[records.findIndex((r) => r.uid === uid)]!.name);
      for (const name of expected) assert.ok(names.includes(name), `${label} finds "${name}" (found: ${names.join(', ')})`);
      if (label.includes('secretword')) assert.deepEqual(names, [], 'a binary attachment is not text');
    }
  });
});
