/**
 * Debian's pebble (an ACME test CA) on loopback: its own HTTPS certificate made with openssl, validation traffic sent
 * to Outpost's http/https ports, names resolved through the test DNS server. Restartable on the same ports (a
 * restarted pebble has a new root and forgets accounts, like a CA reset).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../kit/ports.js';

export interface Pebble {
  directoryUrl: string;
  /** The CA file that trusts pebble's own HTTPS (for `[acme] ca_file`). */
  caFile: string;
  /** The current issuing root (fetched from the management port). */
  root(): Promise<string>;
  output(): string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface PebbleOptions {
  httpPort: number;
  tlsPort: number;
  dnsServer: string;
  validitySeconds?: number;
}

export async function startPebble(o: PebbleOptions): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-pebble-'));
  const [port, mgmtPort] = (await freePorts(2)) as [number, number];
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  const config = join(dir, 'pebble.json');
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: cert,
        privateKey: key,
        httpPort: o.httpPort,
        tlsPort: o.tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        ...(o.validitySeconds ? { certificateValidityPeriod: o.validitySeconds } : {}),
      },
    }),
  );
  const ca = readFileSync(cert, 'utf8');
  let child: ChildProcess | null = null;
  let out = '';
  const pebble: Pebble = {
    directoryUrl: `https://127.0.0.1:${port}/dir`,
    caFile: cert,
    output: () => out,
    root: () =>
      new Promise((resolve, reject) => {
        get({ host: '127.0.0.1', port: mgmtPort, path: '/roots/0', ca, servername: 'localhost' }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`roots: ${res.statusCode}`))));
        }).on('error', reject);
      }),
    async start() {
      child = spawn('/usr/bin/pebble', ['-config', config, '-dnsserver', o.dnsServer], {
        env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      await waitForPort(port, 10_000);
      await waitForPort(mgmtPort, 10_000);
    },
    async stop() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    },
  };
  await pebble.start();
  return pebble;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`pebble did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
