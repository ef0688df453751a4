import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeResponse, threadResponse, type SortCriterion } from '../../src/protocol/imap/index.js';
import { baseSubject, sortMessages, threadMessages } from '../../src/imap/engine/sort-thread.js';
import { crlf, mailbox } from './engine-kit.js';
import { headerSection } from '../../src/mail/mime/parse.js';

const msg = (headers: string) => crlf(`${headers}\n\nbody\n`);
const box = mailbox([
  msg('Message-ID: <a@x>\nSubject: Hello\nFrom: Zed <zed@x>\nTo: bob@x\nDate: 1 Jan 2024 10:00:00 +0000'),
  msg('Message-ID: <b@x>\nReferences: <a@x>\nSubject: Re: Hello\nFrom: amy@x\nDate: 2 Jan 2024 10:00:00 +0000'),
  msg('Message-ID: <c@x>\nSubject: Other\nFrom: =?UTF-8?Q?=C3=81lex?= <mike@x>\nDate: 3 Jan 2024 10:00:00 +0000'),
  msg('Message-ID: <d@x>\nReferences: <a@x> <missing@x>\nSubject: Re: Hello\nFrom: bea@x\nDate: 4 Jan 2024 10:00:00 +0000'),
  msg('Message-ID: <e@x>\nIn-Reply-To: <zz@x>\nSubject: [list] Re: Other\nFrom: cy@x\nDate: 5 Jan 2024 10:00:00 +0000'),
]);
const threads = async (alg: 'REFERENCES' | 'ORDEREDSUBJECT') =>
  encodeResponse(threadResponse(await threadMessages(alg, box.records, box.source))).toString().trim();
const sort = async (...criteria: SortCriterion[]) => (await sortMessages(criteria, box.records, box.source)).map((m) => m.seq);

describe('SORT and THREAD (engine, RFC 5256)', () => {
  it('give the same answers from the kept header sections as from the messages, reading none of them', async () => {
    const headers = new Map<number, Buffer>();
    for (const r of box.records) headers.set(r.uid, headerSection(await box.source.raw(r.blobId)));
    let reads = 0;
    const counting = { raw: (id: string) => (reads++, box.source.raw(id)) };
    const criteria: SortCriterion[][] = [
      [{ key: 'SUBJECT', reverse: false }],
      [{ key: 'FROM', reverse: true }, { key: 'DATE', reverse: false }],
      [{ key: 'DISPLAYFROM', reverse: false }],
      [{ key: 'TO', reverse: false }, { key: 'ARRIVAL', reverse: true }],
    ];
    for (const c of criteria)
      assert.deepEqual((await sortMessages(c, box.records, counting, headers)).map((m) => m.seq), await sort(...c), JSON.stringify(c));
    for (const alg of ['REFERENCES', 'ORDEREDSUBJECT'] as const)
      assert.equal(encodeResponse(threadResponse(await threadMessages(alg, box.records, counting, headers))).toString().trim(), await threads(alg));
    assert.equal(reads, 0);
  });

  it('extracts base subjects', () => {
    const cases: Array<[string, string, boolean]> = [
      ['Re: [list] Fwd: Hi (fwd)', 'hi', true],
      ['[fwd: Re: x]', 'x', true],
      ['[blob]', '[blob]', false],
      ['  Plain   subject  ', 'plain subject', false],
      ['=?UTF-8?Q?Re=3A_caf=C3=A9?=', 'café', true],
      ['Re: re: RE: Fw: FWD: deep', 'deep', true],
    ];
    for (const [raw, base, reply] of cases) assert.deepEqual(baseSubject(raw), { subject: base, replyOrForward: reply }, raw);
  });

  it('sorts by each key, reversing and breaking ties by sequence number', async () => {
    assert.deepEqual(await sort({ key: 'SUBJECT', reverse: false }), [1, 2, 4, 3, 5]);
    assert.deepEqual(await sort({ key: 'DATE', reverse: true }), [5, 4, 3, 2, 1]);
    assert.deepEqual(await sort({ key: 'FROM', reverse: false }), [2, 4, 5, 3, 1]);
    assert.deepEqual(await sort({ key: 'DISPLAYFROM', reverse: false }), [2, 4, 5, 1, 3]);
    assert.deepEqual(await sort({ key: 'TO', reverse: false }, { key: 'SUBJECT', reverse: true }), [3, 5, 2, 4, 1]);
    assert.deepEqual(await sort({ key: 'ARRIVAL', reverse: false }), [1, 2, 3, 4, 5]);
  });

  it('threads by references, promoting dummies and grouping by subject', async () => {
    assert.equal(await threads('REFERENCES'), '* THREAD (1 (2)(4))(3 5)');
  });

  it('threads by ordered subject', async () => {
    assert.equal(await threads('ORDEREDSUBJECT'), '* THREAD (1 (2)(4))(3 5)');
  });

  it('survives reference loops and duplicate message ids', async () => {
    const loop = mailbox([
      msg('Message-ID: <p@x>\nReferences: <q@x>\nSubject: a\nDate: 1 Jan 2024 10:00:00 +0000'),
      msg('Message-ID: <q@x>\nReferences: <p@x>\nSubject: b\nDate: 2 Jan 2024 10:00:00 +0000'),
      msg('Message-ID: <p@x>\nSubject: c\nDate: 3 Jan 2024 10:00:00 +0000'),
    ]);
    const got = await threadMessages('REFERENCES', loop.records, loop.source);
    const ids = (n: { id: number | null; children: readonly unknown[] }): number[] => [...(n.id === null ? [] : [n.id]), ...(n.children as typeof got).flatMap(ids)];
    assert.deepEqual(got.flatMap(ids).sort(), [1, 2, 3]);
  });
});
