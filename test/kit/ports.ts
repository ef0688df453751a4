/**
 * Free loopback ports for tests. A port is picked at random BELOW Linux's ephemeral range (32768-60999, where the
 * kernel takes the local ports of outgoing connections, which once took a port between freePort and serve's bind),
 * claimed in a directory shared by every test process (a file created with O_EXCL, removed when the process
 * exits), so two test files running at once, or two calls in one file, never get the same port, and bound once to
 * check nothing else holds it. Random picks alone collided (EADDRINUSE in CI) between concurrent test processes.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOW = 20_000;
const HIGH = 32_000;
const ATTEMPTS = 200;
/** A claim older than this belongs to a test process that died without cleaning up. */
const STALE_MS = 60 * 60 * 1000;
const CLAIMS = join(tmpdir(), 'outpost-test-ports');

const claimed: string[] = [];
process.once('exit', () => {
  for (const f of claimed) rmSync(f, { force: true });
});

function claim(port: number): boolean {
  mkdirSync(CLAIMS, { recursive: true });
  const file = join(CLAIMS, String(port));
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try {
      if (Date.now() - statSync(file).mtimeMs < STALE_MS) return false;
      rmSync(file, { force: true });
      writeFileSync(file, String(process.pid), { flag: 'wx' });
    } catch {
      return false;
    }
  }
  claimed.push(file);
  return true;
}

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
    if (!claim(port)) continue;
    if (await tryBind(host, port)) return port;
  }
  throw new Error(`no free port on ${host} in ${LOW}-${HIGH} after ${ATTEMPTS} attempts`);
}

export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) ports.push(await freePort());
  return ports;
}
