/**
 * Import and export with real peers: a Maildir written by Dovecot (doveadm save/flags, dovecot-lda; keywords in
 * dovecot-keywords, sub-folders in Maildir++ with a modified-UTF-7 name) imported with `outpost import`, imported
 * again (resumed: nothing twice), exported with `outpost export` to a Maildir that Dovecot then serves: Dovecot's own
 * view of the two Maildirs (folder, UID, flags and keywords, received date, Message-ID, size) must be equal.
 * An mbox written by mutt (fcc copies, bodies with From_ lines) imported; an exported mbox read by Python's mailbox.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, type Dovecot } from '../imap/dovecot-oracle.js';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { outpost } from '../kit/cli.js';
import { python } from '../kit/python.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

let dv: Dovecot;
let d: TestDataDir;
const ADDRESS = 'importer@example.test';
const root = process.getuid?.() === 0;

function doveadm(args: string[], input?: string): string {
  const r = spawnSync('doveadm', ['-c', join(dv.dir, 'dovecot.conf'), ...args], { input, encoding: 'utf8' });
  assert.equal(r.status, 0, `doveadm ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Dovecot's view of a user's mail: one sorted line per message. */
function dovecotView(user: string): string[] {
  const out = doveadm(['-f', 'tab', 'fetch', '-u', user, 'mailbox uid flags date.received hdr.message-id size.virtual', 'ALL']);
  return out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [mailbox, uid, flags, date, id, size] = l.split('\t');
      const f = flags!.split(' ').filter((x) => x && x !== '\\Recent').sort().join(' ');
      return [mailbox, uid, f, date, id, size].join('\t');
    })
    .sort();
}

const msg = (n: number, extra = '') => `From: sender${n}@example.net\nTo: alice@example.test\nSubject: message ${n}\nMessage-ID: <m${n}@example.net>\nDate: Tue, 3 Mar 2020 10:0${n % 10}:00 +0000\n\nBody of message ${n}.\n${extra}`;

before(async () => {
  dv = await startDovecot();
  d = await makeDataDir();
  const add = await outpost(['--data', d.dir, 'account', 'add', ADDRESS, '--password-stdin'], { stdin: 'a long good passphrase\n' });
  assert.equal(add.code, 0, add.stderr);
});
after(async () => {
  await dv.stop();
});

describe('import and export', () => {
  it('Dovecot Maildir -> outpost import (twice: resumed) -> outpost export -> the same mail in Dovecot', async () => {
    doveadm(['mailbox', 'create', '-u', 'alice', 'Projects', 'Projects.2026', 'Über uns']);
    for (let n = 1; n <= 4; n++) doveadm(['save', '-u', 'alice'], msg(n, n === 2 ? 'From the start of a line\n>From quoted\n' : ''));
    for (let n = 5; n <= 7; n++) doveadm(['save', '-u', 'alice', '-m', 'Projects.2026'], msg(n));
    doveadm(['save', '-u', 'alice', '-m', 'Über uns'], msg(8));
    doveadm(['save', '-u', 'alice', '-m', 'Projects'], msg(9));
    await dv.deliver(Buffer.from(msg(10))); // dovecot-lda: lands in new/
    doveadm(['flags', 'add', '-u', 'alice', '\\Seen', 'mailbox', 'INBOX', 'uid', '1:3']);
    doveadm(['flags', 'add', '-u', 'alice', '\\Flagged \\Answered $Label1 project_x', 'mailbox', 'INBOX', 'uid', '2']);
    doveadm(['flags', 'add', '-u', 'alice', '\\Draft $Forwarded', 'mailbox', 'INBOX', 'uid', '3']);
    doveadm(['flags', 'add', '-u', 'alice', '$Label2 \\Seen', 'mailbox', 'Projects.2026', 'uid', '2']);
    doveadm(['flags', 'add', '-u', 'alice', 'Junk', 'mailbox', 'Über uns', 'uid', '1']);
    doveadm(['expunge', '-u', 'alice', 'mailbox', 'INBOX', 'uid', '4']); // a gap in the UIDs
    // Distinct received dates: Dovecot keeps them as file mtimes; drop its index so it reads them back from the files.
    const maildir = join(dv.dir, 'home', 'Maildir');
    let k = 0;
    for (const folder of ['', '.Projects', '.Projects.2026', '.&ANw-ber uns'])
      for (const sub of ['cur', 'new'])
        for (const f of readdirSync(join(maildir, folder, sub)).sort()) {
          const t = Date.UTC(2021, 0, 1 + k++, 8, 30, 15) / 1000;
          utimesSync(join(maildir, folder, sub, f), t, t);
        }
    for (const folder of ['', '.Projects', '.Projects.2026', '.&ANw-ber uns']) for (const f of readdirSync(join(maildir, folder))) if (f.startsWith('dovecot.index')) rmSync(join(maildir, folder, f));
    const original = dovecotView('alice');
    assert.equal(original.length, 9);
    assert.ok(original.some((l) => /^INBOX\t2\t\$Label1 \\Answered \\Flagged \\Seen project_x\t2021-01-/.test(l)), original.join('\n'));

    const first = await outpost(['--data', d.dir, 'import', ADDRESS, maildir]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Importing 9 messages in 4 folders from a maildir/);
    assert.match(first.stdout, /Imported 9 messages \(0 were already there\)/);
    const again = await outpost(['--data', d.dir, 'import', ADDRESS, maildir]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Imported 0 messages \(9 were already there\)/, 'a second run resumes: nothing twice');

    // Export into a home Dovecot serves for a second user, and compare Dovecot's views.
    const bobHome = mkdtempSync(join(tmpdir(), 'outpost-export-'));
    chmodSync(bobHome, 0o755);
    const exported = join(bobHome, 'Maildir');
    const ex = await outpost(['--data', d.dir, 'export', ADDRESS, exported]);
    assert.equal(ex.code, 0, ex.stderr);
    assert.match(ex.stdout, /Exported 9 messages \(0 were already there\) from \d+ folders/);
    const ex2 = await outpost(['--data', d.dir, 'export', ADDRESS, exported]);
    assert.match(ex2.stdout, /Exported 0 messages \(9 were already there\)/, 'export resumes too');
    if (root) spawnSync('chown', ['-R', 'nobody:nogroup', bobHome]);
    appendFileSync(join(dv.dir, 'passwd'), `bob:{PLAIN}secret:::::${bobHome}::\n`);
    const back = dovecotView('bob');
    // Outpost's default folders (Drafts, Sent, Junk, Trash, Archive) are empty: only folders with mail show up.
    assert.deepEqual(back.map((l) => l.replace(/^[^\t]+\t\d+\t/, '')).sort(), original.map((l) => l.replace(/^[^\t]+\t\d+\t/, '')).sort(), 'flags, keywords, dates, ids and sizes');
    assert.deepEqual(back, original, 'and the same folders and UIDs');
  });

  it('imports an mbox written by mutt, with From_ lines in bodies, and exports mbox that Python reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-mutt-'));
    const mbox = join(dir, 'sent.mbox');
    // mutt hands the message to a "sendmail" that swallows it; the fcc copy goes to the mbox.
    const sink = join(dir, 'sink.sh');
    writeFileSync(sink, '#!/bin/sh\ncat >/dev/null\n');
    chmodSync(sink, 0o755);
    for (let n = 1; n <= 3; n++) {
      const r = spawnSync('mutt', ['-n', '-F', '/dev/null', '-e', `set sendmail=${sink}; set record=${mbox}; set copy=yes; set mbox_type=mbox; set from=me@example.test; set use_from=yes`, '-s', `mutt ${n}`, `friend${n}@example.net`], {
        input: `Hello ${n},\n\nFrom here on, a line that starts with From.\nBye\n`,
        encoding: 'utf8',
        env: { ...process.env, HOME: dir, TERM: 'dumb' },
      });
      assert.equal(r.status, 0, r.stderr);
    }
    const imported = await outpost(['--data', d.dir, 'import', ADDRESS, mbox, '--folder', 'Mutt/Sent']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /Imported 3 messages/);
    const store = openSqliteStore({ path: join(d.dir, 'outpost.db') });
    try {
      const mb = (await store.getMailbox(ADDRESS))!;
      const folder = (await store.getFolder(mb.id, 'Mutt/Sent'))!;
      const entries = await store.listEntries(folder.id);
      assert.equal(entries.length, 3);
      for (const [i, e] of entries.entries()) {
        const raw = (await store.blobs.get(e.blobId))!.toString();
        assert.match(raw, new RegExp(`^Subject: mutt ${i + 1}\\r$`, 'm'));
        assert.match(raw, /\r\n\r\nHello \d,\r\n\r\nFrom here on, a line that starts with From\.\r\nBye\r\n$/, 'From_ quoting undone, CRLF, no mbox separator line');
        assert.doesNotMatch(raw, /^Status:/m, 'mbox state headers are not kept in the message');
        assert.ok(e.flags.includes('\\Seen'), 'mutt marks its own copies read (Status: RO)');
        assert.ok(e.internalDate > Date.UTC(2020, 0, 1));
      }
    } finally {
      await store.close();
    }
    const out = join(dir, 'export');
    mkdirSync(out);
    const ex = await outpost(['--data', d.dir, 'export', ADDRESS, out, '--format', 'mbox']);
    assert.equal(ex.code, 0, ex.stderr);
    const py = await python(
      `import mailbox, sys, json
box = mailbox.mbox(sys.argv[1])
print(json.dumps([[m['Subject'], m.get_payload(), m.get_flags()] for m in box]))`,
      [join(out, 'Mutt', 'Sent.mbox')],
    );
    assert.equal(py.code, 0, py.stderr);
    const read = JSON.parse(py.stdout) as Array<[string, string, string]>;
    assert.deepEqual(read.map((m) => m[0]), ['mutt 1', 'mutt 2', 'mutt 3']);
    for (const m of read) {
      assert.match(m[1], /\n>From here on, a line that starts with From\.\n/, 'mboxrd quoting written (Python reads mboxo: one > stays)');
      assert.match(m[2], /R/, 'Status: R for \\Seen');
    }
    // And back in: the exported mbox round trips into a new folder, byte for byte.
    const back = await outpost(['--data', d.dir, 'import', ADDRESS, join(out, 'Mutt', 'Sent.mbox'), '--folder', 'Roundtrip']);
    assert.equal(back.code, 0, back.stderr);
    const again = openSqliteStore({ path: join(d.dir, 'outpost.db') });
    try {
      const mb = (await again.getMailbox(ADDRESS))!;
      const a = await again.listEntries((await again.getFolder(mb.id, 'Mutt/Sent'))!.id);
      const b = await again.listEntries((await again.getFolder(mb.id, 'Roundtrip'))!.id);
      assert.deepEqual(b.map((e) => [e.blobId, e.flags, e.internalDate]), a.map((e) => [e.blobId, e.flags, e.internalDate]));
    } finally {
      await again.close();
    }
  });
});
