/** Conformance: outbound queue leases, event log, limiter counters, web sessions. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../types.js';
import type { StoreHarness } from './harness.js';
import { domainWithMailbox, message, meta } from './fixtures.js';

async function queueTwo(s: Store, submitterId: number | null): Promise<number[]> {
  const raw = message('out');
  const r = await s.deliver({
    raw,
    meta: meta(raw),
    receivedAt: 1000,
    targets: [],
    queue: [
      { mailFrom: 'a@example.test', rcptTo: 'x@Remote.test', params: { NOTIFY: 'FAILURE' }, submitterId, nextAttemptAt: 1000 },
      { mailFrom: 'a@example.test', rcptTo: 'y@later.test', params: {}, submitterId, nextAttemptAt: 5000 },
    ],
  });
  return r.queueIds;
}

export function queueAndMiscCases(h: StoreHarness): void {
  describe('queue', () => {
    it('claims due entries as leases; a second claimer gets nothing until the lease expires', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        const [first] = await queueTwo(s, m.id);
        const claimed = await s.claimDue('node-a', 2000, 60_000, 10);
        assert.deepEqual(claimed.map((e) => e.id), [first]);
        assert.equal(claimed[0]!.domain, 'remote.test');
        assert.deepEqual(claimed[0]!.params, { NOTIFY: 'FAILURE' });
        assert.equal(claimed[0]!.leaseOwner, 'node-a');
        assert.ok(claimed[0]!.blobId);
        assert.deepEqual(await s.claimDue('node-b', 3000, 60_000, 10), [], 'leased and not-yet-due entries are skipped');
        const again = await s.claimDue('node-b', 62_001, 60_000, 10);
        assert.deepEqual(again.map((e) => e.id).sort(), [first, first! + 1].sort(), 'an expired lease comes back');
        assert.equal(await s.finishAttempt(first!, 'node-a', { status: 'delivered', at: 62_002 }), false, 'only the lease holder');
        assert.equal(await s.finishAttempt(first!, 'node-b', { status: 'queued', nextAttemptAt: 70_000, error: '451 try later', at: 62_002 }), true);
        const e = (await s.getQueueEntry(first!))!;
        assert.deepEqual([e.status, e.attempts, e.nextAttemptAt, e.lastError, e.leaseOwner], ['queued', 1, 70_000, '451 try later', null]);
        assert.equal(await s.finishAttempt(first! + 1, 'node-b', { status: 'delivered', at: 62_003 }), true);
        assert.deepEqual((await s.listQueue({ status: 'delivered' })).map((q) => q.rcptTo), ['y@later.test']);
        assert.equal((await s.listQueue({ submitterId: m.id })).length, 2);
      }));

    it('releases the body once every recipient is finished', () =>
      h.withStore(async (s) => {
        const [a, b] = await queueTwo(s, null);
        const claimed = await s.claimDue('w', 10_000, 1000, 10);
        const blobId = claimed[0]!.blobId!;
        await s.finishAttempt(a!, 'w', { status: 'delivered', at: 10_001 });
        assert.ok(await s.blobs.get(blobId));
        await s.finishAttempt(b!, 'w', { status: 'bounced', error: '550 no such user', at: 10_002 });
        assert.equal(await s.blobs.get(blobId), null);
        assert.equal((await s.getQueueEntry(b!))!.status, 'bounced', 'the status stays visible');
      }));

    it('caches one MTA-STS policy per domain, the latest replacing the earlier', () =>
      h.withStore(async (s) => {
        assert.equal(await s.getMtaStsPolicy('remote.test'), null);
        const first = { domain: 'remote.test', policyId: 'a1', policy: 'version: STSv1\nmode: testing\nmx: *.remote.test\nmax_age: 600\n', fetchedAt: 1000, expiresAt: 601_000 };
        await s.putMtaStsPolicy(first);
        assert.deepEqual(await s.getMtaStsPolicy('remote.test'), first);
        const second = { ...first, policyId: 'b2', policy: 'version: STSv1\nmode: enforce\nmx: mx.remote.test\nmax_age: 86400\n', fetchedAt: 2000, expiresAt: 86_402_000 };
        await s.putMtaStsPolicy(second);
        assert.deepEqual(await s.getMtaStsPolicy('remote.test'), second);
        assert.equal(await s.getMtaStsPolicy('other.test'), null);
      }));
  });

  describe('event log, counters, sessions', () => {
    it('records events per mailbox, newest first, truncating client names', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        for (let i = 0; i < 3; i++)
          await s.recordEvent({
            mailboxId: m.id,
            at: i,
            protocol: 'submission',
            port: 587,
            clientIp: '127.0.0.1',
            tls: i > 0,
            clientName: i === 2 ? 'x'.repeat(1000) : 'laptop',
            kind: 'auth',
            result: i === 1 ? 'ok' : 'fail',
            reason: i === 1 ? null : 'bad-password',
          });
        const ev = await s.listEvents(m.id, 2);
        assert.deepEqual(ev.map((e) => e.at), [2, 1]);
        assert.equal(ev[0]!.clientName!.length, 200);
        assert.equal(ev[1]!.tls, true);
        assert.equal(ev[1]!.result, 'ok');
      }));

    it('counts hits in a window, restarts it, locks and clears', () =>
      h.withStore(async (s) => {
        assert.equal(await s.getCounter('k'), null);
        assert.deepEqual(await s.hitCounter('k', 100, 1000), { count: 1, windowStart: 100, lockedUntil: 0 });
        assert.deepEqual(await s.hitCounter('k', 500, 1000), { count: 2, windowStart: 100, lockedUntil: 0 });
        await s.lockCounter('k', 9999);
        assert.deepEqual(await s.hitCounter('k', 1100, 1000), { count: 1, windowStart: 1100, lockedUntil: 9999 });
        await s.clearCounter('k');
        assert.equal(await s.getCounter('k'), null);
      }));

    it('gives a lock to one owner at a time until it expires or is released', () =>
      h.withStores(2, async ([a, b]) => {
        assert.equal(await a!.tryLock('pop3:1', 'node-a', 1000, 500), true);
        assert.equal(await b!.tryLock('pop3:1', 'node-b', 1200, 500), false, 'held by another owner');
        assert.equal(await a!.tryLock('pop3:1', 'node-a', 1300, 500), true, 'the owner may take it again');
        assert.equal(await a!.refreshLock('pop3:1', 'node-a', 1700, 500), true);
        assert.equal(await b!.tryLock('pop3:1', 'node-b', 2100, 500), false, 'refreshed until 2200');
        assert.equal(await b!.tryLock('pop3:1', 'node-b', 2201, 500), true, 'expired: taken over');
        assert.equal(await a!.refreshLock('pop3:1', 'node-a', 2202, 500), false, 'no longer the owner');
        await a!.unlock('pop3:1', 'node-a');
        assert.equal(await a!.tryLock('pop3:1', 'node-a', 2203, 500), false, 'unlock by a non-owner does nothing');
        await b!.unlock('pop3:1', 'node-b');
        assert.equal(await a!.tryLock('pop3:1', 'node-a', 2204, 500), true);
      }));

    it('keeps web sessions until they expire', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        await s.putSession({ id: 'sid', mailboxId: m.id, csrfToken: 'c', createdAt: 1, expiresAt: 100, data: { theme: 'dark' } });
        assert.deepEqual((await s.getSession('sid', 50))?.data, { theme: 'dark' });
        assert.equal(await s.getSession('sid', 100), null);
        await s.putSession({ id: 'sid2', mailboxId: m.id, csrfToken: 'c', createdAt: 1, expiresAt: 100, data: {} });
        await s.deleteSession('sid2');
        assert.equal(await s.getSession('sid2', 1), null);
        await s.putSession({ id: 'a1', mailboxId: m.id, csrfToken: 'c', createdAt: 1, expiresAt: 100, data: {} });
        await s.putSession({ id: 'a2', mailboxId: m.id, csrfToken: 'c', createdAt: 1, expiresAt: 100, data: {} });
        assert.equal(await s.deleteSessionsOf(m.id), 2);
        assert.equal(await s.getSession('a1', 1), null);
      }));
  });
}
