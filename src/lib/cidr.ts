/**
 * Trusted networks for the relay policy, written as CIDR blocks (RFC 4632 §3.1) or single addresses.
 *
 * Parsing is strict on purpose: a trusted network lets clients relay without a password, so a value that
 * different software would read differently is refused rather than guessed. IPv4 is exactly four decimal octets
 * without leading zeros (inet_aton reads `010` as octal, `0x7f` as hex and `127.1` as 127.0.0.1: all refused).
 * IPv6 follows RFC 4291 §2.2 (with an embedded dotted quad for the last 32 bits) without zone ids (RFC 4007
 * §11): a zone names one host's interface, not a network. A prefix is decimal without leading zeros and host
 * bits must be zero, since `10.0.0.1/8` probably means something other than what it says.
 *
 * Matching follows RFC 4291 §2.5.5.2: an IPv4-mapped IPv6 address `::ffff:a.b.c.d` is the IPv4 address
 * a.b.c.d, so a client Node reports as `::ffff:192.0.2.5` matches `192.0.2.0/24`, and a network written inside
 * `::ffff:0:0/96` matches plain IPv4 clients. A wider IPv6 network (`::/0`) does not match IPv4 clients: the
 * writer meant IPv6.
 */

export class NetworkSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkSyntaxError';
  }
}

export interface Network {
  family: 4 | 6;
  /** Canonical text with the prefix length: `10.0.0.0/8`, `192.0.2.1/32`, `2001:db8::/32`. */
  text: string;
  /** The prefix length as written (0–32 for IPv4, 0–128 for IPv6). */
  prefix: number;
  /** The network address: 4 octets for IPv4, 16 for IPv6. */
  bytes: Uint8Array;
}

export function parseNetwork(text: string): Network {
  const quoted = JSON.stringify(text);
  if (text === '') throw new NetworkSyntaxError('a network is empty; write one such as "192.0.2.0/24"');
  if (/\s/.test(text)) throw new NetworkSyntaxError(`${quoted} contains white space`);
  if (text.includes('%')) throw new NetworkSyntaxError(`${quoted} has a zone id ("%..."), which names an interface, not a network`);
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const family: 4 | 6 = addressText.includes(':') ? 6 : 4;
  const bytes = family === 4 ? parseIPv4(addressText, quoted) : parseIPv6(addressText, quoted);
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) {
      throw new NetworkSyntaxError(`${quoted} has the prefix length "${p}"; write a decimal number from 0 to ${max} without leading zeros`);
    }
    prefix = Number(p);
    if (prefix > max) throw new NetworkSyntaxError(`${quoted} has the prefix length ${prefix}, but IPv${family} allows at most ${max}`);
  }
  const network = mask(bytes, prefix);
  if (!equal(network, bytes)) {
    throw new NetworkSyntaxError(
      `${quoted} has host bits set after the first ${prefix} bits; did you mean ${formatAddress(network)}/${prefix} ` +
        `(the whole network) or ${formatAddress(bytes)} (this one address)?`,
    );
  }
  return { family, prefix, bytes: network, text: `${formatAddress(network)}/${prefix}` };
}

/** True when the client address `ip` (as Node reports remoteAddress) lies in `n`; false for anything unparseable. */
export function networkContains(n: Network, ip: string): boolean {
  const client = parseClient(ip);
  if (!client) return false;
  const clientV4 = client.length === 4 ? client : mappedV4(client);
  if (n.family === 4) return clientV4 !== null && inPrefix(clientV4, n.bytes, n.prefix);
  const netV4 = mappedV4(n.bytes);
  if (netV4 && n.prefix >= 96 && clientV4) return inPrefix(clientV4, netV4, n.prefix - 96);
  return client.length === 16 && inPrefix(client, n.bytes, n.prefix);
}

// ---------------------------------------------------------------- parsing

function parseIPv4(text: string, quoted: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4) {
    throw new NetworkSyntaxError(`${quoted} is not an address: IPv4 is written as four decimal numbers such as 192.0.2.1`);
  }
  const bytes = new Uint8Array(4);
  parts.forEach((part, i) => {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) {
      throw new NetworkSyntaxError(
        `${quoted} has the part "${part}"; each IPv4 part is a decimal number from 0 to 255 without leading zeros (no octal or hex)`,
      );
    }
    const n = Number(part);
    if (n > 255) throw new NetworkSyntaxError(`${quoted} has the part ${n}, but IPv4 parts go up to 255`);
    bytes[i] = n;
  });
  return bytes;
}

function parseIPv6(text: string, quoted: string): Uint8Array {
  const bad = (why: string): NetworkSyntaxError => new NetworkSyntaxError(`${quoted} is not an IPv6 address: ${why}`);
  const halves = text.split('::');
  if (halves.length > 2) throw bad('"::" may appear only once');
  const groupsOf = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  const words: number[] = [];
  const convert = (groups: string[], isLast: boolean): number[] => {
    const out: number[] = [];
    groups.forEach((g, i) => {
      if (isLast && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g, quoted);
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
        out.push(parseInt(g, 16));
      } else {
        throw bad(g === '' ? 'an empty group (a single ":" at the start or end, or ":::")' : `the group "${g}" is not 1 to 4 hex digits`);
      }
    });
    return out;
  };
  const headWords = convert(head, halves.length === 1);
  const tailWords = convert(tail, true);
  if (halves.length === 1) {
    if (headWords.length !== 8) throw bad(`it has ${headWords.length} groups instead of 8`);
    words.push(...headWords);
  } else {
    const missing = 8 - headWords.length - tailWords.length;
    if (missing < 1) throw bad('"::" must stand for at least one group');
    words.push(...headWords, ...new Array<number>(missing).fill(0), ...tailWords);
  }
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

/** A client address as Node reports it; a zone id (`fe80::1%eth0`) is dropped. Null when unparseable. */
function parseClient(ip: string): Uint8Array | null {
  try {
    const bare = ip.replace(/%[^%]*$/, '');
    return bare.includes(':') ? parseIPv6(bare, '') : parseIPv4(bare, '');
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- bits

/** The IPv4 address inside `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2), or null. */
function mappedV4(b: Uint8Array): Uint8Array | null {
  if (b.length !== 16) return null;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return null;
  if (b[10] !== 0xff || b[11] !== 0xff) return null;
  return b.subarray(12);
}

function mask(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - 8 * i));
    out[i] = bytes[i]! & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

function inPrefix(addr: Uint8Array, network: Uint8Array, prefix: number): boolean {
  return addr.length === network.length && equal(mask(addr, prefix), mask(network, prefix));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** IPv4 dotted quad; IPv6 per RFC 5952 §4 (lower case, longest run of two or more zero groups as "::"). */
function formatAddress(b: Uint8Array): string {
  if (b.length === 4) return b.join('.');
  const v4 = mappedV4(b);
  if (v4) return `::ffff:${v4.join('.')}`;
  const words = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
