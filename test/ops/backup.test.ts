/**
 * `outpost backup` while `outpost serve` takes mail over SMTP, then `outpost restore` into a fresh data directory:
 * the restored server has every folder with its UIDVALIDITY, every message with its UID, flags, keywords and
 * INTERNALDATE, and every message that got its 250 before the backup started. Also: restore refuses to overwrite a
 * store without --replace, and refuses a file that is not a backup.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { ImapFlow } from 'imapflow';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';

const running: ServeProcess[] = [];
after(async () => {
  for (const s of running) await s.stop();
});

function imap(d: TestDataDir, pass = d.postmasterPassword): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port: d.ports.imaps, secure: true, auth: { user: d.postmaster, pass }, tls: { rejectUnauthorized: false }, logger: false, disableAutoIdle: true });
}

interface FolderView {
  uidValidity: string;
  messages: Array<{ uid: number; flags: string[]; internalDate: number; messageId: string }>;
}

async function snapshot(d: TestDataDir, pass: string): Promise<Map<string, FolderView>> {
  const c = imap(d, pass);
  await c.connect();
  const out = new Map<string, FolderView>();
  for (const f of await c.list()) {
    const lock = await c.getMailboxLock(f.path);
    try {
      const mb = c.mailbox as { uidValidity: bigint; exists: number };
      const messages: FolderView['messages'] = [];
      if (mb.exists > 0)
        for await (const m of c.fetch('1:*', { uid: true, flags: true, internalDate: true, envelope: true }))
          messages.push({ uid: m.uid, flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(), internalDate: new Date(m.internalDate!).getTime(), messageId: m.envelope?.messageId ?? '' });
      out.set(f.path, { uidValidity: String(mb.uidValidity), messages });
    } finally {
      lock.release();
    }
  }
  await c.logout();
  return out;
}

describe('backup and restore', () => {
  it('backs up during live SMTP traffic and restores every folder, message, flag and UID', async () => {
    const a = await makeDataDir();
    const serveA = startServe(a.dir);
    running.push(serveA);
    await serveA.waitFor(/stop: /, 60_000);

    // Folders, flags, keywords, dates and a gap in the UIDs.
    const c = imap(a);
    await c.connect();
    await c.mailboxCreate('Projects');
    await c.mailboxCreate('Projects/2026');
    const raw = (n: number) => `From: a@example.test\r\nTo: ${a.postmaster}\r\nSubject: appended ${n}\r\nMessage-ID: <appended-${n}@example.test>\r\n\r\nbody ${n}\r\n`;
    for (let n = 1; n <= 6; n++)
      await c.append(n % 2 ? 'Projects' : 'Projects/2026', raw(n), n === 1 ? ['\\Seen', '\\Flagged', '$Label1', 'custom_kw'] : n === 2 ? ['\\Answered', '\\Draft'] : ['\\Seen'], new Date(Date.UTC(2019, n, n, 12, 0, 0)));
    const lock = await c.getMailboxLock('Projects');
    await c.messageDelete('3', { uid: true });
    lock.release();
    await c.logout();

    // Mail keeps arriving over SMTP while the backup runs; each 250 is noted with its time.
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: a.ports.submission, secure: false, requireTLS: true, auth: { user: a.postmaster, pass: a.postmasterPassword }, tls: { rejectUnauthorized: false } });
    const accepted: Array<{ id: string; at: number }> = [];
    let sending = true;
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        const id = `<live-${i}@example.test>`;
        await transport.sendMail({ from: a.postmaster, to: a.postmaster, subject: `live ${i}`, text: 'x'.repeat(2000 + i), messageId: id });
        accepted.push({ id, at: Date.now() });
      }
    })();
    while (accepted.length < 10) await new Promise((r) => setTimeout(r, 20));
    const backupStarted = Date.now();
    const file = join(mkdtempSync(join(tmpdir(), 'outpost-backup-')), 'outpost-backup.db');
    const b = await outpost(['--data', a.dir, 'backup', file]);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /Backed up 1 mailboxes, \d+ folders, \d+ messages/);
    while (accepted.length < 10 + 5 && accepted.at(-1)!.at < backupStarted + 60_000) await new Promise((r) => setTimeout(r, 20));
    sending = false;
    await sender;
    transport.close();
    const mustHave = accepted.filter((m) => m.at < backupStarted).map((m) => m.id);
    assert.ok(mustHave.length >= 10);

    // A fresh data directory: restore refuses to overwrite its store without --replace.
    const fresh = await makeDataDir();
    const refused = await outpost(['--data', fresh.dir, 'restore', file]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /a store already exists .* add --replace/);
    const notBackup = join(mkdtempSync(join(tmpdir(), 'outpost-notbackup-')), 'x.db');
    writeFileSync(notBackup, 'this is not a database, just text that is long enough to have a header page. '.repeat(100));
    const bad = await outpost(['--data', fresh.dir, 'restore', '--replace', notBackup]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not (a database|an Outpost backup)/);
    const r = await outpost(['--data', fresh.dir, 'restore', '--replace', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Restored 1 mailboxes/);

    const serveB = startServe(fresh.dir);
    running.push(serveB);
    await serveB.waitFor(/stop: /, 60_000);
    // The accounts came with the backup: the original postmaster password signs in.
    const restored = await snapshot(fresh, a.postmasterPassword);
    const original = await snapshot(a, a.postmasterPassword);

    assert.deepEqual([...restored.keys()].sort(), [...original.keys()].sort(), 'every folder');
    for (const [name, folder] of restored) {
      const orig = original.get(name)!;
      assert.equal(folder.uidValidity, orig.uidValidity, `${name} UIDVALIDITY`);
      const byUid = new Map(orig.messages.map((m) => [m.uid, m]));
      for (const m of folder.messages) assert.deepEqual(m, byUid.get(m.uid), `${name} UID ${m.uid}: same message, flags and date`);
      if (name !== 'INBOX') assert.deepEqual(folder.messages, orig.messages, `${name}: nothing missing`);
    }
    const p = restored.get('Projects')!.messages;
    assert.deepEqual(p.map((m) => m.uid), [1, 2]);
    assert.deepEqual(p[0]!.flags, ['$Label1', '\\Flagged', '\\Seen', 'custom_kw']);
    assert.equal(p[0]!.internalDate, Date.UTC(2019, 1, 1, 12, 0, 0));
    assert.deepEqual(restored.get('Projects/2026')!.messages[0]!.flags, ['\\Answered', '\\Draft']);
    const inbox = new Set(restored.get('INBOX')!.messages.map((m) => m.messageId));
    for (const id of mustHave) assert.ok(inbox.has(id), `${id} got its 250 before the backup began, so it is in the backup`);
    // The restored server keeps working: new mail gets the next UID, never a reused one.
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: fresh.ports.submission, secure: false, requireTLS: true, auth: { user: a.postmaster, pass: a.postmasterPassword }, tls: { rejectUnauthorized: false } });
    await t.sendMail({ from: a.postmaster, to: a.postmaster, subject: 'after restore', text: 'hello', messageId: '<after-restore@example.test>' });
    t.close();
    const after = await snapshot(fresh, a.postmasterPassword);
    const last = after.get('INBOX')!.messages.at(-1)!;
    assert.equal(last.messageId, '<after-restore@example.test>');
    assert.ok(last.uid > Math.max(...restored.get('INBOX')!.messages.map((m) => m.uid)));
  });
});
