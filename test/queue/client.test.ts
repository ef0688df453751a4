/**
 * The outbound SMTP client against scripted peers on loopback: STARTTLS response injection (RFC 3207 §5,
 * CVE-2011-0411 class), `[queue] require_valid_cert`, static `[routes]` to host:port, and ed25519 DKIM signatures
 * (RFC 8463) next to the RSA one, verified by dkimpy.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimRecord, generateDkimKey } from '../../src/queue/dkim.js';
import { DOMAIN, MESSAGE, dkimpyVerifyAll, queueHarness, selfSignedCert, startScriptedSmtp, type QueueHarness, type ScriptedReplies, type ScriptedServer } from './kit.js';
import type { ZoneRecord } from '../kit/dns-server.js';

const zone: Record<string, ZoneRecord[]> = {
  'remote.test': [{ type: 'MX', priority: 10, exchange: 'mx.remote.test' }],
  'mx.remote.test': [{ type: 'A', address: '127.0.0.1' }],
};

describe('the outbound SMTP client', () => {
  const trusted = selfSignedCert(['mx.remote.test']);
  const untrusted = selfSignedCert(['mx.remote.test']);
  const dir = mkdtempSync(join(tmpdir(), 'outpost-client-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, trusted.cert);
  const cleanup: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanup) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setup(replies: ScriptedReplies, toml = '', extraZone: Record<string, ZoneRecord[]> = {}): Promise<{ h: QueueHarness; server: ScriptedServer }> {
    const server = await startScriptedSmtp(replies);
    const h = await queueHarness({ ...zone, ...extraZone }, `smtp_port = ${server.port}\ntls_ca_file = "${caFile}"\nmta_sts = false\n${toml.replaceAll('PORT', String(server.port))}`);
    cleanup.push(() => h.close(), () => server.close());
    return { h, server };
  }

  it('discards what the server sent after its STARTTLS reply, before the handshake (STARTTLS injection)', async () => {
    // "250 injected" arrives in the same packet as the 220: read inside TLS it would pass for the EHLO reply and
    // shift every later reply by one.
    const { h, server } = await setup({ tls: { ...trusted, reply: '220 2.0.0 ready\r\n250 injected' } });
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    const e = (await h.svc.store.getQueueEntry(id!))!;
    assert.equal(e.status, 'delivered', e.lastError ?? '');
    assert.equal(server.handshakes, 1);
    assert.equal(server.received[0]!.tls, true);
    assert.match(e.lastError!, /^250 2\.0\.0 ok queued/, 'the reply to the data, not an injected one');
    const verbs = server.commands.map((c) => c.split(/[ :]/)[0]!.toUpperCase());
    assert.deepEqual(verbs.slice(0, 6), ['EHLO', 'STARTTLS', 'EHLO', 'MAIL', 'RCPT', 'DATA']);
  });

  it('require_valid_cert refuses a self-signed certificate (4.7.5, the mail waits) and a server without STARTTLS', async () => {
    const { h, server } = await setup({ tls: untrusted }, 'require_valid_cert = ["remote.test"]\n');
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    let e = (await h.svc.store.getQueueEntry(id!))!;
    assert.equal(e.status, 'queued');
    assert.match(e.lastError!, /TLS failed: .*self-signed certificate.*required by \[queue\] require_valid_cert for remote\.test/);
    assert.equal(server.received.length, 0);
    const attempts = await h.svc.store.listQueueAttempts(id!);
    assert.equal(attempts.length, 1);

    const plain = await setup({}, 'require_valid_cert = ["remote.test"]\n');
    const [id2] = await plain.h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await plain.h.run();
    e = (await plain.h.svc.store.getQueueEntry(id2!))!;
    assert.equal(e.status, 'queued');
    assert.match(e.lastError!, /TLS failed/);
    assert.equal(plain.server.received.length, 0, 'never in the clear');
  });

  it('require_valid_cert delivers when the certificate is valid for the MX name (trusted via tls_ca_file)', async () => {
    const { h, server } = await setup({ tls: trusted }, 'require_valid_cert = ["remote.test"]\n');
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    assert.equal((await h.svc.store.getQueueEntry(id!))!.status, 'delivered');
    assert.equal(server.received[0]!.tls, true);
  });

  it('an opportunistic session accepts any certificate', async () => {
    const { h, server } = await setup({ tls: untrusted });
    const [id] = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    assert.equal((await h.svc.store.getQueueEntry(id!))!.status, 'delivered');
    assert.equal(server.received[0]!.tls, true);
  });

  it('static [routes] send a domain to a fixed host:port (IP literal or name), ignoring its MX', async () => {
    const { h, server } = await setup(
      {},
      '[routes]\n"static.test" = "127.0.0.1:PORT"\n"named.test" = "relay.internal.test:PORT"\n',
      { 'relay.internal.test': [{ type: 'A', address: '127.0.0.1' }], 'named.test': [{ type: 'MX', priority: 10, exchange: 'nowhere.invalid' }] },
    );
    const ids = await h.queue(MESSAGE, `alice@${DOMAIN}`, ['x@static.test', 'y@named.test']);
    await h.run();
    const entries = await Promise.all(ids.map((id) => h.svc.store.getQueueEntry(id)));
    assert.deepEqual(entries.map((e) => e!.status), ['delivered', 'delivered']);
    assert.deepEqual(server.received.map((m) => m.rcpts).flat().sort(), ['x@static.test', 'y@named.test']);
    const hosts = await Promise.all(ids.map(async (id) => (await h.svc.store.listQueueAttempts(id))[0]!.host));
    assert.match(hosts[0]!, new RegExp(`^127\\.0\\.0\\.1 \\[127\\.0\\.0\\.1\\]:${server.port}$`));
    assert.match(hosts[1]!, new RegExp(`^relay\\.internal\\.test \\[127\\.0\\.0\\.1\\]:${server.port}$`));
  });

  it('signs with ed25519 next to RSA when the domain has both keys; dkimpy verifies both', async () => {
    const { h, server } = await setup({});
    const ed = generateDkimKey(DOMAIN, 'e2026', 'ed25519-sha256', h.svc.clock.now);
    await h.svc.store.addDkimKey(ed);
    await h.queue(MESSAGE, `alice@${DOMAIN}`, ['bob@remote.test']);
    await h.run();
    const data = server.received[0]!.data;
    const sigs = data.split('\r\n\r\n')[0]!.split(/\r\n(?![ \t])/).filter((l) => /^DKIM-Signature:/i.test(l));
    assert.equal(sigs.length, 2);
    assert.ok(sigs.some((s) => /a=ed25519-sha256/.test(s) && /s=e2026/.test(s)), 'an ed25519 signature');
    assert.ok(sigs.some((s) => /a=rsa-sha256/.test(s)), 'and the RSA one');
    const keys = await h.svc.store.listDkimKeys(DOMAIN);
    const records = Object.fromEntries(keys.map((k) => [`${k.selector}._domainkey.${k.domain}`, dkimRecord(k)]));
    assert.equal(dkimpyVerifyAll(Buffer.from(data, 'latin1'), records), 'PASS');
    // The ed25519 signature alone, checked against only its key: a wrong key would fail.
    const edOnly = data.replace(sigs.find((s) => /a=rsa-sha256/.test(s))! + '\r\n', '');
    assert.equal(dkimpyVerifyAll(Buffer.from(edOnly, 'latin1'), { [`e2026._domainkey.${DOMAIN}`]: dkimRecord(ed) }), 'PASS');
    assert.equal(dkimpyVerifyAll(Buffer.from(edOnly.replace('Hello Bob.', 'Hello Eve.'), 'latin1'), { [`e2026._domainkey.${DOMAIN}`]: dkimRecord(ed) }), 'FAIL 1');
  });
});
