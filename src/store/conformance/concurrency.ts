/**
 * Conformance: concurrent writers on separate handles (connections). UIDs must come out unique and increasing,
 * modseqs monotonic, and no queue entry may be claimed twice while its lease is live.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StoreHarness } from './harness.js';
import { domainWithMailbox, inbox, message, meta } from './fixtures.js';

const HANDLES = 4;
const PER_HANDLE = 25;

export function concurrencyCases(h: StoreHarness): void {
  describe('concurrent writers', () => {
    it('appends from several handles get unique, gap-free, increasing UIDs and increasing modseqs', () =>
      h.withStores(HANDLES, async (stores) => {
        const m = await domainWithMailbox(stores[0]!);
        const f = await inbox(stores[0]!, m.id);
        const results = await Promise.all(
          stores.map(async (s, i) => {
            const got: Array<{ uid: number; modSeq: number }> = [];
            for (let n = 0; n < PER_HANDLE; n++) {
              const raw = message(`${i}-${n}`);
              got.push(await s.append(f, raw, meta(raw), [], n));
            }
            return got;
          }),
        );
        for (const got of results)
          for (let k = 1; k < got.length; k++) {
            assert.ok(got[k]!.uid > got[k - 1]!.uid, 'UIDs increase for each writer');
            assert.ok(got[k]!.modSeq > got[k - 1]!.modSeq, 'modseqs increase for each writer');
          }
        const uids = results.flat().map((r) => r.uid).sort((a, b) => a - b);
        assert.deepEqual(uids, Array.from({ length: HANDLES * PER_HANDLE }, (_, i) => i + 1));
        const modSeqs = new Set(results.flat().map((r) => r.modSeq));
        assert.equal(modSeqs.size, HANDLES * PER_HANDLE, 'every append got its own modseq');
        const status = await stores[1]!.folderStatus(f);
        assert.equal(status.messages, HANDLES * PER_HANDLE);
        assert.equal(status.uidNext, HANDLES * PER_HANDLE + 1);
      }));

    it('deliveries, flag changes and expunges interleaved across handles keep the folder consistent', () =>
      h.withStores(HANDLES, async (stores) => {
        const m = await domainWithMailbox(stores[0]!);
        const f = await inbox(stores[0]!, m.id);
        await Promise.all(
          stores.map(async (s, i) => {
            for (let n = 0; n < 10; n++) {
              const raw = message(`${i}-${n}`, 10);
              const r = await s.deliver({ raw, meta: meta(raw), receivedAt: n, targets: [{ mailboxId: m.id, folder: 'INBOX' }], queue: [] });
              if (n % 2 === 0) await s.storeFlags(f, [r.placed[0]!.uid], 'add', ['\\Deleted']);
              if (n % 5 === 4) await s.expunge(f);
            }
          }),
        );
        await stores[0]!.expunge(f);
        const entries = await stores[2]!.listEntries(f);
        assert.equal(entries.length, HANDLES * 5);
        assert.ok(entries.every((e) => !e.flags.includes('\\Deleted')));
        const mailbox = (await stores[3]!.getMailboxById(m.id))!;
        assert.equal(mailbox.usedBytes, entries.reduce((n, e) => n + e.size, 0), 'usage matches what is stored');
      }));

    it('never hands the same queue entry to two claimers at once', () =>
      h.withStores(HANDLES, async (stores) => {
        const raw = message('q');
        const queue = Array.from({ length: 40 }, (_, i) => ({
          mailFrom: 'a@example.test',
          rcptTo: `r${i}@remote.test`,
          params: {},
          submitterId: null,
          nextAttemptAt: 0,
        }));
        await stores[0]!.deliver({ raw, meta: meta(raw), receivedAt: 0, targets: [], queue });
        const claims = await Promise.all(
          stores.map(async (s, i) => {
            const mine: number[] = [];
            for (;;) {
              const batch = await s.claimDue(`worker-${i}`, 1000, 60_000, 3);
              if (batch.length === 0) return mine;
              mine.push(...batch.map((e) => e.id));
            }
          }),
        );
        const all = claims.flat();
        assert.equal(all.length, 40);
        assert.equal(new Set(all).size, 40, 'no entry claimed twice');
      }));
  });
}
