/**
 * A tagged OK after APPEND is a promise: SIGKILL the real `outpost serve` while 10 IMAPS clients append, restart,
 * and every message that got its OK is in the folder. Also a STORE acknowledged before the kill survives it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeDataDir } from '../kit/data-dir.js';
import { startServe } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { LineClient } from '../kit/tcp.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const PASSWORD = 'a long good passphrase';

describe('IMAP durability', () => {
  it('kill -9 during concurrent APPENDs: every acknowledged message survives the restart', async () => {
    const d = await makeDataDir();
    assert.equal((await outpost(['--data', d.dir, 'account', 'add', 'alice@example.test', '--password-stdin'], { stdin: `${PASSWORD}\n` })).code, 0);
    const serve = startServe(d.dir);
    await serve.waitFor(/Outpost is running/);
    const acked: string[] = [];
    let flagged = '';
    let stop = false;
    const client = async (n: number) => {
      let c: LineClient | undefined;
      try {
        c = await LineClient.open(d.ports.imaps, true);
        await c.read(/^\* OK.*\r\n/);
        await c.cmd(`a LOGIN alice@example.test "${PASSWORD}"`, /^a OK/m);
        for (let i = 0; !stop; i++) {
          const subject = `append-${n}-${i}`;
          const msg = `From: load@example.test\r\nSubject: ${subject}\r\n\r\n${'x'.repeat(2000)}\r\n`;
          // LITERAL+ (RFC 7888): the message follows without waiting for a continuation.
          const r = await c.cmd(`t${i} APPEND INBOX (\\Seen) {${Buffer.byteLength(msg)}+}\r\n${msg}`, new RegExp(`^t${i} (OK|NO|BAD)`, 'm'));
          if (new RegExp(`^t${i} OK`, 'm').test(r)) acked.push(subject);
          if (n === 0 && i === 3) {
            const s = await c.cmd('s SELECT INBOX', /^s OK/m);
            assert.match(s, /EXISTS/);
            await c.cmd('f STORE 1 +FLAGS (\\Flagged)', /^f OK/m);
            flagged = 'yes';
          }
        }
      } catch {
        // the server died under us
      } finally {
        c?.close();
      }
    };
    const clients = Array.from({ length: 10 }, (_, n) => client(n));
    for (let waited = 0; (acked.length < 150 || !flagged) && waited < 60_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    serve.child.kill('SIGKILL');
    await serve.exited;
    stop = true;
    await Promise.all(clients);
    const snapshot = [...acked];
    assert.ok(snapshot.length >= 150, `only ${snapshot.length} APPENDs acknowledged before the kill`);

    const again = startServe(d.dir);
    try {
      await again.waitFor(/Outpost is running/);
      const store = openSqliteStore({ path: join(d.dir, 'outpost.db') });
      const m = (await store.getMailbox('alice@example.test'))!;
      const f = (await store.getFolder(m.id, 'INBOX'))!;
      const entries = await store.listEntries(f.id);
      await store.close();
      const stored = new Set(entries.map((e) => e.meta.subject));
      const lost = snapshot.filter((s) => !stored.has(s));
      assert.deepEqual(lost, [], `${lost.length} of ${snapshot.length} acknowledged APPENDs lost`);
      assert.ok(entries[0]!.flags.includes('\\Flagged'), 'an acknowledged STORE survives too');
      const uids = entries.map((e) => e.uid);
      assert.deepEqual(uids, [...uids].sort((a, b) => a - b));
      assert.equal(new Set(uids).size, uids.length, 'UIDs stay unique');
    } finally {
      await again.stop();
    }
  });
});
