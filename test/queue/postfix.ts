/**
 * A private Postfix instance on loopback (its own config, queue and mail directories), as a real remote MX: it
 * accepts mail for `remote.test` over STARTTLS (its own self-signed certificate for mx.remote.test) into a maildir,
 * and can relay mail for another domain to a given host:port (to test Outpost's MX with a real sender).
 * Never touches DNS: `disable_dns_lookups`, transport to IP literals.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PostfixInstance {
  dir: string;
  port: number;
  /** PEM of its certificate (for tests that require a valid one). */
  cert: string;
  /** Messages delivered to bob@remote.test (any local part lands in the one maildir), raw. */
  delivered(): string[];
  log(): string;
  stop(): void;
}

function ids(user: string): { uid: number; gid: number } {
  return { uid: Number(execFileSync('id', ['-u', user]).toString()), gid: Number(execFileSync('id', ['-g', user]).toString()) };
}

export function startPostfix(opts: { port: number; relay?: { domain: string; host: string; port: number } }): PostfixInstance {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-postfix-'));
  chmodSync(dir, 0o755); // Postfix daemons drop privileges and must reach their queue directory
  const etc = join(dir, 'etc');
  const mail = join(dir, 'mail');
  mkdirSync(etc);
  mkdirSync(mail);
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'spool'));
  const pf = ids('postfix');
  chownSync(mail, pf.uid, pf.gid);
  chownSync(join(dir, 'data'), pf.uid, pf.gid);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=mx.remote.test', '-addext', 'subjectAltName=DNS:mx.remote.test',
    '-days', '2', '-keyout', join(etc, 'key.pem'), '-out', join(etc, 'cert.pem'),
  ], { stdio: 'ignore' });
  // Debian's master.cf with the smtpd listener on our port and no chroot (the instance lives in a temp dir).
  const master = readFileSync('/etc/postfix/master.cf', 'utf8')
    .replace(/^smtp(\s+)inet(\s+)(\S+)(\s+)(\S+)(\s+)(\S+)/m, `127.0.0.1:${opts.port}$1inet$2$3$4$5$6n`)
    .replace(/^(\S+\s+(?:unix|unix-dgram|inet|fifo|pass)\s+\S+\s+\S+\s+)y(\s)/gm, '$1n$2');
  writeFileSync(join(etc, 'master.cf'), master);
  const relay = opts.relay;
  writeFileSync(
    join(etc, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${join(dir, 'spool')}`,
      `data_directory = ${join(dir, 'data')}`,
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      'myhostname = mx.remote.test',
      'mydestination =',
      'mynetworks = 127.0.0.0/8',
      'smtpd_peername_lookup = no',
      'disable_dns_lookups = yes',
      'smtp_host_lookup = native',
      `maillog_file = ${join(dir, 'postfix.log')}`,
      `maillog_file_prefixes = ${dir}`,
      'alias_maps =',
      'alias_database =',
      'virtual_mailbox_domains = remote.test',
      `virtual_mailbox_base = ${mail}`,
      'virtual_mailbox_maps = static:bob/',
      `virtual_uid_maps = static:${pf.uid}`,
      `virtual_gid_maps = static:${pf.gid}`,
      'smtpd_tls_security_level = may',
      `smtpd_tls_cert_file = ${join(etc, 'cert.pem')}`,
      `smtpd_tls_key_file = ${join(etc, 'key.pem')}`,
      'smtpd_tls_received_header = yes',
      'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination',
      'smtp_tls_security_level = may',
      ...(relay ? [`relay_domains = ${relay.domain}`, `transport_maps = inline:{ ${relay.domain}=smtp:[${relay.host}]:${relay.port} }`] : []),
      '',
    ].join('\n'),
  );
  execFileSync('postfix', ['-c', etc, 'start'], { stdio: 'ignore' });
  return {
    dir,
    port: opts.port,
    cert: readFileSync(join(etc, 'cert.pem'), 'utf8'),
    delivered() {
      const d = join(mail, 'bob', 'new');
      if (!existsSync(d)) return [];
      return readdirSync(d)
        .sort()
        .map((f) => readFileSync(join(d, f), 'utf8'));
    },
    log: () => (existsSync(join(dir, 'postfix.log')) ? readFileSync(join(dir, 'postfix.log'), 'utf8') : ''),
    stop() {
      try {
        execFileSync('postfix', ['-c', etc, 'stop'], { stdio: 'ignore' });
      } catch {
        /* not running */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value (or throws after `timeoutMs`). */
export async function waitFor<T>(what: string, check: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
