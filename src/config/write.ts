/** The outpost.toml that `outpost init` writes: every listener on, commented, valid against the schema. */
import { EMBEDDED_PORTS, LISTENER_ROLES, STANDARD_PORTS } from './schema.js';

export interface InitOptions {
  hostname: string;
  domain: string;
  standardPorts: boolean;
  /** Resolver servers; omitted = the system's (resolv.conf) at start-up. */
  dnsServers?: string[];
  /** Override single listen addresses (tests use port numbers they picked). */
  listen?: Partial<Record<(typeof LISTENER_ROLES)[number], string>>;
}

export function initialConfigText(o: InitOptions): string {
  const host = o.standardPorts ? '0.0.0.0' : '127.0.0.1';
  const ports = o.standardPorts ? STANDARD_PORTS : EMBEDDED_PORTS;
  const listen = LISTENER_ROLES.map((role) => `${role.padEnd(11)} = "${o.listen?.[role] ?? `${host}:${ports[role]}`}"`).join('\n');
  const dns = o.dnsServers
    ? `servers = [${o.dnsServers.map((s) => JSON.stringify(s)).join(', ')}]`
    : '# servers = ["127.0.0.1:53"]   # default: the nameservers in /etc/resolv.conf';
  return `# Outpost configuration. Every key is documented in docs/CONFIG.md.
# Changes to this file take effect when Outpost restarts; accounts and domains change live through the CLI.

[server]
hostname = ${JSON.stringify(o.hostname)}
domain = ${JSON.stringify(o.domain)}

[listen]
# "host:port" or an array of them; remove a line to turn that listener off.
${listen}

[public]
# What clients are told. Defaults: [server] hostname and each listener's port.
# hostname = "mail.example.com"
# submission = 587

[tls]
cert = "tls/cert.pem"
key = "tls/key.pem"

[dns]
${dns}

[store]
kind = "sqlite"
path = "outpost.db"

[accounts]
default_allowance = 5
default_quota = "1G"

[log]
level = "info"
`;
}
