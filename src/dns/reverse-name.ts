/**
 * The DNS names under which addresses are looked up "backwards".
 *
 * RFC 1035 §3.5 (IN-ADDR.ARPA: the four octets in reverse order), RFC 3596 §2.5 (IP6.ARPA: the 32 nibbles of
 * the address in reverse order, each its own label, lower-case hex). The same reversal serves DNS block lists
 * (RFC 5782 §2.1), which put a list's zone where `in-addr.arpa` would be.
 */
import { isIPv4, isIPv6 } from 'node:net';

const IN_ADDR_ARPA = 'in-addr.arpa';
const IP6_ARPA = 'ip6.arpa';

/** An IPv4 octet as written in a reverse name: decimal, no leading zeros (RFC 1035 §3.5). */
const OCTET_LABEL = /^(?:0|[1-9]\d{0,2})$/;
const NIBBLE_LABEL = /^[0-9a-f]$/;

/**
 * The labels of an address in reverse order, without the zone: `4.3.2.1` for 1.2.3.4, 32 nibbles for IPv6.
 * Throws a TypeError when `ip` is not an IP address (a caller's bug: client addresses always are).
 */
export function reversedLabels(ip: string): string {
  if (isIPv4(ip)) return ip.split('.').reverse().join('.');
  const address = ip.split('%')[0] ?? ''; // a zone index (fe80::1%eth0) is local to this host
  if (isIPv6(address)) return [...ipv6Nibbles(address)].reverse().join('.');
  throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);
}

/** `1.2.3.4` → `4.3.2.1.in-addr.arpa`; `2001:db8::1` → `1.0.0.0.….8.b.d.0.1.0.0.2.ip6.arpa`. */
export function reverseName(ip: string): string {
  return `${reversedLabels(ip)}.${isIPv4(ip) ? IN_ADDR_ARPA : IP6_ARPA}`;
}

/**
 * The address a full reverse name stands for, or undefined when the name is not one (another name, a partial
 * zone such as `2.1.in-addr.arpa`, a malformed label). IPv6 comes back uncompressed.
 */
export function ipFromReverseName(name: string): string | undefined {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  const zone = labels.slice(-2).join('.');
  const parts = labels.slice(0, -2).reverse();
  if (zone === IN_ADDR_ARPA && parts.length === 4 && parts.every((p) => OCTET_LABEL.test(p) && Number(p) <= 255))
    return parts.join('.');
  if (zone === IP6_ARPA && parts.length === 32 && parts.every((p) => NIBBLE_LABEL.test(p))) {
    const hex = parts.join('');
    return Array.from({ length: 8 }, (_, i) => hex.slice(i * 4, i * 4 + 4)).join(':');
  }
  return undefined;
}

/** The 32 lower-case hex digits of a valid IPv6 address, `::` expanded and an IPv4 tail converted. */
function ipv6Nibbles(ip: string): string {
  let text = ip.toLowerCase();
  const v4Tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4Tail) {
    const [a, b, c, d] = v4Tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4Tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((g) => g.padStart(4, '0')).join('');
}
