/**
 * The DNS records a domain should publish (as `outpost dns` prints them) next to what is published now, looked up
 * with the same rule as `outpost check` (src/dns/published.ts: a record without an answer is "could not check").
 */
import type { Services } from '../app/services.js';
import { dnsRecords } from '../cli/commands/dns.js';
import { compareRecord, parseZone, type RecordVerdict, type ZoneLine } from '../doctor/dns-check.js';
import { lookupPublished } from '../dns/published.js';

export interface LiveRecord {
  zone: ZoneLine;
  verdict: RecordVerdict;
}

export async function liveDnsCheck(s: Services, domain: string): Promise<LiveRecord[]> {
  const zone = parseZone(await dnsRecords(s, domain));
  return Promise.all(zone.map(async (z) => ({ zone: z, verdict: compareRecord(z, await lookupPublished(s.resolver, z.name, z.type)) })));
}
