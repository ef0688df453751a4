/**
 * What `outpost cert status` shows and `outpost check` warns about: every name with the certificate that serves it
 * (issuer, expiry, days left, where it came from) and the last renewal error.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/load.js';
import { acmeLimits } from '../lib/limits.js';
import type { Store } from '../store/types.js';
import { daysLeft } from '../acme/policy.js';
import { wantedGroups } from '../acme/wanted.js';
import { describe } from './certs.js';

export interface CertificateStatus {
  name: string;
  source: 'acme' | 'file' | 'self-signed' | 'none';
  issuer: string | null;
  notAfter: number | null;
  daysLeft: number | null;
  lastError: string | null;
  lastSuccessAt: number | null;
}

export interface StatusInput {
  store: Store;
  config: Config;
  now: number;
}

/** One row per name: ACME names first (also those with no certificate yet), then the configured certificate's. */
export async function certificateStatus({ store, config, now }: StatusInput): Promise<CertificateStatus[]> {
  const rows: CertificateStatus[] = [];
  const seen = new Set<string>();
  const certs = await store.listCertificates();
  const states = new Map((await store.listRenewalStates()).map((s) => [s.key, s]));
  const groups = config.acme.enabled ? await wantedGroups(store, config) : [];
  const keys = [...new Set([...groups.map((g) => g.key), ...certs.map((c) => c.key)])];
  for (const key of keys) {
    const cert = certs.find((c) => c.key === key);
    const state = states.get(key);
    const names = cert?.names ?? groups.find((g) => g.key === key)!.names;
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      rows.push({
        name,
        source: cert ? cert.source : 'none',
        issuer: cert?.issuer ?? null,
        notAfter: cert?.notAfter ?? null,
        daysLeft: cert ? daysLeft(cert.notAfter, now) : null,
        lastError: state?.lastError ?? null,
        lastSuccessAt: state?.lastSuccessAt ?? null,
      });
    }
  }
  const fallback = readFallback(config, now);
  if (fallback)
    for (const name of fallback.names.length > 0 ? fallback.names : [fallback.subject]) {
      if (seen.has(name)) continue;
      seen.add(name);
      rows.push({ ...fallback.row, name });
    }
  return rows;
}

function readFallback(config: Config, now: number): { names: string[]; subject: string; row: Omit<CertificateStatus, 'name'> } | null {
  let pem: string;
  try {
    pem = readFileSync(config.tls.cert, 'utf8');
  } catch {
    return null;
  }
  const info = describe(pem);
  const x = new X509Certificate(pem);
  return {
    names: info.names,
    subject: info.subject.replace(/\n/g, ', '),
    row: {
      source: info.selfSigned ? 'self-signed' : 'file',
      issuer: x.issuer.replace(/\n/g, ', '),
      notAfter: info.validTo.getTime(),
      daysLeft: daysLeft(info.validTo.getTime(), now),
      lastError: null,
      lastSuccessAt: null,
    },
  };
}

export interface ExpiryWarning {
  name: string;
  source: CertificateStatus['source'];
  notAfter: number;
  daysLeft: number;
  message: string;
}

/**
 * Certificates with fewer than `withinDays` (default 14) days left, or already expired, with a sentence for people.
 * For `outpost check` (src/doctor) and the server's log.
 */
export async function certificateExpiryWarnings(input: StatusInput, withinDays: number = acmeLimits.expiryWarningDays): Promise<ExpiryWarning[]> {
  const warnings: ExpiryWarning[] = [];
  for (const r of await certificateStatus(input)) {
    if (r.notAfter === null || r.daysLeft === null || r.daysLeft >= withinDays) continue;
    const when = r.notAfter <= input.now ? `expired on ${new Date(r.notAfter).toISOString().slice(0, 10)}` : `expires in ${r.daysLeft} day(s), on ${new Date(r.notAfter).toISOString().slice(0, 10)}`;
    const hint =
      r.source === 'acme'
        ? r.lastError
          ? ` and renewal keeps failing: ${r.lastError}`
          : ' and has not been renewed yet'
        : r.source === 'file'
          ? '; replace [tls] cert/key and send SIGHUP'
          : '';
    warnings.push({ name: r.name, source: r.source, notAfter: r.notAfter, daysLeft: r.daysLeft, message: `the certificate for ${r.name} ${when}${hint}` });
  }
  return warnings;
}
