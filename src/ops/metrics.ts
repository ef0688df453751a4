/**
 * Prometheus metrics for one process (text exposition format 0.0.4). One `Metrics` is made per process in the
 * composition root (src/app/services.ts) and handed to the servers; there is no module-level registry, so two
 * servers in one test process never share counters.
 *
 * What is measured: connections per listener, commands and their latency per protocol, messages accepted and
 * refused (by reason) at the SMTP servers, sign-in results, delivery outcomes of the outbound queue, the queue's
 * size and oldest age (read from the store at each scrape), and the latency of every store operation.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/types.js';

/** The part of {@link Metrics} the protocol servers see (they never import prom-client). */
export interface ServerMetrics {
  /** One command handled (`protocol` smtp/imap/pop3, the command's name), with its duration in seconds. */
  command(protocol: string, name: string, seconds: number): void;
  /** A message accepted (250 after the commit) on an SMTP listener. */
  messageAccepted(listener: string): void;
  /** A refusal of an SMTP server (a command or a message), by its logged reason. */
  refused(listener: string, reason: string): void;
}

/** Sign-in results, counted by the auth service (the one door of every protocol). */
export interface AuthMetrics {
  authResult(protocol: string, result: 'ok' | 'fail', reason: string): void;
}

/** Latency buckets (seconds) for commands and store operations: 0.5 ms … 10 s. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Bounded label values: a command or reason name from a client could otherwise grow the series without end. */
const LABEL_RE = /^[A-Za-z0-9_.:-]{1,40}$/;
const label = (s: string): string => (LABEL_RE.test(s) ? s : 'other');

export class Metrics implements ServerMetrics, AuthMetrics {
  readonly registry = new Registry();
  readonly #connections: Counter<'listener'>;
  readonly #commands: Histogram<'protocol' | 'command'>;
  readonly #messages: Counter<'listener'>;
  readonly #refusals: Counter<'listener' | 'reason'>;
  readonly #auth: Counter<'protocol' | 'result' | 'reason'>;
  readonly #deliveries: Counter<'outcome'>;
  readonly #store: Histogram<'op' | 'result'>;

  constructor() {
    const registers = [this.registry];
    this.#connections = new Counter({ name: 'outpost_connections_total', help: 'Connections accepted, per listener role.', labelNames: ['listener'], registers });
    this.#commands = new Histogram({
      name: 'outpost_command_duration_seconds',
      help: 'Time to handle one protocol command (SMTP DATA includes the durable commit).',
      labelNames: ['protocol', 'command'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#messages = new Counter({ name: 'outpost_messages_accepted_total', help: 'Messages accepted (250 after the commit), per SMTP listener.', labelNames: ['listener'], registers });
    this.#refusals = new Counter({
      name: 'outpost_smtp_refusals_total',
      help: 'Commands and messages refused by the SMTP servers, per listener and reason (e.g. inbound-policy, no-such-user, relay-denied).',
      labelNames: ['listener', 'reason'],
      registers,
    });
    this.#auth = new Counter({ name: 'outpost_auth_attempts_total', help: 'Sign-in attempts, per protocol, result and reason.', labelNames: ['protocol', 'result', 'reason'], registers });
    this.#deliveries = new Counter({
      name: 'outpost_queue_outcomes_total',
      help: 'Outcomes of outbound delivery attempts per recipient (delivered, queued = deferred, bounced, expired).',
      labelNames: ['outcome'],
      registers,
    });
    this.#store = new Histogram({ name: 'outpost_store_duration_seconds', help: 'Latency of store operations.', labelNames: ['op', 'result'], buckets: LATENCY_BUCKETS, registers });
  }

  connection(listener: string): void {
    this.#connections.inc({ listener });
  }

  command(protocol: string, name: string, seconds: number): void {
    this.#commands.observe({ protocol, command: label(name.toUpperCase()) }, seconds);
  }

  messageAccepted(listener: string): void {
    this.#messages.inc({ listener });
  }

  refused(listener: string, reason: string): void {
    this.#refusals.inc({ listener, reason: label(reason) });
  }

  authResult(protocol: string, result: 'ok' | 'fail', reason: string): void {
    this.#auth.inc({ protocol, result, reason: label(reason) });
  }

  delivery(outcome: string): void {
    this.#deliveries.inc({ outcome: label(outcome) });
  }

  storeOp(op: string, ok: boolean, seconds: number): void {
    this.#store.observe({ op, result: ok ? 'ok' : 'error' }, seconds);
  }

  /** Queue gauges, read from the store when scraped (every node sees the same shared queue). */
  watchQueue(store: Pick<Store, 'listQueue'>, now: () => number): void {
    let last: Promise<{ size: number; oldest: number }> | null = null;
    // One store read serves both gauges of a scrape.
    const read = () =>
      (last ??= store
        .listQueue({ status: 'queued' })
        .then((q) => ({ size: q.length, oldest: q.reduce((m, e) => Math.max(m, now() - e.createdAt), 0) / 1000 }))
        .finally(() => setImmediate(() => (last = null))));
    new Gauge({
      name: 'outpost_queue_size',
      help: 'Outbound queue entries waiting for delivery (one per recipient).',
      registers: [this.registry],
      async collect() {
        this.set((await read()).size);
      },
    });
    new Gauge({
      name: 'outpost_queue_oldest_age_seconds',
      help: 'Age of the oldest entry still waiting in the outbound queue (0 when empty).',
      registers: [this.registry],
      async collect() {
        this.set((await read()).oldest);
      },
    });
  }

  /** The exposition text. */
  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * The store seen through a timer: every method's latency goes to `outpost_store_duration_seconds{op}`, and queue
 * settlements (the one commit that records a delivery attempt) count their outcomes. The store itself is untouched.
 */
export function instrumentStore(store: Store, metrics: Metrics): Store {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'close') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        const method = value as (...args: unknown[]) => Promise<unknown>;
        fn = async (...args: unknown[]) => {
          const t0 = performance.now();
          try {
            const r = await method.apply(target, args);
            metrics.storeOp(prop, true, (performance.now() - t0) / 1000);
            if (prop === 'settleAttempts' && r === true) for (const o of (args[1] as { outcomes: Array<{ status: string }> }).outcomes) metrics.delivery(o.status);
            if (prop === 'finishAttempt' && r === true) metrics.delivery((args[2] as { status: string }).status);
            return r;
          } catch (e) {
            metrics.storeOp(prop, false, (performance.now() - t0) / 1000);
            throw e;
          }
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
