/**
 * bench/import: messages per second of `outpost import` (Maildir and mbox) and `outpost export` (Maildir), through
 * the real CLI on a fresh data directory. The Maildir has Dovecot-style names with flags and keywords; messages are
 * ~4 KiB. The import is timed by the CLI itself (from opening the source to the last commit).
 * Usage: `npx tsc -p tsconfig.json && node --import tsx bench/import/run.ts [messages]`
 */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDataDir } from '../../test/kit/data-dir.js';
import { outpost } from '../../test/kit/cli.js';

const N = Number(process.argv[2] ?? 5000);
const work = mkdtempSync(join(tmpdir(), 'outpost-bench-import-'));
const maildir = join(work, 'Maildir');
for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
writeFileSync(join(maildir, 'dovecot-keywords'), '0 $Label1\n1 project\n');
const mbox = join(work, 'archive.mbox');
writeFileSync(mbox, '');
const filler = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.\n'.repeat(38);
for (let i = 0; i < N; i++) {
  const t = 1_600_000_000 + i * 60;
  const msg = `From: sender${i % 97}@example.net\nTo: bench@example.test\nSubject: bench message ${i}\nMessage-ID: <bench-${i}@example.net>\nDate: ${new Date(t * 1000).toUTCString()}\n\n${filler}From the archive ${i}\n`;
  const flags = ['', 'S', 'RS', 'FSa', 'Sb'][i % 5];
  const file = join(maildir, 'cur', `${t}.M${i}P1.bench,S=${msg.length}:2,${flags}`);
  writeFileSync(file, msg);
  utimesSync(file, t, t);
  appendFileSync(mbox, `From sender@example.net ${new Date(t * 1000).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) (\S+) GMT$/, '$1 $3 $2 $5 $4')}\n${msg.replace(/^(>*From )/gm, '>$1')}\n`);
}

const d = await makeDataDir();
const add = await outpost(['--data', d.dir, 'account', 'add', 'bench@example.test', '--password-stdin'], { stdin: 'a long good passphrase\n' });
if (add.code !== 0) throw new Error(add.stderr);

const rate = (text: string) => /(\d+) messages\/s/.exec(text)?.[1] ?? '?';
async function timed(label: string, args: string[], count = N): Promise<void> {
  const t0 = performance.now();
  const r = await outpost(['--data', d.dir, ...args]);
  if (r.code !== 0) throw new Error(`${label}: ${r.stderr}`);
  const s = (performance.now() - t0) / 1000;
  const line = r.stdout.trim().split('\n').at(-1)!;
  console.log(`${label.padEnd(28)} ${(count / s).toFixed(0).padStart(6)} msg/s wall (process start included), ${rate(line)} msg/s by the CLI | ${line}`);
}
console.log(`${N} messages of ~4 KiB; Node ${process.version}`);
await timed('import Maildir', ['import', 'bench@example.test', maildir]);
await timed('import Maildir again (skip)', ['import', 'bench@example.test', maildir]);
await timed('import mbox', ['import', 'bench@example.test', mbox, '--folder', 'Archive/mbox']);
const out = join(work, 'export');
await timed('export Maildir', ['export', 'bench@example.test', out], 2 * N);
