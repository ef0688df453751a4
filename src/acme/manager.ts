/**
 * Keeps certificates current on every node: loads the store's certificates into the TLS provider (so a certificate
 * ordered by any node is served by all), orders what is missing or due under a store lock (one node orders at a
 * time), backs off exponentially after failures, and warns in the log when a certificate nears expiry.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import { acmeLimits } from '../lib/limits.js';
import type { Store, StoredCertificate } from '../store/types.js';
import type { TlsProvider } from '../tls/certs.js';
import { certificateExpiryWarnings } from '../tls/status.js';
import type { CertificateGroup } from './names.js';
import { wantedGroups } from './wanted.js';
import { AcmeIssuer } from './issuer.js';
import { KeySealer } from './seal.js';
import { backoffMs, orderReason, type OrderReason } from './policy.js';

/** The store lock every node takes before ordering. */
export const ORDER_LOCK = 'acme.order';

export interface OrderOutcome {
  key: string;
  names: string[];
  result: 'issued' | 'failed' | 'current' | 'backing-off' | 'locked';
  reason?: OrderReason;
  error?: string;
  notAfter?: number;
}

export interface CertificateManagerOptions {
  store: Store;
  config: Config;
  log: Logger;
  now: () => number;
  /** Absent for the CLI: it orders and stores, the running server picks the certificate up. */
  tls?: TlsProvider;
}

export class CertificateManager {
  readonly #owner = `${process.pid}-${randomUUID()}`;
  #version = -1;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;
  #stopped = false;
  readonly #warned = new Map<string, number>();
  readonly #sealer: KeySealer;
  readonly #abort = new AbortController();

  constructor(private readonly o: CertificateManagerOptions) {
    this.#sealer = new KeySealer(o.config.acme.secretFile);
  }

  /** Loads the store's certificates into the TLS provider when they changed since the last look. */
  async refresh(): Promise<void> {
    const { tls, store, log } = this.o;
    if (!tls) return;
    const version = await store.certificatesVersion();
    if (version === this.#version) return;
    const certs = await store.listCertificates();
    const usable = [];
    for (const c of certs) {
      try {
        usable.push({ ...c, keyPem: this.#sealer.unseal(c.keyPem, `cert:${c.key}`) });
      } catch (e) {
        log.error({ names: c.names, err: (e as Error).message }, 'tls.certificate.unusable');
      }
    }
    const failed = tls.setCertificates(usable);
    for (const f of failed) log.error({ names: f.names, err: f.error }, 'tls.certificate.unusable');
    this.#version = version;
    log.info({ certificates: certs.length, names: certs.flatMap((c) => c.names) }, 'tls.certificates.loaded');
  }

  /**
   * Orders every group that is missing, has new names, is due (or all, with `force`), under the store lock.
   * Failures are recorded with their backoff; they never throw.
   */
  async orderDue(opts: { force?: boolean } = {}): Promise<OrderOutcome[]> {
    const { store, config, log, now } = this.o;
    const groups = await wantedGroups(store, config);
    const existing = new Map((await store.listCertificates()).map((c) => [c.key, c]));
    const due: Array<{ group: CertificateGroup; reason: OrderReason }> = [];
    const outcomes: OrderOutcome[] = [];
    for (const group of groups) {
      const reason = opts.force ? 'forced' : orderReason(existing.get(group.key), group.names, now(), config.acme.renewBeforeDays);
      if (!reason) {
        outcomes.push({ key: group.key, names: group.names, result: 'current', notAfter: existing.get(group.key)!.notAfter });
        continue;
      }
      const state = await store.getRenewalState(group.key);
      if (!opts.force && state && state.nextAttemptAt > now()) {
        outcomes.push({ key: group.key, names: group.names, result: 'backing-off', reason, error: state.lastError ?? undefined });
        continue;
      }
      due.push({ group, reason });
    }
    if (due.length === 0) return outcomes;
    if (!(await store.tryLock(ORDER_LOCK, this.#owner, now(), acmeLimits.orderLockTtlMs))) {
      log.info({ groups: due.map((d) => d.group.key) }, 'acme.order.locked-elsewhere');
      return [...outcomes, ...due.map(({ group, reason }) => ({ key: group.key, names: group.names, result: 'locked' as const, reason }))];
    }
    const keepLock = setInterval(() => void store.refreshLock(ORDER_LOCK, this.#owner, now(), acmeLimits.orderLockTtlMs), acmeLimits.orderLockTtlMs / 3);
    try {
      const issuer = new AcmeIssuer({ store, config: config.acme, now, sealer: this.#sealer, signal: this.#abort.signal, onChallenge: (type, name) => log.info({ type, name }, 'acme.challenge.presented') });
      for (const { group, reason } of due) {
        if (this.#stopped) break;
        outcomes.push(await this.orderOne(issuer, group, reason));
      }
    } finally {
      clearInterval(keepLock);
      await store.unlock(ORDER_LOCK, this.#owner);
    }
    await this.refresh();
    return outcomes;
  }

  private async orderOne(issuer: AcmeIssuer, group: CertificateGroup, reason: OrderReason): Promise<OrderOutcome> {
    const { store, config, log, now } = this.o;
    const previous = await store.getRenewalState(group.key);
    const startedAt = now();
    log.info({ names: group.names, reason }, 'acme.order.started');
    try {
      const issued = await issuer.order(group.names);
      const x = new X509Certificate(issued.certPem);
      const cert: StoredCertificate = {
        key: group.key,
        names: group.names,
        certPem: issued.certPem,
        keyPem: this.#sealer.seal(issued.keyPem, `cert:${group.key}`),
        source: 'acme',
        issuer: x.issuer.replace(/\n/g, ', '),
        notBefore: Date.parse(x.validFrom),
        notAfter: Date.parse(x.validTo),
        updatedAt: Math.max(now(), (await store.certificatesVersion()) + 1),
      };
      await store.putCertificate(cert);
      await store.putRenewalState({ key: group.key, failures: 0, nextAttemptAt: 0, lastAttemptAt: startedAt, lastSuccessAt: now(), lastError: null });
      log.info({ names: group.names, reason, notAfter: new Date(cert.notAfter).toISOString(), issuer: cert.issuer }, 'acme.order.issued');
      return { key: group.key, names: group.names, result: 'issued', reason, notAfter: cert.notAfter };
    } catch (e) {
      const failures = (previous?.failures ?? 0) + 1;
      const waitMs = backoffMs(failures, config.acme.retryFirstMs, config.acme.retryMaxMs);
      const error = (e as Error).message;
      await store.putRenewalState({
        key: group.key,
        failures,
        nextAttemptAt: now() + waitMs,
        lastAttemptAt: startedAt,
        lastSuccessAt: previous?.lastSuccessAt ?? null,
        lastError: error,
      });
      log.warn({ names: group.names, failures, retryInMs: waitMs, err: error }, 'acme.order.failed');
      return { key: group.key, names: group.names, result: 'failed', reason, error };
    }
  }

  /** One pass: pick up new certificates, order what is due (when `[acme]` is on), warn about expiry. */
  async tick(): Promise<void> {
    const { log, config } = this.o;
    try {
      await this.refresh();
      if (config.acme.enabled) await this.orderDue();
      await this.warnExpiry();
    } catch (err) {
      log.error({ err: (err as Error).message }, 'acme.tick.failed');
    }
  }

  /** A warning per certificate nearing expiry, at most once a day each. */
  private async warnExpiry(): Promise<void> {
    const { store, config, log, now } = this.o;
    for (const w of await certificateExpiryWarnings({ store, config, now: now() })) {
      const last = this.#warned.get(w.name) ?? 0;
      if (now() - last < 86_400_000) continue;
      this.#warned.set(w.name, now());
      log.warn({ name: w.name, source: w.source, notAfter: new Date(w.notAfter).toISOString(), daysLeft: w.daysLeft }, 'tls.certificate.expiring');
    }
  }

  /** Runs `tick` now and then every `[acme] check_interval`. */
  start(): void {
    const loop = async () => {
      this.#running = this.tick();
      await this.#running;
      this.#running = null;
      if (!this.#stopped) this.#timer = setTimeout(loop, this.o.config.acme.checkIntervalMs);
    };
    void loop();
  }

  /** Stops the loop; an order in flight gets a short grace (a slow CA must not hold up a shutdown for minutes). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#abort.abort();
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([this.#running, new Promise((r) => (grace = setTimeout(r, acmeLimits.stopGraceMs)))]);
    clearTimeout(grace);
  }
}
