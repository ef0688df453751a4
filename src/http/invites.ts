/**
 * Invite codes for domains whose sign-up policy is `invite`. A code is a random part plus an HMAC of it and the
 * domain under the server secret, so nothing needs storing until it is used; use is recorded once in the shared
 * counter store, which makes every code single-use across all nodes.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/types.js';

/** Counters restart after their window; an invite's use must outlive any code, so the window is a century. */
const USED_WINDOW_MS = 100 * 365 * 24 * 3600 * 1000;

function mac(secret: string, domain: string, rand: string): string {
  return createHmac('sha256', secret).update(`invite\n${domain}\n${rand}`).digest('hex').slice(0, 12);
}

export function makeInvite(secret: string, domain: string): string {
  const rand = randomBytes(5).toString('hex');
  return `${rand}-${mac(secret, domain, rand)}`;
}

function parts(code: string): { rand: string; tag: string } | null {
  const m = /^([0-9a-f]{10})-([0-9a-f]{12})$/.exec(code.trim().toLowerCase());
  return m ? { rand: m[1]!, tag: m[2]! } : null;
}

export function inviteValid(secret: string, domain: string, code: string): boolean {
  const p = parts(code);
  if (!p) return false;
  return timingSafeEqual(Buffer.from(p.tag), Buffer.from(mac(secret, domain, p.rand)));
}

function key(domain: string, code: string): string {
  return `invite:${domain}:${parts(code)!.rand}`;
}

/** Marks a valid code used; false when someone used it first. */
export async function claimInvite(store: Store, domain: string, code: string, now: number): Promise<boolean> {
  return (await store.hitCounter(key(domain, code), now, USED_WINDOW_MS)).count === 1;
}

/** Gives a claimed code back (the sign-up it was claimed for was refused). */
export async function releaseInvite(store: Store, domain: string, code: string): Promise<void> {
  await store.clearCounter(key(domain, code));
}
