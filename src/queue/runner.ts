/**
 * The queue runner: claims due entries as leases, groups them by message and destination domain, delivers each
 * group in one SMTP session (one transaction per distinct set of DSN parameters), and settles the outcome of every
 * recipient in ONE store commit together with the notice to the sender, if any.
 *
 * At-least-once: an entry is settled only after the remote reply; a crash before that leaves the lease to expire and
 * the entry is tried again (perhaps delivering twice), never lost. Leases are short (queueRunnerLimits.leaseMaxMs)
 * and renewed every third of their length while this runner holds them, so a slow remote keeps its delivery and a
 * dead runner's entries come back within a minute. Several runners (processes or nodes) can share a
 * store: a lease is only ever held by one (PostgreSQL: SKIP LOCKED), and a settlement by a runner that lost its
 * lease is refused.
 *
 * RFC 5321 §4.5.4.1 (retry strategy, give up after days), RFC 3461 §4.1 (NOTIFY: SUCCESS, FAILURE, DELAY, NEVER;
 * absent = FAILURE and DELAY here), RFC 3464 (Action failed/delayed/relayed), RFC 6531 (SMTPUTF8).
 */
import { randomBytes } from 'node:crypto';
import { domainToASCII } from 'node:url';
import type { Config } from '../config/load.js';
import type { Logger } from '../app/logger.js';
import type { QueueEntry, QueueOutcome, Store } from '../store/types.js';
import type { RoutePlan, Router } from './routing.js';
import type { AttemptReport, OutboundTransaction, RcptOutcome, SmtpClient } from './client.js';
import type { DkimSigner } from './dkim.js';
import { MTA_STS_FETCH_TIMEOUT_CAP_MS, type MtaSts, type MtaStsPolicy } from './mta-sts.js';
import type { DsnRecipient } from './dsn.js';
import { retryDelay } from './backoff.js';
import { noticeDelivery } from './notices.js';
import { downgradeTo7bit } from './downgrade.js';
import { queueRunnerLimits } from '../lib/limits.js';

export interface QueueRunnerDeps {
  store: Store;
  config: Pick<Config, 'queue' | 'server'>;
  router: Pick<Router, 'plan'>;
  client: Pick<SmtpClient, 'deliver'>;
  signer: Pick<DkimSigner, 'sign'>;
  /** MTA-STS discovery and enforcement for MX deliveries (RFC 8461); null when `[queue] mta_sts` is off. */
  mtaSts?: Pick<MtaSts, 'policyFor' | 'apply'> | null;
  log: Logger;
  now: () => number;
  /** This runner's lease owner name (default: random per process). */
  owner?: string;
  /** The lease bound (default queueRunnerLimits.leaseMaxMs; tests make it short). */
  leaseMaxMs?: number;
}

/** How long a claimed entry stays ours: enough for a whole session at the configured timeouts (and a policy fetch). */
export function leaseFor(q: Config['queue']): number {
  const policyFetch = q.mtaSts ? Math.min(q.commandTimeoutMs, MTA_STS_FETCH_TIMEOUT_CAP_MS) : 0;
  return q.connectTimeoutMs + q.greetingTimeoutMs + 6 * q.commandTimeoutMs + policyFetch + 5_000;
}

const notifyOf = (e: QueueEntry): Set<string> => new Set((e.params.NOTIFY ?? 'FAILURE,DELAY').toUpperCase().split(','));
const nonAscii = (s: string): boolean => /[^\x00-\x7f]/.test(s);

/** RFC 5890: a domain as A-label, the local part left alone. */
function asciiDomain(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const d = domainToASCII(address.slice(at + 1));
  return d ? `${address.slice(0, at)}@${d}` : address;
}

export class QueueRunner {
  readonly #d: QueueRunnerDeps;
  readonly owner: string;
  readonly #leaseMs: number;
  readonly #inflight = new Set<Promise<void>>();
  #inflightEntries = 0;
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, Array<() => void>>();
  #timer: NodeJS.Timeout | null = null;
  /** Entries claimed and not yet finished: their leases are renewed while this runner lives. */
  readonly #held = new Set<number>();
  #renewTimer: NodeJS.Timeout | null = null;
  #running = false;
  #stopped = false;

  constructor(d: QueueRunnerDeps) {
    this.#d = d;
    this.owner = d.owner ?? `runner-${process.pid}-${randomBytes(4).toString('hex')}`;
    this.#leaseMs = Math.min(leaseFor(d.config.queue), d.leaseMaxMs ?? queueRunnerLimits.leaseMaxMs);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
    this.#renewTimer = setInterval(() => void this.#renew(), Math.max(500, Math.floor(this.#leaseMs / 3)));
    this.#renewTimer.unref();
  }

  /** Extends the leases of what this runner is still delivering (a slow remote must not let another node in). */
  async #renew(): Promise<void> {
    if (this.#held.size === 0) return;
    try {
      await this.#d.store.renewLeases(this.owner, [...this.#held], this.#d.now(), this.#leaseMs);
    } catch (err) {
      this.#d.log.warn({ err }, 'queue.lease.renew-failed');
    }
  }

  /** Stops claiming; waits up to `graceMs` for deliveries in progress (the rest are retried when their lease ends). */
  async stop(graceMs = 5_000): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const all = Promise.allSettled([...this.#inflight]);
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
    this.#stopped = true;
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    this.#renewTimer = null;
  }

  #schedule(ms: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.tick()
        .catch((err: unknown) => this.#d.log.error({ err }, 'queue.tick.failed'))
        .finally(() => this.#schedule(this.#d.config.queue.pollIntervalMs));
    }, ms);
  }

  /** Claims what is due and starts delivering it; resolves once started (see {@link drain}). */
  async tick(): Promise<number> {
    const free = this.#d.config.queue.concurrency * 4 - this.#inflightEntries;
    if (free <= 0) return 0;
    const entries = await this.#d.store.claimDue(this.owner, this.#d.now(), this.#leaseMs, free);
    const groups = new Map<string, QueueEntry[]>();
    for (const e of entries) {
      const key = `${e.messageId}\0${e.domain}\0${e.mailFrom}`;
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    for (const g of groups.values()) {
      this.#inflightEntries += g.length;
      for (const e of g) this.#held.add(e.id);
      const p = this.#run(g).finally(() => {
        for (const e of g) this.#held.delete(e.id);
        this.#inflightEntries -= g.length;
        this.#inflight.delete(p);
      });
      this.#inflight.add(p);
    }
    return entries.length;
  }

  /** Waits for every delivery started so far (tests). */
  async drain(): Promise<void> {
    while (this.#inflight.size) await Promise.allSettled([...this.#inflight]);
  }

  async #run(group: QueueEntry[]): Promise<void> {
    const domain = group[0]!.domain;
    const claimedAt = this.#d.now();
    await this.#acquire(domain);
    try {
      // Without renewal (tick() driven by hand), a group that waited for its domain past half its lease is left to
      // the next claim; a started runner keeps renewing the lease while the group waits.
      if (!this.#renewTimer && this.#d.now() - claimedAt > this.#leaseMs / 2) return;
      await this.#deliverGroup(group);
    } catch (err) {
      this.#d.log.error({ err, ids: group.map((e) => e.id) }, 'queue.group.failed');
    } finally {
      this.#release(domain);
    }
  }

  async #acquire(domain: string): Promise<void> {
    const limit = this.#d.config.queue.concurrencyPerDomain;
    const n = this.#active.get(domain) ?? 0;
    if (n < limit) {
      this.#active.set(domain, n + 1);
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.set(domain, [...(this.#waiting.get(domain) ?? []), resolve]));
  }

  #release(domain: string): void {
    const next = this.#waiting.get(domain)?.shift();
    if (next) return next(); // the slot passes straight to the next waiter
    const n = (this.#active.get(domain) ?? 1) - 1;
    if (n <= 0) this.#active.delete(domain);
    else this.#active.set(domain, n);
  }

  async #deliverGroup(group: QueueEntry[]): Promise<void> {
    const { store, log } = this.#d;
    const first = group[0]!;
    const requested = group.filter((e) => e.bounceRequested);
    const pending = group.filter((e) => !e.bounceRequested);
    const results = new Map<number, { outcome: RcptOutcome; host: string | null; remoteDsn: boolean }>();
    for (const e of requested)
      results.set(e.id, {
        outcome: { rcpt: e.rcptTo, kind: 'permanent', status: '5.0.0', reply: 'removed from the queue by the administrator' },
        host: null,
        remoteDsn: false,
      });
    const raw = first.blobId ? await store.blobs.get(first.blobId) : null;
    if (pending.length > 0) {
      if (!raw) {
        log.error({ ids: pending.map((e) => e.id) }, 'queue.body.missing');
        for (const e of pending)
          results.set(e.id, { outcome: { rcpt: e.rcptTo, kind: 'permanent', status: '5.3.0', reply: 'the message body was lost' }, host: null, remoteDsn: false });
      } else {
        const report = await this.#attempt(first.domain, pending, raw);
        const byRcpt = new Map(report.outcomes.map((o) => [o.rcpt, o]));
        for (const e of pending) {
          const outcome = byRcpt.get(asciiDomain(e.rcptTo)) ?? { rcpt: e.rcptTo, kind: 'temporary' as const, status: '4.0.0', reply: 'no outcome reported' };
          results.set(e.id, { outcome, host: report.host, remoteDsn: report.remoteDsn });
        }
      }
    }
    await this.#settle(group, results, raw);
  }

  /** The route plan, narrowed by the domain's MTA-STS policy when the mail goes to its MX hosts. */
  async #route(domain: string): Promise<{ plan: RoutePlan; policy: MtaStsPolicy | null }> {
    const plan = await this.#d.router.plan(domain);
    const sts = this.#d.mtaSts;
    if (!sts || plan.kind !== 'hops' || (plan.via !== 'mx' && plan.via !== 'implicit-mx')) return { plan, policy: null };
    const policy = await sts.policyFor(domainToASCII(domain).toLowerCase() || domain.toLowerCase());
    return { plan: policy ? sts.apply(domain, plan, policy) : plan, policy };
  }

  /** One delivery attempt for entries of one message to one domain. */
  async #attempt(domain: string, entries: QueueEntry[], raw: Buffer): Promise<AttemptReport> {
    const { router, client, signer, log } = this.#d;
    const { plan, policy } = await this.#route(domain);
    if (plan.kind === 'fail') {
      log.info({ domain, reason: plan.reason, permanent: plan.permanent }, 'queue.route.failed');
      return {
        host: null,
        remoteDsn: false,
        tls: false,
        outcomes: entries.map((e) => ({ rcpt: asciiDomain(e.rcptTo), kind: plan.permanent ? 'permanent' : 'temporary', status: plan.status, reply: plan.reason })),
      };
    }
    const first = entries[0]!;
    const sign = (bytes: Buffer) =>
      signer.sign(bytes, first.mailFrom).catch((err: unknown) => {
        log.error({ err }, 'queue.dkim.failed');
        return { raw: bytes, domain: null };
      });
    const signed = await sign(raw);
    const eightBit = signed.raw.some((b) => b > 0x7f);
    // RFC 6152 §3: the 7-bit form for a server without 8BITMIME, signed after the conversion (RFC 6376 §5.3: a
    // signature must cover the body as it travels).
    let sevenBit: Promise<{ raw: Buffer } | { impossible: string }> | null = null;
    const toSevenBit = () =>
      (sevenBit ??= (async () => {
        const d = downgradeTo7bit(raw);
        return d.kind === 'impossible' ? { impossible: d.reason } : { raw: (await sign(d.raw)).raw };
      })());
    const headerEnd = signed.raw.indexOf('\r\n\r\n');
    const utf8Header = signed.raw.subarray(0, headerEnd < 0 ? signed.raw.length : headerEnd).some((b) => b > 0x7f);
    const byParams = new Map<string, QueueEntry[]>();
    for (const e of entries) {
      const k = `${e.params.NOTIFY ?? ''}\0${e.params.ORCPT ?? ''}`;
      byParams.set(k, [...(byParams.get(k) ?? []), e]);
    }
    const mailFrom = nonAscii(first.mailFrom) ? first.mailFrom : asciiDomain(first.mailFrom);
    const txs: OutboundTransaction[] = [...byParams.values()].map((es) => {
      const rcpts = es.map((e) => asciiDomain(e.rcptTo));
      const p = es[0]!.params;
      const dsn: NonNullable<OutboundTransaction['dsn']> = {};
      if (p.RET) dsn.ret = p.RET;
      if (p.ENVID) dsn.envid = p.ENVID;
      if (p.NOTIFY) dsn.notify = p.NOTIFY;
      if (p.ORCPT) dsn.orcpt = p.ORCPT;
      return {
        mailFrom,
        rcpts,
        ...(Object.keys(dsn).length ? { dsn } : {}),
        body: signed.raw,
        needsSmtpUtf8: nonAscii(mailFrom) || rcpts.some(nonAscii) || (p.SMTPUTF8 === 'yes' && utf8Header),
        eightBit,
        ...(eightBit ? { sevenBit: toSevenBit } : {}),
      };
    });
    const report = await client.deliver(plan.hops, txs);
    if (policy?.mode === 'testing' && report.host && !report.tls) log.warn({ domain, host: report.host }, 'queue.mta-sts.testing.plaintext');
    for (const o of report.outcomes) log.info({ rcpt: o.rcpt, host: report.host, kind: o.kind, reply: o.reply, dkim: signed.domain, tls: report.tls }, 'queue.attempt');
    return report;
  }

  /** Turns outcomes into queue states and at most one notice, and records them in one commit. */
  async #settle(group: QueueEntry[], results: Map<number, { outcome: RcptOutcome; host: string | null; remoteDsn: boolean }>, raw: Buffer | null): Promise<void> {
    const { store, config, log } = this.#d;
    const q = config.queue;
    const now = this.#d.now();
    const outcomes: QueueOutcome[] = [];
    const report: DsnRecipient[] = [];
    for (const e of group) {
      const r = results.get(e.id)!;
      const { outcome } = r;
      const notify = notifyOf(e);
      const base = { rcpt: e.rcptTo, orcpt: e.params.ORCPT, remoteMta: r.host, diagnostic: outcome.reply, lastAttemptAt: now };
      if (outcome.kind === 'delivered') {
        outcomes.push({ id: e.id, status: 'delivered', error: outcome.reply, host: r.host });
        if (notify.has('SUCCESS') && !r.remoteDsn) report.push({ ...base, action: 'relayed', status: outcome.status });
      } else if (outcome.kind === 'permanent') {
        outcomes.push({ id: e.id, status: 'bounced', error: outcome.reply, host: r.host });
        if (notify.has('FAILURE')) report.push({ ...base, action: 'failed', status: outcome.status });
      } else if (now - e.createdAt >= q.giveUpAfterMs) {
        outcomes.push({ id: e.id, status: 'expired', error: outcome.reply, host: r.host });
        if (notify.has('FAILURE')) report.push({ ...base, action: 'failed', status: '4.4.7' });
      } else {
        const delayed = q.delayNoticeAfterMs > 0 && e.delayNotifiedAt === null && now - e.createdAt >= q.delayNoticeAfterMs && notify.has('DELAY');
        outcomes.push({ id: e.id, status: 'queued', nextAttemptAt: now + retryDelay(e.attempts + 1, q), error: outcome.reply, host: r.host, delayNotified: delayed });
        if (delayed) report.push({ ...base, action: 'delayed', status: outcome.status, willRetryUntil: e.createdAt + q.giveUpAfterMs });
      }
    }
    const first = group[0]!;
    const kind = report.some((x) => x.action === 'failed') ? 'failure' : report.some((x) => x.action === 'delayed') ? 'delay' : 'success';
    const notice = report.length
      ? await noticeDelivery(
          { store, hostname: config.server.hostname, primaryDomain: config.server.domain },
          first.mailFrom,
          {
            kind,
            envid: first.params.ENVID,
            arrivalDate: first.createdAt,
            now,
            recipients: report,
            original: raw,
            ret: first.params.RET === 'HDRS' ? 'HDRS' : 'FULL',
          },
          now,
        )
      : null;
    if (this.#stopped) return;
    const ok = await store.settleAttempts(this.owner, { at: now, outcomes, ...(notice ? { notice } : {}) });
    if (!ok) log.warn({ ids: group.map((e) => e.id) }, 'queue.lease.lost');
    else
      for (const o of outcomes)
        log.info({ id: o.id, status: o.status, nextAttemptAt: o.nextAttemptAt, notice: notice ? kind : null }, `queue.${o.status === 'queued' ? 'deferred' : o.status}`);
  }
}
