/**
 * Real clients over real loopback sockets: swaks, curl, msmtp, Python smtplib and nodemailer, each over STARTTLS
 * (the 587 role) and implicit TLS (the 465 role), with AUTH PLAIN and LOGIN. Every message must be in the store
 * afterwards: local copies in INBOX with a Received header naming ESMTPSA and the TLS version, remote ones queued.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { PASSWORD, message, run, startSmtpServer, storeView, type SmtpTestServer } from './kit.js';

const USER = 'alice@example.test';
type Mode = 'starttls' | 'implicit';
type Mech = 'PLAIN' | 'LOGIN';
const MODES: Mode[] = ['starttls', 'implicit'];
const MECHS: Mech[] = ['PLAIN', 'LOGIN'];

let server: SmtpTestServer;
const tmp = mkdtempSync(join(tmpdir(), 'outpost-clients-'));
const sent: string[] = [];

const portOf = (mode: Mode) => (mode === 'starttls' ? server.port.submission : server.port.submissions);

before(async () => {
  server = await startSmtpServer();
});
after(async () => {
  await server.stop();
});

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const clients: Record<string, (mode: Mode, mech: Mech, subject: string, to: string) => Promise<void>> = {
  async swaks(mode, mech, subject, to) {
    const r = await run('swaks', [
      '--server', `127.0.0.1:${portOf(mode)}`, mode === 'starttls' ? '--tls' : '--tlsc',
      '--auth', mech, '--auth-user', USER, '--auth-password', PASSWORD,
      '--from', USER, '--to', to, '--header', `Subject: ${subject}`,
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  },
  async curl(mode, mech, subject, to) {
    const url = mode === 'starttls' ? `smtp://127.0.0.1:${portOf(mode)}` : `smtps://127.0.0.1:${portOf(mode)}`;
    const msg = file(`${subject}.eml`, message(USER, to, subject));
    const r = await run('curl', [
      '-sS', '-k', ...(mode === 'starttls' ? ['--ssl-reqd'] : []), '--url', url,
      '--user', `${USER}:${PASSWORD}`, '--login-options', `AUTH=${mech}`,
      '--mail-from', USER, '--mail-rcpt', to, '--upload-file', msg,
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  },
  async msmtp(mode, mech, subject, to) {
    const rc = file(`${subject}.msmtprc`, [
      'account default', 'host 127.0.0.1', `port ${portOf(mode)}`, 'tls on', `tls_starttls ${mode === 'starttls' ? 'on' : 'off'}`,
      'tls_certcheck off', `auth ${mech.toLowerCase()}`, `user ${USER}`, `password ${PASSWORD}`, `from ${USER}`, '',
    ].join('\n'));
    const r = await run('msmtp', ['-C', rc, '-a', 'default', to], { stdin: message(USER, to, subject) });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  },
  async python(mode, mech, subject, to) {
    const script = `
import smtplib, ssl, sys
ctx = ssl.create_default_context(cafile=${JSON.stringify(server.cert)})
ctx.check_hostname = False
port = ${portOf(mode)}
s = smtplib.SMTP('127.0.0.1', port) if ${mode === 'starttls' ? 'True' : 'False'} else smtplib.SMTP_SSL('127.0.0.1', port, context=ctx)
s.ehlo()
if ${mode === 'starttls' ? 'True' : 'False'}:
    s.starttls(context=ctx)
    s.ehlo()
s.user, s.password = ${JSON.stringify(USER)}, ${JSON.stringify(PASSWORD)}
s.auth(${JSON.stringify(mech)}, s.auth_${mech.toLowerCase()}, initial_response_ok=True)
s.sendmail(${JSON.stringify(USER)}, [${JSON.stringify(to)}], ${JSON.stringify(message(USER, to, subject))})
s.quit()
`;
    const r = await run('python3', ['-c', script]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  },
  async nodemailer(mode, mech, subject, to) {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: portOf(mode),
      secure: mode === 'implicit',
      requireTLS: mode === 'starttls',
      tls: { rejectUnauthorized: false },
      auth: { user: USER, pass: PASSWORD },
      authMethod: mech,
    });
    const info = await transport.sendMail({ from: USER, to, subject, text: 'Hello from nodemailer.' });
    assert.match(info.response, /^250 /);
    transport.close();
  },
};

describe('real clients submit over STARTTLS and implicit TLS with PLAIN and LOGIN', () => {
  for (const [name, send] of Object.entries(clients))
    for (const mode of MODES)
      for (const mech of MECHS)
        it(`${name} ${mode} ${mech}`, async () => {
          const subject = `${name}-${mode}-${mech}`;
          await send(mode, mech, subject, USER);
          sent.push(subject);
        });

  it('every message is in the INBOX, with a Received header naming ESMTPSA and the TLS version', async () => {
    const view = await storeView(server.dir);
    try {
      const entries = await view.inbox(USER);
      const subjects = entries.map((e) => e.meta.subject);
      for (const s of sent) assert.ok(subjects.includes(s), `${s} delivered (got ${subjects.join(', ')})`);
      assert.equal(sent.length, Object.keys(clients).length * 4);
      const raw = await view.raw(entries[0]!);
      assert.match(raw, /^Received: from .*\r\n(\t.*\r\n)*?\t?.*with ESMTPSA/);
      assert.match(raw, /TLSv1\.[23]/);
      assert.match(raw, /^Message-ID: /im);
    } finally {
      await view.close();
    }
  });

  it('mail to another domain from a signed-in client goes to the outbound queue, with its DSN parameters', async () => {
    const r = await run('swaks', [
      '--server', `127.0.0.1:${server.port.submissions}`, '--tlsc', '--auth', 'PLAIN', '--auth-user', USER, '--auth-password', PASSWORD,
      '--from', USER, '--to', 'bob@remote.test', '--quit-after', 'RCPT',
    ]);
    assert.equal(r.code, 0, r.stdout);
    await clients.nodemailer!('implicit', 'PLAIN', 'to-remote', 'bob@remote.test');
    const view = await storeView(server.dir);
    try {
      const q = await view.queue();
      const entry = q.find((e) => e.rcptTo === 'bob@remote.test');
      assert.ok(entry, 'queued');
      assert.equal(entry.mailFrom, USER);
      assert.equal(entry.status, 'queued');
      assert.ok(entry.submitterId !== null);
    } finally {
      await view.close();
    }
  });
});
