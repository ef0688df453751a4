/** Conformance: the webmail's sorted pages and metadata searches, and pending uploads (issue 11). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageMeta, Store } from '../types.js';
import type { StoreHarness } from './harness.js';
import { domainWithMailbox } from './fixtures.js';

interface Spec {
  subject: string;
  from: string;
  to?: string;
  cc?: string;
  date: number | null;
  size: number;
  internalDate: number;
}

const specs: Spec[] = [
  { subject: 'Re: Budget', from: 'Zoe <zoe@example.test>', to: 'alice@example.test', date: 3000, size: 300, internalDate: 10_000 },
  { subject: 'apples', from: 'bob@example.test', to: 'Team <team@example.test>', date: null, size: 100, internalDate: 2000 },
  { subject: '[list] Fwd: budget', from: '"Adam Ant" <adam@example.test>', cc: 'carol@EXAMPLE.test', date: 1000, size: 500, internalDate: 30_000 },
  { subject: 'Cherries 100%', from: 'Émile <emile@example.test>', to: 'alice@example.test', date: 4000, size: 200, internalDate: 40_000 },
];

function metaOf(s: Spec): MessageMeta {
  return { size: s.size, subject: s.subject, from: s.from, to: s.to ?? null, cc: s.cc ?? null, date: s.date, messageId: null, inReplyTo: null, references: null, structure: null };
}

/** Appends the specs in order (UIDs 1..n), each body padded to its size. */
async function folderOf(s: Store): Promise<{ folderId: number; mailboxId: number }> {
  const m = await domainWithMailbox(s, 'alice@example.test');
  const inbox = (await s.getFolder(m.id, 'INBOX'))!;
  for (const [i, spec] of specs.entries()) {
    const head = Buffer.from(`Subject: ${i}\r\n\r\n`);
    const raw = Buffer.concat([head, Buffer.alloc(spec.size - head.length, 'x')]);
    await s.append(inbox.id, raw, metaOf(spec), [], spec.internalDate);
  }
  return { folderId: inbox.id, mailboxId: m.id };
}

export function webmailListCases(h: StoreHarness): void {
  describe('webmail sorted pages and metadata searches', () => {
    it('sort by date (Date, else internal date), sender, base subject and size, both ways, with offsets', () =>
      h.withStore(async (s) => {
        const { folderId } = await folderOf(s);
        const uids = async (order: 'arrival' | 'date' | 'from' | 'subject' | 'size', reverse = false, offset = 0, limit = 10) =>
          (await s.sortedEntries(folderId, { order, reverse, offset, limit })).map((e) => e.uid);
        assert.deepEqual(await uids('arrival', false, 1, 2), [2, 3]);
        assert.deepEqual(await uids('arrival', true), [4, 3, 2, 1]);
        // dates: 3000, 2000 (internal), 1000, 4000
        assert.deepEqual(await uids('date'), [3, 2, 1, 4]);
        assert.deepEqual(await uids('date', true), [4, 1, 2, 3]);
        // senders: zoe, bob@example.test, adam ant, émile → adam ant, bob…, zoe, émile (code point order)
        assert.deepEqual(await uids('from'), [3, 2, 1, 4]);
        // base subjects: budget, apples, budget, cherries 100% → apples, budget(1), budget(3), cherries
        assert.deepEqual(await uids('subject'), [2, 1, 3, 4]);
        assert.deepEqual(await uids('subject', true), [4, 3, 1, 2]);
        assert.deepEqual(await uids('size'), [2, 4, 1, 3]);
        assert.deepEqual(await uids('size', false, 1, 2), [4, 1]);
        assert.deepEqual(await uids('size', true, 3, 5), [2]);
        const first = (await s.sortedEntries(folderId, { order: 'subject', reverse: false, offset: 0, limit: 1 }))[0]!;
        assert.equal(first.meta.subject, 'apples');
        assert.equal(first.size, 100);
      }));

    it('keys come with entries stored later, copied and moved, and go with expunged ones', () =>
      h.withStore(async (s) => {
        const { folderId, mailboxId } = await folderOf(s);
        assert.equal((await s.sortedEntries(folderId, { order: 'subject', reverse: false, offset: 0, limit: 10 })).length, 4);
        const raw = Buffer.from('Subject: a\r\n\r\nhi\r\n');
        await s.deliver({ raw, meta: { ...metaOf(specs[0]!), subject: 'AAA first', size: raw.length }, receivedAt: 50_000, targets: [{ mailboxId, folder: 'INBOX' }], queue: [] });
        const bySubject = async (f: number) => (await s.sortedEntries(f, { order: 'subject', reverse: false, offset: 0, limit: 10 })).map((e) => e.uid);
        assert.deepEqual(await bySubject(folderId), [5, 2, 1, 3, 4]);
        const trash = (await s.getFolder(mailboxId, 'Trash'))!;
        await s.copy(folderId, [4, 2], trash.id);
        await s.move(folderId, [5], trash.id);
        // Copies take UIDs in source order: apples 1, cherries 2; the moved AAA first 3.
        assert.deepEqual(await bySubject(trash.id), [3, 1, 2]);
        await s.deleteEntries(folderId, [1]);
        assert.deepEqual(await bySubject(folderId), [2, 3, 4]);
      }));

    it('filters on From, To or Cc, Subject (ASCII case ignored, LIKE characters literal) and internal dates, newest first, paged by UID', () =>
      h.withStore(async (s) => {
        const { folderId } = await folderOf(s);
        const uids = async (f: Parameters<Store['filterEntries']>[1], beforeUid?: number, limit = 10) =>
          (await s.filterEntries(folderId, f, { beforeUid, limit })).map((e) => e.uid);
        assert.deepEqual(await uids({}), [4, 3, 2, 1]);
        assert.deepEqual(await uids({}, 3, 1), [2]);
        assert.deepEqual(await uids({ from: 'ZOE@' }), [1]);
        assert.deepEqual(await uids({ from: 'example.test' }), [4, 3, 2, 1]);
        assert.deepEqual(await uids({ to: 'carol@example' }), [3]);
        assert.deepEqual(await uids({ to: 'alice' }), [4, 1]);
        assert.deepEqual(await uids({ subject: 'BUDGET' }), [3, 1]);
        assert.deepEqual(await uids({ subject: '100%' }), [4]);
        assert.deepEqual(await uids({ subject: '1_0' }), []);
        assert.deepEqual(await uids({ subject: '%' }), [4]);
        assert.deepEqual(await uids({ since: 10_000, before: 40_000 }), [3, 1]);
        assert.deepEqual(await uids({ subject: 'budget', since: 20_000 }), [3]);
        assert.deepEqual(await uids({ uids: [1, 3, 4, 99] }), [4, 3, 1]);
        assert.deepEqual(await uids({ uids: [1, 3, 4], subject: 'budget' }, 4), [3, 1]);
        assert.deepEqual(await uids({ uids: [] }), []);
        const e = (await s.filterEntries(folderId, { from: 'emile' }, { limit: 5 }))[0]!;
        assert.equal(e.meta.from, 'Émile <emile@example.test>');
      }));
  });

  describe('webmail attachment filter', () => {
    it('keeps entries whose stored structure shows an attachment and those stored without one', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s, 'alice@example.test');
        const inbox = (await s.getFolder(m.id, 'INBOX'))!;
        const part = (disposition: string | null, kind = 'basic') => ({
          kind,
          type: kind === 'text' ? 'text' : 'application',
          subtype: 'pdf',
          fields: { params: [], id: null, description: null, encoding: '7bit', size: 3 },
          extension: { md5: null, disposition: disposition ? { type: disposition, params: [['filename', 'x.pdf']] } : null, language: null, location: null },
        });
        const structures = [
          null, // uid 1: unknown
          { v: 1, body: part(null, 'text') }, // uid 2: plain text
          { v: 1, body: { kind: 'multipart', subtype: 'mixed', parts: [part(null, 'text'), part('attachment')] } }, // uid 3
          { v: 1, body: part('inline') }, // uid 4: inline, but a named part that is not text
          { v: 1, body: part('inline', 'text') }, // uid 5: inline text
        ];
        for (const [i, structure] of structures.entries()) {
          const raw = Buffer.from(`Subject: ${i}\r\n\r\nbody\r\n`);
          await s.append(inbox.id, raw, { ...metaOf(specs[0]!), size: raw.length, structure }, [], 1000 + i);
        }
        const uids = async (f: Parameters<Store['filterEntries']>[1]) => (await s.filterEntries(inbox.id, f, { limit: 10 })).map((e) => e.uid);
        assert.deepEqual(await uids({ attachments: true }), [4, 3, 1]);
        assert.deepEqual(await uids({ attachments: true, since: 1001 }), [4, 3]);
        assert.deepEqual(await uids({ attachments: false }), [5, 4, 3, 2, 1]);
      }));
  });

  describe('webmail uploads waiting to be sent', () => {
    it('are bounded per mailbox, refreshed, removed, and expired with their blobs unless a message holds them', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s, 'alice@example.test');
        const a = Buffer.from('attachment a');
        const b = Buffer.from('attachment b, longer');
        const ida = await s.blobs.put(a);
        const idb = await s.blobs.put(b);
        await s.addUpload(m.id, ida, a.length, 1000, 40);
        await s.addUpload(m.id, ida, a.length, 1500, 40); // the same bytes again: refreshed, counted once
        assert.equal(await s.uploadBytes(m.id), a.length);
        await assert.rejects(s.addUpload(m.id, idb, 30, 1600, 40), (e: unknown) => (e as { code?: string }).code === 'allowance');
        await s.addUpload(m.id, idb, b.length, 1600, 40);
        assert.equal(await s.uploadBytes(m.id), a.length + b.length);
        await assert.rejects(s.addUpload(m.id + 1000, ida, 1, 1, 40), (e: unknown) => (e as { code?: string }).code === 'not-found');

        // b is also the body of a stored message: expiring its upload keeps the blob.
        const inbox = (await s.getFolder(m.id, 'INBOX'))!;
        await s.append(inbox.id, b, { size: b.length, subject: null, from: null, to: null, cc: null, date: null, messageId: null, inReplyTo: null, references: null, structure: null }, [], 1);
        await s.touchUploads(m.id, [ida], 5000);
        assert.equal(await s.expireUploads(2000), 1);
        assert.ok(await s.blobs.get(idb), 'a message still holds the bytes');
        assert.ok(await s.blobs.get(ida), 'a refreshed upload stays');
        assert.equal(await s.uploadBytes(m.id), a.length);
        assert.equal(await s.expireUploads(6000), 1);
        assert.equal(await s.blobs.get(ida), null);
        assert.equal(await s.uploadBytes(m.id), 0);

        const c = Buffer.from('attachment c');
        const idc = await s.blobs.put(c);
        await s.addUpload(m.id, idc, c.length, 7000, 40);
        await s.removeUploads(m.id, [idc]);
        assert.equal(await s.uploadBytes(m.id), 0);
        assert.equal(await s.blobs.get(idc), null);
      }));
  });
}
