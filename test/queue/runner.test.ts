/**
 * The queue runner against real peers on loopback: the test DNS server (MX, A, null MX, NXDOMAIN, SERVFAIL) and a
 * scripted remote SMTP server (4xx then 2xx, 5xx, silence), with the real SQLite store and a controlled clock.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DOMAIN, HOSTNAME, MESSAGE, inboxMessages, queueHarness, reportParts, startScriptedSmtp, type QueueHarness, type ScriptedServer } from './kit.js';
import type { ZoneRecord } from '../kit/dns-server.js';

const MIN = 60_000;
const zone = (extra: Record<string, ZoneRecord[]> = {}): Record<string, ZoneRecord[]> => ({
  'remote.test': [{ type: 'MX', priority: 10, exchange: 'mx.remote.test' }],
  'mx.remote.test': [{ type: 'A', address: '127.0.0.1' }],
  ...extra,
});

async function setup(server: ScriptedServer, extra: Record<string, ZoneRecord[]> = {}, toml = '', faults = {}): Promise<QueueHarness> {
  return queueHarness(zone(extra), `smtp_port = ${server.port}\n${toml}`, faults);
}

describe('queue runner', () => {
  const cleanup: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanup) await c();
  });

  it('retries a 4xx with backoff and delivers once on the 2xx; DKIM-signed, dot-stuffed, envelope intact', async () => {
    const server = await startScriptedSmtp({ rcpt: (_to, n) => (n === 1 ? '451 4.7.1 greylisted, try later' : '250 2.1.5 ok') });
    const h = await setup(server);
    cleanup.push(() => h.close(), () => server.close());
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    assert.equal(await h.run(), 1);
    let e = (await h.svc.store.getQueueEntry(id!))!;
    assert.deepEqual([e.status, e.attempts], ['queued', 1]);
    assert.match(e.lastError!, /451 4\.7\.1 greylisted/);
    assert.equal(e.nextAttemptAt, h.svc.clock.now + 5 * MIN, 'first retry after 5 minutes');
    assert.equal(await h.run(), 0, 'not due yet');
    h.advance(5 * MIN);
    assert.equal(await h.run(), 1);
    e = (await h.svc.store.getQueueEntry(id!))!;
    assert.deepEqual([e.status, e.attempts], ['delivered', 2]);
    assert.equal(server.received.length, 1, 'delivered exactly once');
    const m = server.received[0]!;
    assert.deepEqual([m.mailFrom, m.rcpts], [`alice@${DOMAIN}`, ['bob@remote.test']]);
    assert.match(m.data, /^DKIM-Signature: .*d=example\.test/m);
    assert.match(m.data, /\r\n\.leading dot\r\n/, 'the dot is unstuffed back to the original');
    assert.ok(server.commands.some((c) => /^EHLO mail\.example\.test$/.test(c)));
    const attempts = await h.svc.store.listQueueAttempts(id!);
    assert.deepEqual(attempts.map((a) => a.status), ['queued', 'delivered']);
    assert.match(attempts[1]!.host!, /^mx\.remote\.test \[127\.0\.0\.1\]:\d+$/);
    const visible = await h.svc.store.listQueue({ submitterId: h.alice.id });
    assert.deepEqual(visible.map((q) => q.status), ['delivered'], 'the sender sees the state');
  });

  it('bounces a 5xx into the sender INBOX as a multipart/report, resending only the pending recipient', async () => {
    const server = await startScriptedSmtp({
      rcpt: (to, n) => (to.startsWith('nobody') ? '550 5.1.1 <nobody@remote.test>: no such user' : n <= 3 && to.startsWith('later') ? '452 4.2.2 over quota for now' : '250 ok'),
    });
    const h = await setup(server);
    cleanup.push(() => h.close(), () => server.close());
    await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test', 'nobody@remote.test', 'later@remote.test'], { NOTIFY: 'FAILURE', ORCPT: 'rfc822;nobody@remote.test', ENVID: 'env-42' });
    await h.run();
    assert.equal(server.received.length, 1);
    assert.deepEqual(server.received[0]!.rcpts, ['bob@remote.test']);
    const [bounce, ...more] = await inboxMessages(h, h.alice.id);
    assert.equal(more.length, 0, 'one notice');
    assert.match(bounce!, /^From: Mail Delivery System <MAILER-DAEMON@mail\.example\.test>/m);
    assert.match(bounce!, /^Auto-Submitted: auto-replied/m);
    assert.match(bounce!, /Content-Type: multipart\/report; report-type=delivery-status/);
    const parts = reportParts(bounce!);
    assert.deepEqual(parts.map((p) => p.type), ['text/plain', 'message/delivery-status', 'message/rfc822']);
    assert.match(parts[0]!.body, /could not be delivered/);
    assert.match(parts[0]!.body, /does not exist/);
    const status = parts[1]!.body;
    assert.match(status, /^Reporting-MTA: dns;mail\.example\.test$/m);
    assert.match(status, /^Original-Envelope-Id: env-42$/m);
    assert.match(status, /^Final-Recipient: rfc822;nobody@remote\.test\r\nAction: failed\r\nStatus: 5\.1\.1$/m);
    assert.match(status, /^Diagnostic-Code: smtp;550 5\.1\.1/m);
    assert.doesNotMatch(status, /bob@|later@/, 'only the failed recipient is reported');
    assert.match(parts[2]!.body, /Subject: hello there/);
    // The temporarily refused recipient is retried alone.
    h.advance(5 * MIN);
    await h.run();
    assert.equal(server.received.length, 2);
    assert.deepEqual(server.received[1]!.rcpts, ['later@remote.test']);
    assert.deepEqual((await h.svc.store.listQueue()).map((q) => q.status), ['delivered', 'bounced', 'delivered']);
  });

  it('a silent server is a timeout: retried later, not bounced', async () => {
    const server = await startScriptedSmtp({ greeting: () => 'silent' });
    const h = await setup(server);
    cleanup.push(() => h.close(), () => server.close());
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    const started = Date.now();
    await h.run();
    assert.ok(Date.now() - started < 5000);
    const e = (await h.svc.store.getQueueEntry(id!))!;
    assert.equal(e.status, 'queued');
    assert.match(e.lastError!, /no answer in time|timeout/i);
    assert.equal((await inboxMessages(h, h.alice.id)).length, 0);
  });

  it('a server that goes silent after the data is retried (at-least-once)', async () => {
    const server = await startScriptedSmtp({ data: (n) => (n === 1 ? 'silent' : '250 ok') });
    const h = await setup(server);
    cleanup.push(() => h.close(), () => server.close());
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    assert.equal((await h.svc.store.getQueueEntry(id!))!.status, 'queued');
    h.advance(5 * MIN);
    await h.run();
    assert.equal((await h.svc.store.getQueueEntry(id!))!.status, 'delivered');
  });

  it('routes by DNS: null MX and NXDOMAIN bounce, SERVFAIL defers, implicit MX delivers, our own name is a loop', async () => {
    const server = await startScriptedSmtp();
    const h = await setup(
      server,
      {
        'nullmx.test': [{ type: 'MX', priority: 0, exchange: '.' }],
        'implicit.test': [{ type: 'A', address: '127.0.0.1' }],
        'loop.test': [{ type: 'MX', priority: 10, exchange: HOSTNAME }],
        [HOSTNAME]: [{ type: 'A', address: '127.0.0.1' }],
      },
      '',
      { servfail: ['broken.test'] },
    );
    cleanup.push(() => h.close(), () => server.close());
    const ids = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['a@nullmx.test', 'b@nowhere.test', 'c@broken.test', 'd@implicit.test', 'e@loop.test']);
    await h.run();
    const entries = await Promise.all(ids.map((id) => h.svc.store.getQueueEntry(id)));
    assert.deepEqual(
      entries.map((e) => e!.status),
      ['bounced', 'bounced', 'queued', 'delivered', 'bounced'],
    );
    assert.match(entries[0]!.lastError!, /null MX/);
    assert.match(entries[1]!.lastError!, /does not exist/);
    assert.match(entries[2]!.lastError!, /SERVFAIL/);
    assert.match(entries[4]!.lastError!, /loops back/);
    const notices = await inboxMessages(h, h.alice.id);
    const statuses = notices.flatMap((n) => [...n.matchAll(/^Status: (\S+)/gm)].map((m) => m[1]));
    assert.deepEqual(statuses.sort(), ['5.1.10', '5.1.2', '5.4.6']);
  });

  it('sends one delay notice after the delay age, then gives up after the give-up age with a 4.4.7 bounce', async () => {
    const server = await startScriptedSmtp({ rcpt: () => '421 4.3.2 system not accepting messages' });
    const h = await setup(server, {}, 'retry_first = "10m"\nretry_max = "1h"\ndelay_notice_after = "30m"\ngive_up_after = "3h"');
    cleanup.push(() => h.close(), () => server.close());
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    const waits: number[] = [];
    for (let i = 0; i < 20; i++) {
      const e = (await h.svc.store.getQueueEntry(id!))!;
      if (e.status !== 'queued') break;
      const wait = Math.max(0, e.nextAttemptAt - h.svc.clock.now);
      if (i > 0) waits.push(wait);
      h.advance(wait);
      await h.run();
    }
    assert.deepEqual(waits.slice(0, 4), [10 * MIN, 20 * MIN, 40 * MIN, 60 * MIN], 'doubling, capped');
    const e = (await h.svc.store.getQueueEntry(id!))!;
    assert.equal(e.status, 'expired');
    const notices = await inboxMessages(h, h.alice.id);
    assert.equal(notices.length, 2);
    assert.match(notices[0]!, /Subject: Delayed Mail/);
    assert.match(notices[0]!, /Action: delayed/);
    assert.match(notices[0]!, /Will-Retry-Until: /);
    assert.match(notices[0]!, /Content-Type: text\/rfc822-headers/, 'a delay notice returns only the headers');
    assert.match(notices[1]!, /Subject: Undelivered Mail/);
    assert.match(notices[1]!, /Status: 4\.4\.7/);
  });

  it('never bounces to <>: a failed notice goes to the postmaster; NOTIFY=NEVER sends nothing', async () => {
    const server = await startScriptedSmtp({ rcpt: () => '550 5.1.1 unknown' });
    const h = await setup(server);
    cleanup.push(() => h.close(), () => server.close());
    await h.queue(MESSAGE, '', ['bob@remote.test']);
    await h.queue(MESSAGE, `alice@${DOMAIN}`, ['carol@remote.test'], { NOTIFY: 'NEVER' });
    await h.run();
    const postmaster = (await h.svc.store.getMailbox(`postmaster@${DOMAIN}`))!;
    const pm = await inboxMessages(h, postmaster.id);
    assert.equal(pm.length, 1);
    assert.match(pm[0]!, /Subject: Postmaster Copy: Undelivered Mail/);
    assert.equal((await inboxMessages(h, h.alice.id)).length, 0);
    assert.equal((await h.svc.store.listQueue({ status: 'queued' })).length, 0, 'no notice was queued to anyone');
  });

  it('a bounce to a remote sender is queued with MAIL FROM:<> and delivered', async () => {
    const server = await startScriptedSmtp({ rcpt: (to) => (to.startsWith('bob') ? '550 5.1.1 unknown' : '250 ok') });
    const h = await setup(server);
    cleanup.push(() => h.close(), () => server.close());
    await h.queue(MESSAGE, 'someone@remote.test', ['bob@remote.test']);
    await h.run();
    await h.run();
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0]!.mailFrom, '');
    assert.deepEqual(server.received[0]!.rcpts, ['someone@remote.test']);
    assert.match(server.received[0]!.data, /multipart\/report/);
    assert.match(server.received[0]!.data, /^DKIM-Signature: .*d=example\.test/m, 'notices are signed by the parent domain of our host name');
  });

  it('refuses to send a message needing SMTPUTF8 to a server without it (5.6.7)', async () => {
    const server = await startScriptedSmtp({ ehlo: ['PIPELINING', '8BITMIME'] });
    const h = await setup(server);
    cleanup.push(() => h.close(), () => server.close());
    const [id] = await h.queue(MESSAGE.replace('Subject: hello there', 'Subject: grüße'), `alice@${DOMAIN}`, ['bob@remote.test'], { SMTPUTF8: 'yes' });
    await h.run();
    const e = (await h.svc.store.getQueueEntry(id!))!;
    assert.equal(e.status, 'bounced');
    assert.match((await inboxMessages(h, h.alice.id))[0]!, /Status: 5\.6\.7/);
  });

  it('an operator bounce request bounces at the next claim', async () => {
    const server = await startScriptedSmtp({ rcpt: () => '451 later' });
    const h = await setup(server);
    cleanup.push(() => h.close(), () => server.close());
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    assert.equal(await h.svc.store.requestBounce(id!, h.svc.clock.now), true);
    await h.run();
    assert.equal((await h.svc.store.getQueueEntry(id!))!.status, 'bounced');
    assert.match((await inboxMessages(h, h.alice.id))[0]!, /removed from the queue by the administrator/);
  });

  it('limits concurrent deliveries per destination domain', async () => {
    let open = 0;
    let peak = 0;
    const server = await startScriptedSmtp({
      mail: () => {
        open++;
        peak = Math.max(peak, open);
        return '250 ok';
      },
      data: () => {
        open--;
        return '250 ok';
      },
    });
    const h = await setup(server, {}, 'concurrency_per_domain = 2');
    cleanup.push(() => h.close(), () => server.close());
    for (let i = 0; i < 6; i++) await h.queue(MESSAGE, `alice@${DOMAIN}`, [`r${i}@remote.test`]);
    await h.run();
    assert.equal(server.received.length, 6);
    assert.ok(peak <= 2, `at most 2 at once (saw ${peak})`);
  });

  it('keeps renewing the lease while a slow remote holds a delivery: no other node can claim it meanwhile', async () => {
    // The remote takes the data and never answers: the delivery stays in flight until the test ends it.
    const server = await startScriptedSmtp({ data: () => 'silent' });
    const h = await queueHarness(zone(), `smtp_port = ${server.port}\ncommand_timeout = "60s"\nmta_sts = false\n`, {}, { leaseMaxMs: 1500 });
    cleanup.push(() => h.close(), () => server.close());
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    h.runner.start();
    const deadline = Date.now() + 10_000;
    while (!server.commands.includes('DATA') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(server.commands.includes('DATA'), 'the delivery reached DATA');
    const claimedUntil = (await h.svc.store.getQueueEntry(id!))!.leaseUntil!;
    // Twice the lease passes on the store's clock; in real time the runner renews every third of it (500 ms).
    for (let i = 0; i < 3; i++) {
      h.advance(1000);
      await new Promise((r) => setTimeout(r, 700));
    }
    const e = (await h.svc.store.getQueueEntry(id!))!;
    assert.ok(e.leaseUntil! > claimedUntil + 1500, `renewed (lease until ${e.leaseUntil}, first ${claimedUntil})`);
    assert.deepEqual(await h.svc.store.claimDue('other-node', h.svc.clock.now, 1500, 10), [], 'another node cannot take it');
    assert.equal(server.commands.filter((c) => c === 'DATA').length, 1, 'nor this runner again: one delivery, not a second copy');
    // Once the runner stops renewing (it is gone), the lease runs out and another node may take over.
    await h.runner.stop(0);
    h.advance(2000);
    assert.deepEqual((await h.svc.store.claimDue('other-node', h.svc.clock.now, 1500, 10)).map((x) => x.id), [id]);
  });
});
