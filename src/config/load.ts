/**
 * Loading outpost.toml: parse, reject unknown sections and keys (with a "did you mean"), validate every value
 * against the schema, fill defaults, resolve paths against the data directory. Any problem stops start-up with a
 * message naming the key, the bad value and the fix.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { UserError } from '../lib/errors.js';
import { accountLimits, smtpLimits, smtpServerLimits } from '../lib/limits.js';
import type { Network } from '../lib/cidr.js';
import { normaliseDomain } from '../mail/address.js';
import { LISTENER_ROLES, type ListenerRole, SCHEMA } from './schema.js';
import { type ListenAddress, type Route, ValueProblem, parseValue } from './values.js';

export const CONFIG_FILE = 'outpost.toml';

export interface Config {
  dataDir: string;
  file: string;
  server: { hostname: string; domain: string };
  listen: Partial<Record<ListenerRole, ListenAddress[]>>;
  public: { hostname: string; ports: Partial<Record<ListenerRole, number>> };
  tls: { cert: string; key: string };
  dns: { servers: string[]; timeoutMs: number; tries: number };
  /** `url` is set exactly when `kind` is `postgres`. */
  store: { kind: 'sqlite' | 'postgres'; path: string; url: string | null };
  accounts: { defaultAllowance: number; defaultQuotaBytes: number; passwordMinLength: number };
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' };
  smtp: SmtpConfig;
  queue: QueueConfig;
  /** `[routes]`: domain (lower-case ASCII) → route. */
  routes: Record<string, Route>;
  smarthost: SmarthostConfig | null;
  inbound: InboundConfig;
  pop3: { expire: 'NEVER' | number; loginDelaySeconds: number };
  /** `[echo]`: the local part of every hosted domain's echo address; null = off (issue 12). */
  echo: { localPart: string | null };
  /** `[check]`: what `outpost check` probes (issue 12). */
  check: { probeHost: string | null };
  acme: AcmeConfig;
}

/** `[acme]`: certificates from an ACME CA (issue 10). Durations in milliseconds. */
export interface AcmeConfig {
  enabled: boolean;
  directoryUrl: string;
  contact: string | null;
  caFile: string | null;
  challenge: 'http-01' | 'tls-alpn-01';
  renewBeforeDays: number;
  checkIntervalMs: number;
  retryFirstMs: number;
  retryMaxMs: number;
  /** Seals private keys in the store. */
  secretFile: string;
}

/** `[inbound]`: checks on mail arriving at the MX (issue 4). */
export interface InboundConfig {
  enabled: boolean;
  dmarcReject: 'reject' | 'junk' | 'ignore';
  dmarcQuarantine: 'junk' | 'ignore';
  blocklists: string[];
  blocklistAction: 'reject' | 'score';
  junkScore: number;
  rejectScore: number;
}

/** `[queue]`: outbound delivery (issue 8). Durations in milliseconds. */
export interface QueueConfig {
  retryFirstMs: number;
  retryMaxMs: number;
  giveUpAfterMs: number;
  /** 0 = never. */
  delayNoticeAfterMs: number;
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  commandTimeoutMs: number;
  concurrency: number;
  concurrencyPerDomain: number;
  pollIntervalMs: number;
  smtpPort: number;
  requireValidCert: string[];
  tlsCaFile: string | null;
  mtaSts: boolean;
  /** RFC 8461 §3.3: the HTTPS port of `mta-sts.<domain>` (443; other values only on test networks). */
  mtaStsPort: number;
}

/** `[smarthost]`: relay through another server with AUTH. */
export interface SmarthostConfig {
  host: string;
  port: number;
  security: 'tls' | 'starttls';
  username: string | null;
  /** Read from `password_file` at start-up. */
  password: string | null;
  allMail: boolean;
}

/** `[smtp]`: the MX and submission servers. */
export interface SmtpConfig {
  maxMessageOctets: number;
  maxRecipients: number;
  greetingDelayMs: number;
  /** 0 = unlimited. */
  messagesPerHour: number;
  /** 0 = unlimited. */
  recipientsPerDay: number;
  bareLineEndings: 'normalise' | 'reject';
  maxReceivedHeaders: number;
  connectionsPerIp: number;
  trustedNetworks: Network[];
  trustedRelayPerHour: number;
}

export class ConfigError extends UserError {
  constructor(file: string, message: string) {
    super('config', `${file}: ${message}`);
  }
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function suggestion(word: string, options: string[]): string {
  const best = options.map((o) => ({ o, d: distance(word, o) })).sort((x, y) => x.d - y.d)[0];
  const hint = best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? ` Did you mean "${best.o}"?` : '';
  return `${hint} Valid: ${options.join(', ')}.`;
}

/** Reads the nameservers of /etc/resolv.conf: the default for [dns] servers when none are configured. */
function systemResolvers(): string[] {
  try {
    const servers = readFileSync('/etc/resolv.conf', 'utf8')
      .split('\n')
      .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
      .filter((s): s is string => !!s);
    return servers.length ? servers : ['127.0.0.1'];
  } catch {
    return ['127.0.0.1'];
  }
}

/** Validates parsed TOML; exported so tests and `outpost init` can check text without a file. */
export function buildConfig(raw: Record<string, unknown>, dataDir: string, file = CONFIG_FILE): Config {
  const values: Record<string, Record<string, unknown>> = {};
  for (const [section, body] of Object.entries(raw)) {
    const spec = SCHEMA[section];
    if (!spec) throw new ConfigError(file, `unknown section [${section}].${suggestion(section, Object.keys(SCHEMA))}`);
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new ConfigError(file, `${section} must be a section ([${section}]), not a value`);
    values[section] = {};
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      const field = spec.fields[key] ?? spec.entries;
      if (!field) throw new ConfigError(file, `unknown key "${key}" in [${section}].${suggestion(key, Object.keys(spec.fields))}`);
      try {
        values[section]![key] = parseValue(field, value);
      } catch (e) {
        if (!(e instanceof ValueProblem)) throw e;
        const shown = typeof value === 'object' ? JSON.stringify(value) : JSON.stringify(value);
        throw new ConfigError(file, `[${section}] ${key} = ${shown} is not valid: ${e.message}. Fix: write it like ${key} = ${field.example}`);
      }
    }
  }
  const get = <T>(section: string, key: string, fallback: T): T => (values[section]?.[key] as T | undefined) ?? fallback;
  const hostname = get<string | undefined>('server', 'hostname', undefined);
  const domain = get<string | undefined>('server', 'domain', undefined);
  if (!hostname) throw new ConfigError(file, `[server] hostname is missing. Fix: add hostname = ${SCHEMA.server!.fields.hostname!.example} under [server]`);
  if (!domain) throw new ConfigError(file, `[server] domain is missing. Fix: add domain = ${SCHEMA.server!.fields.domain!.example} under [server]`);

  const listen: Config['listen'] = {};
  const ports: Config['public']['ports'] = {};
  for (const role of LISTENER_ROLES) {
    const addrs = values.listen?.[role] as ListenAddress[] | undefined;
    if (addrs) listen[role] = addrs;
    const p = (values.public?.[role] as number | undefined) ?? addrs?.[0]?.port;
    if (p !== undefined) ports[role] = p;
  }
  const seen = new Map<string, string>();
  for (const [role, addrs] of Object.entries(listen))
    for (const a of addrs) {
      const k = `${a.host}:${a.port}`;
      if (seen.has(k)) throw new ConfigError(file, `[listen] ${role} and ${seen.get(k)} both use ${k}. Fix: give each listener its own port`);
      seen.set(k, role);
    }
  const path = (p: string) => (isAbsolute(p) ? p : join(dataDir, p));
  const routes: Record<string, Route> = {};
  for (const [d, r] of Object.entries(values.routes ?? {})) {
    const domain = normaliseDomain(d);
    if ('problem' in domain) throw new ConfigError(file, `[routes] "${d}" is not a domain: ${domain.problem}`);
    routes[domain.domain] = r as Route;
  }
  const smarthost = smarthostConfig(values.smarthost ?? {}, path, file);
  if (!smarthost && Object.values(routes).some((r) => r.kind === 'smarthost'))
    throw new ConfigError(file, '[routes] sends a domain to "smarthost" but [smarthost] has no host. Fix: add host = "smtp.provider.example" under [smarthost]');
  return {
    dataDir: resolve(dataDir),
    file,
    server: { hostname, domain },
    listen,
    public: { hostname: get('public', 'hostname', hostname), ports },
    tls: { cert: path(get('tls', 'cert', 'tls/cert.pem')), key: path(get('tls', 'key', 'tls/key.pem')) },
    dns: { servers: get('dns', 'servers', systemResolvers()), timeoutMs: get('dns', 'timeout_ms', 5000), tries: get('dns', 'tries', 2) },
    store: storeConfig(get('store', 'kind', 'sqlite'), path(get('store', 'path', 'outpost.db')), get<string | null>('store', 'url', null), file),
    accounts: {
      defaultAllowance: get('accounts', 'default_allowance', accountLimits.defaultAllowance),
      defaultQuotaBytes: get('accounts', 'default_quota', accountLimits.defaultQuotaBytes),
      passwordMinLength: get('accounts', 'password_min_length', accountLimits.passwordMinLength),
    },
    log: { level: get('log', 'level', 'info') },
    smtp: {
      maxMessageOctets: get('smtp', 'max_message_size', smtpLimits.maxMessageOctets),
      maxRecipients: get('smtp', 'max_recipients', smtpLimits.recipientsPerMessage),
      greetingDelayMs: get('smtp', 'greeting_delay_ms', smtpServerLimits.greetingDelayMs),
      messagesPerHour: get('smtp', 'messages_per_hour', smtpServerLimits.messagesPerHour),
      recipientsPerDay: get('smtp', 'recipients_per_day', smtpServerLimits.recipientsPerDay),
      bareLineEndings: get('smtp', 'bare_line_endings', 'normalise'),
      maxReceivedHeaders: get('smtp', 'max_received_headers', smtpServerLimits.maxReceivedHeaders),
      connectionsPerIp: get('smtp', 'connections_per_ip', smtpServerLimits.connectionsPerIp),
      trustedNetworks: get('smtp', 'trusted_networks', [] as Network[]),
      trustedRelayPerHour: get('smtp', 'trusted_relay_per_hour', smtpServerLimits.trustedRelayPerHour),
    },
    queue: {
      retryFirstMs: get('queue', 'retry_first', queueDefaults.retryFirstMs),
      retryMaxMs: get('queue', 'retry_max', queueDefaults.retryMaxMs),
      giveUpAfterMs: get('queue', 'give_up_after', queueDefaults.giveUpAfterMs),
      delayNoticeAfterMs: get('queue', 'delay_notice_after', queueDefaults.delayNoticeAfterMs),
      connectTimeoutMs: get('queue', 'connect_timeout', queueDefaults.connectTimeoutMs),
      greetingTimeoutMs: get('queue', 'greeting_timeout', queueDefaults.greetingTimeoutMs),
      commandTimeoutMs: get('queue', 'command_timeout', queueDefaults.commandTimeoutMs),
      concurrency: get('queue', 'concurrency', queueDefaults.concurrency),
      concurrencyPerDomain: get('queue', 'concurrency_per_domain', queueDefaults.concurrencyPerDomain),
      pollIntervalMs: get('queue', 'poll_interval', queueDefaults.pollIntervalMs),
      smtpPort: get('queue', 'smtp_port', 25),
      requireValidCert: get('queue', 'require_valid_cert', [] as string[]),
      tlsCaFile: ((p: string | undefined) => (p ? path(p) : null))(get<string | undefined>('queue', 'tls_ca_file', undefined)),
      mtaSts: get('queue', 'mta_sts', true),
      mtaStsPort: get('queue', 'mta_sts_port', 443),
    },
    routes,
    smarthost,
    echo: { localPart: get('echo', 'local_part', 'echo').toLowerCase() || null },
    check: { probeHost: get<string | null>('check', 'probe_host', null) },
    pop3: {
      expire: pop3Expire(get('pop3', 'expire', 'NEVER'), file),
      loginDelaySeconds: get('pop3', 'login_delay', 0),
    },
    acme: {
      enabled: get('acme', 'enabled', false),
      directoryUrl: get('acme', 'directory_url', 'https://acme-v02.api.letsencrypt.org/directory'),
      contact: get<string | null>('acme', 'contact', null),
      caFile: ((p: string | undefined) => (p ? path(p) : null))(get<string | undefined>('acme', 'ca_file', undefined)),
      challenge: get('acme', 'challenge', 'http-01'),
      renewBeforeDays: get('acme', 'renew_before_days', 30),
      checkIntervalMs: get('acme', 'check_interval', 60_000),
      retryFirstMs: get('acme', 'retry_first', 300_000),
      retryMaxMs: get('acme', 'retry_max', 86_400_000),
      secretFile: path(get('acme', 'secret_file', 'tls/acme-secret.key')),
    },
    inbound: {
      enabled: get('inbound', 'enabled', true),
      dmarcReject: get('inbound', 'dmarc_reject', 'reject'),
      dmarcQuarantine: get('inbound', 'dmarc_quarantine', 'junk'),
      blocklists: get('inbound', 'blocklists', [] as string[]),
      blocklistAction: get('inbound', 'blocklist_action', 'reject'),
      junkScore: get('inbound', 'junk_score', 5),
      rejectScore: get('inbound', 'reject_score', 12),
    },
  };
}

/** `[pop3] expire`: "NEVER" or a whole number of days (RFC 2449 §6.7). */
function pop3Expire(v: string, file: string): 'NEVER' | number {
  if (/^never$/i.test(v)) return 'NEVER';
  if (/^\d{1,4}$/.test(v)) return Number(v);
  throw new ConfigError(file, `[pop3] expire = ${JSON.stringify(v)} is not valid: it must be "NEVER" or a number of days. Fix: write it like expire = "NEVER"`);
}

/** `[queue]` defaults (RFC 5321 §4.5.3.2 timeouts, §4.5.4.1 retry strategy). */
export const queueDefaults = {
  retryFirstMs: 5 * 60_000,
  retryMaxMs: 4 * 3_600_000,
  giveUpAfterMs: 5 * 86_400_000,
  delayNoticeAfterMs: 4 * 3_600_000,
  connectTimeoutMs: 2 * 60_000,
  greetingTimeoutMs: 5 * 60_000,
  commandTimeoutMs: 10 * 60_000,
  concurrency: 20,
  concurrencyPerDomain: 4,
  pollIntervalMs: 2_000,
} as const;

function smarthostConfig(v: Record<string, unknown>, path: (p: string) => string, file: string): SmarthostConfig | null {
  const host = v.host as string | undefined;
  if (!host) {
    if (Object.keys(v).length > 0) throw new ConfigError(file, '[smarthost] has settings but no host. Fix: add host = "smtp.provider.example" under [smarthost]');
    return null;
  }
  const port = (v.port as number | undefined) ?? 587;
  let password: string | null = null;
  if (v.password_file) {
    try {
      password = readFileSync(path(v.password_file as string), 'utf8').split(/\r?\n/)[0] ?? '';
    } catch {
      throw new ConfigError(file, `[smarthost] password_file ${JSON.stringify(v.password_file)} cannot be read. Fix: write the password on the first line of that file`);
    }
  }
  return {
    host,
    port,
    security: (v.security as 'tls' | 'starttls' | undefined) ?? (port === 465 ? 'tls' : 'starttls'),
    username: (v.username as string | undefined) ?? null,
    password,
    allMail: (v.all_mail as boolean | undefined) ?? true,
  };
}

export function parseConfigText(text: string, dataDir: string, file = CONFIG_FILE): Config {
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(file, `is not valid TOML: ${(e as Error).message.split('\n')[0]}`);
  }
  return buildConfig(raw, dataDir, file);
}

/** Loads DATA/outpost.toml. */
export function loadConfig(dataDir: string): Config {
  const file = join(resolve(dataDir), CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(file, 'cannot be read: is this an Outpost data directory? Create one with `outpost init` (or `npm start`)');
  }
  return parseConfigText(text, dataDir, file);
}

/** `[store]`: PostgreSQL needs a postgres:// URL; SQLite ignores `url`. */
function storeConfig(kind: 'sqlite' | 'postgres', path: string, url: string | null, file: string): Config['store'] {
  if (kind === 'sqlite') return { kind, path, url: null };
  if (url === null) throw new ConfigError(file, '[store] kind = "postgres" needs a url. Fix: add url = "postgres://outpost@db.example:5432/outpost" under [store]');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(file, `[store] url ${JSON.stringify(url)} is not a URL. Fix: write it as postgres://user@host:5432/database`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new ConfigError(file, `[store] url must start with postgres:// (got ${parsed.protocol}//). Fix: write it as postgres://user@host:5432/database`);
  return { kind, path, url };
}
