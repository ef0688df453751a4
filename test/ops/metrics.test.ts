/**
 * The Prometheus endpoint of a real `outpost serve`: the exposition parses line by line, and its counters move
 * under real traffic (swaks on submission and on the MX, imapflow on IMAP with a good and a bad password);
 * `/healthz` and `/readyz` answer on plain HTTP; `/metrics` is refused to clients outside loopback/trusted networks.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ImapFlow } from 'imapflow';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { parseExposition, type Exposition } from './exposition.js';
import { isTrustedClient } from '../../src/ops/trusted.js';
import { parseNetwork } from '../../src/lib/cidr.js';

let d: TestDataDir;
let serve: ServeProcess;

before(async () => {
  d = await makeDataDir();
  serve = startServe(d.dir);
  await serve.waitFor(/stop: /, 60_000);
});
after(async () => {
  await serve.stop();
});

async function scrape(): Promise<Exposition> {
  const r = await fetch(`http://127.0.0.1:${d.ports.http}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(await r.text());
}

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (x) => (out += x));
    c.stderr.on('data', (x) => (out += x));
    c.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

async function imapLogin(pass: string): Promise<boolean> {
  const client = new ImapFlow({ host: '127.0.0.1', port: d.ports.imaps, secure: true, auth: { user: d.postmaster, pass }, tls: { rejectUnauthorized: false }, logger: false, disableAutoIdle: true });
  try {
    await client.connect();
  } catch {
    return false;
  }
  await client.mailboxOpen('INBOX');
  await client.fetchOne('*', { envelope: true });
  await client.logout();
  return true;
}

describe('metrics and health', () => {
  it('/healthz and /readyz answer on plain HTTP (no redirect to https)', async () => {
    const h = await fetch(`http://127.0.0.1:${d.ports.http}/healthz`, { redirect: 'manual' });
    assert.equal(h.status, 200);
    assert.equal(await h.text(), 'ok\n');
    const r = await fetch(`http://127.0.0.1:${d.ports.http}/readyz`, { redirect: 'manual' });
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal(await r.text(), 'ready\n');
    // Other paths on plain HTTP still go to https.
    const other = await fetch(`http://127.0.0.1:${d.ports.http}/account`, { redirect: 'manual' });
    assert.equal(other.status, 301);
  });

  it('counters move under real SMTP and IMAP traffic', async () => {
    const before = await scrape();
    assert.equal(before.types.get('outpost_connections_total'), 'counter');
    assert.equal(before.types.get('outpost_command_duration_seconds'), 'histogram');
    assert.equal(before.types.get('outpost_queue_size'), 'gauge');

    const sent = await run('swaks', [
      '--server', `127.0.0.1:${d.ports.submission}`, '--tls', '--auth', 'PLAIN', '--auth-user', d.postmaster, '--auth-password', d.postmasterPassword,
      '--from', d.postmaster, '--to', d.postmaster, '--header', 'Subject: metrics', '--body', 'counted',
    ]);
    assert.equal(sent.code, 0, sent.out);
    // The MX refuses an unknown local recipient: a refusal with its reason.
    const refused = await run('swaks', ['--server', `127.0.0.1:${d.ports.mx}`, '--from', 'someone@elsewhere.test', '--to', 'nobody@example.test', '--quit-after', 'RCPT']);
    assert.match(refused.out, /<\*\* 550 /);
    assert.equal(await imapLogin(d.postmasterPassword), true);
    assert.equal(await imapLogin('not the password'), false);

    const now = await scrape();
    const grew = (name: string, match: Record<string, string> = {}) => now.sum(name, match) - before.sum(name, match);
    assert.ok(grew('outpost_connections_total', { listener: 'submission' }) >= 1);
    assert.ok(grew('outpost_connections_total', { listener: 'mx' }) >= 1);
    assert.ok(grew('outpost_connections_total', { listener: 'imaps' }) >= 2);
    assert.equal(grew('outpost_messages_accepted_total', { listener: 'submission' }), 1);
    assert.ok(grew('outpost_smtp_refusals_total', { listener: 'mx' }) >= 1, 'the MX refusal is counted');
    const reasons = now.samples.filter((s) => s.name === 'outpost_smtp_refusals_total' && s.labels.listener === 'mx').map((s) => s.labels.reason);
    assert.ok(reasons.length > 0 && reasons.every((r) => r && r.length > 0));
    assert.ok(grew('outpost_auth_attempts_total', { protocol: 'submission', result: 'ok' }) >= 1);
    assert.ok(grew('outpost_auth_attempts_total', { protocol: 'imap', result: 'ok' }) >= 1);
    assert.ok(grew('outpost_auth_attempts_total', { protocol: 'imap', result: 'fail', reason: 'invalid-credentials' }) >= 1);
    for (const [protocol, command] of [['smtp', 'DATA'], ['smtp', 'EHLO'], ['imap', 'SELECT'], ['imap', 'FETCH'], ['imap', 'LOGOUT']] as const)
      assert.ok(grew('outpost_command_duration_seconds_count', { protocol, command }) >= 1, `${protocol} ${command} timed`);
    // Histogram buckets are cumulative and end at +Inf = count.
    const inf = now.sum('outpost_command_duration_seconds_bucket', { protocol: 'smtp', command: 'DATA', le: '+Inf' });
    assert.equal(inf, now.sum('outpost_command_duration_seconds_count', { protocol: 'smtp', command: 'DATA' }));
    assert.ok(grew('outpost_store_duration_seconds_count', { op: 'deliver', result: 'ok' }) >= 1);
    assert.equal(now.sum('outpost_queue_size'), 0);
    assert.equal(now.sum('outpost_queue_oldest_age_seconds'), 0);
  });

  it('outpost status and outpost metrics talk to the running server', async () => {
    const st = await outpost(['--data', d.dir, 'status']);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, /^Outpost \d+\.\d+\.\d+ for mail\.example\.test: running and ready$/m);
    assert.match(st.stdout, /certificate: CN=mail\.example\.test \(self-signed\), \d+ days left/);
    assert.match(st.stdout, /queue: +0 waiting/);
    assert.match(st.stdout, new RegExp(`imaps +127\\.0\\.0\\.1:${d.ports.imaps}`));
    const m = await outpost(['--data', d.dir, 'metrics']);
    assert.equal(m.code, 0, m.stderr);
    assert.ok(parseExposition(m.stdout).sum('outpost_connections_total') >= 1);
  });

  it('/metrics is for loopback and trusted networks only', () => {
    const trusted = [parseNetwork('192.0.2.0/24')];
    assert.equal(isTrustedClient('127.0.0.1', []), true);
    assert.equal(isTrustedClient('::ffff:127.0.0.1', []), true);
    assert.equal(isTrustedClient('::1', []), true);
    assert.equal(isTrustedClient('192.0.2.9', trusted), true);
    assert.equal(isTrustedClient('::ffff:192.0.2.9', trusted), true);
    assert.equal(isTrustedClient('198.51.100.1', trusted), false);
    assert.equal(isTrustedClient('2001:db8::1', trusted), false);
  });
});
