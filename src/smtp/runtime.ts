/**
 * The SMTP servers of one process: the shared context (store, auth, limits, storage health, per-IP connection
 * counts), the handler for each listener role, and the graceful stop: on SIGTERM/SIGINT every session is drained
 * (idle ones get 421 at once, one in the middle of a message finishes it first, RFC 5321 §3.8) while `outpost serve`
 * stops accepting and waits for connections to end.
 */
import type { Config } from '../config/load.js';
import type { AuthService } from '../auth/service.js';
import type { Store } from '../store/types.js';
import type { ConnectionHandler } from '../net/listeners.js';
import type { TlsProvider } from '../tls/certs.js';
import { smtpServerLimits } from '../lib/limits.js';
import { ConnectionCounter, SendingLimits } from './rate-limit.js';
import { StorageHealth } from './storage-health.js';
import { Status } from './status.js';
import { smtpHandler, type SessionRegistry } from './server.js';
import type { SmtpSession } from './session.js';
import type { SmtpContext, SmtpRole } from './types.js';
import type { ServerMetrics } from '../ops/metrics.js';
import { InboundChecker } from '../inbound/checker.js';
import { defaultInboundOptions } from '../inbound/options.js';
import { createResolver } from '../dns/node-resolver.js';
import { Srs } from '../inbound/srs.js';
import { VacationResponder } from '../inbound/vacation.js';

export interface SmtpRuntimeDeps {
  config: Config;
  store: Store;
  auth: AuthService;
  now: () => number;
  metrics?: ServerMetrics;
}

function inboundChecker(config: Config, store: Store, now: () => number): InboundChecker {
  const i = config.inbound;
  const domains = [config.server.hostname, config.public.hostname, config.server.domain];
  return new InboundChecker({
    resolver: createResolver({ servers: config.dns.servers, timeoutMs: config.dns.timeoutMs, tries: config.dns.tries }),
    counters: store,
    now,
    options: {
      ...defaultInboundOptions(config.server.hostname),
      dmarcReject: i.dmarcReject,
      dmarcQuarantine: i.dmarcQuarantine,
      blocklists: i.blocklists,
      blocklistAction: i.blocklistAction,
      junkScore: i.junkScore,
      rejectScore: i.rejectScore,
      ourNames: [...new Set(domains)],
    },
  });
}

export class SmtpRuntime implements SessionRegistry {
  readonly context: SmtpContext;
  readonly #sessions = new Set<SmtpSession>();
  #draining = false;
  #signalsWatched = false;

  constructor(deps: SmtpRuntimeDeps) {
    const { config, store, auth, now } = deps;
    this.context = {
      config,
      store,
      auth,
      now,
      limits: new SendingLimits(store, config.smtp, now),
      connections: new ConnectionCounter(config.smtp.connectionsPerIp),
      storage: new StorageHealth(config.store.kind === 'sqlite' ? config.store.path : undefined, now),
      inbound: config.inbound.enabled ? inboundChecker(config, store, now) : null,
      srs: new Srs(store, config.server.domain, now),
      vacation: new VacationResponder({ store, now, hostname: config.server.hostname }),
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
    };
  }

  /** The connection handler for a listener role. The first call also arranges the graceful stop on signals. */
  handler(role: SmtpRole, tls: TlsProvider): ConnectionHandler {
    this.#watchSignals();
    return smtpHandler(this.context, tls, role, this);
  }

  add(session: SmtpSession): void {
    this.#sessions.add(session);
    if (this.#draining) session.drain();
  }

  delete(session: SmtpSession): void {
    this.#sessions.delete(session);
  }

  get draining(): boolean {
    return this.#draining;
  }

  get openSessions(): number {
    return this.#sessions.size;
  }

  /** Stops taking new mail: idle sessions get 421 now; a session in a message finishes it, then gets 421. */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    for (const s of this.#sessions) s.drain();
    // A client that never finishes its message still gets its 421 before the listener's grace period ends.
    setTimeout(() => {
      for (const s of this.#sessions) s.close(Status.ShuttingDown, `${this.context.config.server.hostname} shutting down; please try again later`);
    }, smtpServerLimits.drainGraceMs).unref();
  }

  #watchSignals(): void {
    if (this.#signalsWatched) return;
    this.#signalsWatched = true;
    const onSignal = () => this.drain();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
}
