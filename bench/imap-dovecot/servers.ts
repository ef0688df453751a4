/**
 * The two servers under test, each private to this run: Outpost (`outpost init` + `outpost serve` from dist/, a
 * temporary data directory) and Dovecot (its own base_dir, state_dir, log, Maildir homes, passwd-file users with
 * ARGON2ID hashes). Both present the same certificate (Outpost's self-signed one) over implicit TLS, so the TLS
 * work is the same; both take deliveries over a socket (Outpost's MX speaks SMTP, Dovecot's LMTP).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { createServices } from '../../src/app/services.js';
import { DEFAULT_FOLDERS } from '../../src/accounts/service.js';
import { parseAddress } from '../../src/mail/address.js';
import { BIN } from '../../test/kit/cli.js';
import { makeDataDir } from '../../test/kit/data-dir.js';
import { freePort } from '../../test/kit/ports.js';
import type { Store } from '../../src/store/types.js';
import { extractMeta } from '../../src/mail/meta.js';
import type { Endpoint } from './client.js';
import { message } from './messages.js';

export const PASSWORD = 'correct horse battery staple 42';

export interface Server {
  endpoint: Endpoint;
  /** Where deliveries go: SMTP (Outpost's MX) or LMTP (Dovecot). */
  delivery: { port: number; protocol: 'smtp' | 'lmtp' };
  /** The login name of a local part: Outpost signs in with the address, Dovecot with the bare name. */
  user(localPart: string): string;
  /** The processes whose memory counts as the server's. */
  pids(): number[];
  stop(): Promise<void>;
}

/** Outpost: a data dir made by the real CLI, the users written through the store API with one shared hash. */
export async function startOutpost(
  users: string[],
  opts: { profileDir?: string; fill?: { user: string; count: number } } = {},
): Promise<Server & { passwordHash: string; cert: string; key: string; fillSeconds: number }> {
  const d = await makeDataDir();
  const config = loadConfig(d.dir);
  const services = createServices(config);
  let passwordHash: string;
  let fillSeconds = 0;
  try {
    // One argon2id hash (Outpost's own parameters) shared by every user: creating 2,000 mailboxes costs one hash.
    passwordHash = await services.hasher.hash(PASSWORD);
    for (const local of users) {
      const addr = parseAddress(`${local}@example.test`);
      await services.store.createMailbox({
        ...addr,
        role: 'user',
        passwordHash,
        quotaBytes: 0,
        subscriber: { newAllowance: 1 },
        enforceAllowance: false,
        folders: DEFAULT_FOLDERS,
        createdAt: Date.now(),
      });
    }
    if (opts.fill) {
      const t0 = performance.now();
      const mailbox = (await services.store.getMailbox(`${opts.fill.user}@example.test`))!;
      await fillOutpost(services.store, mailbox.id, opts.fill.count);
      fillSeconds = (performance.now() - t0) / 1000;
    }
  } finally {
    await services.close();
  }
  const args = [...(opts.profileDir ? ['--cpu-prof', '--cpu-prof-dir', opts.profileDir] : []), BIN, '--data', d.dir, 'serve'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(child, /Outpost is running/);
  return {
    passwordHash,
    fillSeconds,
    endpoint: { name: 'Outpost', host: '127.0.0.1', port: d.ports.imaps },
    delivery: { port: d.ports.mx, protocol: 'smtp' },
    user: (local) => `${local}@example.test`,
    pids: () => [child.pid!],
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dirname(d.dir), { recursive: true, force: true });
    },
    cert: config.tls.cert,
    key: config.tls.key,
  };
}

/**
 * Fills INBOX through the store API, the path an SMTP delivery takes (`MailStore.deliver`: message, blob, search
 * text, entry), 500 deliveries per turn so the store's group commit writes each batch in one transaction.
 */
async function fillOutpost(store: Store, mailboxId: number, count: number): Promise<void> {
  for (let from = 0; from < count; from += 500) {
    const batch: Array<Promise<unknown>> = [];
    for (let i = from; i < Math.min(count, from + 500); i++) {
      const raw = message(i);
      batch.push(store.deliver({ raw, meta: extractMeta(raw), receivedAt: Date.UTC(2026, 0, 1) + i * 60_000, targets: [{ mailboxId, folder: 'INBOX' }], queue: [] }));
    }
    await Promise.all(batch);
  }
}

/**
 * Fills a Dovecot user's INBOX by writing Maildir files directly (cur/, LF line endings as Dovecot saves them,
 * S= and W= sizes in the name so it need not stat or count): Dovecot indexes them when the folder is first opened.
 */
export function fillMaildir(home: string, user: string, count: number): void {
  const maildir = join(home, user, 'Maildir');
  for (const d of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, d), { recursive: true });
  const base = Math.floor(Date.UTC(2026, 0, 1) / 1000);
  for (let i = 0; i < count; i++) {
    const crlf = message(i);
    const lf = Buffer.from(crlf.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    const file = join(maildir, 'cur', `${base + i}.M${i}P1.bench,S=${lf.length},W=${crlf.length}:2,`);
    writeFileSync(file, lf);
    utimesSync(file, base + i * 60, base + i * 60);
  }
  spawnSync('chown', ['-R', 'nobody:', join(home, user)]);
}

function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<void> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`outpost serve did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`outpost serve exited ${code}: ${out}`)));
  });
}

/**
 * Dovecot 2.3 as its documentation sets it up for many connections: login processes in high-performance mode
 * (`service_count = 0`, one per core), one imap process per connection (its design), limits raised past the
 * connection count. Everything else stays at its defaults (fsync_mode = optimized, no FTS plugin, Maildir).
 */
export async function startDovecot(users: string[], hash: string, certFile: string, keyFile: string, connections: number): Promise<Server & { home: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-dovecot-'));
  chmodSync(dir, 0o755);
  const home = join(dir, 'home');
  mkdirSync(home);
  chownSync(home, id('-u', 'nobody'), id('-g', 'nobody'));
  const [imaps, lmtp] = [await freePort(), await freePort()];
  const conf = join(dir, 'dovecot.conf');
  const check = spawnSync('doveadm', ['pw', '-t', `{ARGON2ID}${hash}`, '-p', PASSWORD], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`Dovecot does not accept the ARGON2ID hash: ${check.stderr}`);
  writeFileSync(join(dir, 'passwd'), users.map((u) => `${u}:{ARGON2ID}${hash}::::::\n`).join(''));
  const limit = connections + 500;
  writeFileSync(
    conf,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/log
info_log_path = ${dir}/log
protocols = imap lmtp
listen = 127.0.0.1
ssl = required
ssl_cert = <${certFile}
ssl_key = <${keyFile}
auth_mechanisms = plain
auth_username_format = %Ln
mail_location = maildir:~/Maildir
mail_uid = nobody
mail_gid = ${spawnSync('id', ['-gn', 'nobody'], { encoding: 'utf8' }).stdout.trim()}
first_valid_uid = 1
default_login_user = dovenull
default_internal_user = dovecot
mail_max_userip_connections = 20
default_client_limit = ${limit * 3}
passdb {
  driver = passwd-file
  args = ${dir}/passwd
}
userdb {
  driver = passwd-file
  args = ${dir}/passwd
  default_fields = home=${home}/%u
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${imaps}
  }
  service_count = 0
  process_min_avail = 2
  process_limit = 4
  client_limit = ${limit}
  vsz_limit = 1G
}
service imap {
  process_limit = ${limit}
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtp}
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 0
  }
}
`,
  );
  const started = spawnSync('dovecot', ['-c', conf], { stdio: 'ignore' });
  if (started.status !== 0) throw new Error(`dovecot did not start: ${readLog(dir)}`);
  await waitForPort(imaps);
  await waitForPort(lmtp);
  const master = await masterPid(join(dir, 'run', 'master.pid'));
  return {
    home,
    endpoint: { name: 'Dovecot', host: '127.0.0.1', port: imaps },
    delivery: { port: lmtp, protocol: 'lmtp' },
    user: (local) => local,
    pids: () => [master, ...descendants(master)],
    stop: async () => {
      spawnSync('doveadm', ['-c', conf, 'stop'], { stdio: 'ignore' });
      for (let i = 0; i < 100 && existsSync(`/proc/${master}`); i++) await new Promise((r) => setTimeout(r, 100));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Dovecot writes master.pid once its listeners are up; wait for it. */
async function masterPid(file: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    if (existsSync(file)) {
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid > 0) return pid;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${file}`);
}

function id(flag: string, name: string): number {
  return Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
}

/** Every process below `root`, from /proc/PID/stat's parent field. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(Number(e));
    } catch {
      // the process ended while we read
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

/** Proportional set size in KiB summed over processes (/proc/PID/smaps_rollup). */
export function pssKiB(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
      total += Number(m?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return total;
}

async function waitForPort(port: number, ms = 15_000): Promise<void> {
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
    if (Date.now() > until) throw new Error(`nothing listens on ${port}`);
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
