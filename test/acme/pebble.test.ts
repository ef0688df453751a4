/**
 * ACME end to end against Debian's pebble: real HTTP-01 and TLS-ALPN-01 validation of Outpost's own listeners,
 * certificates served by SNI on IMAPS, SMTPS, HTTPS and the STARTTLS/STLS upgrades (clients verify against pebble's
 * root), renewal picked up without dropping an open connection, a CA outage survived with backoff, `outpost cert`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { outpost } from '../kit/cli.js';
import { editConfig, makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startDnsServer, type TestDnsServer } from '../kit/dns-server.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { startPebble, type Pebble } from './pebble.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const NAMES = ['mail.example.test', 'autoconfig.example.test', 'autodiscover.example.test', 'autoconfig.other.test', 'autodiscover.other.test', 'autoconfig.third.test', 'autodiscover.third.test'];

let dns: TestDnsServer;
let data: TestDataDir;
let pebble: Pebble;
let serve: ServeProcess;

function acmeSection(challenge: string): (text: string) => string {
  return (text) =>
    `${text.replace(/\n\[acme\][\s\S]*$/, '')}\n[acme]\nenabled = true\ndirectory_url = "${pebble.directoryUrl}"\nca_file = "${pebble.caFile}"\ncontact = "postmaster@example.test"\nchallenge = "${challenge}"\ncheck_interval = "500ms"\nretry_first = "1s"\nretry_max = "3s"\n`;
}

/** Waits until `pred` holds for the server's JSON logs. */
async function waitForLog(pred: (l: Record<string, unknown>) => boolean, what: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = serve.logs().find(pred);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}; logs:\n${serve.stdout().slice(-4000)}\npebble:\n${pebble.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function readLine(s: Socket | TLSSocket, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (until.test(buf)) {
        s.off('data', onData);
        resolve(buf);
      }
    };
    s.on('data', onData);
    s.once('error', reject);
  });
}

type Upgrade = 'smtp' | 'imap' | 'pop3';

/** Connects (implicit TLS or an in-protocol upgrade) verifying the certificate against `ca` for `servername`. */
async function handshake(port: number, servername: string, ca: string | null, upgrade?: Upgrade): Promise<{ socket: TLSSocket; cert: PeerCertificate }> {
  let plain: Socket | undefined;
  if (upgrade) {
    plain = tcpConnect({ host: '127.0.0.1', port });
    const dialog: Record<Upgrade, Array<[string | null, RegExp]>> = {
      smtp: [[null, /^220 .*\r\n/m], ['EHLO client.test\r\n', /^250 .*\r\n/m], ['STARTTLS\r\n', /^220 .*\r\n/m]],
      imap: [[null, /^\* OK.*\r\n/m], ['a STARTTLS\r\n', /^a OK.*\r\n/m]],
      pop3: [[null, /^\+OK.*\r\n/m], ['STLS\r\n', /^\+OK.*\r\n/m]],
    };
    for (const [send, expect] of dialog[upgrade]) {
      const reply = readLine(plain, expect);
      if (send) plain.write(send);
      await reply;
    }
  }
  const socket = tlsConnect({
    ...(plain ? { socket: plain } : { host: '127.0.0.1', port }),
    servername,
    ...(ca ? { ca, rejectUnauthorized: true } : { rejectUnauthorized: false }),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  return { socket, cert: socket.getPeerCertificate() };
}

const dnsNames = (c: PeerCertificate) => (c.subjectaltname ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)).sort();

describe('ACME against pebble', { timeout: 240_000 }, () => {
  before(async () => {
    dns = await startDnsServer({ records: Object.fromEntries(NAMES.map((n) => [n, [{ type: 'A' as const, address: '127.0.0.1' }]])) });
    data = await makeDataDir({ hostname: 'mail.example.test', domain: 'example.test', dns: [dns.server] });
    pebble = await startPebble({ httpPort: data.ports.http, tlsPort: data.ports.https, dnsServer: dns.server });
    const added = await outpost(['--data', data.dir, 'domain', 'add', 'other.test']);
    assert.equal(added.code, 0, added.stderr);
    // TLS-ALPN-01 first: the server orders on start-up, the CA validates on the https listener.
    editConfig(data.dir, acmeSection('tls-alpn-01'));
    serve = startServe(data.dir);
    await serve.waitFor(/Outpost is running/);
  });

  after(async () => {
    await serve?.stop();
    await pebble?.stop();
    await dns?.close();
  });

  it('issues for the hostname and every domain through TLS-ALPN-01 on the https listener', async () => {
    for (const key of ['mail.example.test', 'autoconfig.example.test', 'autoconfig.other.test'])
      await waitForLog((l) => l.msg === 'acme.order.issued' && (l.names as string[])[0] === key, `issued ${key}`);
    const presented = serve.logs().filter((l) => l.msg === 'acme.challenge.presented');
    assert.deepEqual([...new Set(presented.map((l) => l.type))], ['tls-alpn-01']);
    assert.deepEqual(presented.map((l) => l.name).sort(), NAMES.filter((n) => !n.includes('third')).sort());
    await waitForLog((l) => l.msg === 'tls.certificates.loaded' && l.certificates === 3, 'three certificates loaded');
  });

  it('serves each name its own certificate by SNI on IMAPS, SMTPS, HTTPS and after STARTTLS/STLS, verified against pebble', async () => {
    const root = await pebble.root();
    const cases: Array<[number, string, string[], Upgrade?]> = [
      [data.ports.imaps, 'mail.example.test', ['mail.example.test']],
      [data.ports.submissions, 'mail.example.test', ['mail.example.test']],
      [data.ports.pop3s, 'mail.example.test', ['mail.example.test']],
      [data.ports.https, 'autoconfig.example.test', ['autoconfig.example.test', 'autodiscover.example.test']],
      [data.ports.https, 'autodiscover.other.test', ['autoconfig.other.test', 'autodiscover.other.test']],
      [data.ports.submission, 'mail.example.test', ['mail.example.test'], 'smtp'],
      [data.ports.imap, 'mail.example.test', ['mail.example.test'], 'imap'],
      [data.ports.pop3, 'mail.example.test', ['mail.example.test'], 'pop3'],
    ];
    for (const [port, name, names, upgrade] of cases) {
      const { socket, cert } = await handshake(port, name, root, upgrade);
      assert.deepEqual(dnsNames(cert), [...names].sort(), `${name} on ${port} ${upgrade ?? ''}`);
      assert.match(String(cert.issuer.CN), /Pebble/i);
      socket.destroy();
    }
    // A name with no certificate of its own gets the configured (self-signed) one, and only that.
    const { socket, cert } = await handshake(data.ports.imaps, 'nothing-here.example.test', null);
    assert.equal(cert.issuer.CN, 'mail.example.test');
    socket.destroy();
    await assert.rejects(handshake(data.ports.imaps, 'nothing-here.example.test', root));
  });

  it('serves autoconfig over HTTPS that a verifying client accepts', async () => {
    const root = await pebble.root();
    const { socket } = await handshake(data.ports.https, 'autoconfig.example.test', root);
    const reply = readLine(socket, /<\/clientConfig>/);
    socket.write('GET /mail/config-v1.1.xml?emailaddress=a@example.test HTTP/1.1\r\nHost: autoconfig.example.test\r\nConnection: close\r\n\r\n');
    assert.match(await reply, /^HTTP\/1\.1 200[\s\S]*<incomingServer type="imap">/);
    socket.destroy();
  });

  it('renews through HTTP-01 from another process (the CLI); new connections get the new certificate, an open one stays', async () => {
    const root = await pebble.root();
    const old = await handshake(data.ports.imaps, 'mail.example.test', root);
    await readLine(old.socket, /^\* OK.*\r\n/m);
    // The CLI orders; the running server answers HTTP-01 from the store and picks the certificate up from it.
    editConfig(data.dir, acmeSection('http-01'));
    const renewed = await outpost(['--data', data.dir, 'cert', 'renew', '--force']);
    assert.equal(renewed.code, 0, renewed.stdout + renewed.stderr);
    assert.match(renewed.stdout, /mail\.example\.test: issued, valid until/);
    assert.match(renewed.stdout, /autoconfig\.other\.test, autodiscover\.other\.test: issued/);
    const deadline = Date.now() + 20_000;
    let fresh = await handshake(data.ports.imaps, 'mail.example.test', root);
    while (fresh.cert.serialNumber === old.cert.serialNumber && Date.now() < deadline) {
      fresh.socket.destroy();
      await new Promise((r) => setTimeout(r, 200));
      fresh = await handshake(data.ports.imaps, 'mail.example.test', root);
    }
    assert.notEqual(fresh.cert.serialNumber, old.cert.serialNumber, 'a new connection gets the renewed certificate');
    fresh.socket.destroy();
    const pong = readLine(old.socket, /^a1 OK.*\r\n/m);
    old.socket.write('a1 NOOP\r\n');
    assert.match(await pong, /a1 OK/);
    assert.equal(old.socket.getPeerCertificate().serialNumber, old.cert.serialNumber, 'the open connection keeps its certificate');
    old.socket.destroy();
  });

  it('survives a CA outage: the order fails, backs off, and succeeds once the CA is back', async () => {
    await pebble.stop();
    const added = await outpost(['--data', data.dir, 'domain', 'add', 'third.test']);
    assert.equal(added.code, 0, added.stderr);
    const failed = (n: number) => (l: Record<string, unknown>) => l.msg === 'acme.order.failed' && (l.names as string[])[0] === 'autoconfig.third.test' && l.failures === n;
    const first = await waitForLog(failed(1), 'first failure');
    const second = await waitForLog(failed(2), 'second failure');
    assert.equal(first.retryInMs, 1000);
    assert.equal(second.retryInMs, 2000);
    const status = await outpost(['--data', data.dir, 'cert', 'status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^autoconfig\.third\.test\tnone\t-\t-\t-\tACME order for .*ECONNREFUSED/m);
    await pebble.start();
    await waitForLog((l) => l.msg === 'acme.order.issued' && (l.names as string[])[0] === 'autoconfig.third.test', 'issued after the outage');
    const { socket, cert } = await handshake(data.ports.https, 'autodiscover.third.test', await pebble.root(), undefined);
    assert.deepEqual(dnsNames(cert), ['autoconfig.third.test', 'autodiscover.third.test']);
    socket.destroy();
  });

  it('reports every name with its issuer, expiry, days left and source in `outpost cert status`', async () => {
    const r = await outpost(['--data', data.dir, 'cert', 'status']);
    assert.equal(r.code, 0, r.stderr);
    const rows = new Map(r.stdout.split('\n').filter((l) => l.includes('\t')).map((l) => [l.split('\t')[0]!, l.split('\t')]));
    for (const name of NAMES) {
      const row = rows.get(name);
      assert.ok(row, `${name} listed:\n${r.stdout}`);
      assert.equal(row[1], 'acme');
      assert.match(row[2]!, /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(Number(row[3]) > 0);
      assert.match(row[4]!, /Pebble/i);
      assert.equal(row[5], '-', `no error left for ${name}`);
    }
    assert.equal(rows.get('localhost')?.[1], 'self-signed', 'the configured fallback is listed too');
    const json = JSON.parse((await outpost(['--data', data.dir, 'cert', 'status', '--json'])).stdout) as Array<{ name: string; daysLeft: number }>;
    assert.ok(json.find((j) => j.name === 'mail.example.test')!.daysLeft > 14);
  });

  it('keeps private keys sealed in the store, the secret beside it with mode 0600', async () => {
    const config = loadConfig(data.dir);
    const store = openSqliteStore({ path: config.store.path });
    try {
      const certs = await store.listCertificates();
      assert.equal(certs.length, 4);
      for (const c of certs) assert.match(c.keyPem, /^sealed:v1:/);
      const account = await store.getAcmeAccount(pebble.directoryUrl);
      assert.match(account!.keyPem, /^sealed:v1:/);
      assert.match(account!.accountUrl ?? '', /^https:\/\/127\.0\.0\.1:\d+\//);
    } finally {
      await store.close();
    }
    assert.equal(statSync(join(data.dir, 'tls', 'acme-secret.key')).mode & 0o777, 0o600);
    assert.ok(!serve.stdout().includes('PRIVATE KEY'), 'no key in the log');
  });
});
