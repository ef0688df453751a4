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
import type { Network } from './networks.js';
import { LISTENER_ROLES, type ListenerRole, SCHEMA } from './schema.js';
import { type ListenAddress, ValueProblem, parseValue } from './values.js';

export const CONFIG_FILE = 'outpost.toml';

export interface Config {
  dataDir: string;
  file: string;
  server: { hostname: string; domain: string };
  listen: Partial<Record<ListenerRole, ListenAddress[]>>;
  public: { hostname: string; ports: Partial<Record<ListenerRole, number>> };
  tls: { cert: string; key: string };
  dns: { servers: string[]; timeoutMs: number; tries: number };
  store: { kind: 'sqlite'; path: string };
  accounts: { defaultAllowance: number; defaultQuotaBytes: number; passwordMinLength: number };
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' };
  smtp: SmtpConfig;
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
      const field = spec.fields[key];
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
  return {
    dataDir: resolve(dataDir),
    file,
    server: { hostname, domain },
    listen,
    public: { hostname: get('public', 'hostname', hostname), ports },
    tls: { cert: path(get('tls', 'cert', 'tls/cert.pem')), key: path(get('tls', 'key', 'tls/key.pem')) },
    dns: { servers: get('dns', 'servers', systemResolvers()), timeoutMs: get('dns', 'timeout_ms', 5000), tries: get('dns', 'tries', 2) },
    store: { kind: 'sqlite', path: path(get('store', 'path', 'outpost.db')) },
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
