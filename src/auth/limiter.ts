/**
 * The one brute-force limiter shared by SMTP, IMAP, POP3 and the web. Its state lives in the store (counters), so
 * every node and every protocol sees the same numbers.
 *
 * - Per mailbox (from anywhere): after a few failures every further attempt waits, doubling up to a cap. This slows
 *   a distributed guesser without ever locking the owner out.
 * - Per (mailbox, client IP): locked out after repeated failures; the owner elsewhere is unaffected.
 * - Per client IP (IPv6 by /64): locked out after many failures across mailboxes (credential stuffing).
 */
import { isIPv6 } from 'node:net';
import type { CounterStore } from '../store/types.js';
import { authLimits } from '../lib/limits.js';

export type LimiterSettings = { -readonly [K in keyof typeof authLimits]: number };

export type LimiterVerdict = { allowed: true; delayMs: number } | { allowed: false; retryAfterMs: number };

/** IPv6 clients get a /64 each (one customer's whole network), IPv4 one address. */
export function clientKey(ip: string): string {
  const plain = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  if (!isIPv6(plain)) return plain;
  const [head = '', tail = ''] = plain.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const full = plain.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${full.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export class AuthLimiter {
  readonly settings: LimiterSettings;

  constructor(
    private readonly counters: CounterStore,
    private readonly now: () => number,
    settings: Partial<LimiterSettings> = {},
  ) {
    this.settings = { ...authLimits, ...settings };
  }

  private keys(address: string, ip: string) {
    const client = clientKey(ip);
    return { mailbox: `auth:mailbox:${address}`, pair: `auth:pair:${address}|${client}`, ip: `auth:ip:${client}` };
  }

  /** Whether an attempt may proceed, and how long to wait before checking the password. */
  async check(address: string, ip: string): Promise<LimiterVerdict> {
    const k = this.keys(address, ip);
    const now = this.now();
    const [pair, client, mailbox] = await Promise.all([
      this.counters.getCounter(k.pair),
      this.counters.getCounter(k.ip),
      this.counters.getCounter(k.mailbox),
    ]);
    const lockedUntil = Math.max(pair?.lockedUntil ?? 0, client?.lockedUntil ?? 0);
    if (lockedUntil > now) return { allowed: false, retryAfterMs: lockedUntil - now };
    const s = this.settings;
    const recent = mailbox && now - mailbox.windowStart < s.windowMs ? mailbox.count : 0;
    const excess = recent - s.mailboxSlowAfter;
    const delayMs = excess <= 0 ? 0 : Math.min(s.mailboxMaxDelayMs, s.mailboxBaseDelayMs * 2 ** Math.min(excess - 1, 20));
    return { allowed: true, delayMs };
  }

  async recordFailure(address: string, ip: string): Promise<void> {
    const k = this.keys(address, ip);
    const now = this.now();
    const s = this.settings;
    await this.counters.hitCounter(k.mailbox, now, s.windowMs);
    const pair = await this.counters.hitCounter(k.pair, now, s.windowMs);
    if (pair.count >= s.pairLockAfter) await this.counters.lockCounter(k.pair, now + s.lockoutMs);
    const client = await this.counters.hitCounter(k.ip, now, s.windowMs);
    if (client.count >= s.ipLockAfter) await this.counters.lockCounter(k.ip, now + s.lockoutMs);
  }

  /** A success forgives this client's failures for this mailbox (not the IP-wide or mailbox-wide counts). */
  async recordSuccess(address: string, ip: string): Promise<void> {
    await this.counters.clearCounter(this.keys(address, ip).pair);
  }
}
