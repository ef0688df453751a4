/**
 * The support view through `outpost support ADDRESS` on a real server: a laptop sending through the MX port
 * without signing in (swaks), a program sending the IMAP password unencrypted, a phone with a wrong password
 * (imapflow) and a working program (swaks on submission) come out as separate devices, problem devices first,
 * each failure with the fix in plain words.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { ImapFlow } from 'imapflow';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { supportReport } from '../../src/ops/support.js';
import type { MailboxEvent } from '../../src/store/types.js';
import type { ClientSettings } from '../../src/http/settings.js';

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

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (x) => (out += x));
    c.stderr.on('data', (x) => (out += x));
    c.on('close', () => resolve(out));
  });
}

function plaintextImapLogin(port: number, user: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (b) => {
      got += b;
      if (/^\* OK/m.test(got) && !got.includes('a1 ')) s.write(`a1 LOGIN ${user} "some password"\r\n`);
      if (/^a1 /m.test(got)) {
        s.end();
        resolve(got);
      }
    });
    s.on('error', reject);
  });
}

describe('support view', () => {
  it('groups a mailbox\'s devices and explains each failure with its fix', async () => {
    const who = d.postmaster;
    const relay = await run('swaks', ['--server', `127.0.0.1:${d.ports.mx}`, '--ehlo', 'customer-laptop', '--from', who, '--to', 'friend@elsewhere.test', '--quit-after', 'RCPT']);
    assert.match(relay, /<\*\* 5\d\d/);
    const plain = await plaintextImapLogin(d.ports.imap, who);
    assert.match(plain, /^a1 NO/m);
    const phone = new ImapFlow({ host: '127.0.0.1', port: d.ports.imaps, secure: true, auth: { user: who, pass: 'an old password' }, tls: { rejectUnauthorized: false }, logger: false, clientInfo: { name: 'PhoneMail' } });
    await assert.rejects(phone.connect());
    const ok = await run('swaks', ['--server', `127.0.0.1:${d.ports.submission}`, '--ehlo', 'office-pc', '--tls', '--auth', 'PLAIN', '--auth-user', who, '--auth-password', d.postmasterPassword, '--from', who, '--to', who]);
    assert.match(ok, /<~  250 .*queued as/);

    // Event-log lines are written just after each reply: wait until all four devices are there.
    let r = { code: 0, stdout: '', stderr: '' };
    for (let i = 0; i < 50; i++) {
      r = await outpost(['--data', d.dir, 'support', who]);
      if (/4 devices seen/.test(r.stdout)) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout;
    assert.match(text, /postmaster@example\.test: 4 devices seen/, text);
    assert.match(text, new RegExp(`"customer-laptop" from 127\\.0\\.0\\.1 via smtp:${d.ports.mx}: 0 ok, 2 failed`));
    assert.match(text, new RegExp(`FIX: tried port ${d.ports.mx} without signing in: set the outgoing server to mail\\.example\\.test, port ${d.ports.submissions}, SSL/TLS, password required`));
    assert.match(text, new RegExp(`FIX: tried to send the password unencrypted on port ${d.ports.imap}: set the incoming server to mail\\.example\\.test, port ${d.ports.imaps}, SSL/TLS`));
    assert.match(text, /"PhoneMail[^"]*" from 127\.0\.0\.1 via imap:\d+: 0 ok, 1 failed/);
    assert.match(text, /FIX: wrong password saved in this program/);
    assert.match(text, /"office-pc" from 127\.0\.0\.1 via submission:\d+: 1 ok, 0 failed/);
    // Problem devices come first; the working one last, with no FIX line.
    assert.ok(text.indexOf('office-pc') > text.lastIndexOf('FIX:'));

    const json = await outpost(['--data', d.dir, 'support', who, '--json']);
    const devices = JSON.parse(json.stdout) as Array<{ verdict: string; events: unknown[] }>;
    assert.equal(devices.length, 4);
    assert.equal(devices.filter((x) => x.verdict === '').length, 1);
    const unknown = await outpost(['--data', d.dir, 'support', 'nobody@example.test']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no mailbox nobody@example\.test/);
  });

  it('a device whose last attempt worked has no verdict, even after earlier failures', () => {
    const settings: ClientSettings = { address: 'a@x.test', domain: 'x.test', host: 'mail.x.test', incoming: [], outgoing: [], imap: undefined, pop3: undefined, smtp: undefined };
    const ev = (at: number, result: 'ok' | 'fail', reason: string | null): MailboxEvent => ({ mailboxId: 1, at, protocol: 'imap', port: 993, clientIp: '192.0.2.7', tls: true, clientName: 'Mail', kind: 'auth', result, reason });
    const [dev] = supportReport([ev(3, 'ok', null), ev(2, 'fail', 'bad-password'), ev(1, 'fail', 'bad-password')], settings);
    assert.equal(dev!.verdict, '');
    assert.equal(dev!.failed, 2);
    assert.deepEqual(dev!.events.map((e) => e.at), [3, 2, 1]);
  });
});
