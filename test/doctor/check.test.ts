/**
 * `outpost check` against the real `outpost serve`, with the records of `outpost dns` published on the test DNS
 * server: everything right (exit 0), a missing DKIM record (named, with the record to publish, exit 1), no answer
 * from the DNS server (a warning "could not check", exit 0), an open
 * relay through a too-wide trusted network, listeners down, and outbound port 25 to a probe host.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { editConfig, makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { startDnsServer, type TestDnsServer, type ZoneRecord } from '../kit/dns-server.js';
import { outpost } from '../kit/cli.js';
import type { CheckItem } from '../../src/doctor/server-check.js';

/** Publishes every record `outpost dns` recommends, as an operator would at their DNS provider. */
async function publish(d: TestDataDir, dns: TestDnsServer): Promise<string[]> {
  const r = await outpost(['--data', d.dir, 'dns', 'example.test']);
  assert.equal(r.code, 0, r.stderr);
  const zone = new Map<string, ZoneRecord[]>();
  for (const line of r.stdout.split('\n')) {
    if (!line || line.startsWith(';')) continue;
    const [name, , , type, data] = line.split('\t') as [string, string, string, string, string];
    const f = data.split(' ');
    const rec: ZoneRecord =
      type === 'MX'
        ? { type, priority: Number(f[0]), exchange: f[1]! }
        : type === 'TXT'
          ? { type, data: [...data.matchAll(/"([^"]*)"/g)].map((m) => m[1]!) }
          : type === 'SRV'
            ? { type, priority: Number(f[0]), weight: Number(f[1]), port: Number(f[2]), target: f[3]! }
            : { type: 'CNAME', target: data };
    zone.set(name, [...(zone.get(name) ?? []), rec]);
  }
  for (const [name, records] of zone) dns.set(name, records);
  dns.set('mail.example.test', [{ type: 'A', address: '127.0.0.1' }]);
  return [...zone.keys()];
}

async function check(d: TestDataDir): Promise<{ code: number; ok: boolean; items: CheckItem[] }> {
  const r = await outpost(['--data', d.dir, 'check', '--json']);
  const j = JSON.parse(r.stdout) as { ok: boolean; items: CheckItem[] };
  return { code: r.code, ...j };
}

describe('outpost check', () => {
  let dns: TestDnsServer;
  let d: TestDataDir;
  let serve: ServeProcess;
  let probe: net.Server;
  const sockets = new Set<net.Socket>();

  before(async () => {
    dns = await startDnsServer();
    // A stand-in for a mail server on the internet: answers port "25" with a greeting.
    probe = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
      s.end('220 probe.example.net ESMTP ready\r\n');
    });
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    d = await makeDataDir({ dns: [dns.server] });
    editConfig(d.dir, (t) => `${t}\n[check]\nprobe_host = "127.0.0.1:${(probe.address() as net.AddressInfo).port}"\n`);
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
    await publish(d, dns);
  });
  after(async () => {
    await serve.stop();
    for (const s of sockets) s.destroy();
    await new Promise((r) => probe.close(r));
    await dns.close();
  });

  it('everything right: every listener, the certificate, every DNS record, port 25 out, no open relay; exit 0', async () => {
    const r = await check(d);
    assert.equal(r.code, 0, JSON.stringify(r.items.filter((i) => i.status === 'fail')));
    assert.equal(r.ok, true);
    const byArea = (a: CheckItem['area']) => r.items.filter((i) => i.area === a);
    assert.equal(byArea('listener').length, 10);
    assert.ok(byArea('listener').every((i) => i.status === 'ok'));
    assert.ok(byArea('dns').every((i) => i.status === 'ok'), JSON.stringify(byArea('dns').filter((i) => i.status !== 'ok')));
    assert.ok(byArea('dns').some((i) => /^DKIM s\d+\._domainkey\.example\.test$/.test(i.name)));
    assert.deepEqual(byArea('certificate').map((i) => i.status), ['warn'], 'self-signed: a warning, not a failure');
    assert.match(byArea('outbound')[0]!.detail, /^reached: 220 probe\.example\.net/);
    assert.equal(byArea('relay')[0]!.status, 'ok');
    assert.match(byArea('relay')[0]!.detail, /^relaying refused: 554/);
  });

  it('a missing DKIM record: named, with the record to publish; exit 1', async () => {
    const names = await publish(d, dns);
    const dkim = names.find((n) => n.includes('._domainkey.'))!;
    dns.remove(dkim);
    try {
      const r = await outpost(['--data', d.dir, 'check']);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, new RegExp(`^FAIL  dns +DKIM ${dkim.replace(/\.$/, '').replace(/\./g, '\\.')}: not published$`, 'm'));
      assert.match(r.stdout, new RegExp(`^ +fix: publish: ${dkim.replace(/\./g, '\\.')}\\t3600\\tIN\\tTXT\\t"v=DKIM1; k=rsa; p=`, 'm'));
      assert.match(r.stdout, /^1 of \d+ checks failed\.$/m);
    } finally {
      await publish(d, dns);
    }
  });

  it('a DKIM record with another key fails too', async () => {
    const names = await publish(d, dns);
    const dkim = names.find((n) => n.includes('._domainkey.'))!;
    dns.set(dkim, [{ type: 'TXT', data: 'v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnotthekey' }]);
    try {
      const r = await check(d);
      assert.equal(r.code, 1);
      assert.match(r.items.find((i) => i.name.startsWith('DKIM'))!.detail, /another public key/);
    } finally {
      await publish(d, dns);
    }
  });

  it('no answer (SERVFAIL) for the DKIM name and the server name: "could not check", a warning, not "publish"; exit 0', async () => {
    const names = await publish(d, dns);
    const dkim = names.find((n) => n.includes('._domainkey.'))!.replace(/\.$/, '');
    dns.setFault(dkim, 'servfail');
    dns.setFault('mail.example.test', 'servfail');
    try {
      const r = await check(d);
      assert.equal(r.code, 0, JSON.stringify(r.items.filter((i) => i.status === 'fail')));
      for (const name of [`DKIM ${dkim}`, 'A/AAAA mail.example.test']) {
        const item = r.items.find((i) => i.name === name)!;
        assert.equal(item.status, 'warn', name);
        assert.match(item.detail, /^could not check: .*\(SERVFAIL\)$/, name);
        assert.match(item.fix ?? '', /check \[dns\] servers/, name);
      }
    } finally {
      dns.setFault(dkim, undefined);
      dns.setFault('mail.example.test', undefined);
    }
  });
});

describe('outpost check: an open relay and a server that is down', () => {
  let dns: TestDnsServer;
  let d: TestDataDir;
  let serve: ServeProcess;

  before(async () => {
    dns = await startDnsServer();
    d = await makeDataDir({ dns: [dns.server] });
    // The classic mistake: "trust" a whole network that includes strangers (here: loopback plays the internet).
    // Port 1 on loopback: nothing answers, as when a provider blocks outgoing port 25.
    editConfig(d.dir, (t) => `${t}\n[smtp]\ntrusted_networks = ["127.0.0.0/8"]\n[check]\nprobe_host = "127.0.0.1:1"\n`);
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
    await publish(d, dns);
  });
  after(async () => {
    await serve.stop();
    await dns.close();
  });

  it('the open relay is caught, with the fix; the blocked port 25 too', async () => {
    const r = await check(d);
    assert.equal(r.code, 1);
    const relay = r.items.find((i) => i.area === 'relay')!;
    assert.equal(relay.status, 'fail');
    assert.match(relay.detail, /^OPEN RELAY/);
    assert.match(relay.fix!, /trusted_networks/);
    const out = r.items.find((i) => i.area === 'outbound')!;
    assert.equal(out.status, 'fail');
    assert.match(out.fix!, /smarthost/);
  });

  it('listeners that do not answer fail with the fix', async () => {
    await serve.stop();
    const r = await check(d);
    assert.equal(r.code, 1);
    const listeners = r.items.filter((i) => i.area === 'listener');
    assert.equal(listeners.length, 10);
    assert.ok(listeners.every((i) => i.status === 'fail' && /outpost serve/.test(i.fix!)));
  });
});

