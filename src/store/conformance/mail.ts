/** Conformance: delivery, append, flags, expunge, copy/move, folders, change feed. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FolderChange } from '../types.js';
import type { StoreHarness } from './harness.js';
import { domainWithMailbox, inbox, message, meta } from './fixtures.js';

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

export function mailCases(h: StoreHarness): void {
  describe('mail', () => {
    it('delivers one message to several mailboxes, storing the body once, and publishes the changes', () =>
      h.withStore(async (s) => {
        const a = await domainWithMailbox(s, 'a@example.test');
        const b = await domainWithMailbox(s, 'b@example.test');
        const seen: FolderChange[] = [];
        const stop = s.changes.subscribe(a.id, (c) => seen.push(c));
        const raw = message(1, 100);
        const r = await s.deliver({
          raw,
          meta: meta(raw, 'hello'),
          receivedAt: 1000,
          targets: [
            { mailboxId: a.id, folder: 'INBOX' },
            { mailboxId: b.id, folder: 'Junk', flags: ['$Junk'] },
            { mailboxId: b.id, folder: 'No such folder' },
          ],
          queue: [],
        });
        stop();
        assert.equal(r.placed.length, 3);
        const bInbox = await inbox(s, b.id);
        assert.deepEqual(r.placed.map((p) => p.uid), [1, 1, 1], 'first UID in each folder is 1');
        assert.equal(r.placed[2]!.folderId, bInbox, 'an unknown folder falls back to INBOX');
        assert.deepEqual(await s.blobs.get(r.blobId), raw);
        const e = await s.getEntry(await inbox(s, a.id), 1);
        assert.equal(e?.blobId, r.blobId);
        assert.equal(e?.meta.subject, 'hello');
        assert.equal(e?.internalDate, 1000);
        assert.equal(e?.size, raw.length);
        const junk = await s.getFolder(b.id, 'Junk');
        assert.deepEqual((await s.getEntry(junk!.id, 1))?.flags, ['$Junk']);
        assert.equal((await s.getMailboxById(b.id))?.usedBytes, 2 * raw.length);
        assert.equal(seen.length, 1);
        assert.deepEqual(seen[0], { kind: 'exists', mailboxId: a.id, folderId: await inbox(s, a.id), uids: [1], modSeq: 2 });
      }));

    it('concurrent deliveries commit independently: one failing delivery leaves nothing, the others are stored', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        const raws = Array.from({ length: 20 }, (_, i) => message(`c${i}`));
        const results = await Promise.allSettled(
          raws.map((raw, i) =>
            s.deliver({ raw, meta: meta(raw), receivedAt: i, targets: [{ mailboxId: i === 7 ? 999_999 : m.id, folder: 'INBOX' }], queue: [] }),
          ),
        );
        assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
        assert.equal((results[7] as PromiseRejectedResult).reason.code, 'not-found');
        const entries = await s.listEntries(await inbox(s, m.id));
        assert.equal(entries.length, 19);
        assert.deepEqual(entries.map((e) => e.uid), Array.from({ length: 19 }, (_, i) => i + 1));
        const failedBlob = (await import('node:crypto')).createHash('sha256').update(raws[7]!).digest('hex');
        assert.equal(await s.blobs.get(failedBlob), null, 'the failed delivery left no body behind');
      }));

    it('appends with normalised flags, lists entries by UID range and by modseq', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        const f = await inbox(s, m.id);
        const r1 = await s.append(f, message(1), meta(message(1)), ['\\seen', 'Work', '\\SEEN', '\\Recent', 'work'], 111);
        const r2 = await s.append(f, message(2), meta(message(2)), [], 222);
        assert.deepEqual([r1.uid, r2.uid], [1, 2]);
        assert.ok(r2.modSeq > r1.modSeq);
        const all = await s.listEntries(f);
        assert.deepEqual(all.map((e) => e.uid), [1, 2]);
        assert.deepEqual(all[0]!.flags, ['Work', '\\Seen']);
        assert.equal(all[1]!.internalDate, 222);
        assert.deepEqual((await s.listEntries(f, { fromUid: 2 })).map((e) => e.uid), [2]);
        assert.deepEqual((await s.listEntries(f, { toUid: 1 })).map((e) => e.uid), [1]);
        assert.deepEqual((await s.listEntries(f, { changedSince: r1.modSeq })).map((e) => e.uid), [2]);
        const st = await s.folderStatus(f);
        assert.deepEqual(
          { messages: st.messages, unseen: st.unseen, uidNext: st.uidNext, highestModSeq: st.highestModSeq },
          { messages: 2, unseen: 1, uidNext: 3, highestModSeq: r2.modSeq },
        );
        assert.equal(st.sizeBytes, message(1).length + message(2).length);
      }));

    it('stores flags (add, remove, replace), bumping modseq only on change, honouring UNCHANGEDSINCE', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        const f = await inbox(s, m.id);
        for (const n of [1, 2, 3]) await s.append(f, message(n), meta(message(n)), [], n);
        const before = (await s.getFolderById(f))!.highestModSeq;
        const add = await s.storeFlags(f, [1, 2, 99], 'add', ['\\Seen']);
        assert.deepEqual(add.changed.map((c) => c.uid), [1, 2]);
        assert.equal(add.changed[0]!.modSeq, before + 1);
        const again = await s.storeFlags(f, [1, 2], 'add', ['\\Seen']);
        assert.deepEqual(again.changed, [], 'no change, no new modseq');
        assert.equal((await s.getFolderById(f))!.highestModSeq, before + 1);
        await s.storeFlags(f, [1], 'replace', ['\\Flagged', 'Todo']);
        assert.deepEqual((await s.getEntry(f, 1))!.flags, ['Todo', '\\Flagged']);
        await s.storeFlags(f, [1], 'remove', ['todo']);
        assert.deepEqual((await s.getEntry(f, 1))!.flags, ['\\Flagged']);
        const e3 = (await s.getEntry(f, 3))!;
        const cond = await s.storeFlags(f, [1, 3], 'add', ['\\Answered'], e3.modSeq);
        assert.deepEqual(cond.failed, [1], 'UID 1 changed after the given modseq');
        assert.deepEqual(cond.changed.map((c) => c.uid), [3]);
      }));

    it('expunges only \\Deleted messages, remembers them for VANISHED, frees usage and unreferenced bodies', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        const f = await inbox(s, m.id);
        for (const n of [1, 2, 3, 4]) await s.append(f, message(n), meta(message(n)), n % 2 === 0 ? ['\\Deleted'] : [], n);
        const mark = (await s.getFolderById(f))!.highestModSeq;
        const blob2 = (await s.getEntry(f, 2))!.blobId;
        assert.deepEqual(await s.expunge(f, [4, 3]), [4]);
        assert.deepEqual(await s.expunge(f), [2]);
        assert.deepEqual(await s.expunge(f), []);
        assert.deepEqual((await s.listEntries(f)).map((e) => e.uid), [1, 3]);
        assert.deepEqual(await s.expungedSince(f, mark), [2, 4]);
        assert.equal(await s.blobs.get(blob2), null, 'a body nobody references is gone');
        assert.equal((await s.getMailboxById(m.id))!.usedBytes, message(1).length + message(3).length);
        await s.append(f, message(5), meta(message(5)), [], 5);
        assert.deepEqual((await s.listEntries(f)).map((e) => e.uid), [1, 3, 5], 'UIDs are never reused');
      }));

    it('deletes given entries whatever their flags (POP3 UPDATE), publishing the expunge', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        const f = await inbox(s, m.id);
        for (const n of [1, 2, 3]) await s.append(f, message(n), meta(message(n)), [], n);
        const seen: number[][] = [];
        const stop = s.changes.subscribe(m.id, (c) => c.kind === 'expunge' && seen.push(c.uids));
        assert.deepEqual(await s.deleteEntries(f, [3, 1, 1, 99]), [1, 3]);
        stop();
        assert.deepEqual(seen, [[1, 3]]);
        assert.deepEqual((await s.listEntries(f)).map((e) => e.uid), [2]);
        assert.deepEqual(await s.deleteEntries(f, []), []);
      }));

    it('copies and moves keeping flags and INTERNALDATE, sharing the body', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        const f = await inbox(s, m.id);
        const trash = (await s.getFolder(m.id, 'Trash'))!.id;
        for (const n of [1, 2, 3]) await s.append(f, message(n), meta(message(n)), ['\\Seen'], 100 + n);
        const copied = await s.copy(f, [3, 1, 42], trash);
        assert.deepEqual(copied, [
          { from: 1, to: 1 },
          { from: 3, to: 2 },
        ]);
        const c = (await s.getEntry(trash, 2))!;
        assert.deepEqual(c.flags, ['\\Seen']);
        assert.equal(c.internalDate, 103);
        assert.equal(c.blobId, (await s.getEntry(f, 3))!.blobId);
        const moved = await s.move(f, [2], trash);
        assert.deepEqual(moved, [{ from: 2, to: 3 }]);
        assert.deepEqual((await s.listEntries(f)).map((e) => e.uid), [1, 3]);
        assert.deepEqual((await s.listEntries(trash)).map((e) => e.uid), [1, 2, 3]);
        await assert.rejects(s.move(f, [1], f), code('invalid'));
        // The body survives while any copy refers to it.
        await s.storeFlags(f, [3], 'add', ['\\Deleted']);
        await s.expunge(f);
        assert.ok(await s.blobs.get(c.blobId));
      }));

    it('creates, renames (with children and INBOX semantics), deletes folders; UIDVALIDITY changes on re-creation', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        const work = await s.createFolder(m.id, 'Work');
        await s.createFolder(m.id, 'Work/2026');
        await assert.rejects(s.createFolder(m.id, 'Work'), code('exists'));
        await s.renameFolder(work.id, 'Job');
        const names = (await s.listFolders(m.id)).map((f) => f.name);
        assert.ok(names.includes('Job') && names.includes('Job/2026') && !names.includes('Work'));
        const f = await inbox(s, m.id);
        await s.append(f, message(1), meta(message(1)), [], 1);
        await s.renameFolder(f, 'Old');
        assert.equal((await s.folderStatus(f)).messages, 0, 'INBOX is left empty');
        const old = (await s.getFolder(m.id, 'Old'))!;
        assert.equal((await s.folderStatus(old.id)).messages, 1);
        await assert.rejects(s.deleteFolder(f), code('inbox'));
        await s.deleteFolder(old.id);
        assert.equal(await s.getFolder(m.id, 'Old'), null);
        const again = await s.createFolder(m.id, 'Old');
        assert.notEqual(again.uidValidity, old.uidValidity);
        await s.setSubscribed(m.id, 'Old', false);
        assert.equal((await s.getFolder(m.id, 'Old'))!.subscribed, false);
        assert.equal((await s.getMailboxById(m.id))!.usedBytes, 0);
      }));

    it('announces \\Recent to exactly one claimer', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        const f = await inbox(s, m.id);
        await s.append(f, message(1), meta(message(1)), [], 1);
        await s.append(f, message(2), meta(message(2)), [], 2);
        assert.equal(await s.claimRecent(f), 1, 'first session sees UIDs ≥ 1 as recent');
        assert.equal(await s.claimRecent(f), 3, 'the next sees none of them');
        assert.equal((await s.folderStatus(f)).recent, 0);
        await s.append(f, message(3), meta(message(3)), [], 3);
        assert.equal((await s.folderStatus(f)).recent, 1);
      }));
  });
}
