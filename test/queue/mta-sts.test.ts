/**
 * MTA-STS (RFC 8461): the policy grammar, MX patterns, and enforcement end to end — the TXT record served by the
 * test DNS server, the policy by a loopback HTTPS server (its certificate trusted through `[queue] tls_ca_file`),
 * and the MX a scripted SMTP server offering STARTTLS with a trusted or an untrusted self-signed certificate.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MtaSts, MtaStsSyntaxError, mxMatches, parseStsPolicy, parseStsRecord } from '../../src/queue/mta-sts.js';
import { DnsError } from '../../src/dns/resolver.js';
import { createLogger } from '../../src/app/logger.js';
import type { MtaStsCacheEntry } from '../../src/store/types.js';
import { DOMAIN, MESSAGE, inboxMessages, queueHarness, selfSignedCert, startPolicyServer, startScriptedSmtp, type QueueHarness, type ScriptedReplies } from './kit.js';
import type { ZoneRecord } from '../kit/dns-server.js';

const MIN = 60_000;
const policy = (mode: string, mx = 'mx.remote.test', maxAge = 86400): string => `version: STSv1\r\nmode: ${mode}\r\nmx: ${mx}\r\nmax_age: ${maxAge}\r\n`;

describe('MTA-STS policy grammar (RFC 8461 §3)', () => {
  it('parses valid policies, CRLF or LF, first occurrence wins, extensions ignored', () => {
    assert.deepEqual(parseStsPolicy(policy('enforce', '*.Remote.test')), { mode: 'enforce', mx: ['*.remote.test'], maxAge: 86400 });
    assert.deepEqual(parseStsPolicy('version: STSv1\nmode: testing\nmx: a.test\nmx: b.test.\nmax_age:604800\nmode: none\nx_ext: whatever\n'), {
      mode: 'testing',
      mx: ['a.test', 'b.test'],
      maxAge: 604800,
    });
    assert.deepEqual(parseStsPolicy('version: STSv1\nmode: none\nmax_age: 0'), { mode: 'none', mx: [], maxAge: 0 });
  });

  const invalid: Array<[string, string]> = [
    ['no version', 'mode: enforce\nmx: a.test\nmax_age: 1\n'],
    ['wrong version', 'version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 1\n'],
    ['bad mode', 'version: STSv1\nmode: strict\nmx: a.test\nmax_age: 1\n'],
    ['no max_age', 'version: STSv1\nmode: enforce\nmx: a.test\n'],
    ['max_age over a year', 'version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 31557601\n'],
    ['max_age not digits', 'version: STSv1\nmode: enforce\nmx: a.test\nmax_age: -5\n'],
    ['enforce without mx', 'version: STSv1\nmode: enforce\nmax_age: 10\n'],
    ['bad mx pattern', 'version: STSv1\nmode: enforce\nmx: *.*.a.test\nmax_age: 10\n'],
    ['not a field', 'version: STSv1\nmode enforce\nmx: a.test\nmax_age: 1\n'],
    ['HTML', '<html><body>policy</body></html>'],
  ];
  for (const [name, text] of invalid) it(`refuses ${name}`, () => assert.throws(() => parseStsPolicy(text), MtaStsSyntaxError));

  it('reads the id of a v=STSv1 TXT record and nothing else', () => {
    assert.equal(parseStsRecord('v=STSv1; id=20260101T000000;'), '20260101T000000');
    assert.equal(parseStsRecord('v=STSv1;id=abc123'), 'abc123');
    assert.equal(parseStsRecord('v=STSv1; id=abc; ext=1;'), 'abc');
    assert.equal(parseStsRecord('v=STSv1;'), null, 'id is required');
    assert.equal(parseStsRecord('v=STSv1; id=has-dash;'), null);
    assert.equal(parseStsRecord(`v=STSv1; id=${'a'.repeat(33)};`), null, 'at most 32 characters');
    assert.equal(parseStsRecord('v=spf1 -all'), null);
  });

  it('matches MX names: exact, or a wildcard standing for exactly one label', () => {
    const p = { mx: ['mx.remote.test', '*.mail.remote.test'] };
    assert.equal(mxMatches(p, 'MX.remote.test.'), true);
    assert.equal(mxMatches(p, 'a.mail.remote.test'), true);
    assert.equal(mxMatches(p, 'mail.remote.test'), false);
    assert.equal(mxMatches(p, 'a.b.mail.remote.test'), false);
    assert.equal(mxMatches(p, 'mx2.remote.test'), false);
  });
});

describe('MTA-STS policy discovery and caching (RFC 8461 §5.1), with fakes', () => {
  function world(txt: string[][] | DnsError, fetch: () => Promise<string>) {
    const cache = new Map<string, MtaStsCacheEntry>();
    const clock = { now: 1_000_000 };
    let fetches = 0;
    let records = txt;
    const sts = new MtaSts({
      resolver: { resolveTxt: async () => (records instanceof DnsError ? Promise.reject(records) : records) },
      store: { getMtaStsPolicy: async (d) => cache.get(d) ?? null, putMtaStsPolicy: async (p) => void cache.set(p.domain, p) },
      fetch: async () => {
        fetches++;
        return fetch();
      },
      now: () => clock.now,
      log: createLogger('silent'),
    });
    return { sts, cache, clock, fetches: () => fetches, setTxt: (t: string[][] | DnsError) => (records = t) };
  }
  const rec = (id: string): string[][] => [[`v=STSv1; id=${id};`]];

  it('fetches once per id, and again when the id changes or the cache expires', async () => {
    let body = policy('enforce', 'mx.remote.test', 60);
    const w = world(rec('a'), async () => body);
    assert.equal((await w.sts.policyFor('remote.test'))!.mode, 'enforce');
    assert.equal((await w.sts.policyFor('remote.test'))!.mode, 'enforce');
    assert.equal(w.fetches(), 1, 'the same id is served from the cache');
    body = policy('testing');
    w.setTxt(rec('b'));
    assert.equal((await w.sts.policyFor('remote.test'))!.mode, 'testing');
    assert.equal(w.fetches(), 2);
    w.clock.now += 86_400_000 + 1;
    await w.sts.policyFor('remote.test');
    assert.equal(w.fetches(), 3, 'an expired policy is fetched again');
  });

  it('no TXT record, several v=STSv1 records or a malformed one: no policy (none fetched)', async () => {
    for (const txt of [new DnsError('NXDOMAIN', '_mta-sts.remote.test', 'TXT'), [['v=STSv1; id=a;'], ['v=STSv1; id=b;']], [['v=STSv1; id=not valid;']], [['v=spf1 -all']]]) {
      const w = world(txt, async () => policy('enforce'));
      assert.equal(await w.sts.policyFor('remote.test'), null);
      assert.equal(w.fetches(), 0);
    }
    const w = world([['v=spf1 -all'], ['v=STSv1; id=x;']], async () => policy('enforce'));
    assert.equal((await w.sts.policyFor('remote.test'))!.mode, 'enforce', 'records not starting with v=STSv1 are ignored');
  });

  it('a failed fetch or an invalid new policy keeps the cached one; without a cache there is no policy', async () => {
    let body: string | Error = policy('enforce');
    const w = world(rec('a'), async () => (body instanceof Error ? Promise.reject(body) : body));
    assert.equal((await w.sts.policyFor('remote.test'))!.mode, 'enforce');
    w.setTxt(rec('b'));
    body = new Error('connection refused');
    assert.equal((await w.sts.policyFor('remote.test'))!.mode, 'enforce');
    body = '<html>oops</html>';
    assert.equal((await w.sts.policyFor('remote.test'))!.mode, 'enforce');
    assert.equal(w.cache.get('remote.test')!.policyId, 'a');
    w.setTxt(new DnsError('SERVFAIL', '_mta-sts.remote.test', 'TXT'));
    assert.equal((await w.sts.policyFor('remote.test'))!.mode, 'enforce', 'a failed TXT lookup keeps the cached policy');
    const fresh = world(rec('a'), async () => Promise.reject(new Error('timeout')));
    assert.equal(await fresh.sts.policyFor('remote.test'), null);
  });

  it('applies enforce to a plan: unlisted MX hosts dropped, the rest require a valid certificate', () => {
    const w = world(rec('a'), async () => '');
    const hop = (name: string) => ({ name, port: 25, addresses: ['127.0.0.1'], security: 'opportunistic' as const });
    const plan = { kind: 'hops' as const, via: 'mx' as const, hops: [hop('mx1.remote.test'), hop('backup.other.test')] };
    const applied = w.sts.apply('remote.test', plan, { mode: 'enforce', mx: ['*.remote.test'], maxAge: 60 });
    assert.equal(applied.kind, 'hops');
    assert.deepEqual(
      (applied as typeof plan).hops.map((h) => [h.name, h.security]),
      [['mx1.remote.test', 'require-valid']],
    );
    assert.deepEqual(w.sts.apply('remote.test', plan, { mode: 'testing', mx: ['*.remote.test'], maxAge: 60 }), plan);
    assert.deepEqual(w.sts.apply('remote.test', plan, { mode: 'none', mx: [], maxAge: 60 }), plan);
    const none = w.sts.apply('remote.test', plan, { mode: 'enforce', mx: ['mx.elsewhere.test'], maxAge: 60 });
    assert.deepEqual([none.kind, (none as { status: string }).status, (none as { permanent: boolean }).permanent], ['fail', '4.7.5', false]);
  });
});

describe('MTA-STS enforcement (RFC 8461 §5)', () => {
  const trusted = selfSignedCert(['mx.remote.test', 'mta-sts.remote.test']);
  const untrusted = selfSignedCert(['mx.remote.test']);
  const dir = mkdtempSync(join(tmpdir(), 'outpost-mta-sts-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, trusted.cert);
  const cleanup: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  let policyServer: Awaited<ReturnType<typeof startPolicyServer>>;
  before(async () => {
    policyServer = await startPolicyServer(trusted, policy('enforce'));
    cleanup.push(() => policyServer.close());
  });

  /** The harness with an MX (scripted) for remote.test and its MTA-STS TXT record with `id`. */
  async function setup(replies: ScriptedReplies, id: string | null, toml = ''): Promise<{ h: QueueHarness; received: () => number; server: Awaited<ReturnType<typeof startScriptedSmtp>> }> {
    const server = await startScriptedSmtp(replies);
    const zone: Record<string, ZoneRecord[]> = {
      'remote.test': [{ type: 'MX', priority: 10, exchange: 'mx.remote.test' }],
      'mx.remote.test': [{ type: 'A', address: '127.0.0.1' }],
      'mta-sts.remote.test': [{ type: 'A', address: '127.0.0.1' }],
      ...(id ? { '_mta-sts.remote.test': [{ type: 'TXT', data: `v=STSv1; id=${id};` }] } : {}),
    };
    const h = await queueHarness(zone, `smtp_port = ${server.port}\ntls_ca_file = "${caFile}"\n${toml.includes('mta_sts_port') ? '' : `mta_sts_port = ${policyServer.port}\n`}${toml}`);
    cleanup.push(() => server.close(), () => h.close());
    return { h, server, received: () => server.received.length };
  }

  it('refuses an MX with an untrusted certificate (4.7.5, the mail waits); delivers once the policy is none', async () => {
    policyServer.policy = policy('enforce');
    const { h, server } = await setup({ tls: untrusted }, 'one');
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    let e = (await h.svc.store.getQueueEntry(id!))!;
    assert.equal(e.status, 'queued');
    assert.match(e.lastError!, /TLS failed/);
    assert.match(e.lastError!, /required by the MTA-STS policy of remote\.test/);
    assert.equal(server.received.length, 0, 'nothing was sent');
    assert.equal(server.handshakes, 0, 'the handshake failed');
    assert.equal(policyServer.requests.at(-1)!.host, `mta-sts.remote.test:${policyServer.port}`);
    assert.equal(policyServer.requests.at(-1)!.path, '/.well-known/mta-sts.txt');
    const cached = (await h.svc.store.getMtaStsPolicy('remote.test'))!;
    assert.deepEqual([cached.policyId, cached.expiresAt - cached.fetchedAt], ['one', 86400 * 1000]);
    const attempts = await h.svc.store.listQueueAttempts(id!);
    assert.equal(attempts.length, 1);

    // The domain publishes a new policy (mode none) under a new id: the next attempt fetches it and delivers.
    policyServer.policy = policy('none');
    h.dns.set('_mta-sts.remote.test', [{ type: 'TXT', data: 'v=STSv1; id=two;' }]);
    h.advance(5 * MIN);
    await h.run();
    e = (await h.svc.store.getQueueEntry(id!))!;
    assert.equal(e.status, 'delivered', e.lastError ?? '');
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0]!.tls, true, 'still STARTTLS, opportunistically');
    assert.equal((await h.svc.store.getMtaStsPolicy('remote.test'))!.policyId, 'two');
  });

  it('delivers over STARTTLS when the certificate is valid for the MX name (trusted via tls_ca_file)', async () => {
    policyServer.policy = policy('enforce', '*.remote.test');
    const { h, server } = await setup({ tls: trusted }, 'valid1');
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    assert.equal((await h.svc.store.getQueueEntry(id!))!.status, 'delivered');
    assert.equal(server.received[0]!.tls, true);
  });

  it('refuses an MX without STARTTLS, and keeps enforcing the cached policy when the TXT record disappears', async () => {
    policyServer.policy = policy('enforce');
    const { h, server } = await setup({}, 'plain1');
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    let e = (await h.svc.store.getQueueEntry(id!))!;
    assert.equal(e.status, 'queued');
    assert.match(e.lastError!, /TLS failed.*MTA-STS/);
    const fetches = policyServer.requests.length;
    // A downgrade attacker strips the TXT record: the cached (unexpired) policy still applies, nothing is fetched.
    h.dns.remove('_mta-sts.remote.test');
    h.advance(5 * MIN);
    await h.run();
    e = (await h.svc.store.getQueueEntry(id!))!;
    assert.equal(e.status, 'queued');
    assert.equal(policyServer.requests.length, fetches);
    assert.equal(server.received.length, 0);
    // Past max_age with no TXT record the domain has no policy any more: delivered in the clear.
    h.advance(24 * 60 * MIN);
    await h.run();
    assert.equal((await h.svc.store.getQueueEntry(id!))!.status, 'delivered');
  });

  it('skips MX hosts the policy does not list; with none left the mail waits, then bounces', async () => {
    policyServer.policy = policy('enforce', '*.elsewhere.test');
    const { h, server } = await setup({ tls: trusted }, 'mismatch1', 'give_up_after = "1h"');
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    let e = (await h.svc.store.getQueueEntry(id!))!;
    assert.equal(e.status, 'queued');
    assert.match(e.lastError!, /none of the MX hosts of remote\.test \(mx\.remote\.test\) is allowed by its MTA-STS policy/);
    assert.equal(server.connections, 0, 'the MX was not even contacted');
    h.advance(61 * MIN);
    await h.run();
    e = (await h.svc.store.getQueueEntry(id!))!;
    assert.equal(e.status, 'expired');
    const [bounce] = await inboxMessages(h, h.alice.id);
    assert.match(bounce!, /Status: 4\.4\.7/);
    assert.match(bounce!, /MTA-STS policy/);
  });

  it('testing mode only logs: an untrusted certificate is still used', async () => {
    policyServer.policy = policy('testing', 'other.test');
    const { h, server } = await setup({ tls: untrusted }, 'testing1');
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    assert.equal((await h.svc.store.getQueueEntry(id!))!.status, 'delivered');
    assert.equal(server.received[0]!.tls, true);
  });

  it('a policy that cannot be fetched (no HTTPS host) is no policy: delivered opportunistically', async () => {
    const { h, server } = await setup({ tls: untrusted }, 'nofetch1', 'mta_sts_port = 1\n');
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    assert.equal((await h.svc.store.getQueueEntry(id!))!.status, 'delivered');
    assert.equal(server.received.length, 1);
    assert.equal(await h.svc.store.getMtaStsPolicy('remote.test'), null);
  });

  it('is off with mta_sts = false', async () => {
    policyServer.policy = policy('enforce');
    const { h } = await setup({ tls: untrusted }, 'off1', 'mta_sts = false\n');
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    assert.equal((await h.svc.store.getQueueEntry(id!))!.status, 'delivered');
  });
});
