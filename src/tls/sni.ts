/**
 * Which certificate answers a TLS ClientHello's server_name (RFC 6066 §3): an exact name first, then a wildcard
 * covering exactly one more label (RFC 6125 §6.4.3), else nothing (the caller falls back to the configured one).
 * Pure logic, no sockets.
 */

/** Lower-case, without a trailing dot; null for an absent or unusable name (IP literals are not sent as SNI). */
export function normaliseServername(name: string | undefined | null): string | null {
  if (!name) return null;
  const n = name.toLowerCase().replace(/\.$/, '');
  return n.length > 0 && n.length <= 253 ? n : null;
}

export interface SniEntry<T> {
  names: readonly string[];
  notAfter: number;
  value: T;
}

/** An index from names to the certificate that serves them; when several cover a name, the longest-lived wins. */
export class SniIndex<T> {
  readonly #exact = new Map<string, SniEntry<T>>();
  readonly #wildcard = new Map<string, SniEntry<T>>();

  constructor(entries: Iterable<SniEntry<T>>) {
    for (const e of entries)
      for (const raw of e.names) {
        const name = normaliseServername(raw);
        if (!name) continue;
        const [map, key] = name.startsWith('*.') ? [this.#wildcard, name.slice(2)] : [this.#exact, name];
        const old = map.get(key);
        if (!old || old.notAfter < e.notAfter) map.set(key, e);
      }
  }

  get size(): number {
    return this.#exact.size + this.#wildcard.size;
  }

  select(servername: string | undefined | null): T | null {
    const name = normaliseServername(servername);
    if (!name) return null;
    const exact = this.#exact.get(name);
    if (exact) return exact.value;
    const dot = name.indexOf('.');
    if (dot <= 0) return null;
    return this.#wildcard.get(name.slice(dot + 1))?.value ?? null;
  }
}
