/**
 * State that must be one across nodes, on two `outpost serve` processes sharing one PostgreSQL database:
 * - the auth limiter: failed sign-ins on node A and node B add up, so the (mailbox, client IP) pair is locked out
 *   after 10 failures in all (5 per node would never lock it if each node counted alone);
 * - POP3's maildrop lock (RFC 1939 §8 / RFC 2449 [IN-USE]): a session on node A keeps node B out until it QUITs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type TestPostgres } from '../kit/postgres.js';
import { LineClient } from '../kit/tcp.js';
import { authLimits } from '../../src/lib/limits.js';
import { PASSWORD, startCluster, type Cluster } from './kit.js';

let pg: TestPostgres;
let cluster: Cluster;
before(async () => {
  pg = await startPostgres();
  cluster = await startCluster(pg, { nodes: 2, mailboxes: ['alice@example.test', 'bob@example.test', 'carol@example.test'] });
});
after(async () => {
  await cluster?.stop();
  await pg?.stop();
});

/** One IMAPS LOGIN on a fresh connection; returns the tagged reply line. */
async function imapLogin(port: number, user: string, password: string): Promise<string> {
  const c = await LineClient.open(port, true);
  try {
    await c.read(/^\* OK.*\r\n/m);
    // After 3 failures each further attempt is slowed down (up to 8 s): wait longer than LineClient's default.
    c.write(`a LOGIN ${user} "${password}"\r\n`);
    const r = await c.read(/^a (OK|NO|BAD).*\r\n/m, 30_000);
    return /^a .*$/m.exec(r)![0];
  } finally {
    c.close();
  }
}

async function pop3(port: number): Promise<LineClient> {
  const c = await LineClient.open(port, true);
  await c.read(/^\+OK.*\r\n/m);
  return c;
}

describe('state shared by two nodes', () => {
  it('failed sign-ins on both nodes add up: the pair is locked out after 10 in all', { timeout: 120_000 }, async () => {
    const [a, b] = cluster.nodes;
    const failures = authLimits.pairLockAfter;
    for (let i = 0; i < failures; i++) {
      const r = await imapLogin((i % 2 === 0 ? a : b)!.d.ports.imaps, 'bob@example.test', 'wrong password');
      assert.match(r, /^a NO /);
    }
    // The right password is now refused on either node: each saw only 5 failures, together 10.
    const refused = await imapLogin(a!.d.ports.imaps, 'bob@example.test', PASSWORD);
    assert.match(refused, /^a NO \[UNAVAILABLE\] too many failed sign-ins/);
    assert.match(await imapLogin(b!.d.ports.imaps, 'bob@example.test', PASSWORD), /^a NO \[UNAVAILABLE\]/);
    // Another mailbox from the same address is not affected (only the pair is locked).
    assert.match(await imapLogin(b!.d.ports.imaps, 'carol@example.test', PASSWORD), /^a OK /);
  });

  it("POP3's maildrop lock holds across nodes: [IN-USE] on B while A's session is open, free again after QUIT", async () => {
    const [a, b] = cluster.nodes;
    const first = await pop3(a!.d.ports.pop3s);
    try {
      await first.cmd('USER alice@example.test', /^\+OK.*\r\n/m);
      assert.match(await first.cmd(`PASS ${PASSWORD}`, /^[+-].*\r\n/m), /^\+OK/);
      const second = await pop3(b!.d.ports.pop3s);
      await second.cmd('USER alice@example.test', /^\+OK.*\r\n/m);
      assert.match(await second.cmd(`PASS ${PASSWORD}`, /^[+-].*\r\n/m), /^-ERR \[IN-USE\]/);
      second.close();
      assert.match(await first.cmd('QUIT', /^[+-].*\r\n/m), /^\+OK/);
      const third = await pop3(b!.d.ports.pop3s);
      await third.cmd('USER alice@example.test', /^\+OK.*\r\n/m);
      assert.match(await third.cmd(`PASS ${PASSWORD}`, /^[+-].*\r\n/m), /^\+OK/);
      await third.cmd('QUIT', /^[+-].*\r\n/m);
      third.close();
    } finally {
      first.close();
    }
  });
});
