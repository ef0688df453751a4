/** Parsers for the value kinds of the schema: each returns the value or throws a ValueProblem saying what is wrong. */
import { isIP } from 'node:net';
import type { FieldSpec } from './schema.js';
import { parseNetwork, type Network } from '../lib/cidr.js';

export class ValueProblem extends Error {}

export interface ListenAddress {
  host: string;
  port: number;
}

function port(text: string, what = 'the port'): number {
  if (!/^\d+$/.test(text)) throw new ValueProblem(`${what} ${JSON.stringify(text)} is not a number`);
  const n = Number(text);
  if (n < 1 || n > 65535) throw new ValueProblem(`${what} must be from 1 to 65535`);
  return n;
}

/** `host:port`, `[v6]:port`; host is an IP literal, `*`/`0.0.0.0`/`::` for all, or a name such as localhost. */
export function parseHostPort(text: string): ListenAddress {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (!m) throw new ValueProblem(`"${text}" is not "host:port" (IPv6 as "[::1]:port")`);
  const host = m[1] === '*' ? '0.0.0.0' : m[1]!;
  if (text.startsWith('[') && isIP(host) !== 6) throw new ValueProblem(`"${host}" is not an IPv6 address`);
  if (!isIP(host) && !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(host)) throw new ValueProblem(`"${host}" is not an IP address or host name`);
  return { host, port: port(m[2]!) };
}

/** A resolver address: `ip`, `ip:port` or `[v6]:port` (always an IP: resolving the resolver would need a resolver). */
export function parseServer(text: string): string {
  if (isIP(text)) return text;
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (!m || !isIP(m[1]!)) throw new ValueProblem(`"${text}" is not an IP address with an optional port`);
  port(m[2]!);
  return text;
}

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Bytes from a number or a string such as "500M", "1G", "1.5G", "0". */
export function parseSize(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$/i.exec(value) : null;
  if (!m) throw new ValueProblem(`${JSON.stringify(value)} is not a size such as "500M" or "1G"`);
  return Math.round(Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]!);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds from a duration such as "500ms", "30s", "5m", "4h", "5d". */
export function parseDuration(value: unknown): number {
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value) : null;
  if (!m) throw new ValueProblem(`${JSON.stringify(value)} is not a duration such as "30s", "5m", "4h" or "5d"`);
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2]!]!);
}

/** A static route: where mail for one domain goes. */
export type Route = { kind: 'host'; host: string; port: number } | { kind: 'smarthost' };

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** Checks a value against its field spec and returns it converted; throws ValueProblem. */
export function parseValue(spec: FieldSpec, value: unknown): unknown {
  switch (spec.kind) {
    case 'string':
    case 'path':
      if (typeof value !== 'string' || value.length === 0) throw new ValueProblem('it must be a non-empty string');
      return value;
    case 'hostname':
      if (typeof value !== 'string' || !HOSTNAME.test(value)) throw new ValueProblem('it must be a host name such as mail.example.com');
      return value.toLowerCase().replace(/\.$/, '');
    case 'integer':
    case 'port': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new ValueProblem('it must be a whole number');
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max))
        throw new ValueProblem(`it must be from ${spec.min} to ${spec.max}`);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new ValueProblem('it must be true or false');
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values!.includes(value))
        throw new ValueProblem(`it must be one of ${spec.values!.map((v) => JSON.stringify(v)).join(', ')}`);
      return value;
    case 'size':
      return parseSize(value);
    case 'listen': {
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0) throw new ValueProblem('an empty list: remove the key to turn the listener off');
      return list.map((v) => {
        if (typeof v !== 'string') throw new ValueProblem('it must be "host:port" or an array of them');
        return parseHostPort(v);
      });
    }
    case 'networks': {
      if (!Array.isArray(value)) throw new ValueProblem('it must be an array such as ["192.0.2.0/24"] (or [] for none)');
      return value.map((v) => {
        if (typeof v !== 'string') throw new ValueProblem('every network must be a string such as "192.0.2.0/24"');
        return parseTrustedNetwork(v);
      });
    }
    case 'duration':
      return parseDuration(value);
    case 'hostnames': {
      if (!Array.isArray(value)) throw new ValueProblem('it must be an array of host names such as ["example.com"] (or [] for none)');
      return value.map((v) => {
        if (typeof v !== 'string' || !HOSTNAME.test(v)) throw new ValueProblem(`${JSON.stringify(v)} is not a host name such as example.com`);
        return v.toLowerCase().replace(/\.$/, '');
      });
    }
    case 'route': {
      if (value === 'smarthost') return { kind: 'smarthost' } satisfies Route;
      if (typeof value !== 'string') throw new ValueProblem('it must be "host:port" or "smarthost"');
      const a = parseHostPort(value);
      return { kind: 'host', host: a.host, port: a.port } satisfies Route;
    }
    case 'servers': {
      if (!Array.isArray(value) || value.length === 0) throw new ValueProblem('it must be a non-empty array such as ["127.0.0.1:53"]');
      return value.map((v) => {
        if (typeof v !== 'string') throw new ValueProblem('every server must be a string such as "127.0.0.1:53"');
        return parseServer(v);
      });
    }
  }
}

/** A trusted network (CIDR or single address), parsed strictly: no octal, hex or shortened IPv4 forms. */
export function parseTrustedNetwork(text: string): Network {
  try {
    return parseNetwork(text);
  } catch (e) {
    throw new ValueProblem(`"${text}" is not a network such as "192.0.2.0/24" or "2001:db8::/32" (${(e as Error).message})`);
  }
}
