/**
 * The DNS seam of Outpost: every lookup (MX routing, SPF/DKIM/DMARC, reverse DNS, the network doctor) goes
 * through an injected {@link Resolver}, never through the machine's resolver, so tests can point it at a
 * loopback server and production at the servers named in `[dns] servers`.
 *
 * RFC 1035 §4.1.1 (RCODEs: NXDOMAIN is "name error", SERVFAIL "server failure"), RFC 2308 §2.2 (NODATA: the
 * name exists but has no record of the type asked), RFC 5321 §5.1 (implicit MX: only a domain that exists and
 * has no MX falls back to its address records, so NODATA and NXDOMAIN must stay apart), RFC 7505 (null MX).
 */
import { ipFromReverseName } from './reverse-name.js';

/**
 * Why a lookup failed. NXDOMAIN and NODATA are answers (the domain does not exist / has no such record);
 * the others mean no answer was had and the lookup may work later.
 */
export type DnsErrorCode = 'NXDOMAIN' | 'NODATA' | 'SERVFAIL' | 'TIMEOUT' | 'REFUSED' | 'OTHER';

/** A failed lookup, whatever the implementation behind the {@link Resolver}. */
export class DnsError extends Error {
  readonly code: DnsErrorCode;
  /** The name (or, for {@link Resolver.reverse}, the IP address) that was looked up. */
  readonly hostname: string;
  /** The record type asked for: `MX`, `TXT`, `A`, `AAAA`, `CNAME`, `SRV` or `PTR`. */
  readonly rrtype: string;
  /**
   * Whether asking again later may give an answer (RFC 5321 §4.5.4.1: a temporary failure of the lookup
   * defers the mail instead of bouncing it). NXDOMAIN and NODATA are definite answers.
   */
  readonly temporary: boolean;

  constructor(code: DnsErrorCode, hostname: string, rrtype: string, options?: { cause?: unknown }) {
    super(`${rrtype} lookup of ${hostname} failed: ${describe(code)}`, options);
    this.name = 'DnsError';
    this.code = code;
    this.hostname = hostname;
    this.rrtype = rrtype;
    this.temporary = code !== 'NXDOMAIN' && code !== 'NODATA';
  }
}

export function isDnsError(e: unknown): e is DnsError {
  return e instanceof DnsError;
}

function describe(code: DnsErrorCode): string {
  switch (code) {
    case 'NXDOMAIN':
      return 'the domain does not exist (NXDOMAIN)';
    case 'NODATA':
      return 'the domain has no record of this type (NODATA)';
    case 'SERVFAIL':
      return 'the DNS server failed (SERVFAIL)';
    case 'TIMEOUT':
      return 'no answer from the DNS servers (timeout)';
    case 'REFUSED':
      return 'the DNS server refused the query (REFUSED)';
    case 'OTHER':
      return 'unexpected DNS error';
  }
}

/** RFC 1035 §3.3.9. A null MX (RFC 7505) has an empty `exchange` (the root name). */
export interface MxRecord {
  exchange: string;
  priority: number;
}

/** RFC 2782. `name` is the target host. */
export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/**
 * DNS lookups as Outpost needs them. Each method resolves to the records found (in the order the server sent
 * them, never empty) or rejects with a {@link DnsError}; names are given without a trailing dot.
 */
export interface Resolver {
  resolveMx(name: string): Promise<MxRecord[]>;
  /** Each record is its list of character-strings (RFC 1035 §3.3.14); join them to get the text. */
  resolveTxt(name: string): Promise<string[][]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  resolveCname(name: string): Promise<string[]>;
  resolveSrv(name: string): Promise<SrvRecord[]>;
  /** PTR names of an IPv4 or IPv6 address, looked up under in-addr.arpa / ip6.arpa (RFC 1035 §3.5, RFC 3596 §2.5). */
  reverse(ip: string): Promise<string[]>;
}

/**
 * RFC 7505 §3: a domain that publishes a single MX whose exchange is the root ("." — node reports it as an
 * empty string) accepts no mail at all; a sender must bounce at once instead of falling back to the domain's
 * address records. The preference is 0 by the RFC, but any value means the same: "." is never a host.
 */
export function isNullMx(records: readonly MxRecord[]): boolean {
  const only = records.length === 1 ? records[0] : undefined;
  return only !== undefined && (only.exchange === '' || only.exchange === '.');
}

/** What mailauth takes as `opts.resolver`: node's `dns.promises.resolve(name, rrtype)`. */
export type MailauthResolver = (name: string, rrtype: string) => Promise<unknown>;

/**
 * Node's error codes for ours. mailauth reads `err.code`: ENOTFOUND and ENODATA give SPF "none" / no DKIM
 * key (RFC 7208 §4.3, RFC 6376 §6.1.2), anything else "temperror".
 */
const NODE_CODES: Readonly<Record<DnsErrorCode, string>> = {
  NXDOMAIN: 'ENOTFOUND',
  NODATA: 'ENODATA',
  SERVFAIL: 'ESERVFAIL',
  TIMEOUT: 'ETIMEOUT',
  REFUSED: 'EREFUSED',
  OTHER: 'EBADRESP',
};

/**
 * Adapts a {@link Resolver} to mailauth: results shaped like node's `dns.promises.resolve` for TXT, MX, A,
 * AAAA, CNAME, SRV and PTR, errors carrying node's `code`, `syscall` and `hostname`. PTR takes a full
 * in-addr.arpa / ip6.arpa name, as node's does; other types fail with ENOTIMP.
 */
export function mailauthResolver(r: Resolver): MailauthResolver {
  return async (name, rrtype) => {
    const type = rrtype.toUpperCase();
    try {
      switch (type) {
        case 'TXT':
          return await r.resolveTxt(name);
        case 'MX':
          return await r.resolveMx(name);
        case 'A':
          return await r.resolve4(name);
        case 'AAAA':
          return await r.resolve6(name);
        case 'CNAME':
          return await r.resolveCname(name);
        case 'SRV':
          return await r.resolveSrv(name);
        case 'PTR':
          return await resolvePtrName(r, name);
        default:
          throw nodeStyleError('ENOTIMP', type, name, `record type ${type} is not supported`);
      }
    } catch (e) {
      if (!isDnsError(e)) throw e;
      throw nodeStyleError(nodeCode(e), type, name, e.message, e);
    }
  };
}

async function resolvePtrName(r: Resolver, name: string): Promise<string[]> {
  const ip = ipFromReverseName(name);
  if (ip === undefined)
    throw nodeStyleError('ENOTIMP', 'PTR', name, 'PTR is only looked up under in-addr.arpa / ip6.arpa');
  return r.reverse(ip);
}

function nodeCode(e: DnsError): string {
  const causeCode = (e.cause as { code?: unknown } | undefined)?.code;
  return e.code === 'OTHER' && typeof causeCode === 'string' ? causeCode : NODE_CODES[e.code];
}

/** An Error shaped like node's DNS errors: `queryTxt ENOTFOUND example.test`. */
function nodeStyleError(code: string, type: string, hostname: string, detail: string, cause?: unknown): Error {
  const syscall = `query${type.charAt(0)}${type.slice(1).toLowerCase()}`;
  const error = new Error(`${syscall} ${code} ${hostname}: ${detail}`, { cause });
  return Object.assign(error, { code, syscall, hostname });
}
