/**
 * The real {@link Resolver}: node's c-ares stub resolver, asking only the servers of `[dns] servers`.
 *
 * RFC 1035 §4.1.1 (RCODEs), §4.2.1 (UDP answers over 512 octets come truncated and are asked again over TCP,
 * which c-ares does by itself), §4.2.2 (TCP framing); RFC 2308 §2.2 (NODATA); RFC 5321 §5.1 (MX lookup, implicit
 * MX only when the domain exists); RFC 7505 (null MX).
 *
 * There is deliberately no fallback to the machine's resolver (/etc/resolv.conf): an empty server list is a
 * configuration error. Reverse lookups ask for PTR records under in-addr.arpa / ip6.arpa directly instead of
 * using c-ares' gethostbyaddr, which would read /etc/hosts first.
 */
import { Resolver as NodeResolver } from 'node:dns/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { UserError } from '../lib/errors.js';
import { DnsError, type DnsErrorCode, type Resolver } from './resolver.js';
import { reverseName } from './reverse-name.js';

/** Defaults for {@link ResolverOptions}, each with its reason. */
export const resolverDefaults = {
  /**
   * Time to wait for one answer before asking again. A recursive resolver on the same network answers in
   * milliseconds, and in a few hundred when it must ask the world; 5 s (c-ares' historic default) covers slow
   * authoritative servers without holding an SMTP client past its own patience (RFC 5321 §4.5.3.2).
   */
  timeoutMs: 5_000,
  /** Attempts per server: one retry rides out a lost UDP datagram; more only delays the temporary failure. */
  tries: 2,
} as const;

export interface ResolverOptions {
  /** `ip`, `ip:port` or `[ipv6]:port`, asked in order (`[dns] servers`). Must not be empty. */
  readonly servers: readonly string[];
  /**
   * Time to wait for the first attempt, in milliseconds. c-ares doubles it for each retry and never waits much
   * less than 250 ms, so a lookup that gets no answer takes at least timeoutMs × (2^tries − 1) per server.
   */
  readonly timeoutMs?: number;
  /** Attempts per server; every server is tried before the lookup fails with TIMEOUT. */
  readonly tries?: number;
}

/** Node's DNS error codes (node:dns `NOTFOUND`, `NODATA`, …) mapped to ours; anything else is OTHER. */
const FROM_NODE_CODE: Readonly<Record<string, DnsErrorCode>> = {
  ENOTFOUND: 'NXDOMAIN',
  ENODATA: 'NODATA',
  ESERVFAIL: 'SERVFAIL',
  ETIMEOUT: 'TIMEOUT',
  EREFUSED: 'REFUSED',
};

/** A {@link Resolver} that asks the given DNS servers and nothing else. */
export function createResolver(opts: ResolverOptions): Resolver {
  const servers = checkServers(opts.servers);
  const node = new NodeResolver({
    timeout: opts.timeoutMs ?? resolverDefaults.timeoutMs,
    tries: opts.tries ?? resolverDefaults.tries,
  });
  node.setServers(servers);

  /**
   * Runs one query, turning node's errors into {@link DnsError}. Node answers a CNAME that leads to a name
   * without the type with an empty list; that is NODATA too (RFC 2308 §2.2), so callers never see `[]`.
   */
  async function query<T>(hostname: string, rrtype: string, run: () => Promise<T[]>): Promise<T[]> {
    let records: T[];
    try {
      records = await run();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      throw new DnsError((typeof code === 'string' && FROM_NODE_CODE[code]) || 'OTHER', hostname, rrtype, { cause: e });
    }
    if (records.length === 0) throw new DnsError('NODATA', hostname, rrtype);
    return records;
  }

  return {
    resolveMx: (name) => query(name, 'MX', () => node.resolveMx(name)),
    resolveTxt: (name) => query(name, 'TXT', () => node.resolveTxt(name)),
    resolve4: (name) => query(name, 'A', () => node.resolve4(name)),
    resolve6: (name) => query(name, 'AAAA', () => node.resolve6(name)),
    resolveCname: (name) => query(name, 'CNAME', () => node.resolveCname(name)),
    resolveSrv: (name) => query(name, 'SRV', () => node.resolveSrv(name)),
    reverse: async (ip) => {
      const name = reverseName(ip);
      return query(ip, 'PTR', () => node.resolvePtr(name));
    },
  };
}

/** Validates `[dns] servers`, with an error that names the bad entry. */
function checkServers(servers: readonly string[]): string[] {
  if (servers.length === 0)
    throw new UserError(
      'invalid',
      'no DNS servers configured: set [dns] servers, e.g. ["127.0.0.1:53"] ' +
        '(Outpost never falls back to the system resolver)',
    );
  for (const server of servers) {
    if (!isServerAddress(server))
      throw new UserError(
        'invalid',
        `[dns] servers: ${JSON.stringify(server)} is not an IP address with an optional port, ` +
          'like "127.0.0.1", "127.0.0.1:5353", "::1" or "[::1]:5353"',
      );
  }
  return [...servers];
}

/** `ip`, `ipv4:port`, `[ipv6]` or `[ipv6]:port`: the forms node's `setServers` takes. */
function isServerAddress(server: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(server);
  if (bracketed) return isIPv6(bracketed[1] ?? '') && isPort(bracketed[2]);
  if (isIPv4(server) || isIPv6(server)) return true;
  const withPort = /^([\d.]+):(\d{1,5})$/.exec(server);
  return withPort !== null && isIPv4(withPort[1] ?? '') && isPort(withPort[2]);
}

function isPort(text: string | undefined): boolean {
  return text === undefined || (Number(text) >= 1 && Number(text) <= 65535);
}
