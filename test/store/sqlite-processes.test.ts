/**
 * SQLite with several processes on one file (the CLI beside `outpost serve`, or several writers): UIDs stay unique
 * and gap-free, and every acknowledged append is there afterwards.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { domainWithMailbox, inbox, message, meta } from '../../src/store/conformance/fixtures.js';

const WRITER = `
import { openSqliteStore } from ${JSON.stringify(new URL('../../src/store/sqlite/index.ts', import.meta.url).href)};
const [path, folder, who, count] = process.argv.slice(-4);
const s = openSqliteStore({ path });
const uids = [];
for (let i = 0; i < Number(count); i++) {
  const raw = Buffer.from('Subject: ' + who + '-' + i + '\\r\\n\\r\\nbody\\r\\n');
  const r = await s.append(Number(folder), raw, { size: raw.length, subject: who + '-' + i, from: null, to: null, cc: null, date: null, messageId: null, inReplyTo: null, references: null, structure: null }, [], i);
  uids.push(r.uid);
}
await s.close();
process.stdout.write(JSON.stringify(uids));
`;

function writer(path: string, folder: number, who: string, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WRITER, path, String(folder), who, String(count)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`writer ${who} exited ${code}: ${err}`))));
  });
}

it('several processes append to one folder: unique, increasing, gap-free UIDs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-procs-'));
  const path = join(dir, 'outpost.db');
  try {
    const s = openSqliteStore({ path });
    const m = await domainWithMailbox(s);
    const folder = await inbox(s, m.id);
    const raw = message('first');
    await s.append(folder, raw, meta(raw), [], 0);
    const results = await Promise.all(['a', 'b', 'c'].map((who) => writer(path, folder, who, 40)));
    for (const uids of results) for (let i = 1; i < uids.length; i++) assert.ok(uids[i]! > uids[i - 1]!);
    const all = results.flat().sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 120 }, (_, i) => i + 2));
    const entries = await s.listEntries(folder);
    assert.equal(entries.length, 121);
    assert.equal((await s.getFolderById(folder))!.uidNext, 122);
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
