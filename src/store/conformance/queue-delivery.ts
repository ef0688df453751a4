/** Conformance: what the outbound queue runner needs beyond leases (issue 8): settlements, notices, operator verbs. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../types.js';
import type { StoreHarness } from './harness.js';
import { domainWithMailbox, inbox, message, meta } from './fixtures.js';

async function queueFor(s: Store, rcpts: string[]): Promise<number[]> {
  const raw = message('outbound');
  const r = await s.deliver({
    raw,
    meta: meta(raw),
    receivedAt: 1000,
    targets: [],
    queue: rcpts.map((rcptTo) => ({ mailFrom: 'alice@example.test', rcptTo, params: {}, submitterId: null, nextAttemptAt: 1000 })),
  });
  return r.queueIds;
}

export function queueDeliveryCases(h: StoreHarness): void {
  describe('queue delivery', () => {
    it('settles several entries and delivers the bounce in one commit; the attempts are kept', () =>
      h.withStore(async (s) => {
        const alice = await domainWithMailbox(s);
        const [a, b, c] = await queueFor(s, ['x@remote.test', 'y@remote.test', 'z@remote.test']);
        const claimed = await s.claimDue('w', 2000, 60_000, 10);
        assert.equal(claimed.length, 3);
        assert.equal(claimed[0]!.delayNotifiedAt, null);
        assert.equal(claimed[0]!.bounceRequested, false);
        const bounce = message('bounce');
        const ok = await s.settleAttempts('w', {
          at: 3000,
          outcomes: [
            { id: a!, status: 'delivered', host: 'mx.remote.test [192.0.2.1]:25', error: '250 ok' },
            { id: b!, status: 'bounced', host: 'mx.remote.test [192.0.2.1]:25', error: '550 5.1.1 no such user' },
            { id: c!, status: 'queued', nextAttemptAt: 9000, error: '451 later', delayNotified: true },
          ],
          notice: { raw: bounce, meta: meta(bounce), receivedAt: 3000, targets: [{ mailboxId: alice.id, folder: 'INBOX' }], queue: [] },
        });
        assert.equal(ok, true);
        const [ea, eb, ec] = await Promise.all([a, b, c].map((id) => s.getQueueEntry(id!)));
        assert.deepEqual([ea!.status, eb!.status, ec!.status], ['delivered', 'bounced', 'queued']);
        assert.deepEqual([ec!.nextAttemptAt, ec!.delayNotifiedAt, ec!.attempts, ec!.leaseOwner], [9000, 3000, 1, null]);
        assert.equal(eb!.delayNotifiedAt, null);
        assert.equal((await s.listEntries(await inbox(s, alice.id))).length, 1, 'the bounce is in the INBOX');
        const attempts = await s.listQueueAttempts(b!);
        assert.deepEqual(attempts.map((x) => [x.at, x.host, x.status, x.reply]), [[3000, 'mx.remote.test [192.0.2.1]:25', 'bounced', '550 5.1.1 no such user']]);
        assert.ok(claimed[0]!.blobId && (await s.blobs.get(claimed[0]!.blobId)), 'one recipient still holds the body');
      }));

    it('renews only the leases its owner still holds: a renewed entry is not claimable, an expired one is', () =>
      h.withStore(async (s) => {
        await domainWithMailbox(s);
        const [a, b] = await queueFor(s, ['x@remote.test', 'y@remote.test']);
        assert.equal((await s.claimDue('w1', 2000, 1000, 10)).length, 2);
        assert.equal(await s.renewLeases('w2', [a!, b!], 2500, 1000), 0, 'not the owner');
        assert.equal(await s.renewLeases('w1', [a!], 2500, 1000), 1);
        const taken = await s.claimDue('w2', 3200, 1000, 10);
        assert.deepEqual(taken.map((e) => e.id), [b!], 'only the entry whose lease ran out');
        assert.equal((await s.getQueueEntry(a!))!.leaseUntil, 3500);
        assert.equal(await s.renewLeases('w1', [b!], 3300, 1000), 0, 'a lease lost is not taken back');
        assert.equal(await s.renewLeases('w1', [], 3300, 1000), 0);
      }));

    it('refuses the whole settlement (and its notice) when one lease is lost', () =>
      h.withStore(async (s) => {
        const alice = await domainWithMailbox(s);
        const [a, b] = await queueFor(s, ['x@remote.test', 'y@remote.test']);
        await s.claimDue('w1', 2000, 1000, 1);
        await s.claimDue('w2', 2000, 1000, 10);
        const bounce = message('bounce');
        const ok = await s.settleAttempts('w1', {
          at: 2500,
          outcomes: [
            { id: a!, status: 'bounced', error: '550' },
            { id: b!, status: 'bounced', error: '550' },
          ],
          notice: { raw: bounce, meta: meta(bounce), receivedAt: 2500, targets: [{ mailboxId: alice.id, folder: 'INBOX' }], queue: [] },
        });
        assert.equal(ok, false);
        assert.equal((await s.getQueueEntry(a!))!.status, 'queued');
        assert.equal((await s.listEntries(await inbox(s, alice.id))).length, 0);
        assert.deepEqual(await s.listQueueAttempts(a!), []);
      }));

    it('a notice may go to the queue (a bounce to a remote sender)', () =>
      h.withStore(async (s) => {
        const [a] = await queueFor(s, ['x@remote.test']);
        await s.claimDue('w', 2000, 1000, 10);
        const bounce = message('bounce');
        await s.settleAttempts('w', {
          at: 2500,
          outcomes: [{ id: a!, status: 'bounced', error: '550' }],
          notice: {
            raw: bounce,
            meta: meta(bounce),
            receivedAt: 2500,
            targets: [],
            queue: [{ mailFrom: '', rcptTo: 'sender@far.test', params: {}, submitterId: null, nextAttemptAt: 2500 }],
          },
        });
        const q = await s.listQueue({ status: 'queued' });
        assert.deepEqual(q.map((e) => [e.mailFrom, e.rcptTo]), [['', 'sender@far.test']]);
      }));

    it('retry makes an entry due, bounce is requested, delete removes and releases', () =>
      h.withStore(async (s) => {
        const [a, b] = await queueFor(s, ['x@remote.test', 'y@remote.test']);
        await s.claimDue('w', 2000, 1000, 10);
        await s.settleAttempts('w', {
          at: 2100,
          outcomes: [
            { id: a!, status: 'queued', nextAttemptAt: 99_000, error: '451' },
            { id: b!, status: 'queued', nextAttemptAt: 99_000, error: '451' },
          ],
        });
        assert.equal(await s.retryQueueEntry(a!, 5000), true);
        assert.deepEqual((await s.claimDue('w', 5000, 1000, 10)).map((e) => e.id), [a]);
        assert.equal(await s.requestBounce(b!, 5000), true);
        const eb = (await s.claimDue('w', 5500, 1000, 10)).find((e) => e.id === b);
        assert.equal(eb!.bounceRequested, true);
        const blobId = eb!.blobId!;
        assert.equal(await s.deleteQueueEntry(a!), true);
        assert.equal(await s.getQueueEntry(a!), null);
        assert.ok(await s.blobs.get(blobId));
        assert.equal(await s.deleteQueueEntry(b!), true);
        assert.equal(await s.blobs.get(blobId), null, 'the body goes with the last entry');
        assert.equal(await s.deleteQueueEntry(b!), false);
        assert.equal(await s.retryQueueEntry(b!, 1), false);
        assert.equal(await s.requestBounce(b!, 1), false);
      }));
  });
}
