/**
 * `outpost doctor` against the real `outpost serve` on loopback ports, asked through the test DNS server: all
 * listeners on (round trip measured), the MX and submission listeners off (the verdict names the implicit-TLS
 * port), a wrong password, `--json`, and a fake intercepting proxy (a foreign banner and no STARTTLS).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { generateSelfSigned } from '../../src/tls/certs.js';
import { join } from 'node:path';
import { editConfig, makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { startDnsServer, type TestDnsServer } from '../kit/dns-server.js';
import { outpost } from '../kit/cli.js';
import { freePorts } from '../kit/ports.js';
import type { DoctorReport } from '../../src/doctor/types.js';

interface JsonOut extends DoctorReport {
  verdict: { ok: boolean; lines: string[] };
}

const zone = {
  'mail.example.test': [{ type: 'A' as const, address: '127.0.0.1' }],
  'autoconfig.example.test': [{ type: 'A' as const, address: '127.0.0.1' }],
};

function doctor(d: TestDataDir, dns: TestDnsServer, extra: string[], password: string) {
  return outpost(['doctor', d.postmaster, '--resolver', dns.server, '--port', `http=${d.ports.http}`, '--port', `https=${d.ports.https}`, '--ca', join(d.dir, 'tls/cert.pem'), ...extra], {
    stdin: `${password}\n`,
  });
}

describe('outpost doctor', () => {
  let dns: TestDnsServer;
  let d: TestDataDir;
  let serve: ServeProcess;
  let closed: number[];

  before(async () => {
    dns = await startDnsServer({ records: zone });
    d = await makeDataDir();
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
    closed = await freePorts(2); // nothing listens there: what a blocked port looks like from the client
  });
  after(async () => {
    await serve.stop();
    await dns.close();
  });

  it('everything on: learns the ports from autoconfig, sends, reads back, measures the round trip, exit 0', async () => {
    const r = await doctor(d, dns, ['--port', `mx=${d.ports.mx}`], d.postmasterPassword);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /settings from autoconfig \(http:\/\/autoconfig\.example\.test:/);
    assert.match(r.stdout, /Sending and receiving work: .* after \d+ ms\./);
    assert.match(r.stdout, new RegExp(`Outgoing server mail\\.example\\.test, port ${d.ports.submissions}, SSL/TLS, sign in with your password`));
    assert.match(r.stdout, new RegExp(`Incoming server mail\\.example\\.test, IMAP, port ${d.ports.imaps}, SSL/TLS`));
    assert.match(r.stdout, /round trip: \d+ ms/);
    // the test message was deleted after it was found
    const check = await doctor(d, dns, ['--json', '--port', `mx=${d.ports.mx}`], d.postmasterPassword);
    assert.equal(check.code, 0, check.stderr);
  });

  it('--json: the report and the verdict, for scripts', async () => {
    const r = await doctor(d, dns, ['--json', '--port', `mx=${d.ports.mx}`], d.postmasterPassword);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as JsonOut;
    assert.equal(j.address, 'postmaster@example.test');
    assert.equal(j.host, 'mail.example.test');
    assert.deepEqual(j.probes.map((p) => p.role), ['mx', 'submissions', 'submission', 'submission_fallback', 'imaps', 'imap', 'pop3s', 'pop3', 'https']);
    for (const p of j.probes) {
      assert.equal(p.reach, 'open', p.role);
      assert.deepEqual(p.interception, [], p.role);
      assert.equal(p.tls?.trusted, true, p.role);
      assert.equal(p.tls?.nameMatches, true, p.role);
      assert.match(p.tls!.version, /^TLSv1\.[23]$/);
    }
    const mx = j.probes.find((p) => p.role === 'mx')!;
    assert.equal(mx.starttls, true);
    assert.match(mx.banner!, /^220 mail\.example\.test ESMTP/);
    assert.ok(j.probes.find((p) => p.role === 'submissions')!.authMechanisms.includes('PLAIN'));
    assert.equal(j.signIn?.ok, true);
    assert.deepEqual({ ok: j.send?.ok, role: j.send?.role }, { ok: true, role: 'submissions' });
    assert.deepEqual({ ok: j.receive?.ok, role: j.receive?.role }, { ok: true, role: 'imaps' });
    assert.ok(typeof j.roundTripMs === 'number' && j.roundTripMs >= 0);
    assert.equal(j.verdict.ok, true);
  });

  it('a wrong password: named as such, exit 1', async () => {
    const r = await doctor(d, dns, ['--port', `mx=${d.ports.mx}`], 'not-the-password-at-all');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /The password was refused: the server refused the password for postmaster@example\.test/);
    assert.match(r.stdout, /the user name is your full address \(postmaster@example\.test\)/);
    assert.doesNotMatch(r.stdout, /Sending and receiving work/);
  });

  it('a port that does not answer is reported closed; the others still work', async () => {
    const r = await doctor(d, dns, ['--json', '--port', `mx=${closed[0]}`], d.postmasterPassword);
    const j = JSON.parse(r.stdout) as JsonOut;
    assert.equal(j.probes.find((p) => p.role === 'mx')!.reach, 'refused');
    assert.equal(r.code, 0);
  });
});

describe('outpost doctor: the MX, submission and IMAP listeners off', () => {
  let dns: TestDnsServer;
  let d: TestDataDir;
  let serve: ServeProcess;

  before(async () => {
    dns = await startDnsServer({ records: zone });
    d = await makeDataDir();
    editConfig(d.dir, (t) => t.replace(/^mx\s*=.*\n/m, '').replace(/^submission\s*=.*\n/m, '').replace(/^submission_fallback\s*=.*\n/m, '').replace(/^imaps?\s*=.*\n/gm, ''));
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
  });
  after(async () => {
    await serve.stop();
    await dns.close();
  });

  it('the verdict says which ports are shut, names the implicit-TLS submission port, reads the mail back over POP3', async () => {
    const [mx, submission, fallback, imap, imaps] = await freePorts(5);
    const shut = { mx, submission, submission_fallback: fallback, imap, imaps };
    const r = await doctor(d, dns, Object.entries(shut).flatMap(([role, port]) => ['--port', `${role}=${port}`]), d.postmasterPassword);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`Ports ${mx}, ${submission}, ${fallback}, ${imaps} and ${imap} are closed`));
    assert.match(r.stdout, new RegExp(`receive: +found over POP3 on port ${d.ports.pop3s} and deleted`));
    assert.match(r.stdout, new RegExp(`Incoming server mail\\.example\\.test, POP3, port ${d.ports.pop3s}, SSL/TLS`));
    assert.match(r.stdout, new RegExp(`Port ${d.ports.submissions} works: outgoing server mail\\.example\\.test, port ${d.ports.submissions}, SSL/TLS, sign in with your password`));
    assert.match(r.stdout, /Sending and receiving work/);
  });
});

describe('outpost doctor: an intercepting proxy', () => {
  let dns: TestDnsServer;
  let proxy: net.Server;
  let proxyPort: number;
  let tlsProxy: tls.Server;
  let tlsProxyPort: number;

  before(async () => {
    dns = await startDnsServer({ records: zone });
    // What antivirus "mail shields" and hotel firewalls do: answer port 587 themselves, with their own greeting
    // and without STARTTLS, so the password would cross the network in the clear.
    proxy = net.createServer((s) => {
      s.write('220 smtp-gateway.hotel.invalid ESMTP MailShield\r\n');
      s.setEncoding('latin1');
      let buf = '';
      s.on('data', (d: string) => {
        buf += d;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i).trim().toUpperCase();
          buf = buf.slice(i + 1);
          if (line.startsWith('EHLO')) s.write('250-smtp-gateway.hotel.invalid\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n');
          else if (line === 'QUIT') s.end('221 bye\r\n');
          else s.write('502 5.5.1 no\r\n');
        }
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyPort = (proxy.address() as net.AddressInfo).port;
    // A TLS interceptor on 465: it passes the real greeting along but decrypts with its own certificate.
    const own = await generateSelfSigned('proxy.hotel.invalid');
    tlsProxy = tls.createServer({ cert: own.cert, key: own.key }, (s) => {
      s.on('error', () => {});
      s.write('220 mail.example.test ESMTP Outpost ready\r\n');
      s.on('data', (d: Buffer) => {
        if (/^EHLO/i.test(d.toString())) s.write('250-mail.example.test\r\n250 AUTH PLAIN LOGIN\r\n');
        else if (/^QUIT/i.test(d.toString())) s.end('221 bye\r\n');
      });
    });
    await new Promise<void>((r) => tlsProxy.listen(0, '127.0.0.1', r));
    tlsProxyPort = (tlsProxy.address() as net.AddressInfo).port;
  });
  after(async () => {
    await new Promise((r) => tlsProxy.close(r));
    await new Promise((r) => proxy.close(r));
    await dns.close();
  });

  it('spots the foreign greeting and the missing STARTTLS, sends no password, exit 1', async () => {
    const shut = await freePorts(9);
    const roles = ['mx', 'submission_fallback', 'imaps', 'imap', 'pop3s', 'pop3', 'https', 'http'];
    const ports = roles.flatMap((role, i) => ['--port', `${role}=${shut[i]}`]);
    const r = await outpost(['doctor', 'alice@example.test', '--server', 'mail.example.test', '--resolver', dns.server, '--json', ...ports, '--port', `submission=${proxyPort}`, '--port', `submissions=${tlsProxyPort}`], {
      stdin: 'secret-password\n',
    });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const j = JSON.parse(r.stdout) as JsonOut;
    const sub = j.probes.find((p) => p.role === 'submission')!;
    assert.equal(sub.reach, 'open');
    assert.equal(sub.starttls, false);
    assert.equal(sub.interception.length, 2);
    assert.match(sub.interception[0]!, /greeting on port \d+ is not from mail\.example\.test: "220 smtp-gateway\.hotel\.invalid/);
    assert.match(sub.interception[1]!, /does not offer STARTTLS/);
    const tlsPort = j.probes.find((p) => p.role === 'submissions')!;
    assert.equal(tlsPort.tls?.nameMatches, false);
    assert.deepEqual(tlsPort.interception, [`the certificate on port ${tlsProxyPort} is for proxy.hotel.invalid, localhost, not mail.example.test`]);
    assert.equal(j.signIn, null, 'no password is sent to an intercepted port');
    assert.equal(j.verdict.ok, false);
    assert.ok(j.verdict.lines.some((l) => /answers in place of your mail server/.test(l)));
    assert.ok(j.verdict.lines.some((l) => /No outgoing \(submission\) port works/.test(l)));
  });
});
