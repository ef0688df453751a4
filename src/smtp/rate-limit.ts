/**
 * Sending limits, counted in the store so every node shares them: messages per mailbox per hour and recipients per
 * mailbox per day on submission (a stolen password must not become a spam cannon), and messages per client IP per
 * hour for password-less relay from trusted networks. Over a limit: 451 4.7.1, a temporary refusal the client may
 * retry later (RFC 3463 X.7.1).
 */
import type { SmtpConfig } from '../config/load.js';
import type { CounterStore } from '../store/types.js';
import { SmtpRefusal, Status } from './status.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export class SendingLimits {
  constructor(
    private readonly counters: CounterStore,
    private readonly config: SmtpConfig,
    private readonly now: () => number,
  ) {}

  /** At MAIL FROM: refuses when the mailbox has sent its messages for this hour. */
  async checkMessage(mailboxId: number): Promise<void> {
    const limit = this.config.messagesPerHour;
    if (limit > 0 && (await this.current(`smtp.messages:${mailboxId}`, HOUR)) >= limit)
      throw new SmtpRefusal(Status.RateLimited, `sending limit reached: ${limit} messages per hour; try again later`, { logReason: 'messages-per-hour' });
  }

  /** At RCPT TO: counts the recipient, refusing it when the day's allowance is used up. */
  async takeRecipient(mailboxId: number): Promise<void> {
    const limit = this.config.recipientsPerDay;
    if (limit === 0) return;
    const key = `smtp.recipients:${mailboxId}`;
    if ((await this.current(key, DAY)) >= limit)
      throw new SmtpRefusal(Status.RateLimited, `sending limit reached: ${limit} recipients per day; try again tomorrow`, { logReason: 'recipients-per-day' });
    await this.counters.hitCounter(key, this.now(), DAY);
  }

  /** After a submitted message is committed. */
  async recordMessage(mailboxId: number): Promise<void> {
    if (this.config.messagesPerHour > 0) await this.counters.hitCounter(`smtp.messages:${mailboxId}`, this.now(), HOUR);
  }

  /** Before relaying for a trusted network without a password: counts and refuses past the hourly limit. */
  async takeTrustedRelay(clientIp: string): Promise<void> {
    const state = await this.counters.hitCounter(`smtp.trusted-relay:${clientIp}`, this.now(), HOUR);
    if (state.count > this.config.trustedRelayPerHour)
      throw new SmtpRefusal(Status.RateLimited, 'relay limit for your network reached; try again later or authenticate', {
        logReason: 'trusted-relay-per-hour',
      });
  }

  private async current(key: string, windowMs: number): Promise<number> {
    const c = await this.counters.getCounter(key);
    return c && this.now() - c.windowStart < windowMs ? c.count : 0;
  }
}

/** Concurrent connections per client IP, in this process (each node enforces its own share). */
export class ConnectionCounter {
  readonly #open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts a new connection; false (and not counted) when the IP already has `max`. */
  acquire(ip: string): boolean {
    const n = this.#open.get(ip) ?? 0;
    if (n >= this.max) return false;
    this.#open.set(ip, n + 1);
    return true;
  }

  release(ip: string): void {
    const n = (this.#open.get(ip) ?? 1) - 1;
    if (n <= 0) this.#open.delete(ip);
    else this.#open.set(ip, n);
  }
}
