/**
 * (b) many IDLE clients (RFC 2177), one user each: the server's memory (PSS over all its processes) before and
 * with every client idling, and how long after a delivery's data was sent each client hears `* n EXISTS`.
 */
import { login, type ImapConnection } from './client.js';
import { deliver } from './deliver.js';
import { message } from './messages.js';
import { pssKiB, type Server } from './servers.js';

export interface IdleResult {
  clients: number;
  loginSeconds: number;
  pssBeforeKiB: number;
  pssIdleKiB: number;
  perConnectionKiB: number;
  delays: number[];
  missing: number;
}

const settle = () => new Promise((r) => setTimeout(r, 2000));

export async function idleRun(server: Server, users: string[], password: string, loginParallel = 32): Promise<IdleResult> {
  await settle();
  const pssBeforeKiB = pssKiB(server.pids());
  const heard = new Map<string, number>();
  const conns: Array<{ c: ImapConnection; done: () => Promise<unknown> }> = [];
  const t0 = performance.now();
  let next = 0;
  const opener = async () => {
    while (next < users.length) {
      const u = users[next++]!;
      const c = await login(server.endpoint, server.user(u), password);
      await c.ok('SELECT INBOX');
      c.onUntagged = (line) => {
        if (line.endsWith(' EXISTS') && !heard.has(u)) heard.set(u, performance.now());
      };
      conns.push({ c, done: await c.idle() });
    }
  };
  await Promise.all(Array.from({ length: loginParallel }, opener));
  const loginSeconds = (performance.now() - t0) / 1000;
  await settle();
  const pssIdleKiB = pssKiB(server.pids());

  const byAddress = new Map(users.map((u) => [`${u}@example.test`, u]));
  const sentAt = await deliver({
    port: server.delivery.port,
    protocol: server.delivery.protocol,
    recipients: [...byAddress.keys()],
    message: message(424242, 'everyone@example.test'),
    connections: 10,
    perTransaction: 100,
  });
  const until = performance.now() + 60_000;
  while (heard.size < users.length && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
  const delays: number[] = [];
  for (const [address, sent] of sentAt) {
    const t = heard.get(byAddress.get(address)!);
    if (t !== undefined) delays.push(t - sent);
  }
  await Promise.all(
    conns.map(async ({ c, done }) => {
      await done().catch(() => undefined);
      await c.logout();
    }),
  );
  return {
    clients: users.length,
    loginSeconds,
    pssBeforeKiB,
    pssIdleKiB,
    perConnectionKiB: (pssIdleKiB - pssBeforeKiB) / users.length,
    delays,
    missing: users.length - delays.length,
  };
}
