/**
 * Free loopback ports for tests. A port is picked at random BELOW Linux's ephemeral range (32768-60999, where the
 * kernel takes the local ports of outgoing connections), bound to check it is free, and released. Port 0 would
 * hand out an ephemeral port, which any outgoing connection on the machine (another test's client, a benchmark
 * with thousands of sockets) could take before `outpost serve` binds it: that race made a CI run fail with
 * EADDRINUSE.
 */
import { createServer } from 'node:net';

const LOW = 20_000;
const HIGH = 32_000;
const ATTEMPTS = 50;

function tryBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await tryBind(host, port)) return port;
  }
  throw new Error(`no free port on ${host} in ${LOW}-${HIGH} after ${ATTEMPTS} attempts`);
}

export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}
