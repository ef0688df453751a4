/** The DNS records a domain should publish (as `outpost dns` prints them) next to what is published now. */
import type { Services } from '../app/services.js';
import { dnsRecords } from '../cli/commands/dns.js';
import { compareRecord, parseZone, type Published, type RecordVerdict, type ZoneLine } from '../doctor/dns-check.js';
import { isDnsError, type Resolver } from '../dns/resolver.js';

export interface LiveRecord {
  zone: ZoneLine;
  verdict: RecordVerdict;
}

export async function liveDnsCheck(s: Services, domain: string): Promise<LiveRecord[]> {
  const zone = parseZone(await dnsRecords(s, domain));
  return Promise.all(zone.map(async (z) => ({ zone: z, verdict: compareRecord(z, await lookup(s.resolver, z)) })));
}

async function lookup(resolver: Resolver, z: ZoneLine): Promise<Published> {
  try {
    switch (z.type) {
      case 'MX':
        return { kind: 'records', values: (await resolver.resolveMx(z.name)).map((m) => m.exchange) };
      case 'TXT':
        return { kind: 'records', values: (await resolver.resolveTxt(z.name)).map((parts) => parts.join('')) };
      case 'SRV':
        return { kind: 'records', values: (await resolver.resolveSrv(z.name)).map((r) => `${r.priority} ${r.weight} ${r.port} ${r.name}`) };
      case 'CNAME':
        return { kind: 'records', values: await resolver.resolveCname(z.name) };
    }
  } catch (e) {
    if (isDnsError(e) && (e.code === 'NXDOMAIN' || e.code === 'NODATA')) return { kind: 'none' };
    return { kind: 'error', message: isDnsError(e) ? e.code : (e as Error).message };
  }
}
