/**
 * Where mail for a domain goes: a static route, the smarthost, or the domain's MX hosts.
 *
 * RFC 5321 §5.1 (MX in preference order, each of their addresses; implicit MX: a domain without MX records but with
 * address records is its own MX; when we find ourselves among the MX hosts, only more preferred ones may be used),
 * RFC 7505 (null MX: the domain accepts no mail, 5.1.10), RFC 5321 §4.5.4.1 (a DNS failure that may be temporary
 * defers the mail), RFC 3463 (5.1.2 bad destination system, 5.4.4 unable to route, 5.4.6 routing loop),
 * RFC 5890 (IDN domains are looked up as A-labels).
 *
 * Every lookup goes through the injected {@link Resolver}.
 */
import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';
import type { Route } from '../config/values.js';
import type { QueueConfig, SmarthostConfig } from '../config/load.js';
import { type Resolver, type MxRecord, isDnsError, isNullMx } from '../dns/resolver.js';
import type { Hop } from './client.js';

/** A decision for a domain: hops to try, or a failure (temporary → retry later, permanent → bounce). */
export type RoutePlan =
  | { kind: 'hops'; hops: Hop[]; via: 'mx' | 'implicit-mx' | 'route' | 'smarthost' }
  | { kind: 'fail'; permanent: boolean; status: string; reason: string };

/** One of our own listeners, for loop detection. */
export interface OwnEndpoint {
  host: string;
  port: number;
}

export interface RouterOptions {
  resolver: Resolver;
  /** Our own host name ([server] hostname): an MX equal to it is us. */
  hostname: string;
  /** Our `mx` listeners: an MX address and port equal to one of them is us. */
  ownMx: readonly OwnEndpoint[];
  /** Addresses of this machine (for listeners on 0.0.0.0 / ::). */
  localAddresses: ReadonlySet<string>;
  queue: Pick<QueueConfig, 'smtpPort' | 'requireValidCert'>;
  routes: Readonly<Record<string, Route>>;
  smarthost: SmarthostConfig | null;
}

const fail = (permanent: boolean, status: string, reason: string): RoutePlan => ({ kind: 'fail', permanent, status, reason });

export class Router {
  readonly #o: RouterOptions;

  constructor(o: RouterOptions) {
    this.#o = o;
  }

  async plan(domainInput: string): Promise<RoutePlan> {
    const domain = domainToASCII(domainInput).toLowerCase() || domainInput.toLowerCase();
    const { routes, smarthost } = this.#o;
    const route = routes[domain];
    if (route?.kind === 'host') return this.#hostRoute(domain, route.host, route.port);
    if (smarthost && (route?.kind === 'smarthost' || smarthost.allMail)) return this.#smarthost(smarthost);
    return this.#mx(domain);
  }

  async #hostRoute(domain: string, host: string, port: number): Promise<RoutePlan> {
    const addresses = await this.#addresses(host);
    if ('fail' in addresses) return addresses.fail;
    const hop: Hop = { name: host, port, addresses: addresses.list, ...this.#security(domain) };
    return this.#withoutLoops([hop], 'route');
  }

  async #smarthost(s: SmarthostConfig): Promise<RoutePlan> {
    const addresses = await this.#addresses(s.host);
    if ('fail' in addresses) return addresses.fail;
    const auth = s.username ? { user: s.username, pass: s.password ?? '' } : null;
    return { kind: 'hops', via: 'smarthost', hops: [{ name: s.host, port: s.port, addresses: addresses.list, security: s.security === 'tls' ? 'implicit' : 'require-valid', auth }] };
  }

  async #mx(domain: string): Promise<RoutePlan> {
    let records: MxRecord[];
    let via: 'mx' | 'implicit-mx' = 'mx';
    try {
      records = await this.#o.resolver.resolveMx(domain);
    } catch (e) {
      if (!isDnsError(e)) throw e;
      if (e.code === 'NXDOMAIN') return fail(true, '5.1.2', `the domain ${domain} does not exist (DNS: NXDOMAIN)`);
      if (e.code !== 'NODATA') return fail(false, '4.4.3', `the MX lookup for ${domain} failed: ${e.message}`);
      records = [{ exchange: domain, priority: 0 }]; // RFC 5321 §5.1: implicit MX
      via = 'implicit-mx';
    }
    if (isNullMx(records)) return fail(true, '5.1.10', `the domain ${domain} accepts no mail (it publishes a null MX, RFC 7505)`);
    let sorted = [...records].filter((r) => r.exchange !== '' && r.exchange !== '.').sort((a, b) => a.priority - b.priority);
    const self = sorted.find((r) => r.exchange.toLowerCase().replace(/\.$/, '') === this.#o.hostname);
    if (self) {
      sorted = sorted.filter((r) => r.priority < self.priority);
      if (sorted.length === 0) return fail(true, '5.4.6', `mail for ${domain} loops back to us: its best MX is our own host name ${this.#o.hostname}`);
    }
    const hops: Hop[] = [];
    let temporary: string | null = null;
    for (const r of sorted) {
      const name = r.exchange.toLowerCase().replace(/\.$/, '');
      const addresses = await this.#addresses(name);
      if ('fail' in addresses) {
        if (!addresses.fail.permanent) temporary = addresses.fail.reason;
        continue;
      }
      hops.push({ name, port: this.#o.queue.smtpPort, addresses: addresses.list, ...this.#security(domain) });
    }
    if (hops.length === 0) {
      if (via === 'implicit-mx' && !temporary) return fail(true, '5.1.2', `the domain ${domain} has no MX and no address records`);
      return temporary ? fail(false, '4.4.3', temporary) : fail(true, '5.4.4', `none of the MX hosts of ${domain} has an address`);
    }
    return this.#withoutLoops(hops, via);
  }

  /** Drops addresses that are our own MX listeners; nothing left is a loop (5.4.6). */
  #withoutLoops(hops: Hop[], via: 'mx' | 'implicit-mx' | 'route'): RoutePlan {
    const kept = hops
      .map((h) => ({ ...h, addresses: h.addresses.filter((a) => !this.#isOwnMx(a, h.port)) }))
      .filter((h) => h.addresses.length > 0);
    if (kept.length === 0)
      return fail(true, '5.4.6', `mail for this domain loops back to us: ${hops.map((h) => `${h.name}:${h.port}`).join(', ')} is our own MX listener`);
    return { kind: 'hops', hops: kept, via };
  }

  #isOwnMx(address: string, port: number): boolean {
    return this.#o.ownMx.some((l) => {
      if (l.port !== port) return false;
      if (l.host === address) return true;
      const any = l.host === '0.0.0.0' || l.host === '::';
      return any && (this.#o.localAddresses.has(address) || address.startsWith('127.') || address === '::1');
    });
  }

  #security(domain: string): Pick<Hop, 'security' | 'requiredBy'> {
    return this.#o.queue.requireValidCert.includes(domain)
      ? { security: 'require-valid', requiredBy: `[queue] require_valid_cert for ${domain}` }
      : { security: 'opportunistic' };
  }

  /** A host's IPv4 then IPv6 addresses; a host given as an IP literal is itself. */
  async #addresses(host: string): Promise<{ list: string[] } | { fail: RoutePlan & { kind: 'fail' } }> {
    if (isIP(host)) return { list: [host] };
    const r = this.#o.resolver;
    const results = await Promise.allSettled([r.resolve4(host), r.resolve6(host)]);
    const list = results.flatMap((x) => (x.status === 'fulfilled' ? x.value : []));
    if (list.length > 0) return { list };
    const errors = results.map((x) => (x.status === 'rejected' ? x.reason : null));
    const temporary = errors.find((e) => !isDnsError(e) || e.temporary);
    if (temporary)
      return { fail: { kind: 'fail', permanent: false, status: '4.4.3', reason: `the address lookup for ${host} failed: ${(temporary as Error).message}` } };
    return { fail: { kind: 'fail', permanent: true, status: '5.1.2', reason: `the host ${host} has no address (DNS: ${isDnsError(errors[0]) ? errors[0].code : 'no records'})` } };
  }
}
