/**
 * The auth service every protocol and the web use to sign people in. It answers an unknown address exactly like a
 * wrong password (same reply, same work: a decoy argon2 verification), goes through the shared limiter, and writes
 * every attempt on an existing mailbox to that mailbox's event log for the support view.
 */
import type { AuthMetrics } from '../ops/metrics.js';
import type { Mailbox, Protocol, Store } from '../store/types.js';
import type { PasswordHasher } from '../accounts/hashing.js';
import { hashAppPassword } from '../accounts/hashing.js';
import { parseAddress } from '../mail/address.js';
import type { AuthLimiter } from './limiter.js';

export interface AuthAttempt {
  /** What the client typed as the user name. */
  username: string;
  password: string;
  protocol: Protocol;
  /** Local port the client connected to. */
  port: number;
  clientIp: string;
  tls: boolean;
  /** EHLO name, IMAP ID, User-Agent: what the client calls itself. */
  clientName?: string | null;
}

/** Why a sign-in failed. Protocols show every reason except `locked-out` the same way to the client. */
export type AuthFailure = 'invalid-credentials' | 'locked-out' | 'disabled';

export type AuthResult =
  | { ok: true; mailbox: Mailbox; via: 'password' | 'app-password'; appPasswordName: string | null }
  | { ok: false; failure: AuthFailure; retryAfterMs?: number };

export interface AuthServiceDeps {
  store: Store;
  hasher: PasswordHasher;
  limiter: AuthLimiter;
  now: () => number;
  /** Waits; injected so tests need not sleep through slowdowns. */
  sleep?: (ms: number) => Promise<void>;
  /** Called when an event-log write fails (the sign-in answer is not affected). */
  onLogError?: (e: unknown) => void;
  /** Counts sign-in results for Prometheus (issue 14). */
  metrics?: AuthMetrics;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class AuthService {
  readonly #d: AuthServiceDeps & { sleep: (ms: number) => Promise<void> };
  readonly #pending = new Set<Promise<void>>();

  constructor(deps: AuthServiceDeps) {
    this.#d = { sleep: defaultSleep, ...deps };
  }

  async authenticate(a: AuthAttempt): Promise<AuthResult> {
    const r = await this.#authenticate(a);
    this.#d.metrics?.authResult(a.protocol, r.ok ? 'ok' : 'fail', r.ok ? r.via : r.failure);
    return r;
  }

  async #authenticate(a: AuthAttempt): Promise<AuthResult> {
    const { store, hasher, limiter, now, sleep } = this.#d;
    let address: string;
    try {
      address = parseAddress(a.username).address;
    } catch {
      address = a.username.trim().toLowerCase().slice(0, 320);
    }
    const verdict = await limiter.check(address, a.clientIp);
    const mailbox = await store.getMailbox(address);
    if (!verdict.allowed) {
      if (mailbox) this.log(mailbox.id, a, 'fail', 'locked-out');
      return { ok: false, failure: 'locked-out', retryAfterMs: verdict.retryAfterMs };
    }
    if (verdict.delayMs > 0) await sleep(verdict.delayMs);

    const passwordOk = await hasher.verify(mailbox ? mailbox.passwordHash : await hasher.decoy, a.password);
    let via: 'password' | 'app-password' | null = passwordOk && mailbox ? 'password' : null;
    let appPasswordName: string | null = null;
    const appHash = hashAppPassword(a.password);
    if (!via && mailbox && a.protocol !== 'web') {
      const app = await store.findAppPassword(mailbox.id, appHash);
      if (app) {
        via = 'app-password';
        appPasswordName = app.name;
        await store.touchAppPassword(app.id, now());
      }
    }

    if (!mailbox || !via) {
      await limiter.recordFailure(address, a.clientIp);
      if (mailbox) this.log(mailbox.id, a, 'fail', a.protocol === 'web' && (await store.findAppPassword(mailbox.id, appHash)) ? 'app-password-on-web' : 'bad-password');
      return { ok: false, failure: 'invalid-credentials' };
    }
    if (mailbox.disabled) {
      this.log(mailbox.id, a, 'fail', 'disabled');
      return { ok: false, failure: 'disabled' };
    }
    await limiter.recordSuccess(address, a.clientIp);
    this.log(mailbox.id, a, 'ok', via === 'app-password' ? `app-password:${appPasswordName}` : null);
    return { ok: true, mailbox, via, appPasswordName };
  }

  /**
   * Records a notable connection event for a mailbox named by the client (e.g. plaintext AUTH refused before TLS,
   * relay denied), so the support view can explain it. Unknown addresses are not recorded.
   */
  async noteEvent(username: string, a: Omit<AuthAttempt, 'password' | 'username'>, kind: string, result: 'ok' | 'fail', reason: string | null): Promise<void> {
    let address: string;
    try {
      address = parseAddress(username).address;
    } catch {
      return;
    }
    const mailbox = await this.#d.store.getMailbox(address);
    if (mailbox) await this.record(mailbox.id, a, kind, result, reason);
  }

  /**
   * Event-log writes happen after the answer, not before it: an awaited write (an fsync) only for existing mailboxes
   * would let a client tell them from unknown ones by timing.
   */
  private log(mailboxId: number, a: AuthAttempt, result: 'ok' | 'fail', reason: string | null): void {
    const p = this.record(mailboxId, a, 'auth', result, reason)
      .catch((e: unknown) => this.#d.onLogError?.(e))
      .finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  /** Resolves when every event-log write started so far has finished (for shutdown and tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  private record(mailboxId: number, a: Omit<AuthAttempt, 'password' | 'username'>, kind: string, result: 'ok' | 'fail', reason: string | null) {
    return this.#d.store.recordEvent({
      mailboxId,
      at: this.#d.now(),
      protocol: a.protocol,
      port: a.port,
      clientIp: a.clientIp,
      tls: a.tls,
      clientName: a.clientName ?? null,
      kind,
      result,
      reason,
    });
  }
}
