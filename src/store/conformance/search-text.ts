/**
 * Conformance: the SEARCH text index (MailStore.searchText), stored descriptions (MailStore.structures) and
 * reading a body in pieces (BlobStore.read). The index may over-approximate but never miss a match.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageMeta, Store, TextQuery } from '../types.js';
import type { StoreHarness } from './harness.js';
import { domainWithMailbox, inbox, meta } from './fixtures.js';

const term = (field: 'header' | 'body' | 'any', needle: string): TextQuery => ({ kind: 'term', field, needle });

function withText(raw: Buffer, header: string, body: string, structure: unknown = null): MessageMeta {
  return { ...meta(raw), structure, text: { header, body } };
}

/** Appends messages with the given (already folded) texts; returns their UIDs. */
async function fill(s: Store, folderId: number, texts: Array<[string, string] | null>): Promise<number[]> {
  const uids: number[] = [];
  for (const [i, t] of texts.entries()) {
    const raw = Buffer.from(`Subject: ${i}\r\n\r\nbody ${i}\r\n`);
    const m = t === null ? meta(raw) : withText(raw, t[0], t[1]);
    uids.push((await s.append(folderId, raw, m, [], 1000 + i)).uid);
  }
  return uids;
}

/** Every match must be among the answer (superset), and for these clear-cut cases nothing else. */
function assertCovers(answer: number[] | null, mustHave: number[], mustNotHave: number[] = []): void {
  assert.ok(answer !== null, 'the index answers');
  for (const u of mustHave) assert.ok(answer.includes(u), `UID ${u} is a candidate`);
  for (const u of mustNotHave) assert.ok(!answer.includes(u), `UID ${u} is not a candidate`);
}

export function searchTextCases(h: StoreHarness): void {
  describe('search text index', () => {
    it('finds substrings of three characters or more in the header, the body or either, folded as given', () =>
      h.withStore(async (s) => {
        const box = await domainWithMailbox(s);
        const f = await inbox(s, box.id);
        const [a, b, c] = await fill(s, f, [
          ['subject: grüße aus berlin\nfrom: jörg <j@example.test>', 'schöne grüße'],
          ['subject: report', 'café noir, "quoted" words'],
          ['subject: nothing here', 'plain'],
        ]);
        assertCovers(await s.searchText(f, term('header', 'grüße')), [a!], [b!, c!]);
        assertCovers(await s.searchText(f, term('body', 'fé n')), [b!], [a!, c!]);
        assertCovers(await s.searchText(f, term('body', 'report')), [], [b!]);
        assertCovers(await s.searchText(f, term('any', 'report')), [b!], [a!, c!]);
        assertCovers(await s.searchText(f, term('body', '"quoted"')), [b!], [a!, c!]);
        assertCovers(await s.searchText(f, term('any', 'zzz-none')), [], [a!, b!, c!]);
      }));

    it('combines terms with and/or; a needle too short to look up makes an OR unanswerable and drops out of an AND', () =>
      h.withStore(async (s) => {
        const box = await domainWithMailbox(s);
        const f = await inbox(s, box.id);
        const [a, b, c] = await fill(s, f, [
          ['subject: alpha', 'one two'],
          ['subject: beta', 'one three'],
          ['subject: gamma', 'four'],
        ]);
        assertCovers(await s.searchText(f, { kind: 'and', of: [term('body', 'one'), term('header', 'beta')] }), [b!], [a!, c!]);
        assertCovers(await s.searchText(f, { kind: 'or', of: [term('header', 'alpha'), term('body', 'four')] }), [a!, c!], [b!]);
        assert.equal(await s.searchText(f, term('any', 'al')), null, 'two characters cannot be looked up');
        assert.equal(await s.searchText(f, { kind: 'or', of: [term('header', 'alpha'), term('body', 'fo')] }), null);
        assertCovers(await s.searchText(f, { kind: 'and', of: [term('header', 'alpha'), term('body', 'on')] }), [a!], [c!]);
      }));

    it('always includes messages stored without text, copies and moved messages, and forgets expunged ones', () =>
      h.withStore(async (s) => {
        const box = await domainWithMailbox(s);
        const f = await inbox(s, box.id);
        const sent = (await s.getFolder(box.id, 'Sent'))!.id;
        const [a, unindexed] = await fill(s, f, [['subject: needle', 'x'], null]);
        assertCovers(await s.searchText(f, term('any', 'needle')), [a!, unindexed!]);
        const [copied] = await s.copy(f, [a!], sent);
        assertCovers(await s.searchText(sent, term('any', 'needle')), [copied!.to]);
        await s.storeFlags(f, [a!], 'add', ['\\Deleted']);
        await s.expunge(f);
        assertCovers(await s.searchText(f, term('any', 'needle')), [unindexed!], [a!]);
        assertCovers(await s.searchText(sent, term('any', 'needle')), [copied!.to], []);
        const [moved] = await s.move(sent, [copied!.to], f);
        assertCovers(await s.searchText(f, term('any', 'needle')), [moved!.to, unindexed!]);
        assertCovers(await s.searchText(sent, term('any', 'needle')), [], [copied!.to]);
      }));

    it('indexes delivered messages in the same commit, in every target folder', () =>
      h.withStore(async (s) => {
        const box = await domainWithMailbox(s);
        const f = await inbox(s, box.id);
        const raw = Buffer.from('Subject: delivered\r\n\r\nhello\r\n');
        const r = await s.deliver({ raw, meta: withText(raw, 'subject: delivered', 'hello world'), receivedAt: 1, targets: [{ mailboxId: box.id, folder: 'INBOX' }, { mailboxId: box.id, folder: 'Junk' }], queue: [] });
        assertCovers(await s.searchText(f, term('body', 'lo wor')), [r.placed[0]!.uid]);
        assertCovers(await s.searchText(r.placed[1]!.folderId, term('body', 'lo wor')), [r.placed[1]!.uid]);
      }));

    it('keeps the stored structure for FETCH by UID, and leaves it out of listEntries', () =>
      h.withStore(async (s) => {
        const box = await domainWithMailbox(s);
        const f = await inbox(s, box.id);
        const raw = Buffer.from('Subject: s\r\n\r\nb\r\n');
        const structure = { v: 1, envelope: { subject: 's', from: [{ name: null, mailbox: 'a', host: 'b' }] }, body: { kind: 'text', lines: 1 } };
        const { uid } = await s.append(f, raw, withText(raw, 'subject: s', 'b', structure), [], 1);
        const { uid: bare } = await s.append(f, raw, meta(raw), [], 2);
        const got = await s.structures(f, [uid, bare, 999]);
        assert.deepEqual([...got.keys()], [uid]);
        assert.deepEqual(got.get(uid), structure);
        assert.deepEqual((await s.getEntry(f, uid))?.meta.structure, structure);
        assert.equal((await s.listEntries(f))[0]?.meta.structure, null);
      }));

    it('reads a body in pieces, small or big, at any offset', () =>
      h.withStore(async (s) => {
        const big = Buffer.alloc(3 * 1024 * 1024 + 17);
        for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 12)) & 0xff;
        const small = Buffer.from('small body');
        for (const raw of [small, big]) {
          const id = await s.blobs.put(raw);
          assert.deepEqual(await s.blobs.get(id), raw);
          for (const [offset, length] of [[0, 4], [3, 100], [raw.length - 2, 10], [raw.length + 5, 3], [1024 * 1024 - 3, 2 * 1024 * 1024 + 9], [0, raw.length]] as const)
            assert.deepEqual(await s.blobs.read(id, offset, length), raw.subarray(Math.min(offset, raw.length), Math.min(offset + length, raw.length)), `${raw.length} @${offset}+${length}`);
        }
        assert.equal(await s.blobs.read('0'.repeat(64), 0, 1), null);
      }));

    it('reads several whole bodies at once, small and chunked, leaving out unknown ids', () =>
      h.withStore(async (s) => {
        const big = Buffer.alloc(2 * 1024 * 1024 + 5, 0x62);
        const bodies = [Buffer.from('one'), Buffer.from('two'), big];
        const ids = await Promise.all(bodies.map((b) => s.blobs.put(b)));
        const missing = 'f'.repeat(64);
        const got = await s.blobs.getMany([ids[2]!, missing, ids[0]!, ids[1]!, ids[0]!]);
        assert.deepEqual([...got.keys()].sort(), [...ids].sort());
        for (const [i, id] of ids.entries()) assert.deepEqual(got.get(id), bodies[i]);
        assert.equal((await s.blobs.getMany([])).size, 0);
      }));

    it('stores a big body once, and removes it with its last message', () =>
      h.withStore(async (s) => {
        const box = await domainWithMailbox(s);
        const f = await inbox(s, box.id);
        const raw = Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), Buffer.alloc(2 * 1024 * 1024 + 5, 0x61)]);
        const { uid } = await s.append(f, raw, meta(raw), [], 1);
        const blobId = (await s.getEntry(f, uid))!.blobId;
        assert.deepEqual(await s.blobs.get(blobId), raw);
        await s.deleteEntries(f, [uid]);
        assert.equal(await s.blobs.get(blobId), null);
        assert.equal(await s.blobs.read(blobId, 0, 10), null);
      }));
  });
}
