/**
 * Trusted networks for `[smtp] trusted_networks`. Temporary home: src/lib/cidr.ts (a colleague's, strict
 * `parseNetwork` / `networkContains`) replaces this file once it lands; the signatures are the same.
 * Strict on purpose: `010.0.0.1` (octal to some parsers), `0x7f.1`, `127.1` and leading zeros in prefixes are
 * refused, so a network means the same thing to us as to the admin who wrote it. IPv4-mapped IPv6 clients
 * (`::ffff:192.0.2.1`, how a dual-stack socket reports IPv4) match IPv4 networks.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface Network {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
  readonly text: string;
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function parseNetwork(text: string): Network {
  const [addr = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) throw new Error('more than one "/"');
  let family: 4 | 6;
  if (V4.test(addr)) family = 4;
  else if (isIPv6(addr) && !addr.includes('%')) family = 6;
  else throw new Error(isIPv4(addr) ? 'write IPv4 addresses as four decimal numbers without leading zeros' : 'not an IP address');
  const bits = family === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > bits) throw new Error(`the prefix length must be 0 to ${bits}`);
    prefix = Number(prefixText);
  }
  const value = family === 4 ? v4ToBig(addr) : v6ToBig(addr);
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  if ((value & ~mask & ((1n << BigInt(bits)) - 1n)) !== 0n) throw new Error(`host bits set: did you mean ${text.split('/')[0]}/${bits}?`);
  return { family, base: value & mask, prefix, text: text.trim() };
}

export function networkContains(net: Network, ip: string): boolean {
  let family: 4 | 6;
  let value: bigint;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (V4.test(ip) || (mapped && V4.test(mapped[1]!))) {
    family = 4;
    value = v4ToBig(mapped ? mapped[1]! : ip);
  } else if (isIPv6(ip)) {
    family = 6;
    value = v6ToBig(ip);
  } else return false;
  if (family !== net.family) return false;
  const bits = family === 4 ? 32 : 128;
  const mask = net.prefix === 0 ? 0n : ((1n << BigInt(net.prefix)) - 1n) << BigInt(bits - net.prefix);
  return (value & mask) === net.base;
}

function v4ToBig(a: string): bigint {
  return a.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function v6ToBig(a: string): bigint {
  let text = a.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = Number(v4ToBig(v4[1]!));
    text = text.slice(0, v4.index) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
