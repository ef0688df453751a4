/**
 * Forwarding (with SRS), forwarding loops, and RFC 3834 vacation replies, through the real MX of a real
 * `outpost serve`, mail sent with Python smtplib, results read from the store.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { python } from '../kit/python.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { QueueEntry, Store } from '../../src/store/types.js';

const SEND = `
import smtplib, sys
port, sender, rcpt, raw = sys.argv[1:5]
s = smtplib.SMTP('127.0.0.1', int(port))
s.ehlo('mail.remote.test')
try:
    s.sendmail(sender, [rcpt], raw.replace('\\n', '\\r\\n'))
    print('250')
except smtplib.SMTPRecipientsRefused as e:
    code, text = list(e.recipients.values())[0]
    print(code, text.decode())
s.quit()
`;

describe('forwarding and vacation replies', () => {
  let d: TestDataDir;
  let serve: ServeProcess;
  const cli = (...args: string[]) => outpost(['--data', d.dir, ...args]);
  const send = async (from: string, to: string, subject: string, extra = '') => {
    const raw = `From: ${from || 'daemon@remote.test'}\nTo: ${to}\nSubject: ${subject}\nMessage-ID: <${subject.replace(/\W/g, '')}@remote.test>\n${extra}\nbody of ${subject}\n`;
    const r = await python(SEND, [String(d.ports.mx), from, to, raw]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const withStore = async <T>(fn: (s: Store) => Promise<T>): Promise<T> => {
    const s = openSqliteStore({ path: join(d.dir, 'outpost.db') });
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };
  const inbox = (address: string) =>
    withStore(async (s) => {
      const m = (await s.getMailbox(address))!;
      const f = (await s.getFolder(m.id, 'INBOX'))!;
      return Promise.all((await s.listEntries(f.id)).map(async (e) => (await s.blobs.get(e.blobId))!.toString()));
    });
  const queued = (rcpt: string): Promise<QueueEntry[]> => withStore(async (s) => (await s.listQueue()).filter((q) => q.rcptTo === rcpt));
  const until = async <T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    for (let i = 0; i < 50; i++) {
      const v = await fn();
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    return fn();
  };

  before(async () => {
    d = await makeDataDir();
    for (const u of ['alice', 'carol', 'dave', 'loop1', 'loop2'])
      assert.equal((await outpost(['--data', d.dir, 'account', 'add', `${u}@example.test`, '--password-stdin'], { stdin: 'a long good passphrase\n' })).code, 0);
    serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
  });
  after(async () => {
    assert.equal(await serve.stop(), 0);
  });

  it('forwards to a remote address with an SRS envelope sender, keeping a copy; a bounce to the SRS address finds the sender', async () => {
    const set = await cli('account', 'forward', 'alice@example.test', 'alice@elsewhere.test');
    assert.match(set.stdout, /forwarding: alice@elsewhere\.test \(keeping a copy\)/);
    assert.equal(await send('bob@remote.test', 'alice@example.test', 'please forward'), '250');
    assert.equal((await inbox('alice@example.test')).filter((m) => m.includes('please forward')).length, 1);
    const [q] = await queued('alice@elsewhere.test');
    assert.ok(q, 'queued for the forward target');
    assert.match(q!.mailFrom, /^SRS0=[^=]{4}=[A-Z2-7]{2}=remote\.test=bob@example\.test$/);

    // The remote bounces to the SRS address: our MX accepts it and relays it to the original sender.
    assert.equal(await send('', q!.mailFrom, 'bounce for bob'), '250');
    const back = await queued('bob@remote.test');
    assert.equal(back.length, 1);
    assert.equal(back[0]!.mailFrom, '');
    const forged = q!.mailFrom.replace(/^SRS0=[^=]{4}/, 'SRS0=AAAA');
    assert.match(await send('', forged, 'forged bounce'), /^550 /, 'a forged SRS address is nobody');
  });

  it('forwards to a local mailbox without keeping a copy', async () => {
    await cli('account', 'forward', 'carol@example.test', 'dave@example.test', '--no-keep');
    assert.equal(await send('bob@remote.test', 'carol@example.test', 'for carol'), '250');
    assert.equal((await inbox('carol@example.test')).length, 0);
    assert.equal((await inbox('dave@example.test')).filter((m) => m.includes('for carol')).length, 1);
    await cli('account', 'forward', 'carol@example.test', '--off');
  });

  it('ends a forwarding loop with one refusal at RCPT (554 5.4.6)', async () => {
    await cli('account', 'forward', 'loop1@example.test', 'loop2@example.test', '--no-keep');
    await cli('account', 'forward', 'loop2@example.test', 'loop1@example.test', '--no-keep');
    assert.match(await send('bob@remote.test', 'loop1@example.test', 'round and round'), /^554 5\.4\.6 .*forwarded in a loop/);
    assert.deepEqual(await inbox('loop1@example.test'), []);
    assert.deepEqual(await inbox('loop2@example.test'), []);
  });

  it('answers once per sender per period, never to lists, automatic mail or the null sender (RFC 3834)', async () => {
    const v = await outpost(['--data', d.dir, 'account', 'vacation', 'dave@example.test', '--on', '--subject', 'Out of office', '--message-stdin', '--days', '3'], {
      stdin: 'I am away until Monday.\n',
    });
    assert.match(v.stdout, /vacation: {3}on, once per sender every 3 day\(s\)/);
    assert.equal(await send('friend@remote.test', 'dave@example.test', 'hello dave'), '250');
    assert.equal(await send('friend@remote.test', 'dave@example.test', 'hello again'), '250');
    assert.equal(await send('list@remote.test', 'dave@example.test', 'newsletter', 'Precedence: list\nList-Id: <news.remote.test>\n'), '250');
    assert.equal(await send('robot@remote.test', 'dave@example.test', 'automatic', 'Auto-Submitted: auto-generated\n'), '250');
    assert.equal(await send('', 'dave@example.test', 'a bounce'), '250');
    assert.equal(await send('mailer-daemon@remote.test', 'dave@example.test', 'daemon'), '250');
    const replies = await until(() => queued('friend@remote.test'), (q) => q.length > 0);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await queued('friend@remote.test')).length, 1, 'one reply for two messages');
    for (const r of ['list@remote.test', 'robot@remote.test', 'mailer-daemon@remote.test']) assert.deepEqual(await queued(r), [], `no reply to ${r}`);
    const reply = replies[0]!;
    assert.equal(reply.mailFrom, '', 'sent with a null envelope sender');
    const raw = await withStore(async (s) => (await s.blobs.get(reply.blobId!))?.toString() ?? '');
    assert.ok(raw, 'the reply is still queued (the remote is unreachable here), so its body is stored');
    assert.match(raw, /^Auto-Submitted: auto-replied\r$/m);
    assert.match(raw, /^Subject: Out of office\r$/m);
    assert.match(raw, /^In-Reply-To: <hellodave@remote\.test>\r$/m);
    assert.match(raw, /I am away until Monday\./);
  });
});
