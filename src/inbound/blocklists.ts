/**
 * DNS blocklists (RFC 5782): the client address, reversed, under each zone; an A record in 127.0.0.0/8 means listed,
 * NXDOMAIN means not listed. Answers in 127.255.255.0/24 are the list's own error codes (e.g. "query refused from
 * public resolvers") and are not a listing.
 */
import { isIP } from 'node:net';
import type { Resolver } from '../dns/resolver.js';
import { isDnsError } from '../dns/resolver.js';
import { reversedLabels } from '../dns/reverse-name.js';

export interface BlocklistResult {
  listed: string[];
  errors: string[];
}

export async function checkBlocklists(ip: string, zones: readonly string[], resolver: Resolver): Promise<BlocklistResult> {
  const plain = ip.replace(/^::ffff:(?=\d+\.)/, '');
  if (zones.length === 0 || isIP(plain) === 0) return { listed: [], errors: [] };
  const labels = reversedLabels(plain);
  const answers = await Promise.all(
    zones.map(async (zone) => {
      try {
        const addrs = await resolver.resolve4(`${labels}.${zone}`);
        const real = addrs.filter((a) => a.startsWith('127.') && !a.startsWith('127.255.255.'));
        return { zone, state: real.length > 0 ? ('listed' as const) : addrs.length > 0 ? ('error' as const) : ('clean' as const) };
      } catch (e) {
        if (isDnsError(e) && !e.temporary) return { zone, state: 'clean' as const };
        return { zone, state: 'error' as const };
      }
    }),
  );
  return {
    listed: answers.filter((a) => a.state === 'listed').map((a) => a.zone),
    errors: answers.filter((a) => a.state === 'error').map((a) => a.zone),
  };
}
