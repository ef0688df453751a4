/**
 * `outpost check`, DNS part, sans-I/O: the zone lines `outpost dns` recommends turned into expectations, and the
 * published answers compared with them. MX (RFC 5321 §5.1), SPF (RFC 7208 §4.5: exactly one v=spf1 record),
 * DKIM (RFC 6376 §3.6.1: the p= key must be the one we sign with), DMARC (RFC 7489 §6.6.3), SRV (RFC 6186),
 * the autoconfig/autodiscover names.
 */
import type { Published } from '../dns/published.js';

export interface ZoneLine {
  name: string;
  type: 'MX' | 'TXT' | 'SRV' | 'CNAME';
  /** The record data as in the zone file (TXT: the quoted strings joined). */
  data: string;
  /** The line itself, for the fix ("publish: …"). */
  line: string;
}

/** The records of `outpost dns` output (comments and other types skipped). */
export function parseZone(lines: readonly string[]): ZoneLine[] {
  const out: ZoneLine[] = [];
  for (const line of lines) {
    if (line.startsWith(';')) continue;
    const [name, , , type, ...rest] = line.split('\t');
    if (!name || !type || !['MX', 'TXT', 'SRV', 'CNAME'].includes(type)) continue;
    const raw = rest.filter((r) => !r.startsWith(';')).join('\t');
    const data = type === 'TXT' ? [...raw.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('') : raw;
    out.push({ name: name.replace(/\.$/, '').toLowerCase(), type: type as ZoneLine['type'], data, line: rest.some((r) => r.startsWith(';')) ? line.slice(0, line.lastIndexOf('\t;')) : line });
  }
  return out;
}

export type TxtKind = 'spf' | 'dkim' | 'dmarc' | 'other';

export function txtKind(z: ZoneLine): TxtKind {
  if (z.data.startsWith('v=spf1')) return 'spf';
  if (z.name.includes('._domainkey.')) return 'dkim';
  if (z.name.startsWith('_dmarc.')) return 'dmarc';
  return 'other';
}

/** What is published, looked up by src/dns/published.ts (NXDOMAIN/NODATA = none, no answer = unchecked). */
export type { Published } from '../dns/published.js';

export interface RecordVerdict {
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

const tag = (record: string, name: string) => new RegExp(`(?:^|;)\\s*${name}=([^;]*)`).exec(record)?.[1]?.replace(/\s+/g, '');
const strip = (s: string) => s.toLowerCase().replace(/\.$/, '');

/**
 * Compares what is published for one recommended record. Missing MX, SPF, DKIM and DMARC fail (mail is refused or
 * lands in spam without them); missing SRV and autoconfig names only warn (clients then need the settings typed in).
 * A record that could not be looked up (no answer: SERVFAIL, timeout) only warns, whatever it is: it is not
 * known to be missing, and saying so would send the operator to fix a record that may be there.
 */
export function compareRecord(z: ZoneLine, p: Published): RecordVerdict {
  const important = z.type === 'MX' || (z.type === 'TXT' && txtKind(z) !== 'other');
  const missing: RecordVerdict['status'] = important ? 'fail' : 'warn';
  if (p.kind === 'unchecked') return { status: 'warn', detail: `could not check: ${p.message}` };
  if (p.kind === 'none') return { status: missing, detail: 'not published' };
  switch (z.type) {
    case 'MX': {
      const want = strip(z.data.split(/\s+/)[1] ?? '');
      return p.values.some((v) => strip(v) === want) ? { status: 'ok', detail: `points to ${want}` } : { status: 'fail', detail: `points to ${p.values.join(', ')}, not ${want}` };
    }
    case 'TXT':
      return compareTxt(z, p.values);
    case 'SRV': {
      const [, , port, target] = z.data.split(/\s+/);
      const hit = p.values.some((v) => {
        const [, , vp, vt] = v.split(/\s+/);
        return vp === port && strip(vt ?? '') === strip(target ?? '');
      });
      return hit ? { status: 'ok', detail: `${strip(target ?? '')} port ${port}` } : { status: 'warn', detail: `published as ${p.values.join(', ')}` };
    }
    case 'CNAME':
      return p.values.some((v) => strip(v) === strip(z.data)) ? { status: 'ok', detail: `points to ${strip(z.data)}` } : { status: 'warn', detail: `points to ${p.values.join(', ')}, not ${strip(z.data)}` };
  }
}

function compareTxt(z: ZoneLine, values: string[]): RecordVerdict {
  switch (txtKind(z)) {
    case 'spf': {
      const spf = values.filter((v) => v.startsWith('v=spf1'));
      if (spf.length === 0) return { status: 'fail', detail: 'no SPF record (v=spf1)' };
      if (spf.length > 1) return { status: 'fail', detail: `${spf.length} SPF records: receivers treat that as an error (RFC 7208 §4.5)` };
      return spf[0] === z.data ? { status: 'ok', detail: spf[0]! } : { status: 'warn', detail: `published "${spf[0]}", recommended "${z.data}": check it allows this server` };
    }
    case 'dkim': {
      const want = tag(z.data, 'p');
      const found = values.map((v) => tag(v, 'p'));
      if (found.includes(want)) return { status: 'ok', detail: 'the public key matches the signing key' };
      return { status: 'fail', detail: 'published, but with another public key: signatures will fail' };
    }
    case 'dmarc': {
      const dmarc = values.filter((v) => v.startsWith('v=DMARC1'));
      return dmarc.length === 1 ? { status: 'ok', detail: dmarc[0]! } : { status: 'fail', detail: dmarc.length === 0 ? 'no DMARC record (v=DMARC1)' : 'more than one DMARC record' };
    }
    case 'other':
      return values.includes(z.data) ? { status: 'ok', detail: z.data } : { status: 'warn', detail: `published ${values.join(', ')}` };
  }
}
