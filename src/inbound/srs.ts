/**
 * The Sender Rewriting Scheme for mail we forward: the envelope sender becomes an address of ours
 * (`SRS0=HHHH=TT=orig-domain=orig-local@our-domain`) so the next hop's SPF check sees our domain, and a bounce comes
 * back to us, where `reverse` recovers the original sender (after checking the HMAC and the age) and relays it on.
 * Scheme from the SRS specification (Shevek, 2004) as implemented by libsrs2/postsrsd.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { AccountStore } from '../store/types.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const DAY_MS = 86_400_000;
/** How long a rewritten address stays valid for bounces: three weeks, as postsrsd does. */
const MAX_AGE_DAYS = 21;

export type SrsReverse = { ok: true; address: string } | { ok: false; reason: 'not-srs' | 'bad-hash' | 'expired' | 'malformed' };

export class Srs {
  readonly #secret: Promise<string>;

  constructor(
    store: Pick<AccountStore, 'settingOnce'>,
    private readonly forwardDomain: string,
    private readonly now: () => number,
  ) {
    this.#secret = store.settingOnce('srs-secret', randomBytes(32).toString('base64'));
  }

  private async hash(timestamp: string, domain: string, local: string): Promise<string> {
    const mac = createHmac('sha1', await this.#secret).update(`${timestamp}${domain}${local}`.toLowerCase()).digest('base64');
    return mac.slice(0, 4);
  }

  private timestamp(day: number): string {
    const t = day % 1024;
    return BASE32[(t >> 5) & 31]! + BASE32[t & 31]!;
  }

  /** Rewrites a foreign envelope sender; the null sender stays null. */
  async forward(sender: string): Promise<string> {
    if (sender === '') return '';
    const at = sender.lastIndexOf('@');
    if (at < 0) return sender;
    const local = sender.slice(0, at);
    const domain = sender.slice(at + 1);
    if (/^srs0=/i.test(local) && domain.toLowerCase() === this.forwardDomain) return sender; // already ours
    const tt = this.timestamp(Math.floor(this.now() / DAY_MS));
    return `SRS0=${await this.hash(tt, domain, local)}=${tt}=${domain}=${local}@${this.forwardDomain}`;
  }

  /** Recovers the original sender from the local part of an SRS0 address of ours. */
  async reverse(localPart: string): Promise<SrsReverse> {
    const m = /^srs0=([^=]{4})=([a-z2-7]{2})=([^=]+)=(.+)$/i.exec(localPart);
    if (!/^srs0=/i.test(localPart)) return { ok: false, reason: 'not-srs' };
    if (!m) return { ok: false, reason: 'malformed' };
    const [, hash, tt, domain, local] = m as unknown as [string, string, string, string, string];
    if ((await this.hash(tt.toUpperCase(), domain, local)).toLowerCase() !== hash.toLowerCase()) return { ok: false, reason: 'bad-hash' };
    const stamp = BASE32.indexOf(tt[0]!.toUpperCase()) * 32 + BASE32.indexOf(tt[1]!.toUpperCase());
    const today = Math.floor(this.now() / DAY_MS) % 1024;
    if ((today - stamp + 1024) % 1024 > MAX_AGE_DAYS) return { ok: false, reason: 'expired' };
    return { ok: true, address: `${local}@${domain}` };
  }
}
