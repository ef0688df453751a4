/** When to order: pure rules for renewal timing and the backoff after failures. */
import type { StoredCertificate } from '../store/types.js';

const DAY_MS = 86_400_000;

export type OrderReason = 'missing' | 'names-changed' | 'renewal-due' | 'forced';

/**
 * Why a group needs an order now, or null. Renewal is due when fewer than `renewBeforeDays` are left, or a third of
 * the lifetime (whichever comes first for short-lived certificates: a 6-day certificate renews at 4 days, not at once).
 */
export function orderReason(existing: StoredCertificate | undefined, names: readonly string[], now: number, renewBeforeDays: number): OrderReason | null {
  if (!existing) return 'missing';
  const have = new Set(existing.names);
  if (names.some((n) => !have.has(n))) return 'names-changed';
  return now >= renewalTime(existing, renewBeforeDays) ? 'renewal-due' : null;
}

/** The moment a certificate should be renewed. */
export function renewalTime(c: Pick<StoredCertificate, 'notBefore' | 'notAfter'>, renewBeforeDays: number): number {
  const lifetime = Math.max(0, c.notAfter - c.notBefore);
  return c.notAfter - Math.min(renewBeforeDays * DAY_MS, lifetime / 3);
}

/** Exponential backoff: `first`, doubling per consecutive failure, capped at `max`. */
export function backoffMs(failures: number, firstMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  return Math.min(maxMs, firstMs * 2 ** Math.min(failures - 1, 30));
}

export function daysLeft(notAfter: number, now: number): number {
  return Math.floor((notAfter - now) / DAY_MS);
}
