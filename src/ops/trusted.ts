/** Who may read operational data (metrics) over the network: loopback, and the operator's trusted networks. */
import { networkContains, type Network } from '../lib/cidr.js';

export function isTrustedClient(ip: string, trusted: readonly Network[]): boolean {
  const addr = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (addr === '::1' || /^127\./.test(addr)) return true;
  return trusted.some((n) => networkContains(n, addr));
}
