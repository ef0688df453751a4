/**
 * Test kit for the SMTP servers: a real `outpost serve` with mailboxes, a raw line client for transcripts (plain,
 * STARTTLS and implicit TLS), runners for the real clients (swaks, curl, msmtp, python3 smtplib), and a read-only
 * look into the store.
 */
import { spawn } from 'node:child_process';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { makeDataDir, editConfig, type TestDataDir } from '../kit/data-dir.js';
import { startServe, type ServeProcess } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { MessageEntry, QueueEntry } from '../../src/store/types.js';

export const PASSWORD = 'a long good passphrase';

export interface SmtpTestServer {
  d: TestDataDir;
  serve: ServeProcess;
  dir: string;
  cert: string;
  port: { mx: number; submission: number; submissions: number; fallback: number };
  cli(args: string[], stdin?: string): ReturnType<typeof outpost>;
  stop(): Promise<number | null>;
}

export interface ServerOptions {
  /** Lines for the [smtp] section. */
  smtp?: string[];
  /** Mailboxes to create (password {@link PASSWORD}). */
  mailboxes?: string[];
}

export async function startSmtpServer(opts: ServerOptions = {}): Promise<SmtpTestServer> {
  const d = await makeDataDir();
  if (opts.smtp?.length) editConfig(d.dir, (t) => `${t}\n[smtp]\n${opts.smtp!.join('\n')}\n`);
  const cli = (args: string[], stdin?: string) => outpost(['--data', d.dir, ...args], stdin === undefined ? {} : { stdin });
  for (const m of opts.mailboxes ?? ['alice@example.test']) {
    const r = await cli(['account', 'add', m, '--password-stdin'], `${PASSWORD}\n`);
    if (r.code !== 0) throw new Error(`account add ${m}: ${r.stderr}`);
  }
  const serve = startServe(d.dir);
  await serve.waitFor(/stop: /);
  return {
    d,
    serve,
    dir: d.dir,
    cert: join(d.dir, 'tls/cert.pem'),
    port: { mx: d.ports.mx, submission: d.ports.submission, submissions: d.ports.submissions, fallback: d.ports.submission_fallback },
    cli,
    stop: () => serve.stop(),
  };
}

/** A raw SMTP client: send lines, read complete replies (multi-line aware). */
export class RawClient {
  #buf = '';
  #waiters: Array<() => void> = [];
  closed = false;
  readonly #closedPromise: Promise<void>;

  constructor(public socket: Socket | TLSSocket) {
    this.#attach(socket);
    this.#closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.#buf += d;
      this.#wake();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  static async open(port: number, tls = false): Promise<RawClient> {
    const socket = tls ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }) : netConnect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once(tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** The next complete reply (all its lines), or null when the connection closed first. */
  async reply(timeoutMs = 10_000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(this.#buf);
      if (m) {
        this.#buf = this.#buf.slice(m[0].length);
        return m[0];
      }
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms; buffer: ${JSON.stringify(this.#buf)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends a command and returns its reply. */
  async cmd(line: string): Promise<string | null> {
    this.send(`${line}\r\n`);
    return this.reply();
  }

  /** What arrived and was not read as a reply. */
  get pending(): string {
    return this.#buf;
  }

  /** STARTTLS done by hand (after the 220): wraps the socket. */
  async upgrade(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.#attach(secure);
  }

  async closedWithin(ms: number): Promise<boolean> {
    return Promise.race([this.#closedPromise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Opens on 465 and signs in with AUTH PLAIN. */
export async function signedIn(port: number, user = 'alice@example.test'): Promise<RawClient> {
  const c = await RawClient.open(port, true);
  await c.reply();
  await c.cmd('EHLO client.test');
  const r = await c.cmd(`AUTH PLAIN ${Buffer.from(`\0${user}\0${PASSWORD}`).toString('base64')}`);
  if (!r?.startsWith('235')) throw new Error(`AUTH failed: ${r}`);
  return c;
}

/** Runs a whole transaction on an open client; returns the reply to the end of data. */
export async function sendMessage(c: RawClient, from: string, to: string[], message: string): Promise<string | null> {
  const m = await c.cmd(`MAIL FROM:<${from}>`);
  if (!m?.startsWith('250')) return m;
  for (const t of to) {
    const r = await c.cmd(`RCPT TO:<${t}>`);
    if (!r?.startsWith('250')) return r;
  }
  const d = await c.cmd('DATA');
  if (!d?.startsWith('354')) return d;
  c.send(message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..') + '\r\n.\r\n');
  return c.reply();
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program (a real client) with a timeout. */
export function run(cmd: string, args: string[], opts: { stdin?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

/** Reads the store file of a (running or stopped) server: INBOX entries of a mailbox, and the queue. */
export async function storeView(dir: string): Promise<{ inbox(address: string): Promise<MessageEntry[]>; queue(): Promise<QueueEntry[]>; raw(e: MessageEntry): Promise<string>; close(): Promise<void> }> {
  const store = openSqliteStore({ path: join(dir, 'outpost.db') });
  return {
    async inbox(address) {
      const m = await store.getMailbox(address);
      if (!m) throw new Error(`no mailbox ${address}`);
      const f = await store.getFolder(m.id, 'INBOX');
      return store.listEntries(f!.id);
    },
    queue: () => store.listQueue(),
    async raw(e) {
      return (await store.blobs.get(e.blobId))!.toString('utf8');
    },
    close: () => store.close(),
  };
}

/** A message with a unique subject. */
export function message(from: string, to: string, subject: string, body = 'Hello from the test.'): string {
  return `From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\n\r\n${body}\r\n`;
}
