/**
 * bench/imap-search: SEARCH on a big folder with and without the text index (issue 6 Deliver 2). Fills one INBOX
 * with N messages (default 100,000; varied subjects and ~1 KB bodies, a few carrying the searched words) through
 * the store as `outpost serve` stores them (describingStore: description and FTS5 text in the delivery commit),
 * starts the real `outpost serve`, and times `UID SEARCH SUBJECT x` and `SEARCH TEXT x` over IMAPS. Then every
 * message is marked as not indexed (`text_indexed = 0`, as if stored before the index existed), so the same
 * server scans every message, and the same searches are timed again.
 * Usage: `npx tsc -p tsconfig.json && node --import tsx bench/imap-search/run.ts [messages] [repeats]`
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeDataDir } from '../../test/kit/data-dir.js';
import { startServe } from '../../test/kit/serve.js';
import { outpost } from '../../test/kit/cli.js';
import { LineClient } from '../../test/kit/tcp.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { describingStore } from '../../src/imap/described-store.js';
import { describeMessage } from '../../src/imap/engine/describe.js';
import { extractMeta } from '../../src/mail/meta.js';

const N = Number(process.argv[2] ?? 100_000);
const REPEATS = Number(process.argv[3] ?? 3);
const PASSWORD = 'a long good passphrase';
const USER = 'search@example.test';
const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu meeting report invoice budget travel lunch project review draft update'.split(' ');

let seed = 42;
const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = (): string => WORDS[Math.floor(random() * WORDS.length)]!;
const words = (n: number): string => Array.from({ length: n }, pick).join(' ');

function message(i: number): Buffer {
  // Every 10,000th message carries the rare words searched for.
  const rare = i % 10_000 === 7;
  const subject = `${words(4)}${rare ? ' quarterlyzebra' : ''} #${i}`;
  const body = Array.from({ length: 14 }, () => words(10)).join('\r\n') + (rare ? '\r\nthe password is marmalade-sky\r\n' : '\r\n');
  return Buffer.from(
    `From: Sender ${i % 500} <s${i % 500}@example.test>\r\nTo: ${USER}\r\nSubject: ${subject}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${i}@bench.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`,
  );
}

const d = await makeDataDir();
await outpost(['--data', d.dir, 'account', 'add', USER, '--password-stdin'], { stdin: `${PASSWORD}\n` });
const dbPath = join(d.dir, 'outpost.db');
{
  const store = describingStore(openSqliteStore({ path: dbPath }), describeMessage);
  const mailboxId = (await store.getMailbox(USER))!.id;
  const t0 = performance.now();
  for (let i = 0; i < N; i += 1000) {
    // Deliveries in one turn of the event loop share one commit (group commit).
    await Promise.all(
      Array.from({ length: Math.min(1000, N - i) }, (_, k) => {
        const raw = message(i + k);
        return store.deliver({ raw, meta: extractMeta(raw), receivedAt: Date.now(), targets: [{ mailboxId, folder: 'INBOX' }], queue: [] });
      }),
    );
  }
  console.log(`filled ${N} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await store.close();
}

const serve = startServe(d.dir);
await serve.waitFor(/Outpost is running/, 120_000);
const c = await LineClient.open(d.ports.imaps, true);
await c.read(/^\* OK.*\r\n/, 30_000);
await c.cmd(`a LOGIN ${USER} "${PASSWORD}"`, /^a OK.*\r\n/m);
let t = performance.now();
await c.write('s SELECT INBOX\r\n');
await c.read(/^s OK.*\r\n/m, 300_000);
console.log(`SELECT: ${(performance.now() - t).toFixed(0)} ms`);

const searches = ['UID SEARCH SUBJECT quarterlyzebra', 'SEARCH TEXT marmalade-sky', 'UID SEARCH SUBJECT "budget travel"', 'SEARCH TEXT xy'];
async function timeAll(label: string, repeats = REPEATS): Promise<void> {
  for (const q of searches) {
    const times: number[] = [];
    let hits = 0;
    for (let r = 0; r < repeats; r++) {
      t = performance.now();
      c.write(`q ${q}\r\n`);
      const out = await c.read(/^q OK.*\r\n/m, 900_000);
      times.push(performance.now() - t);
      hits = (/^\* SEARCH([ \d]*)\r\n/m.exec(out)?.[1] ?? '').trim().split(' ').filter(Boolean).length;
    }
    times.sort((a, b) => a - b);
    console.log(`${label}\t${q}\t${hits} hits\tmedian ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms\tmin ${times[0]!.toFixed(1)} ms`);
  }
}

await timeAll('indexed');
const db = new Database(dbPath);
db.prepare('UPDATE messages SET text_indexed = 0').run();
db.close();
await timeAll('scan', 1);
c.close();
await serve.stop();
