/**
 * Which names Outpost orders certificates for, grouped so one domain's failed validation never holds back another's:
 * the server's own names in one certificate, and per hosted domain `autoconfig.` and `autodiscover.` (the names mail
 * clients look up, and Thunderbird drops autoconfig served with an untrusted certificate), plus `mta-sts.` where an
 * MTA-STS policy is published (RFC 8461 §3.3 requires a valid certificate there).
 */

export interface CertificateGroup {
  /** The first name: the group's identity in the store. */
  key: string;
  names: string[];
}

export interface NameSources {
  /** The public hostname and the server's own hostname (often the same). */
  hostnames: readonly string[];
  /** Hosted domains. */
  domains: readonly string[];
  /** Domains that publish an MTA-STS policy served by this server. */
  mtaStsDomains?: readonly string[];
}

/** ACME CAs issue for DNS names only (RFC 8555 §7.1.4 "dns" identifiers); IP literals and single labels are skipped. */
export function isOrderableName(name: string): boolean {
  return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(name) && !/^[\d.]+$/.test(name);
}

export function certificateGroups(s: NameSources): CertificateGroup[] {
  const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');
  const groups: CertificateGroup[] = [];
  const seen = new Set<string>();
  const add = (names: string[]) => {
    const fresh = [...new Set(names.map(norm))].filter((n) => isOrderableName(n) && !seen.has(n));
    if (fresh.length === 0) return;
    fresh.forEach((n) => seen.add(n));
    groups.push({ key: fresh[0]!, names: fresh });
  };
  add([...s.hostnames]);
  const mtaSts = new Set((s.mtaStsDomains ?? []).map(norm));
  for (const d of [...new Set(s.domains.map(norm))].sort())
    add([`autoconfig.${d}`, `autodiscover.${d}`, ...(mtaSts.has(d) ? [`mta-sts.${d}`] : [])]);
  return groups;
}
