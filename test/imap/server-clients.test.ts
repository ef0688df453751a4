/**
 * The IMAP server against the real `outpost serve`, with real clients over real sockets: imapflow (STARTTLS and
 * IMAPS, IDLE woken by a delivery through our MX), Python imaplib (STARTTLS and IMAPS), curl (imap:// with
 * --ssl-reqd and imaps://), mbsync (a two-way sync with changes on both sides), fetchmail over IMAP with
 * STARTTLS (keep, then delete) and mutt (reading a folder).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { python, SEND_VIA_MX } from '../kit/python.js';

const PASSWORD = 'a long good passphrase';

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

const IMAPLIB = `
import imaplib, ssl, sys, json
mode, port, user, password = sys.argv[1:5]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
out = {}
if mode == 'imaps':
    m = imaplib.IMAP4_SSL('127.0.0.1', int(port), ssl_context=ctx)
else:
    m = imaplib.IMAP4('127.0.0.1', int(port))
    out['caps_before'] = list(m.capabilities)
    m.starttls(ssl_context=ctx)
out['login'] = m.login(user, password)[0]
out['caps_after'] = list(m.capabilities)
out['list'] = [l.decode() for l in m.list()[1]]
typ, data = m.create('Projects/2026')
out['create'] = typ
typ, data = m.append('INBOX', '(\\\\Flagged)', imaplib.Time2Internaldate(1700000000), b'From: a@example.test\\r\\nSubject: appended by imaplib\\r\\n\\r\\nbody text\\r\\n')
out['append'] = [typ, data[0].decode()]
typ, data = m.select('INBOX')
out['select'] = [typ, data[0].decode()]
typ, data = m.fetch('1:*', '(UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
out['fetch'] = [x.decode() if isinstance(x, bytes) else [y.decode() for y in x] for x in data]
typ, data = m.store('1', '+FLAGS', '(\\\\Seen)')
out['store'] = [x.decode() for x in data]
typ, data = m.copy('1', 'Projects/2026')
out['copy'] = typ
typ, data = m.status('Projects/2026', '(MESSAGES UIDNEXT UNSEEN)')
out['status'] = data[0].decode()
m.store('1', '+FLAGS', '(\\\\Deleted)')
typ, data = m.expunge()
out['expunge'] = [x.decode() if x else None for x in data]
typ, data = m.uid('SEARCH', 'ALL')
out['search'] = data[0].decode()
m.close()
out['logout'] = m.logout()[0]
print(json.dumps(out))
`;

describe('IMAP with real clients', () => {
  let d: TestDataDir;
  let serve: ServeProcess;
  let work: string;
  let certFile: string;
  const send = async (to: string, subject: string, body = 'Hello from the test') => {
    const r = await python(SEND_VIA_MX, [String(d.ports.mx), 'bob@remote.test', to, subject, body]);
    assert.equal(r.code, 0, r.stderr);
  };
  const flow = (user: string, secure: boolean) =>
    new ImapFlow({
      host: '127.0.0.1',
      port: secure ? d.ports.imaps : d.ports.imap,
      secure,
      doSTARTTLS: secure ? undefined : true,
      auth: { user, pass: PASSWORD },
      tls: { rejectUnauthorized: false },
      logger: false,
      disableAutoIdle: true,
    });

  before(async () => {
    d = await makeDataDir();
    work = mkdtempSync(join(tmpdir(), 'outpost-imap-'));
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'])
      assert.equal((await outpost(['--data', d.dir, 'account', 'add', `${u}@example.test`, '--password-stdin'], { stdin: `${PASSWORD}\n` })).code, 0);
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
    const certPath = readdirSync(d.dir, { recursive: true }).map(String).find((f) => /cert.*\.pem$|\.crt$/.test(f));
    certFile = join(d.dir, certPath ?? 'tls/cert.pem');
  });
  after(async () => {
    assert.equal(await serve.stop(), 0);
  });

  it('imapflow over STARTTLS: list, append, fetch, flags, copy, move, expunge', async () => {
    await send('alice@example.test', 'delivered by MX');
    const c = flow('alice@example.test', false);
    await c.connect();
    const folders = await c.list();
    const byUse = Object.fromEntries(folders.filter((f) => f.specialUse).map((f) => [f.specialUse, f.path]));
    assert.deepEqual(byUse, { '\\Inbox': 'INBOX', '\\Archive': 'Archive', '\\Drafts': 'Drafts', '\\Junk': 'Junk', '\\Sent': 'Sent', '\\Trash': 'Trash' });
    const appended = await c.append('INBOX', Buffer.from('From: alice@example.test\r\nSubject: note to self\r\n\r\nremember the milk\r\n'), ['\\Draft', 'todo']);
    assert.ok(appended && appended.uid === 2, 'APPENDUID gives the new UID');
    const lock = await c.getMailboxLock('INBOX');
    try {
      assert.equal((c.mailbox as { exists: number }).exists, 2);
      const msgs = [];
      for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true, source: true })) msgs.push(m);
      assert.equal(msgs.length, 2);
      assert.equal(msgs[0]!.envelope?.subject, 'delivered by MX');
      assert.match(msgs[1]!.source!.toString(), /remember the milk/);
      assert.ok(msgs[1]!.flags!.has('todo') && msgs[1]!.flags!.has('\\Draft'));
      assert.ok(await c.messageFlagsAdd({ uid: 1 }, ['\\Flagged'], { uid: true }));
      const [flagged] = await Promise.all([(async () => { for await (const m of c.fetch('1', { flags: true })) return m; })()]);
      assert.ok(flagged!.flags!.has('\\Flagged'));
      const copied = await c.messageCopy('1', 'Archive');
      assert.ok(copied && copied.uidMap?.get(1) === 1, 'COPYUID maps UID 1 to Archive UID 1');
      const moved = await c.messageMove('2', 'Drafts');
      assert.ok(moved && moved.uidMap?.size === 1);
      assert.equal((c.mailbox as { exists: number }).exists, 1, 'MOVE expunged the source message');
      await c.messageFlagsAdd('1', ['\\Deleted']);
      await c.mailboxClose();
    } finally {
      lock.release();
    }
    const st = await c.status('INBOX', { messages: true, uidNext: true });
    assert.equal(st.messages, 0, 'CLOSE expunged the \\Deleted message');
    assert.equal(st.uidNext, 3);
    assert.equal((await c.status('Drafts', { messages: true })).messages, 1);
    await c.logout();
  });

  it('imapflow over IMAPS: IDLE is woken by a delivery through our MX', async () => {
    const c = flow('bob@example.test', true);
    await c.connect();
    const lock = await c.getMailboxLock('INBOX');
    try {
      const woken = new Promise<number>((resolve) => c.on('exists', (e) => resolve(e.count)));
      const idling = c.idle();
      await new Promise((r) => setTimeout(r, 200));
      await send('bob@example.test', 'wake up');
      const count = await Promise.race([woken, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('IDLE was not woken within 10 s')), 10_000))]);
      assert.equal(count, 1);
      const msgs = [];
      for await (const m of c.fetch('1:*', { envelope: true })) msgs.push(m);
      assert.equal(msgs[0]!.envelope?.subject, 'wake up');
      void idling;
    } finally {
      lock.release();
    }
    await c.logout();
  });

  it('Python imaplib over STARTTLS and IMAPS', async () => {
    for (const mode of ['imap', 'imaps'] as const) {
      const user = mode === 'imap' ? 'carol@example.test' : 'dave@example.test';
      const r = await python(IMAPLIB, [mode, String(mode === 'imap' ? d.ports.imap : d.ports.imaps), user, PASSWORD]);
      assert.equal(r.code, 0, r.stderr);
      const o = JSON.parse(r.stdout) as Record<string, unknown>;
      if (mode === 'imap') {
        const before_ = o.caps_before as string[];
        assert.ok(before_.includes('STARTTLS') && before_.includes('LOGINDISABLED') && !before_.some((c) => c.startsWith('AUTH=')));
      }
      assert.equal(o.login, 'OK');
      assert.ok((o.caps_after as string[]).includes('IDLE'));
      assert.ok((o.list as string[]).some((l) => l === '(\\HasNoChildren \\Sent) "/" Sent'));
      assert.equal(o.create, 'OK');
      assert.match((o.append as string[])[1]!, /^\[APPENDUID \d+ 1\]/);
      assert.equal((o.select as string[])[1], '1');
      assert.match(JSON.stringify(o.fetch), /Subject: appended by imaplib/);
      assert.match((o.fetch as string[][])[0]![0]!, /INTERNALDATE "1[45]-Nov-2023 \d\d:\d3:20 [+-]\d{4}"/);
      assert.match((o.store as string[])[0]!, /FLAGS \(\\Flagged \\Seen \\Recent\)/);
      assert.equal(o.copy, 'OK');
      assert.match(o.status as string, /MESSAGES 1 UIDNEXT 2 UNSEEN 0/);
      assert.deepEqual(o.expunge, ['1']);
      assert.equal(o.search, '');
      assert.equal(o.logout, 'BYE');
    }
  });

  it('curl: imap:// with --ssl-reqd lists folders and reads a message; imaps:// too; no TLS → refused', async () => {
    await send('erin@example.test', 'for curl', 'curl body line');
    const base = ['-s', '-k', '--user', `erin@example.test:${PASSWORD}`, '--max-time', '20'];
    const list = await run('curl', [...base, '--ssl-reqd', `imap://127.0.0.1:${d.ports.imap}/`]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /\* LIST \(\\HasNoChildren \\Trash\) "\/" Trash/);
    const msg = await run('curl', [...base, `imaps://127.0.0.1:${d.ports.imaps}/INBOX;UID=1`]);
    assert.equal(msg.code, 0, msg.stderr);
    assert.match(msg.stdout, /Subject: for curl/);
    assert.match(msg.stdout, /curl body line/);
    const plain = await run('curl', [...base, `imap://127.0.0.1:${d.ports.imap}/`]);
    assert.notEqual(plain.code, 0, 'without TLS, LOGIN is refused (LOGINDISABLED)');
  });

  it('mbsync: a two-way sync of INBOX with changes on both sides', async () => {
    await send('frank@example.test', 'server side one');
    await send('frank@example.test', 'server side two');
    const maildir = join(work, 'frank-mail');
    mkdirSync(maildir, { recursive: true });
    const rc = join(work, 'mbsyncrc');
    writeFileSync(
      rc,
      [
        'IMAPAccount outpost',
        'Host 127.0.0.1',
        `Port ${d.ports.imap}`,
        'User frank@example.test',
        `Pass "${PASSWORD}"`,
        'SSLType STARTTLS',
        `CertificateFile ${certFile}`,
        '',
        'IMAPStore remote',
        'Account outpost',
        '',
        'MaildirStore local',
        `Path ${maildir}/`,
        `Inbox ${maildir}/INBOX`,
        '',
        'Channel sync',
        'Far :remote:',
        'Near :local:',
        'Patterns INBOX',
        'Create Both',
        'Expunge Both',
        'SyncState *',
        '',
      ].join('\n'),
    );
    const first = await run('mbsync', ['-c', rc, '-a'], { timeoutMs: 60_000 });
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const cur = () => [...readdirSync(join(maildir, 'INBOX', 'cur')), ...readdirSync(join(maildir, 'INBOX', 'new'))];
    assert.equal(cur().length, 2);
    // Local change: a new message and one marked deleted (trashed) ; remote change: a third message arrives.
    const [one] = readdirSync(join(maildir, 'INBOX', 'new')).length ? readdirSync(join(maildir, 'INBOX', 'new')).map((f) => join('new', f)) : readdirSync(join(maildir, 'INBOX', 'cur')).map((f) => join('cur', f));
    const firstPath = join(maildir, 'INBOX', one!);
    const content = readFileSync(firstPath, 'utf8');
    assert.match(content, /server side/);
    writeFileSync(join(maildir, 'INBOX', 'new', `${Date.now()}.local.host`), 'From: frank@example.test\nSubject: written locally\n\nlocal body\n');
    await send('frank@example.test', 'server side three');
    const second = await run('mbsync', ['-c', rc, '-a'], { timeoutMs: 60_000 });
    assert.equal(second.code, 0, second.stderr + second.stdout);
    assert.equal(cur().length, 4, 'the third server message arrived locally');
    const c = flow('frank@example.test', true);
    await c.connect();
    const lock = await c.getMailboxLock('INBOX');
    const subjects: string[] = [];
    try {
      for await (const m of c.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
    } finally {
      lock.release();
    }
    await c.logout();
    assert.deepEqual(subjects.sort(), ['server side one', 'server side three', 'server side two', 'written locally']);
  });

  it('fetchmail over IMAP with STARTTLS: keep, then fetch and delete', async () => {
    await send('carol@example.test', 'for fetchmail one');
    await send('carol@example.test', 'for fetchmail two');
    const out = join(work, 'fetchmail-mbox');
    const rc = join(work, 'fetchmailrc');
    const write = (keep: boolean) => {
      writeFileSync(
        rc,
        `poll 127.0.0.1 protocol imap port ${d.ports.imap}\n  user "carol@example.test" password "${PASSWORD}" is "tester" here\n  sslproto 'TLS1.2+' no sslcertck ${keep ? 'keep' : 'nokeep'} fetchall\n  mda "/bin/sh -c 'cat >> ${out}'"\n`,
      );
      chmodSync(rc, 0o600);
    };
    const env = { HOME: work, FETCHMAILHOME: work };
    write(true);
    const k = await run('fetchmail', ['-f', rc, '--nodetach', '-v'], { env });
    assert.equal(k.code, 0, `fetchmail keep: ${k.stdout}${k.stderr}`);
    assert.equal((readFileSync(out, 'utf8').match(/Subject: for fetchmail/g) ?? []).length, 2);
    write(false);
    const del = await run('fetchmail', ['-f', rc, '--nodetach', '-v'], { env });
    assert.equal(del.code, 0, `fetchmail delete: ${del.stdout}${del.stderr}`);
    assert.equal((readFileSync(out, 'utf8').match(/Subject: for fetchmail/g) ?? []).length, 4);
    const c = flow('carol@example.test', true);
    await c.connect();
    const st = await c.status('INBOX', { messages: true });
    await c.logout();
    assert.equal(st.messages, 0, 'fetchmail expunged what it fetched');
  });

  it('mutt reads INBOX over IMAPS and copies a message to a file', async () => {
    await send('alice@example.test', 'for mutt', 'mutt body');
    const out = join(work, 'mutt-saved.txt');
    const rc = join(work, 'muttrc');
    writeFileSync(
      rc,
      [
        `set folder="imaps://alice%40example.test@127.0.0.1:${d.ports.imaps}/"`,
        `set imap_pass="${PASSWORD}"`,
        'set spoolfile="+INBOX"',
        'set ssl_verify_host=no',
        'set ssl_verify_dates=no',
        `set certificate_file="${join(work, 'mutt-certs')}"`,
        'set mail_check=0',
        'set timeout=1',
        'set wait_key=no',
        'set confirmappend=no',
        'set confirmcreate=no',
        'set delete=no',
        'set move=no',
        'set quit=yes',
      ].join('\n') + '\n',
    );
    // mutt is a curses program: `script` gives it a terminal; "a" accepts the self-signed certificate always.
    const keys = join(work, 'mutt-keys');
    writeFileSync(keys, 'a');
    const r = await run('sh', ['-c', `script -qec "mutt -n -F ${rc} -e 'push \\"<copy-message>${out}<enter><quit>\\"'" /dev/null < ${keys} > /dev/null 2>&1`], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    const saved = readFileSync(out, 'utf8');
    assert.match(saved, /Subject: for mutt/);
    assert.match(saved, /mutt body/);
  });
});
