/**
 * Differential test of the IMAP message engine against Dovecot 2.3 (../shared/TESTING.md: "let Dovecot be the
 * oracle"). Every message of test/fixtures/mime (CRLF-normalised) is delivered to a private Dovecot with
 * dovecot-lda and handed to our engine as the same octets; FETCH items and SEARCH results are compared as
 * parsed IMAP values (so a quoted string and a literal of the same octets are equal).
 *
 * Deliberate differences are listed in DOCUMENTED_DIFFERENCES with the reason; everything else must agree.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { encodeResponse, fetchResponse, parseCommandLine } from '../../src/protocol/imap/index.js';
import { fetchMessage } from '../../src/imap/engine/fetch.js';
import { describeMessage, storedDescription } from '../../src/imap/engine/describe.js';
import { searchMessages } from '../../src/imap/engine/search.js';
import { sortMessages, threadMessages } from '../../src/imap/engine/sort-thread.js';
import { threadResponse } from '../../src/protocol/imap/index.js';
import { cachedSource } from '../../src/imap/engine/cache.js';
import type { MessageRecord } from '../../src/imap/engine/types.js';
import { ImapClient, parseValues, show, startDovecot, type Dovecot, type Value } from './dovecot-oracle.js';

const CORPUS = new URL('../fixtures/mime/', import.meta.url);
const FILES = readdirSync(CORPUS).filter((f) => f.endsWith('.eml')).sort();
/**
 * CRLF line ends, as IMAP sends messages; a leading mbox "From " line (mailparser-large_text.eml has one) is
 * dropped, because dovecot-lda drops it too and it is not part of the message.
 */
const crlf = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replace(/^From [^\n]*\n/, '').replace(/\r?\n/g, '\r\n'), 'latin1');

/** The two renderings around their first difference, so a failure reads in one screen. */
function around(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 120);
  return `\n  dovecot: …${a.slice(from, i + 120)}\n  outpost: …${b.slice(from, i + 120)}`;
}

/** Fetch items compared on every message (sections that do not exist in a message are compared too). */
const FETCH_ITEMS = [
  'ENVELOPE',
  'BODYSTRUCTURE',
  'BODY',
  'RFC822.SIZE',
  'FLAGS',
  'BODY.PEEK[HEADER]',
  'BODY.PEEK[TEXT]<0.100>',
  'BODY.PEEK[1]<0.200>',
  'BODY.PEEK[1.MIME]',
  'BODY.PEEK[2.MIME]',
  'BODY.PEEK[2]<10.50>',
  'BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]',
  'BODY.PEEK[HEADER.FIELDS.NOT (SUBJECT FROM RECEIVED)]',
  'BODY.PEEK[2.HEADER]',
  'BODY.PEEK[2.TEXT]<0.80>',
  'BODY.PEEK[2.1]<0.80>',
  'BODY.PEEK[3.1.MIME]',
  'BODY.PEEK[3.HEADER.FIELDS (SUBJECT)]',
  'BINARY.PEEK[1]<0.120>',
  'BINARY.SIZE[1]',
  'BINARY.SIZE[2]',
];

/**
 * Differences we keep on purpose. Each names the message, the fetch item, what Dovecot sends and what we send
 * instead (as text inside the rendered value, replaced in Dovecot's before comparing, so the rest of the value
 * is still compared), and why.
 */
interface Difference {
  readonly file: string;
  readonly item: string;
  readonly dovecot: string;
  readonly outpost: string;
  readonly reason: string;
}
const DOCUMENTED_DIFFERENCES: readonly Difference[] = [
  {
    file: 'mime-torture-ryan-finnie.eml',
    item: 'BODY',
    dovecot: '"6650"',
    outpost: '"6648"',
    reason:
      'part 10 ends "--inner--" CRLF "--outer": RFC 2046 §5.1.1 gives that CRLF to the outer delimiter, so the ' +
      'part ends before it; Dovecot counts it in the part.',
  },
  {
    file: 'mime-torture-ryan-finnie.eml',
    item: 'BODY',
    dovecot: '"177"',
    outpost: '"176"',
    reason: 'the same part 10: its line count without that CRLF',
  },
  ...['mailparser-mixed.eml', 'mailparser-nested.eml', 'mailparser-nodemailer.eml'].map((file) => ({
    file,
    item: 'BINARY.SIZE[1]',
    dovecot: '',
    outpost: '',
    reason:
      'BINARY of a multipart part: Dovecot decodes the leaves inside it; we send its octets unchanged, since ' +
      'RFC 2045 §6.4 allows no transfer encoding on a composite part and RFC 3516 defines decoding for leaves.',
  })),
  {
    file: 'mailparser-nested.eml',
    item: 'BINARY.SIZE[2]',
    dovecot: '',
    outpost: '',
    reason: 'as above: part 2 is a multipart',
  },
];

/** Dovecot's rendering with the documented differences applied; undefined when the whole item is exempt. */
function expected(file: string, key: string, rendered: string): string | undefined {
  let out = rendered;
  for (const d of DOCUMENTED_DIFFERENCES) {
    if (d.file !== file || !(key === d.item || (d.item === 'BODY' && key === 'BODYSTRUCTURE'))) continue;
    if (d.dovecot === '') return undefined;
    out = out.split(d.dovecot).join(d.outpost);
  }
  return out;
}

/** Flags set in both before searching: sequence number → flags. */
const FLAGS: Record<number, string[]> = { 2: ['\\Seen'], 3: ['\\Flagged', '\\Seen'], 5: ['$Label'], 8: ['\\Answered', '$Label'] };

/**
 * SEARCH programs compared (sent as UID SEARCH). Strings with 8-bit text go to Dovecot as LITERAL+ literals.
 * The internal dates are "today" in both (the messages were just delivered), so BEFORE/ON/SINCE use a far date
 * and today's.
 */
const SEARCHES = [
  'ALL',
  'SEEN',
  'UNSEEN',
  'FLAGGED',
  'ANSWERED UNSEEN',
  'KEYWORD $Label',
  'UNKEYWORD $Label',
  'NEW',
  'OLD',
  'RECENT',
  '1:3',
  '2,4:*',
  '*',
  'UID 2:4',
  'LARGER 1000',
  'SMALLER 1000',
  'NOT LARGER 5573',
  'FROM ryan',
  'FROM "Andris Kreata"',
  'TO bob',
  'CC cc@example.com',
  'BCC nobody',
  'SUBJECT "unicode friendly"',
  'SUBJECT \u2714',
  'SUBJECT fwd',
  'HEADER Message-ID kreata',
  'HEADER X-Mailer ""',
  'HEADER Subject ""',
  'BODY "Good Morning"',
  'BODY "nyan cat for you"',
  'BODY H4sIAOHBmD8AA',
  'BODY example',
  'BODY "complicated message"',
  'TEXT "Ryan Finnie"',
  'TEXT amazonses',
  'TEXT nyan',
  'BODY ubiquity',
  'SENTBEFORE 1-Jan-2010',
  'SENTSINCE 1-Jan-2015',
  'SENTON 23-Oct-2003',
  'SENTON 24-Oct-2003',
  'BEFORE 1-Jan-2000',
  'SINCE 1-Jan-2000',
  'NOT FROM ryan',
  'OR FROM ryan TO andris',
  'OR (FROM ryan SUBJECT smiley) SEEN',
  'NOT (SEEN FLAGGED)',
  'UNSEEN TEXT "content-type"',
];

/** SEARCH differences we keep on purpose: the program, the messages Dovecot adds, and why. */
const SEARCH_DIFFERENCES: ReadonlyArray<{ readonly query: string; readonly files: readonly string[]; readonly reason: string }> = [
  {
    query: 'SENTBEFORE 1-Jan-2010',
    files: [
      'mailparser-base64encodedroot.eml',
      'mailparser-htmllargecallstack.eml',
      'mailparser-mixed.eml',
      'mailparser-nested.eml',
      'mailparser-outofmemory.eml',
      'wildduck-fix1.eml',
      'wildduck-fix3.eml',
      'wildduck-fix4.eml',
      'wildduck-no_empty_line_between_text_boundary.eml',
    ],
    reason:
      'these have no Date header: Dovecot takes the sent date as 1 Jan 1970, so they are "sent before" any day; ' +
      'we do not invent a date, and a message without one matches no SENT* key (RFC 9051 §6.4.4 compares the ' +
      'Date header, which they lack).',
  },
];

type Attrs = Map<string, Value>;

function attrs(response: Buffer): { seq: number; attrs: Attrs } {
  const [seq, , list] = parseValues(response) as [{ atom: string }, Value, Value[]];
  const map: Attrs = new Map();
  for (let i = 0; i < list.length; i += 2) map.set((list[i] as { atom: string }).atom.toUpperCase(), list[i + 1]!);
  return { seq: Number(seq.atom), attrs: map };
}

describe('IMAP engine against Dovecot (differential)', () => {
  let dovecot: Dovecot;
  let client: ImapClient;
  const raws = FILES.map((f) => crlf(readFileSync(new URL(f, CORPUS))));
  const records: MessageRecord[] = [];
  const blobs = new Map<string, Buffer>();
  const source = cachedSource({ raw: async (id) => blobs.get(id)! }, 8 << 20);

  before(async () => {
    dovecot = await startDovecot();
    for (const raw of raws) await dovecot.deliver(raw);
    client = await ImapClient.connect(dovecot.port);
    assert.match((await client.command('LOGIN alice secret')).status, /^OK/);
    assert.match((await client.command('SELECT INBOX')).status, /^OK/);
    const { untagged } = await client.command('FETCH 1:* (UID INTERNALDATE FLAGS)');
    for (const r of untagged) {
      const { seq, attrs: a } = attrs(r);
      const raw = raws[seq - 1]!;
      blobs.set(`b${seq}`, raw);
      const date = (a.get('INTERNALDATE') as Buffer).toString();
      records.push({
        seq,
        uid: Number((a.get('UID') as { atom: string }).atom),
        flags: [],
        modSeq: 1,
        internalDate: Date.parse(date.replace(/^ ?(\d+)-(\w+)-(\d+) /, '$1 $2 $3 ')),
        size: raw.length,
        blobId: `b${seq}`,
        recent: true,
      });
    }
    assert.equal(records.length, FILES.length);
  });

  it('SEARCH agrees on every program', async () => {
    for (const [seq, flags] of Object.entries(FLAGS)) {
      assert.match((await client.command(`STORE ${seq} +FLAGS (${flags.join(' ')})`)).status, /^OK/);
      const i = Number(seq) - 1;
      records[i] = { ...records[i]!, flags };
    }
    const maxUid = Math.max(...records.map((r) => r.uid));
    const mismatches: string[] = [];
    for (const query of SEARCHES) {
      const text = query.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
      const eightBit = /[^\x00-\x7f]/.test(text);
      const wire = eightBit
        ? `CHARSET UTF-8 ${text.replace(/[^ ]*[^\x00-\x7f][^ ]*/g, (w) => `{${Buffer.byteLength(w)}+}\r\n${w}`)}`
        : text;
      const { untagged, status } = await client.command(`UID SEARCH ${wire}`);
      assert.match(status, /^OK/, query);
      const exempt = new Set(SEARCH_DIFFERENCES.filter((d) => d.query === query).flatMap((d) => d.files));
      const theirs = untagged
        .flatMap((r) => parseValues(r).slice(1).map((v) => Number((v as { atom: string }).atom)))
        .filter((uid) => !exempt.has(FILES[records.findIndex((r) => r.uid === uid)]!));
      const command = parseCommandLine(`x UID SEARCH ${eightBit ? 'CHARSET UTF-8 ' : ''}${eightBit ? text.replace(/([^ ]*[^\x00-\x7f][^ ]*)/g, '"$1"') : text}`, { utf8: true });
      assert.equal(command.name, 'SEARCH');
      if (command.name !== 'SEARCH') return;
      const ours = (await searchMessages(command.program, records, { source, maxUid, now: Date.now() })).map((m) => m.uid);
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        const name = (uids: number[]) => uids.map((u) => FILES[records.findIndex((r) => r.uid === u)]).join(' ');
        mismatches.push(`${query}\n  dovecot: ${theirs.join(' ')} (${name(theirs)})\n  outpost: ${ours.join(' ')} (${name(ours)})`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  it('SORT and THREAD agree (RFC 5256)', async () => {
    const mismatches: string[] = [];
    for (const criteria of ['SUBJECT', 'REVERSE DATE', 'FROM', 'TO', 'CC', 'SIZE', 'REVERSE SIZE', 'ARRIVAL', 'DATE SUBJECT', 'DISPLAYFROM', 'DISPLAYTO']) {
      const { untagged, status } = await client.command(`SORT (${criteria}) UTF-8 ALL`);
      assert.match(status, /^OK/, criteria);
      const theirs = untagged.flatMap((r) => parseValues(r).slice(1).map((v) => Number((v as { atom: string }).atom)));
      assert.equal(theirs.length, records.length, criteria);
      const c = parseCommandLine(`x SORT (${criteria}) UTF-8 ALL`);
      if (c.name !== 'SORT') throw new Error('not SORT');
      const ours = (await sortMessages(c.criteria, records, source)).map((m) => m.seq);
      if (ours.join(' ') !== theirs.join(' ')) mismatches.push(`SORT (${criteria})\n  dovecot: ${theirs.join(' ')}\n  outpost: ${ours.join(' ')}`);
    }
    for (const algorithm of ['ORDEREDSUBJECT', 'REFERENCES'] as const) {
      const { untagged, status } = await client.command(`THREAD ${algorithm} UTF-8 ALL`);
      assert.match(status, /^OK/, algorithm);
      const theirs = untagged.map((r) => r.toString('latin1')).join('');
      assert.match(theirs, /^THREAD \(/, algorithm);
      const ours = encodeResponse(threadResponse(await threadMessages(algorithm, records, source))).toString('latin1').slice(2).replace(/\r\n$/, '');
      if (ours !== theirs) mismatches.push(`THREAD ${algorithm}\n  dovecot: ${theirs}\n  outpost: ${ours}`);
    }
    assert.deepEqual(mismatches, []);
  });

  after(async () => {
    client?.close();
    await dovecot?.stop();
  });

  it('stores the same octets (BODY[] and RFC822.SIZE)', async () => {
    const { untagged } = await client.command('FETCH 1:* (RFC822.SIZE BODY.PEEK[])');
    for (const r of untagged) {
      const { seq, attrs: a } = attrs(r);
      assert.equal(Number((a.get('RFC822.SIZE') as { atom: string }).atom), raws[seq - 1]!.length, FILES[seq - 1]);
      assert.ok((a.get('BODY[]') as Buffer).equals(raws[seq - 1]!), FILES[seq - 1]);
    }
  });

  for (const item of FETCH_ITEMS) {
    it(`FETCH ${item} agrees on every message`, async () => {
      const { untagged, status } = await client.command(`FETCH 1:* (${item})`);
      assert.match(status, /^OK/);
      const parsedItems = parseCommandLine(`x FETCH 1 (${item})`);
      assert.equal(parsedItems.name, 'FETCH');
      if (parsedItems.name !== 'FETCH') return;
      const mismatches: string[] = [];
      for (const r of untagged) {
        const theirs = attrs(r);
        const record = records[theirs.seq - 1]!;
        // ENVELOPE and BODY[STRUCTURE] as FETCH answers them: from the description stored at delivery (after a
        // JSON round trip, as the store keeps it), which must also equal what parsing the message gives.
        const stored = storedDescription(JSON.parse(JSON.stringify(describeMessage(raws[theirs.seq - 1]!).structure)));
        assert.ok(stored, 'a stored description reads back');
        const encoded = encodeResponse(fetchResponse(record.seq, await fetchMessage(record, parsedItems.items, { source, utf8: false }, stored)));
        const parsed = encodeResponse(fetchResponse(record.seq, await fetchMessage(record, parsedItems.items, { source, utf8: false })));
        assert.ok(encoded.equals(parsed), `${FILES[theirs.seq - 1]}: the stored description answers ${item} as parsing does`);
        const ours = attrs(encoded.subarray(2));
        for (const [key, value] of theirs.attrs) {
          const file = FILES[theirs.seq - 1]!;
          // FLAGS is a set: its order carries nothing.
          const normalise = (v: Value): Value => (key === 'FLAGS' && Array.isArray(v) ? [...v].sort((a, b) => JSON.stringify(show(a)).localeCompare(JSON.stringify(show(b)))) : v);
          const want = expected(file, key, JSON.stringify(show(normalise(value))));
          if (want === undefined) continue;
          const got = JSON.stringify(show(normalise(ours.attrs.get(key) ?? { atom: '<missing>' })));
          if (got !== want) mismatches.push(`${file} ${key}${around(want, got)}`);
        }
      }
      assert.deepEqual(mismatches, []);
    });
  }
});
