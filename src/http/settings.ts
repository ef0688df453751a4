/**
 * One person's client settings, from `[public]` only: every page, profile and discovery answer reads them from here,
 * so what clients are told never differs between channels. Implicit TLS first (RFC 8314 §3.3 and §4.1: preferred),
 * the STARTTLS ports as alternatives, username = the full address.
 */
import type { Config } from '../config/load.js';
import type { ListenerRole } from '../config/schema.js';

export type Security = 'SSL/TLS' | 'STARTTLS';

export interface ServerSetting {
  role: ListenerRole;
  kind: 'imap' | 'pop3' | 'smtp';
  host: string;
  port: number;
  security: Security;
}

export interface ClientSettings {
  address: string;
  domain: string;
  host: string;
  /** Preferred first. */
  incoming: ServerSetting[];
  /** Preferred first. */
  outgoing: ServerSetting[];
  imap: ServerSetting | undefined;
  pop3: ServerSetting | undefined;
  smtp: ServerSetting | undefined;
}

const ORDER: Array<{ role: ListenerRole; kind: ServerSetting['kind']; security: Security }> = [
  { role: 'imaps', kind: 'imap', security: 'SSL/TLS' },
  { role: 'imap', kind: 'imap', security: 'STARTTLS' },
  { role: 'pop3s', kind: 'pop3', security: 'SSL/TLS' },
  { role: 'pop3', kind: 'pop3', security: 'STARTTLS' },
  { role: 'submissions', kind: 'smtp', security: 'SSL/TLS' },
  { role: 'submission', kind: 'smtp', security: 'STARTTLS' },
  { role: 'submission_fallback', kind: 'smtp', security: 'STARTTLS' },
];

export function clientSettings(config: Config, address: string, domain: string): ClientSettings {
  const host = config.public.hostname;
  const all: ServerSetting[] = [];
  for (const o of ORDER) {
    const port = config.public.ports[o.role];
    if (port !== undefined) all.push({ ...o, host, port });
  }
  const incoming = all.filter((s) => s.kind !== 'smtp');
  const outgoing = all.filter((s) => s.kind === 'smtp');
  return {
    address,
    domain,
    host,
    incoming,
    outgoing,
    imap: incoming.find((s) => s.kind === 'imap'),
    pop3: incoming.find((s) => s.kind === 'pop3'),
    smtp: outgoing[0],
  };
}

/** The public HTTPS origin, e.g. `https://mail.example.com` (the port only when it is not 443). */
export function httpsOrigin(config: Config, host = config.public.hostname): string {
  const port = config.public.ports.https ?? 443;
  return port === 443 ? `https://${host}` : `https://${host}:${port}`;
}
