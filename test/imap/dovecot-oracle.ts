/**
 * A private Dovecot for differential tests (../shared/TESTING.md, "let Dovecot be the oracle"): its own
 * base_dir, state_dir and log under a temporary directory, one passwd-file user `alice`, Maildir mail, IMAP on a
 * free loopback port without TLS (an oracle on 127.0.0.1 only; never a pattern for Outpost itself). Messages are
 * delivered with dovecot-lda; a small IMAP client reads responses as value trees so quoted and literal strings
 * compare equal.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../kit/ports.js';

export interface Dovecot {
  readonly port: number;
  readonly dir: string;
  deliver(message: Buffer): Promise<void>;
  stop(): Promise<void>;
}

function idOf(kind: 'u' | 'g', name: string): number {
  const r = spawnSync('id', [`-${kind}`, name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`no ${kind === 'u' ? 'user' : 'group'} ${name}`);
  return Number(r.stdout.trim());
}

export async function startDovecot(): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-dovecot-'));
  chmodSync(dir, 0o755);
  const home = join(dir, 'home');
  mkdirSync(home);
  const root = process.getuid?.() === 0;
  const me = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();
  const mailUser = root ? 'nobody' : me;
  const mailGroup = root ? spawnSync('id', ['-gn', 'nobody'], { encoding: 'utf8' }).stdout.trim() : spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
  if (root) chownSync(home, idOf('u', mailUser), idOf('g', 'nobody'));
  const port = await freePort();
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(join(dir, 'passwd'), `alice:{PLAIN}secret::::::\n`);
  writeFileSync(
    conf,
    [
      `base_dir = ${dir}/run`,
      `state_dir = ${dir}/state`,
      `log_path = ${dir}/log`,
      `info_log_path = ${dir}/log`,
      'protocols = imap',
      'listen = 127.0.0.1',
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain',
      'mail_location = maildir:~/Maildir',
      `mail_uid = ${mailUser}`,
      `mail_gid = ${mailGroup}`,
      'first_valid_uid = 0',
      `default_login_user = ${root ? 'dovenull' : me}`,
      `default_internal_user = ${root ? 'dovecot' : me}`,
      ...(root ? [] : [`default_internal_group = ${mailGroup}`]),
      'passdb {',
      '  driver = passwd-file',
      `  args = ${dir}/passwd`,
      '}',
      'userdb {',
      '  driver = passwd-file',
      `  args = ${dir}/passwd`,
      `  default_fields = home=${home}`,
      '}',
      'service imap-login {',
      '  inet_listener imap {',
      '    address = 127.0.0.1',
      `    port = ${port}`,
      '  }',
      '  inet_listener imaps {',
      '    port = 0',
      '  }',
      '}',
      'service stats {',
      '  unix_listener stats-reader {',
      '    mode = 0666',
      '  }',
      '  unix_listener stats-writer {',
      '    mode = 0666',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  // The daemon keeps inherited descriptors open: give it none, or spawnSync would wait for it to exit.
  const started = spawnSync('dovecot', ['-c', conf], { stdio: 'ignore' });
  if (started.status !== 0) throw new Error(`dovecot did not start (exit ${started.status}): ${readLog(dir)}`);
  await waitForPort(port, 10_000);
  return {
    port,
    dir,
    deliver: (message) =>
      new Promise((resolve, reject) => {
        const child = spawn('/usr/lib/dovecot/dovecot-lda', ['-c', conf, '-d', 'alice', '-f', 'from@x'], { stdio: ['pipe', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`dovecot-lda exited ${code}: ${err}`))));
        child.stdin.end(message);
      }),
    stop: async () => {
      spawnSync('doveadm', ['-c', conf, 'stop'], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`dovecot is not listening on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'log'), 'utf8');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------- IMAP values

/** A parsed response value: atoms and numbers as strings (atom), strings as Buffers, NIL as null, lists. */
export type Value = { atom: string } | Buffer | null | Value[];

/** Parses response text (after `* `) into values; literals `{n}\r\n` and `~{n}` are strings. */
export function parseValues(bytes: Buffer): Value[] {
  let i = 0;
  const values = (close: number | undefined): Value[] => {
    const out: Value[] = [];
    for (;;) {
      while (bytes[i] === 0x20) i++;
      if (i >= bytes.length) {
        if (close !== undefined) throw new Error('unterminated list');
        return out;
      }
      const c = bytes[i]!;
      if (c === close) {
        i++;
        return out;
      }
      if (c === 0x0d && bytes[i + 1] === 0x0a) {
        i += 2;
        continue;
      }
      out.push(value());
    }
  };
  const value = (): Value => {
    const c = bytes[i]!;
    if (c === 0x28) {
      i++;
      return values(0x29);
    }
    if (c === 0x22) {
      const parts: number[] = [];
      i++;
      while (bytes[i] !== 0x22) {
        if (bytes[i] === 0x5c) i++;
        parts.push(bytes[i]!);
        i++;
      }
      i++;
      return Buffer.from(parts);
    }
    if (c === 0x7b || (c === 0x7e && bytes[i + 1] === 0x7b)) {
      const end = bytes.indexOf(0x7d, i);
      const n = Number(bytes.subarray(bytes.indexOf(0x7b, i) + 1, end).toString().replace('+', ''));
      const start = end + 3;
      i = start + n;
      return Buffer.from(bytes.subarray(start, start + n));
    }
    let text = '';
    while (i < bytes.length && ![0x20, 0x28, 0x29, 0x0d].includes(bytes[i]!)) {
      if (bytes[i] === 0x5b) {
        const end = bytes.indexOf(0x5d, i);
        text += bytes.subarray(i, end + 1).toString('latin1');
        i = end + 1;
        continue;
      }
      text += String.fromCharCode(bytes[i]!);
      i++;
    }
    return text.toUpperCase() === 'NIL' ? null : { atom: text };
  };
  return values(undefined);
}

/** A readable form of a value for assertion messages and deepEqual. */
export function show(v: Value): unknown {
  if (v === null) return 'NIL';
  if (Buffer.isBuffer(v)) return JSON.stringify(v.toString('latin1'));
  if (Array.isArray(v)) return v.map(show);
  return v.atom;
}

// ---------------------------------------------------------------- a minimal IMAP client

export class ImapClient {
  #buf = Buffer.alloc(0);
  #waiters: Array<() => void> = [];
  #n = 0;
  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async connect(port: number): Promise<ImapClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new ImapClient(socket);
    await c.#line(); // greeting
    return c;
  }

  async #more(): Promise<void> {
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  async #line(): Promise<Buffer> {
    for (;;) {
      const nl = this.#buf.indexOf('\r\n');
      if (nl >= 0) {
        const line = this.#buf.subarray(0, nl);
        this.#buf = this.#buf.subarray(nl + 2);
        return line;
      }
      await this.#more();
    }
  }

  /** One response: a line plus any literals it announces. */
  async #response(): Promise<Buffer> {
    const pieces: Buffer[] = [];
    for (;;) {
      const line = await this.#line();
      pieces.push(line);
      const m = /~?\{(\d+)\+?\}$/.exec(line.toString('latin1'));
      if (!m) return Buffer.concat(pieces);
      const n = Number(m[1]);
      while (this.#buf.length < n) await this.#more();
      pieces.push(Buffer.from('\r\n'), this.#buf.subarray(0, n));
      this.#buf = this.#buf.subarray(n);
    }
  }

  /** Sends a command; returns the untagged responses (without `* `) and the tagged status line. */
  async command(text: string): Promise<{ untagged: Buffer[]; status: string }> {
    const tag = `t${++this.#n}`;
    this.socket.write(`${tag} ${text}\r\n`);
    const untagged: Buffer[] = [];
    for (;;) {
      const r = await this.#response();
      if (r.subarray(0, tag.length + 1).toString() === `${tag} `) return { untagged, status: r.subarray(tag.length + 1).toString('latin1') };
      if (r[0] === 0x2a) untagged.push(r.subarray(2));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
