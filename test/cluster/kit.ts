/**
 * Several real `outpost serve` processes (from dist/) on one PostgreSQL database: each node has its own data
 * directory (config, TLS certificate, listeners on free loopback ports) and `[store] kind = "postgres"` pointing
 * at the same database. Accounts are created once through the CLI of the first node; every node sees them.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { chownSync } from 'node:fs';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDataDir, editConfig, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { freePort } from '../kit/ports.js';
import { LineClient } from '../kit/tcp.js';
import type { TestPostgres } from '../kit/postgres.js';
import { openPgStore, type PgStore } from '../../src/store/pg/index.js';
import { createServices } from '../../src/app/services.js';
import { loadConfig } from '../../src/config/load.js';

export const PASSWORD = 'a long good passphrase';

export interface Node {
  d: TestDataDir;
  serve: ServeProcess;
}

export interface Cluster {
  url: string;
  nodes: Node[];
  cli(args: string[], stdin?: string): ReturnType<typeof outpost>;
  /** A store handle of the test's own on the shared database (reads what the nodes wrote). */
  store(): Promise<PgStore>;
  /** Starts (again) the node at `i` on its data directory. */
  restart(i: number): Promise<Node>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  nodes: number;
  mailboxes?: string[];
  /** Extra TOML appended to every node's configuration. */
  config?: string;
}

export async function startCluster(pg: TestPostgres, opts: ClusterOptions): Promise<Cluster> {
  const url = await pg.createDatabase();
  const dirs: TestDataDir[] = [];
  for (let i = 0; i < opts.nodes; i++) {
    // Each node its own name (EHLO when it delivers), one mail domain for all.
    const d = await makeDataDir({ hostname: `node${i}.example.test` });
    editConfig(d.dir, (t) => t.replace(/^\[store\]\nkind = "sqlite"\npath = "outpost.db"$/m, `[store]\nkind = "postgres"\nurl = "${url}"`) + (opts.config ?? ''));
    if (!readFileSync(join(d.dir, 'outpost.toml'), 'utf8').includes('kind = "postgres"')) throw new Error('could not switch [store] to postgres');
    dirs.push(d);
  }
  const cli = (args: string[], stdin?: string) => outpost(['--data', dirs[0]!.dir, ...args], stdin === undefined ? {} : { stdin });
  const must = async (args: string[], stdin?: string) => {
    const r = await cli(args, stdin);
    if (r.code !== 0) throw new Error(`outpost ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  };
  // What `outpost init` does for its own store: the first domain and its postmaster, here in the shared database.
  const services = createServices(loadConfig(dirs[0]!.dir));
  try {
    await services.accounts.bootstrap('example.test', PASSWORD);
  } finally {
    await services.close();
  }
  for (const m of opts.mailboxes ?? ['alice@example.test']) await must(['account', 'add', m, '--password-stdin'], `${PASSWORD}\n`);
  const start = async (d: TestDataDir): Promise<Node> => {
    const serve = startServe(d.dir);
    try {
      await serve.waitFor(/stop: /, 60_000);
    } catch (e) {
      await serve.stop();
      throw e;
    }
    return { d, serve };
  };
  const started = await Promise.allSettled(dirs.map(start));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // Leave no node running when the cluster could not start whole.
    for (const r of started) if (r.status === 'fulfilled') await r.value.serve.stop();
    await pg.dropDatabase(url);
    throw failed.reason;
  }
  const nodes = started.map((r) => (r as PromiseFulfilledResult<Node>).value);
  const handles: PgStore[] = [];
  return {
    url,
    nodes,
    cli,
    async store() {
      const s = openPgStore({ url });
      await s.ready();
      handles.push(s);
      return s;
    },
    async restart(i) {
      nodes[i] = await start(dirs[i]!);
      return nodes[i]!;
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.serve.stop()));
      for (const h of handles) await h.close();
      await pg.dropDatabase(url);
    },
  };
}

/** An IMAPS session signed in (LOGIN over TLS) with INBOX selected. */
export async function imapSelected(port: number, user = 'alice@example.test'): Promise<LineClient> {
  const c = await LineClient.open(port, true);
  await c.read(/^\* OK.*\r\n/m);
  await c.cmd(`a LOGIN ${user} "${PASSWORD}"`, /^a (OK|NO|BAD).*\r\n/m).then((r) => {
    if (!/^a OK/m.test(r)) throw new Error(`LOGIN failed: ${r}`);
  });
  const r = await c.cmd('b SELECT INBOX', /^b (OK|NO|BAD).*\r\n/m);
  if (!/^b OK/m.test(r)) throw new Error(`SELECT failed: ${r}`);
  return c;
}

/** An SMTP transaction over a plain connection to a node's MX port; returns the reply to the end of data. */
export async function sendMx(port: number, from: string, to: string[], subject: string, body = 'hello'): Promise<string> {
  const c = await LineClient.open(port);
  try {
    await c.read(/^220 .*\r\n/m, 10_000);
    await c.cmd('EHLO client.test', /^250 .*\r\n/m);
    const m = await c.cmd(`MAIL FROM:<${from}>`, /^\d{3} .*\r\n/m);
    if (!m.startsWith('250')) return m;
    for (const t of to) {
      const r = await c.cmd(`RCPT TO:<${t}>`, /^\d{3} .*\r\n/m);
      if (!r.startsWith('250')) return r;
    }
    const d = await c.cmd('DATA', /^\d{3} .*\r\n/m);
    if (!d.startsWith('354')) return d;
    const msg = `From: ${from}\r\nTo: ${to.join(', ')}\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@client.test>\r\n\r\n${body}\r\n`;
    return await c.cmd(`${msg}.`, /^\d{3} .*\r\n/m).then((r) => r.trim());
  } finally {
    c.cmd('QUIT', /\r\n/).catch(() => undefined);
    setTimeout(() => c.close(), 100).unref();
  }
}

/** Submits one message on a node's submissions port (implicit TLS, AUTH PLAIN); returns the reply to the end of data. */
export async function submit(port: number, from: string, to: string[], subject: string): Promise<string> {
  const c = await LineClient.open(port, true);
  try {
    await c.read(/^220 .*\r\n/m, 10_000);
    await c.cmd('EHLO client.test', /^250 .*\r\n/m);
    const auth = await c.cmd(`AUTH PLAIN ${Buffer.from(`\0${from}\0${PASSWORD}`).toString('base64')}`, /^\d{3} .*\r\n/m);
    if (!auth.startsWith('235')) return auth.trim();
    const m = await c.cmd(`MAIL FROM:<${from}>`, /^\d{3} .*\r\n/m);
    if (!m.startsWith('250')) return m.trim();
    for (const t of to) {
      const r = await c.cmd(`RCPT TO:<${t}>`, /^\d{3} .*\r\n/m);
      if (!r.startsWith('250')) return r.trim();
    }
    const d = await c.cmd('DATA', /^\d{3} .*\r\n/m);
    if (!d.startsWith('354')) return d.trim();
    const msg = `From: ${from}\r\nTo: ${to.join(', ')}\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@example.test>\r\nDate: Sun, 29 Nov 2026 00:00:00 +0000\r\n\r\nbody of ${subject}\r\n`;
    return (await c.cmd(`${msg}.`, /^\d{3} .*\r\n/m)).trim();
  } finally {
    c.close();
  }
}

/** Postfix's smtp-sink as the remote MX: every transaction dumped to its own file in a directory. */
export interface Sink {
  port: number;
  /** The dumped messages' texts. */
  messages(): string[];
  stop(): Promise<void>;
}

/** `dataDelaySec`: smtp-sink waits this long before answering the end of DATA (deliveries stay in flight). */
export async function startSink(opts: { dataDelaySec?: number; port?: number } = {}): Promise<Sink> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-sink-'));
  const isRoot = process.getuid?.() === 0;
  if (isRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postfix']).toString().trim()), Number(execFileSync('id', ['-g', 'postfix']).toString().trim()));
  const port = opts.port ?? (await freePort());
  const delay = opts.dataDelaySec ? ['-w', String(opts.dataDelaySec)] : [];
  // -d: one file per transaction; 1000 = backlog.
  const child: ChildProcess = spawn('/usr/sbin/smtp-sink', [...(isRoot ? ['-u', 'postfix'] : []), ...delay, '-d', `${dir}/%M.`, `127.0.0.1:${port}`, '1000'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    try {
      const c = await LineClient.open(port);
      await c.read(/^220/m);
      c.close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    messages: () => readdirSync(dir).map((f) => readFileSync(join(dir, f), 'latin1')),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `f` until it returns a truthy value or the time is up. */
export async function until<T>(f: () => Promise<T>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timeout: ${what}`);
    await sleep(100);
  }
}
