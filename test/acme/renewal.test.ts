/**
 * Background renewal against pebble issuing 30-second certificates: the server renews at two thirds of the lifetime
 * on its own, warns that the certificate nears expiry, and new connections get the new certificate while an open
 * one keeps working. Also: one node at a time orders (the store lock), and the expiry warnings `outpost check` uses.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { createServer, type Socket } from 'node:net';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { CertificateManager, ORDER_LOCK } from '../../src/acme/manager.js';
import { certificateExpiryWarnings } from '../../src/tls/status.js';
import { editConfig, makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startDnsServer, type TestDnsServer } from '../kit/dns-server.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { startPebble, type Pebble } from './pebble.js';

const NAMES = ['mail.example.test', 'autoconfig.example.test', 'autodiscover.example.test'];
const DAY = 86_400_000;

let dns: TestDnsServer;
let data: TestDataDir;
let pebble: Pebble;
let serve: ServeProcess;

async function waitForLogs(pred: (l: Record<string, unknown>) => boolean, count: number, what: string, timeoutMs = 90_000): Promise<Array<Record<string, unknown>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hits = serve.logs().filter(pred);
    if (hits.length >= count) return hits;
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}; logs:\n${serve.stdout().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function imaps(root: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: data.ports.imaps, servername: 'mail.example.test', ca: root }, () => resolve(s));
    s.once('error', reject);
  });
}

describe('background renewal against pebble (30-second certificates)', { timeout: 180_000 }, () => {
  before(async () => {
    dns = await startDnsServer({ records: Object.fromEntries(NAMES.map((n) => [n, [{ type: 'A' as const, address: '127.0.0.1' }]])) });
    data = await makeDataDir({ hostname: 'mail.example.test', domain: 'example.test', dns: [dns.server] });
    pebble = await startPebble({ httpPort: data.ports.http, tlsPort: data.ports.https, dnsServer: dns.server, validitySeconds: 30 });
    editConfig(
      data.dir,
      (t) =>
        `${t}\n[acme]\nenabled = true\ndirectory_url = "${pebble.directoryUrl}"\nca_file = "${pebble.caFile}"\ncheck_interval = "500ms"\nretry_first = "1s"\nretry_max = "2s"\n`,
    );
    serve = startServe(data.dir);
    await serve.waitFor(/Outpost is running/);
  });

  after(async () => {
    await serve?.stop();
    await pebble?.stop();
    await dns?.close();
  });

  it('renews on its own before expiry; new connections get the new certificate, an open one stays', async () => {
    const isHost = (l: Record<string, unknown>) => l.msg === 'acme.order.issued' && (l.names as string[])[0] === 'mail.example.test';
    const [first] = await waitForLogs(isHost, 1, 'first issuance');
    assert.equal(first!.reason, 'missing');
    const root = await pebble.root();
    await waitForLogs((l) => l.msg === 'tls.certificates.loaded' && l.certificates === 2, 1, 'certificates loaded');
    const old = await imaps(root);
    const oldSerial = old.getPeerCertificate().serialNumber;
    const issued = await waitForLogs(isHost, 2, 'renewal');
    assert.equal(issued[1]!.reason, 'renewal-due');
    const renewedAt = Date.parse(String(issued[1]!.time));
    const firstNotAfter = Date.parse(String(first!.notAfter));
    assert.ok(renewedAt < firstNotAfter, 'renewed before the old certificate expired');
    let serial = oldSerial;
    for (let i = 0; i < 50 && serial === oldSerial; i++) {
      const fresh = await imaps(root);
      serial = fresh.getPeerCertificate().serialNumber;
      fresh.destroy();
      if (serial === oldSerial) await new Promise((r) => setTimeout(r, 200));
    }
    assert.notEqual(serial, oldSerial);
    const pong = new Promise<string>((resolve) => {
      let buf = '';
      old.on('data', (d) => {
        buf += d;
        if (/^a1 OK/m.test(buf)) resolve(buf);
      });
    });
    old.write('a1 NOOP\r\n');
    assert.match(await pong, /a1 OK/);
    old.destroy();
    // A 30-second certificate has 0 days left: the log says so (once a day per name).
    const warnings = await waitForLogs((l) => l.msg === 'tls.certificate.expiring', 1, 'expiry warning');
    assert.ok(warnings.some((w) => w.name === 'mail.example.test' && w.daysLeft === 0 && w.source === 'acme'));
  });
});

describe('ordering under the store lock, expiry warnings', () => {
  it('stops promptly (exit 0) while an order hangs on a CA that never answers', async () => {
    const held: Socket[] = [];
    const silent = createServer((s) => held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const d = await makeDataDir({ hostname: 'mail.example.test', domain: 'example.test' });
    editConfig(d.dir, (t) => `${t}\n[acme]\nenabled = true\ndirectory_url = "https://127.0.0.1:${port}/dir"\n`);
    const s = startServe(d.dir);
    try {
      await s.waitFor(/"msg":"acme\.order\.started"/);
      const t0 = Date.now();
      assert.equal(await s.stop(), 0);
      assert.ok(Date.now() - t0 < 10_000, `stopped after ${Date.now() - t0} ms`);
    } finally {
      await s.stop();
      for (const h of held) h.destroy();
      silent.close();
    }
  });

  it('does not order while another node holds the lock', async () => {
    const d = await makeDataDir({ hostname: 'mail.example.test', domain: 'example.test' });
    editConfig(d.dir, (t) => `${t}\n[acme]\nenabled = true\ndirectory_url = "https://127.0.0.1:1/dir"\n`);
    const config = loadConfig(d.dir);
    const store = openSqliteStore({ path: config.store.path });
    try {
      assert.equal(await store.tryLock(ORDER_LOCK, 'another-node', Date.now(), 60_000), true);
      const manager = new CertificateManager({ store, config, log: pino({ level: 'silent' }), now: Date.now });
      const outcomes = await manager.orderDue();
      assert.deepEqual(outcomes.map((o) => [o.key, o.result]), [
        ['mail.example.test', 'locked'],
        ['autoconfig.example.test', 'locked'],
      ]);
      assert.equal(await store.getRenewalState('mail.example.test'), null, 'no attempt was made');
    } finally {
      await store.close();
    }
  });

  it('warns about certificates with less than 14 days left, with the renewal error when there is one', async () => {
    const d = await makeDataDir({ hostname: 'mail.example.test', domain: 'example.test' });
    editConfig(d.dir, (t) => `${t}\n[acme]\nenabled = true\n`);
    const config = loadConfig(d.dir);
    const store = openSqliteStore({ path: config.store.path });
    const now = Date.UTC(2026, 10, 29);
    try {
      const base = { certPem: 'x', keyPem: 'y', source: 'acme' as const, issuer: 'CN=CA', notBefore: now - 80 * DAY, updatedAt: now };
      await store.putCertificate({ ...base, key: 'mail.example.test', names: ['mail.example.test'], notAfter: now + 5 * DAY });
      await store.putCertificate({ ...base, key: 'autoconfig.example.test', names: ['autoconfig.example.test', 'autodiscover.example.test'], notAfter: now + 40 * DAY });
      await store.putRenewalState({ key: 'mail.example.test', failures: 3, nextAttemptAt: now + 1000, lastAttemptAt: now, lastSuccessAt: null, lastError: 'rate limited' });
      const warnings = await certificateExpiryWarnings({ store, config, now });
      assert.deepEqual(warnings.map((w) => [w.name, w.daysLeft, w.source]), [['mail.example.test', 5, 'acme']]);
      assert.equal(warnings[0]!.message, 'the certificate for mail.example.test expires in 5 day(s), on 2026-12-04 and renewal keeps failing: rate limited');
      assert.deepEqual(await certificateExpiryWarnings({ store, config, now: now + 50 * DAY }, 14).then((w) => w.map((x) => x.message)), [
        'the certificate for mail.example.test expired on 2026-12-04 and renewal keeps failing: rate limited',
        'the certificate for autoconfig.example.test expired on 2027-01-08 and has not been renewed yet',
        'the certificate for autodiscover.example.test expired on 2027-01-08 and has not been renewed yet',
      ]);
    } finally {
      await store.close();
    }
  });
});
