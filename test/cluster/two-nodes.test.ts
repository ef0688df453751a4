/**
 * Two `outpost serve` processes on one PostgreSQL database: a message delivered through node A wakes an IMAP IDLE
 * client on node B (LISTEN/NOTIFY), and APPENDs racing on both nodes into one folder get unique, increasing UIDs
 * (the folder row lock), with the folder's counters agreeing afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type TestPostgres } from '../kit/postgres.js';
import { LineClient } from '../kit/tcp.js';
import { imapSelected, sendMx, startCluster, type Cluster } from './kit.js';

let pg: TestPostgres;
let cluster: Cluster;
before(async () => {
  pg = await startPostgres();
  cluster = await startCluster(pg, { nodes: 2 });
});
after(async () => {
  await cluster?.stop();
  await pg?.stop();
});

async function append(c: LineClient, tag: string, subject: string): Promise<number> {
  const msg = `From: a@client.test\r\nSubject: ${subject}\r\n\r\nbody of ${subject}\r\n`;
  await c.cmd(`${tag} APPEND INBOX {${Buffer.byteLength(msg)}}`, /^\+.*\r\n/m);
  const r = await c.cmd(msg, new RegExp(`^${tag} (OK|NO|BAD).*\\r\\n`, 'm'));
  // RFC 4315 UIDPLUS: [APPENDUID uidvalidity uid]
  const m = new RegExp(`^${tag} OK \\[APPENDUID \\d+ (\\d+)\\]`, 'm').exec(r);
  if (!m) throw new Error(`APPEND ${tag}: ${r}`);
  return Number(m[1]);
}

describe('two nodes on one PostgreSQL', () => {
  it('a message accepted by node A wakes an IDLE client on node B', async () => {
    const [a, b] = cluster.nodes;
    const idle = await imapSelected(b!.d.ports.imaps);
    try {
      await idle.cmd('i IDLE', /^\+ .*\r\n/m);
      const started = Date.now();
      const reply = await sendMx(a!.d.ports.mx, 'sender@remote.test', ['alice@example.test'], 'cross-node-idle');
      assert.match(reply, /^250 /);
      const seen = await idle.read(/^\* \d+ EXISTS\r\n/m, 5000);
      assert.match(seen, /^\* 1 EXISTS/m);
      const wokeMs = Date.now() - started;
      assert.ok(wokeMs < 5000, `woke after ${wokeMs} ms`);
      idle.write('DONE\r\n');
      await idle.read(/^i OK/m);
      const f = await idle.cmd('f UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])', /^f (OK|NO|BAD).*\r\n/m);
      assert.match(f, /Subject: cross-node-idle/);
    } finally {
      idle.close();
    }
  });

  it('APPENDs racing on both nodes into one folder get unique, increasing UIDs', async () => {
    const [a, b] = cluster.nodes;
    const store = await cluster.store();
    const m = (await store.getMailbox('alice@example.test'))!;
    const before = (await store.getFolder(m.id, 'INBOX'))!;
    const PER_CLIENT = 15;
    const clients = await Promise.all([a, a, b, b].map((n) => imapSelected(n!.d.ports.imaps)));
    try {
      const results = await Promise.all(
        clients.map(async (c, i) => {
          const uids: number[] = [];
          for (let k = 0; k < PER_CLIENT; k++) uids.push(await append(c, `c${k}`, `race-${i}-${k}`));
          return uids;
        }),
      );
      for (const uids of results) for (let k = 1; k < uids.length; k++) assert.ok(uids[k]! > uids[k - 1]!, 'each client sees its UIDs increase');
      const all = results.flat().sort((x, y) => x - y);
      const total = clients.length * PER_CLIENT;
      assert.equal(new Set(all).size, total, 'no UID given twice');
      assert.deepEqual(all, Array.from({ length: total }, (_, i) => before.uidNext + i), 'no gaps: the allocations are exactly the next UIDs');
      const after = (await store.getFolder(m.id, 'INBOX'))!;
      assert.equal(after.uidNext, before.uidNext + total);
      const entries = await store.listEntries(after.id);
      const modSeqs = entries.filter((e) => e.uid >= before.uidNext).map((e) => e.modSeq);
      assert.equal(new Set(modSeqs).size, total, 'every APPEND got its own modseq');
      assert.ok(modSeqs.every((s, i) => i === 0 || s > modSeqs[i - 1]!), 'modseqs increase with UIDs');
      const status = await store.folderStatus(after.id);
      assert.equal(status.messages, entries.length);
      // The other node's clients see the same messages.
      const check = await imapSelected(b!.d.ports.imaps);
      const s = await check.cmd('s STATUS INBOX (MESSAGES UIDNEXT)', /^s (OK|NO|BAD).*\r\n/m);
      assert.match(s, new RegExp(`MESSAGES ${entries.length} UIDNEXT ${after.uidNext}|UIDNEXT ${after.uidNext} MESSAGES ${entries.length}`));
      check.close();
    } finally {
      for (const c of clients) c.close();
    }
  });
});
