/**
 * Outbound delivery end to end with real peers on loopback: the real `outpost serve`, a private Postfix as the remote
 * MX (STARTTLS; the DKIM signature checked by dkimpy, an independent verifier, given the test zone's key), Postfix
 * relaying into Outpost's MX, kill -9 in the middle of a delivery, Outpost itself as an AUTH smarthost, and an MTA-STS
 * `enforce` policy (served over HTTPS on loopback) refusing Postfix's self-signed certificate.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import Database from 'better-sqlite3';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { freePort } from '../kit/ports.js';
import { startDnsServer, type TestDnsServer } from '../kit/dns-server.js';
import { startPostfix, waitFor, type PostfixInstance } from './postfix.js';
import { selfSignedCert, startPolicyServer, startScriptedSmtp } from './kit.js';

const QUEUE_TOML = (port: number) =>
  `\n[queue]\nsmtp_port = ${port}\npoll_interval = "200ms"\nconnect_timeout = "2s"\ngreeting_timeout = "2s"\ncommand_timeout = "2s"\nretry_first = "1s"\nretry_max = "2s"\n`;

async function submit(d: TestDataDir, to: string, subject: string, from = d.postmaster): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: d.ports.submission,
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: d.postmaster, pass: d.postmasterPassword },
  });
  await transport.sendMail({ from, to, subject, text: `Hello from Outpost.\n.a line with a leading dot\nGrüße\n` });
  transport.close();
}

function queueRows(d: TestDataDir): Array<{ id: number; status: string; last_error: string | null; rcpt_to: string }> {
  const db = new Database(join(d.dir, 'outpost.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, status, last_error, rcpt_to FROM queue ORDER BY id').all() as Array<{ id: number; status: string; last_error: string | null; rcpt_to: string }>;
  } finally {
    db.close();
  }
}

function dkimKey(d: TestDataDir, domain: string): { selector: string; publicKey: string } {
  const db = new Database(join(d.dir, 'outpost.db'), { readonly: true, fileMustExist: true });
  try {
    const r = db.prepare('SELECT selector, public_key FROM dkim_keys WHERE domain = ?').get(domain) as { selector: string; public_key: string };
    return { selector: r.selector, publicKey: r.public_key };
  } finally {
    db.close();
  }
}

/** dkimpy (python3-dkim), with a DNS function answering only the test zone's key. */
function dkimpyVerify(message: string, txtName: string, txt: string): string {
  const script = [
    'import sys, dkim',
    'msg = sys.stdin.buffer.read()',
    `def dnsfunc(name, timeout=5):`,
    `    return ${JSON.stringify(txt)}.encode() if name.decode().rstrip('.') == ${JSON.stringify(txtName)} else None`,
    'print("PASS" if dkim.verify(msg, dnsfunc=dnsfunc) else "FAIL")',
  ].join('\n');
  return execFileSync('/usr/bin/python3', ['-c', script], { input: message }).toString().trim();
}

describe('outbound delivery with real peers', { timeout: 120_000 }, () => {
  let dns: TestDnsServer;
  let postfix: PostfixInstance;
  let data: TestDataDir;
  let serve: ServeProcess;

  before(async () => {
    dns = await startDnsServer({
      records: {
        'remote.test': [{ type: 'MX', priority: 10, exchange: 'mx.remote.test' }],
        'mx.remote.test': [{ type: 'A', address: '127.0.0.1' }],
      },
    });
    data = await makeDataDir({ dns: [dns.server] });
    postfix = startPostfix({ port: await freePort(), relay: { domain: 'example.test', host: '127.0.0.1', port: data.ports.mx } });
    appendFileSync(join(data.dir, 'outpost.toml'), QUEUE_TOML(postfix.port));
    serve = startServe(data.dir);
    await serve.waitFor(/Outpost is running/);
  });
  after(async () => {
    await serve?.stop();
    postfix?.stop();
    await dns?.close();
  });

  it('delivers to Postfix over STARTTLS, DKIM-signed (verified by dkimpy), and records the sender-visible status', async () => {
    await submit(data, 'bob@remote.test', 'to postfix');
    const [msg] = await waitFor('delivery to Postfix', () => postfix.delivered().find((m) => m.includes('Subject: to postfix')) && postfix.delivered());
    assert.match(msg!, /Received: from mail\.example\.test[\s\S]*?using TLSv1\.[23]/, 'Postfix received it over TLS');
    assert.match(msg!, /^DKIM-Signature: .*d=example\.test/m);
    assert.match(msg!, /\n\.a line with a leading dot/);
    const key = dkimKey(data, 'example.test');
    const verdict = dkimpyVerify(msg!.replace(/^Return-Path:.*\n/, ''), `${key.selector}._domainkey.example.test`, `v=DKIM1; k=rsa; p=${key.publicKey}`);
    assert.equal(verdict, 'PASS', `dkimpy refused the message Postfix stored:\n${msg}`);
    const rows = await waitFor('delivered status', () => {
      const r = queueRows(data).filter((q) => q.status === 'delivered');
      return r.length ? r : null;
    });
    assert.match(rows[0]!.last_error!, /^250 /, 'the remote reply is kept for the sender');
  });

  it('receives from Postfix relaying into its MX', async () => {
    const { execFileSync: run } = await import('node:child_process');
    run('/usr/bin/python3', [
      '-c',
      `import smtplib; s=smtplib.SMTP('127.0.0.1', ${postfix.port}); s.sendmail('carol@remote.test', ['postmaster@example.test'], b'From: carol@remote.test\\r\\nTo: postmaster@example.test\\r\\nSubject: via postfix\\r\\n\\r\\nhi\\r\\n'); s.quit()`,
    ]);
    await waitFor('Postfix relayed it', () => /to=<postmaster@example\.test>.*status=sent/.test(postfix.log()));
  });
});

describe('at-least-once: kill -9 during a delivery', { timeout: 120_000 }, () => {
  it('delivers after a restart what was in flight when the process died', async () => {
    let dataCount = 0;
    const remote = await startScriptedSmtp({ data: () => (++dataCount === 1 ? 'silent' : '250 2.0.0 ok') });
    const dns = await startDnsServer({
      records: { 'remote.test': [{ type: 'MX', priority: 10, exchange: 'mx.remote.test' }], 'mx.remote.test': [{ type: 'A', address: '127.0.0.1' }] },
    });
    const data = await makeDataDir({ dns: [dns.server] });
    appendFileSync(join(data.dir, 'outpost.toml'), QUEUE_TOML(remote.port));
    let serve = startServe(data.dir);
    try {
      await serve.waitFor(/Outpost is running/);
      await submit(data, 'bob@remote.test', 'in flight');
      await waitFor('the first DATA', () => dataCount === 1);
      serve.child.kill('SIGKILL');
      await serve.exited;
      assert.deepEqual(queueRows(data).map((q) => q.status), ['queued'], 'nothing was lost');
      // The dead runner's lease (about 20 s at these timeouts) must run out before the entry is claimed again.
      serve = startServe(data.dir);
      await serve.waitFor(/Outpost is running/);
      await waitFor('delivery after restart', () => queueRows(data)[0]!.status === 'delivered', 90_000);
      assert.equal(remote.received.length, 1);
      assert.match(remote.received[0]!.data, /Subject: in flight/);
    } finally {
      await serve.stop();
      await remote.close();
      await dns.close();
    }
  });
});

describe('smarthost with AUTH (Outpost itself on its submissions port)', { timeout: 120_000 }, () => {
  it('relays through the smarthost over implicit TLS with AUTH, checking its certificate', async () => {
    const dns = await startDnsServer({ records: { 'smarthost.test': [{ type: 'A', address: '127.0.0.1' }] } });
    // Both host example.test, so the smarthost account owns the sender address (Outpost checks it on submission).
    const relay = await makeDataDir({ hostname: 'smarthost.test', dns: [dns.server] });
    const sender = await makeDataDir({ dns: [dns.server] });
    writeFileSync(join(sender.dir, 'smarthost.password'), `${relay.postmasterPassword}\n`);
    appendFileSync(
      join(sender.dir, 'outpost.toml'),
      `${QUEUE_TOML(25)}tls_ca_file = "${join(relay.dir, 'tls', 'cert.pem')}"\n[smarthost]\nhost = "smarthost.test"\nport = ${relay.ports.submissions}\nsecurity = "tls"\nusername = "${relay.postmaster}"\npassword_file = "smarthost.password"\n`,
    );
    const a = startServe(sender.dir);
    const b = startServe(relay.dir);
    try {
      await a.waitFor(/Outpost is running/);
      await b.waitFor(/Outpost is running/);
      await submit(sender, 'friend@far.test', 'via smarthost');
      const rows = await waitFor('settled', () => {
        const r = queueRows(sender);
        return r.length && r[0]!.status !== 'queued' ? r : null;
      });
      assert.equal(rows[0]!.status, 'delivered', `status: ${JSON.stringify(rows)}`);
      const db = new Database(join(relay.dir, 'outpost.db'), { readonly: true });
      const n = db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE subject = 'via smarthost'`).get() as { n: number };
      db.close();
      assert.equal(n.n, 1, 'the smarthost stored it');
    } finally {
      await a.stop();
      await b.stop();
      await dns.close();
    }
  });
});

describe('MTA-STS enforce against Postfix with a self-signed certificate', { timeout: 120_000 }, () => {
  it('refuses to deliver (4.7.5, retried) until the domain publishes mode none, then delivers over STARTTLS', async () => {
    const policyCert = selfSignedCert(['mta-sts.remote.test']);
    const policy = await startPolicyServer(policyCert, 'version: STSv1\nmode: enforce\nmx: mx.remote.test\nmax_age: 86400\n');
    const dns = await startDnsServer({
      records: {
        'remote.test': [{ type: 'MX', priority: 10, exchange: 'mx.remote.test' }],
        'mx.remote.test': [{ type: 'A', address: '127.0.0.1' }],
        'mta-sts.remote.test': [{ type: 'A', address: '127.0.0.1' }],
        '_mta-sts.remote.test': [{ type: 'TXT', data: 'v=STSv1; id=e1;' }],
      },
    });
    const data = await makeDataDir({ dns: [dns.server] });
    const postfix = startPostfix({ port: await freePort() });
    // Only the policy server's certificate is trusted, not Postfix's.
    writeFileSync(join(data.dir, 'policy-ca.pem'), policyCert.cert);
    appendFileSync(join(data.dir, 'outpost.toml'), `${QUEUE_TOML(postfix.port)}tls_ca_file = "policy-ca.pem"\nmta_sts_port = ${policy.port}\n`);
    const serve = startServe(data.dir);
    try {
      await serve.waitFor(/Outpost is running/);
      await submit(data, 'bob@remote.test', 'sts enforced');
      const refused = await waitFor('a refused attempt', () => {
        const r = queueRows(data);
        return r.length && r[0]!.last_error && r[0]!.status === 'queued' ? r[0] : null;
      });
      assert.match(refused.last_error!, /mx\.remote\.test \[127\.0\.0\.1\]:\d+: TLS failed: .*required by the MTA-STS policy of remote\.test/);
      assert.ok(policy.requests.some((q) => q.path === '/.well-known/mta-sts.txt'));
      assert.deepEqual(postfix.delivered(), [], 'nothing reached Postfix');
      policy.policy = 'version: STSv1\nmode: none\nmax_age: 86400\n';
      dns.set('_mta-sts.remote.test', [{ type: 'TXT', data: 'v=STSv1; id=n2;' }]);
      const [msg] = await waitFor('delivery to Postfix', () => (postfix.delivered().length ? postfix.delivered() : null));
      assert.match(msg!, /Subject: sts enforced/);
      assert.match(msg!, /using TLSv1\.[23]/, 'still over STARTTLS, opportunistically');
      assert.equal(queueRows(data)[0]!.status, 'delivered');
    } finally {
      await serve.stop();
      postfix.stop();
      await policy.close();
      await dns.close();
    }
  });
});
