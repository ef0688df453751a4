/**
 * POP3 against the real `outpost serve`, with real clients: Python poplib (STLS and POP3S), fetchmail (keep and
 * delete), curl; plus transcripts for what clients never do (bad arguments, STLS injection, dropped connections).
 * Mail arrives the real way: Python smtplib through the MX.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { python, SEND_VIA_MX } from '../kit/python.js';
import { LineClient } from '../kit/tcp.js';

const PASSWORD = 'a long good passphrase';

const POPLIB = `
import poplib, ssl, sys, json
mode, port, user, password = sys.argv[1:5]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
if mode == 'pop3s':
    p = poplib.POP3_SSL('127.0.0.1', int(port), context=ctx)
    before = None
else:
    p = poplib.POP3('127.0.0.1', int(port))
    before = sorted(p.capa().keys())
    p.stls(ctx)
p.user(user); p.pass_(password)
count, size = p.stat()
uidl = [l.decode() for l in p.uidl()[1]]
msgs = [b'\\n'.join(p.retr(i + 1)[1]).decode() for i in range(count)]
top = b'\\n'.join(p.top(1, 0)[1]).decode() if count else ''
after = sorted(p.capa().keys())
if len(sys.argv) > 5: p.dele(int(sys.argv[5]))
p.quit()
print(json.dumps({'count': count, 'size': size, 'uidl': uidl, 'msgs': msgs, 'top': top, 'capa_before': before, 'capa_after': after}))
`;

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('POP3', () => {
  let d: TestDataDir;
  let serve: ServeProcess;
  const send = async (to: string, subject: string, body = 'Hello from the test') => {
    const r = await python(SEND_VIA_MX, [String(d.ports.mx), 'bob@remote.test', to, subject, body]);
    assert.equal(r.code, 0, r.stderr);
  };
  const poplib = async (mode: 'pop3' | 'pop3s', user: string, password = PASSWORD, dele?: number) => {
    const r = await python(POPLIB, [mode, String(mode === 'pop3' ? d.ports.pop3 : d.ports.pop3s), user, password, ...(dele ? [String(dele)] : [])]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { count: number; size: number; uidl: string[]; msgs: string[]; top: string; capa_before: string[] | null; capa_after: string[] };
  };
  const signIn = async (c: LineClient, user: string) => {
    await c.read(/^\+OK .*\r\n/);
    await c.cmd('STLS', /^\+OK/);
    await c.upgrade();
    await c.cmd(`USER ${user}`, /^\+OK/);
    return c.cmd(`PASS ${PASSWORD}`);
  };

  before(async () => {
    d = await makeDataDir();
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin'])
      assert.equal((await outpost(['--data', d.dir, 'account', 'add', `${u}@example.test`, '--password-stdin'], { stdin: `${PASSWORD}\n` })).code, 0);
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
  });
  after(async () => {
    assert.equal(await serve.stop(), 0);
  });

  it('poplib: STLS then USER/PASS, STAT/LIST/UIDL/RETR/TOP, and DELE+QUIT removes the message', async () => {
    await send('alice@example.test', 'first message', 'line one\r\n.line with a leading dot\r\nend');
    await send('alice@example.test', 'second message');
    const a = await poplib('pop3', 'alice@example.test');
    assert.ok(a.capa_before!.includes('STLS') && !a.capa_before!.includes('USER'), 'no sign-in offered before TLS');
    assert.ok(a.capa_after.includes('USER') && a.capa_after.includes('SASL') && a.capa_after.includes('UIDL'));
    assert.equal(a.count, 2);
    assert.match(a.msgs[0]!, /Subject: first message/);
    assert.match(a.msgs[0]!, /\n\.line with a leading dot\n/, 'dot-stuffing undone by the client');
    assert.match(a.top, /Subject: first message/);
    assert.doesNotMatch(a.top, /line one/, 'TOP 1 0 sends the header only');
    assert.deepEqual(a.uidl.map((l) => l.split(' ')[0]), ['1', '2']);
    const again = await poplib('pop3s', 'alice@example.test', PASSWORD, 1);
    assert.deepEqual(again.uidl, a.uidl, 'UIDL values are stable across sessions');
    const after = await poplib('pop3s', 'alice@example.test');
    assert.equal(after.count, 1);
    assert.equal(after.uidl[0]!.split(' ')[1], a.uidl[1]!.split(' ')[1], 'the remaining message keeps its UIDL');
    assert.match(after.msgs[0]!, /Subject: second message/);
  });

  it('refuses USER, PASS and AUTH before TLS with -ERR [AUTH] and logs the attempt', async () => {
    const c = await LineClient.open(d.ports.pop3);
    await c.read(/^\+OK/);
    assert.match(await c.cmd('USER bob@example.test'), /^-ERR \[AUTH\] plaintext authentication is not allowed without TLS/);
    assert.match(await c.cmd(`PASS ${PASSWORD}`), /^-ERR \[AUTH\]/);
    assert.match(await c.cmd('AUTH PLAIN AGJvYkBleGFtcGxlLnRlc3QAeA=='), /^-ERR \[AUTH\]/);
    c.close();
    // The event-log write happens after the reply (it must not delay it): poll briefly.
    let events: Array<{ protocol: string; reason: string; tls: boolean }> = [];
    for (let i = 0; i < 30 && !events.some((e) => e.reason === 'plaintext-refused'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      events = JSON.parse((await outpost(['--data', d.dir, 'account', 'log', 'bob@example.test', '--json'])).stdout) as typeof events;
    }
    assert.ok(events.some((e) => e.protocol === 'pop3' && e.reason === 'plaintext-refused' && !e.tls));
  });

  it('AUTH PLAIN with an initial response and an app password; wrong password → -ERR [AUTH]', async () => {
    const ap = await outpost(['--data', d.dir, 'app-password', 'add', 'bob@example.test', 'mail-app']);
    const secret = /: (\S+)$/m.exec(ap.stdout)![1]!;
    const c = await LineClient.open(d.ports.pop3s, true);
    await c.read(/^\+OK/);
    const bad = Buffer.from('\0bob@example.test\0wrong-password').toString('base64');
    assert.match(await c.cmd(`AUTH PLAIN ${bad}`), /^-ERR \[AUTH\] authentication failed/);
    assert.match(await c.cmd('AUTH PLAIN'), /^\+ \r\n$/);
    assert.match(await c.cmd(Buffer.from(`\0bob@example.test\0${secret}`).toString('base64')), /^\+OK bob@example\.test has 0 message/);
    assert.match(await c.cmd('QUIT'), /^\+OK/);
    c.close();
  });

  it('a second session for the same mailbox gets -ERR [IN-USE]; the lock goes with the first session', async () => {
    const first = await LineClient.open(d.ports.pop3);
    assert.match(await signIn(first, 'carol@example.test'), /^\+OK/);
    const second = await LineClient.open(d.ports.pop3);
    assert.match(await signIn(second, 'carol@example.test'), /^-ERR \[IN-USE\]/);
    first.close();
    await new Promise((r) => setTimeout(r, 200));
    assert.match(await second.cmd(`PASS ${PASSWORD}`), /^-ERR/, 'PASS needs USER again');
    await second.cmd('USER carol@example.test', /^\+OK/);
    assert.match(await second.cmd(`PASS ${PASSWORD}`), /^\+OK/);
    second.close();
  });

  it('DELE then a dropped connection (no QUIT) deletes nothing; RSET undoes DELE', async () => {
    await send('dave@example.test', 'keep me');
    const c = await LineClient.open(d.ports.pop3);
    await signIn(c, 'dave@example.test');
    assert.match(await c.cmd('DELE 1'), /^\+OK/);
    assert.match(await c.cmd('RETR 1'), /^-ERR message 1 is already deleted/);
    assert.match(await c.cmd('STAT'), /^\+OK 0 0/);
    assert.match(await c.cmd('RSET'), /^\+OK/);
    assert.match(await c.cmd('STAT'), /^\+OK 1 \d+/);
    assert.match(await c.cmd('DELE 1'), /^\+OK/);
    c.close();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await poplib('pop3s', 'dave@example.test')).count, 1);
  });

  it('answers bad arguments with -ERR and keeps going', async () => {
    await send('erin@example.test', 'only one');
    const c = await LineClient.open(d.ports.pop3);
    await signIn(c, 'erin@example.test');
    for (const bad of ['RETR 0', 'RETR 4294967296', 'RETR 2', 'TOP 1 -1', 'TOP 1', 'LIST x', 'DELE', 'RETR 1 2', 'XYZZY', 'STLS', 'USER again'])
      assert.match(await c.cmd(bad), /^-ERR /, bad);
    assert.match(await c.cmd('LIST 1'), /^\+OK 1 \d+\r\n$/);
    assert.match(await c.cmd('UIDL 1'), /^\+OK 1 \d+\.\d+\r\n$/);
    assert.match(await c.cmd('NOOP'), /^\+OK/);
    c.write(`${'X'.repeat(20_000)}\r\n`);
    assert.match(await c.read(/\r\n$/), /^-ERR line too long/);
    assert.match(await c.cmd('QUIT'), /^\+OK .*\(0 message\(s\) deleted\)/);
  });

  it('discards commands pipelined after STLS (no injection into the TLS session)', async () => {
    const c = await LineClient.open(d.ports.pop3);
    await c.read(/^\+OK/);
    c.write('STLS\r\nUSER injected@example.test\r\n');
    assert.match(await c.read(/^\+OK begin TLS/), /^\+OK begin TLS negotiation\r\n$/);
    await c.upgrade();
    assert.match(await c.cmd(`PASS ${PASSWORD}`), /^-ERR send USER first/, 'the injected USER was never processed');
    c.close();
  });

  it('PIPELINING: several commands in one packet are answered in order', async () => {
    const c = await LineClient.open(d.ports.pop3s, true);
    await c.read(/^\+OK/);
    c.write(`USER erin@example.test\r\nPASS ${PASSWORD}\r\nSTAT\r\nLIST\r\nQUIT\r\n`);
    const all = await c.read(/closing connection.*\r\n$/);
    assert.match(all, /^\+OK send your password\r\n\+OK erin@example\.test has 1 message\(s\)\r\n\+OK 1 \d+\r\n\+OK 1 messages\r\n1 \d+\r\n\.\r\n\+OK /);
  });

  it('fetchmail downloads with keep, then with delete; curl lists and retrieves', async () => {
    await send('bob@example.test', 'for fetchmail one');
    await send('bob@example.test', 'for fetchmail two');
    const home = mkdtempSync(join(tmpdir(), 'outpost-fetchmail-'));
    const out = join(home, 'mbox');
    const rc = join(home, 'fetchmailrc');
    const write = (keep: boolean) => {
      writeFileSync(
        rc,
        `poll 127.0.0.1 protocol pop3 port ${d.ports.pop3}\n  user "bob@example.test" password "${PASSWORD}" is "tester" here\n  sslproto 'TLS1.2+' no sslcertck ${keep ? 'keep' : 'nokeep'} fetchall\n  mda "/bin/sh -c 'cat >> ${out}'"\n`,
      );
      chmodSync(rc, 0o600);
    };
    write(true);
    const env = { HOME: home, FETCHMAILHOME: home };
    const k = await run('fetchmail', ['-f', rc, '--nodetach', '-v'], { env: { ...process.env, ...env } });
    assert.ok(k.code === 0, `fetchmail keep: ${k.stdout}${k.stderr}`);
    assert.equal((readFileSync(out, 'utf8').match(/Subject: for fetchmail/g) ?? []).length, 2);
    assert.equal((await poplib('pop3s', 'bob@example.test')).count, 2, 'keep left them on the server');

    const curlList = await run('curl', ['-s', '-k', '--ssl-reqd', '-u', `bob@example.test:${PASSWORD}`, `pop3://127.0.0.1:${d.ports.pop3}/`]);
    assert.match(curlList.stdout, /^1 \d+\r?\n2 \d+/);
    const curlRetr = await run('curl', ['-s', '-k', '-u', `bob@example.test:${PASSWORD}`, `pop3s://127.0.0.1:${d.ports.pop3s}/2`]);
    assert.match(curlRetr.stdout, /Subject: for fetchmail two/);

    write(false);
    const del = await run('fetchmail', ['-f', rc, '--nodetach'], { env: { ...process.env, ...env } });
    assert.ok(del.code === 0, `fetchmail delete: ${del.stdout}${del.stderr}`);
    assert.equal((await poplib('pop3s', 'bob@example.test')).count, 0, 'nokeep deleted them');
  });
});
