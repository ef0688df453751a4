/**
 * Conformance: what IMAP's selected view reads (MailStore.listCompactEntries, MailStore.entryBlobs) and STORE's
 * flag changes as the view relies on them (RFC 3501 §6.4.6, RFC 7162 §3.1.3 UNCHANGEDSINCE).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StoreHarness } from './harness.js';
import { domainWithMailbox, inbox, message, meta } from './fixtures.js';
import { storeLimits } from '../../lib/limits.js';

export function imapViewCases(h: StoreHarness): void {
  describe('imap view listing', () => {
    it('lists UID, flags, modseq and INTERNALDATE like listEntries, by range and changedSince', () =>
      h.withStore(async (s) => {
        const box = await domainWithMailbox(s);
        const f = await inbox(s, box.id);
        const flags = [[], ['\\Seen'], ['\\Seen'], ['\\Flagged', 'work'], []];
        for (const [i, fl] of flags.entries()) await s.append(f, message(i), meta(message(i)), fl, 5000 + i);
        await s.storeFlags(f, [4], 'add', ['\\Answered']);
        const full = await s.listEntries(f);
        const compact = await s.listCompactEntries(f);
        assert.deepEqual(
          compact.map((c) => ({ ...c, flags: [...c.flags] })),
          full.map((e) => ({ uid: e.uid, flags: e.flags, modSeq: e.modSeq, internalDate: e.internalDate })),
        );
        assert.deepEqual(
          (await s.listCompactEntries(f, { fromUid: 2, toUid: 4 })).map((c) => c.uid),
          [2, 3, 4],
        );
        const changedSince = full[2]!.modSeq;
        assert.deepEqual(
          (await s.listCompactEntries(f, { changedSince })).map((c) => c.uid),
          full.filter((e) => e.modSeq > changedSince).map((e) => e.uid),
        );
        assert.deepEqual(await s.listCompactEntries(f, { fromUid: 99 }), []);
      }));

    it('gives blob ids and sizes for the UIDs asked, leaving out UIDs not in the folder', () =>
      h.withStore(async (s) => {
        const box = await domainWithMailbox(s);
        const f = await inbox(s, box.id);
        for (let i = 0; i < 4; i++) await s.append(f, message(i, i * 100), meta(message(i, i * 100)), [], 1000);
        await s.storeFlags(f, [2], 'add', ['\\Deleted']);
        await s.expunge(f);
        const blobs = await s.entryBlobs(f, [1, 2, 3, 42]);
        assert.deepEqual([...blobs.keys()].sort(), [1, 3]);
        for (const uid of [1, 3]) {
          const e = (await s.getEntry(f, uid))!;
          assert.deepEqual(blobs.get(uid), { blobId: e.blobId, size: e.size });
          assert.equal((await s.blobs.get(e.blobId))!.length, e.size);
        }
        assert.equal((await s.entryBlobs(f, [])).size, 0);
      }));

    it('keeps each message\'s header section apart: by UID, through copies, gone with the message, none when too big', () =>
      h.withStore(async (s) => {
        const box = await domainWithMailbox(s);
        const f = await inbox(s, box.id);
        const big = Buffer.from(`Subject: big\r\nX-Filler: ${'y'.repeat(storeLimits.headerCacheOctets)}\r\n\r\nbody\r\n`);
        const lf = Buffer.from('Subject: bare LF\nFrom: a@example.test\n\nbody\n');
        for (const raw of [message(1, 50), big, lf, message(4)]) await s.append(f, raw, meta(raw), [], 1000);
        const kept = await s.headers(f, [1, 2, 3, 4, 99]);
        assert.deepEqual([...kept.keys()].sort(), [1, 2, 3, 4], 'every UID in the folder, none for one that is not');
        const blobs = await s.entryBlobs(f, [1, 2, 3, 4]);
        for (const uid of [1, 2, 3, 4]) assert.deepEqual({ blobId: kept.get(uid)!.blobId, size: kept.get(uid)!.size }, blobs.get(uid), 'with its blob and size');
        const section = (uid: number, folder = f) => s.headers(folder, [uid]).then((m) => m.get(uid)?.header?.toString() ?? null);
        assert.equal(kept.get(1)!.header!.toString(), 'Subject: message 1\r\nFrom: a@example.test\r\n\r\n');
        assert.equal(kept.get(2)!.header, null, 'too big to keep');
        assert.equal(kept.get(3)!.header!.toString(), 'Subject: bare LF\nFrom: a@example.test\n\n');
        assert.equal((await s.headers(f, [])).size, 0);
        // A copy shares the message, and its header; expunging the original leaves the copy's.
        const archive = await s.createFolder(box.id, 'Archive');
        await s.copy(f, [1], archive.id);
        await s.storeFlags(f, [1], 'add', ['\\Deleted']);
        await s.expunge(f);
        assert.deepEqual([...(await s.headers(f, [1, 4])).keys()], [4]);
        assert.equal(await section(1, archive.id), 'Subject: message 1\r\nFrom: a@example.test\r\n\r\n');
      }));

    it('lists messages stored before header sections were kept, and keeps what the backfill cut', () =>
      h.withStore(async (s, db) => {
        const box = await domainWithMailbox(s);
        const f = await inbox(s, box.id);
        for (let i = 1; i <= 5; i++) await s.append(f, message(i), meta(message(i)), [], 1000);
        assert.deepEqual(await s.headerlessMessages(0, 10), [], 'a new message has its section decided when stored');
        // As if stored before the migration.
        await db.exec('DELETE FROM message_headers');
        const entries = await s.listEntries(f);
        const all = await s.headerlessMessages(0, 10);
        assert.deepEqual(
          all,
          entries.map((e) => ({ messageId: e.messageId, blobId: e.blobId, size: e.size })),
        );
        assert.deepEqual(await s.headerlessMessages(all[1]!.messageId, 2), all.slice(2, 4), 'after an id, ascending, bounded');
        assert.deepEqual([...(await s.headers(f, [1, 2, 3, 4, 5])).values()].map((e) => e.header), [null, null, null, null, null]);
        const section = Buffer.from('Subject: message 1\r\nFrom: a@example.test\r\n\r\n');
        await s.keepHeaders([
          { messageId: all[0]!.messageId, header: section },
          { messageId: all[1]!.messageId, header: null },
          { messageId: 999_999, header: section }, // deleted meanwhile: left alone
        ]);
        await s.keepHeaders([{ messageId: all[0]!.messageId, header: Buffer.from('Subject: other\r\n\r\n') }]); // decided already
        assert.deepEqual(
          (await s.headerlessMessages(0, 10)).map((m) => m.messageId),
          all.slice(2).map((m) => m.messageId),
        );
        const kept = await s.headers(f, [1, 2, 3]);
        assert.equal(kept.get(1)!.header!.toString(), section.toString());
        assert.equal(kept.get(2)!.header, null, 'null (too big) is no section');
      }));

    it('changes flags of many entries at once: one modseq, only the entries that change, UNCHANGEDSINCE per entry', () =>
      h.withStore(async (s) => {
        const box = await domainWithMailbox(s);
        const f = await inbox(s, box.id);
        const start = [['\\Seen'], [], ['work'], [], ['\\Seen', 'work']];
        for (const [i, fl] of start.entries()) await s.append(f, message(i), meta(message(i)), fl, 1000);
        const r = await s.storeFlags(f, [1, 2, 3, 4, 5, 77], 'add', ['\\Seen']);
        assert.deepEqual(
          r.changed.map((c) => [c.uid, c.flags]),
          [
            [2, ['\\Seen']],
            [3, ['\\Seen', 'work']],
            [4, ['\\Seen']],
          ],
        );
        assert.equal(new Set(r.changed.map((c) => c.modSeq)).size, 1);
        const modSeq = r.changed[0]!.modSeq;
        const after = await s.listCompactEntries(f);
        assert.deepEqual(
          after.map((e) => [e.uid, [...e.flags], e.modSeq === modSeq]),
          [
            [1, ['\\Seen'], false],
            [2, ['\\Seen'], true],
            [3, ['\\Seen', 'work'], true],
            [4, ['\\Seen'], true],
            [5, ['\\Seen', 'work'], false],
          ],
        );
        // RFC 7162 §3.1.3: entries changed after UNCHANGEDSINCE fail, the others change.
        const old = after[4]!.modSeq;
        const c = await s.storeFlags(f, [1, 2, 3, 4, 5], 'remove', ['\\Seen'], old);
        assert.deepEqual(c.failed, [2, 3, 4]);
        assert.deepEqual(c.changed.map((x) => [x.uid, x.flags]), [
          [1, []],
          [5, ['work']],
        ]);
        assert.deepEqual((await s.listCompactEntries(f)).map((e) => [...e.flags]), [[], ['\\Seen'], ['\\Seen', 'work'], ['\\Seen'], ['work']]);
        // A set with a hole leaves the entry in the hole alone, whatever its flags.
        const holed = await s.storeFlags(f, [1, 2, 4, 5], 'replace', ['\\Flagged']);
        assert.deepEqual(holed.changed.map((x) => x.uid), [1, 2, 4, 5]);
        assert.deepEqual((await s.listCompactEntries(f)).map((e) => [...e.flags]), [['\\Flagged'], ['\\Flagged'], ['\\Seen', 'work'], ['\\Flagged'], ['\\Flagged']]);
      }));
  });
}
