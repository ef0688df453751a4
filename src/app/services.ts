/**
 * The composition root: the only place that names concrete implementations (SQLite store, argon2 hasher, the
 * node:dns resolver). Everything else receives interfaces.
 */
import { UserIpConnections } from '../imap/connection-limit.js';
import { imapConnectionLimits } from '../lib/limits.js';
import type { Config } from '../config/load.js';
import type { Store } from '../store/types.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { openPgStore } from '../store/pg/index.js';
import { AccountService } from '../accounts/service.js';
import { PasswordPolicy, loadCommonPasswords } from '../accounts/password-policy.js';
import { createArgon2Hasher, type PasswordHasher } from '../accounts/hashing.js';
import { AuthLimiter } from '../auth/limiter.js';
import { AuthService } from '../auth/service.js';
import { SmtpRuntime } from '../smtp/runtime.js';
import type { Resolver } from '../dns/resolver.js';
import { createResolver } from '../dns/node-resolver.js';
import { Metrics, instrumentStore } from '../ops/metrics.js';
import { Readiness } from '../ops/health.js';
import { describingStore } from '../imap/described-store.js';
import { describeMessage } from '../imap/engine/describe.js';

export interface Services {
  config: Config;
  store: Store;
  hasher: PasswordHasher;
  accounts: AccountService;
  auth: AuthService;
  limiter: AuthLimiter;
  /** The SMTP servers' shared state: sending limits, per-IP connection counts, storage health, graceful drain. */
  smtp: SmtpRuntime;
  /** Every DNS lookup goes through this ([dns] servers). */
  resolver: Resolver;
  /** Signed-in IMAP connections per (mailbox, client IP), shared by the imap and imaps listeners. */
  imapConnections: UserIpConnections;
  /** This process's Prometheus metrics (its own registry; issue 14). */
  metrics: Metrics;
  /** What `/readyz` reports: listeners bound and store answering. */
  readiness: Readiness;
  now: () => number;
  close(): Promise<void>;
}

export interface ServiceOptions {
  now?: () => number;
  onLogError?: (e: unknown) => void;
}

export function createServices(config: Config, opts: ServiceOptions = {}): Services {
  const now = opts.now ?? Date.now;
  const metrics = new Metrics();
  // Every stored message gets its IMAP description (ENVELOPE, BODYSTRUCTURE, SEARCH text) before the commit.
  const store = describingStore(instrumentStore(openStore(config, now), metrics), describeMessage);
  metrics.watchQueue(store, now);
  const hasher = createArgon2Hasher();
  const policy = new PasswordPolicy(loadCommonPasswords(), config.accounts.passwordMinLength);
  const accounts = new AccountService({
    store,
    hasher,
    policy,
    now,
    defaultAllowance: config.accounts.defaultAllowance,
    defaultQuotaBytes: config.accounts.defaultQuotaBytes,
  });
  const limiter = new AuthLimiter(store, now);
  const auth = new AuthService({ store, hasher, limiter, now, metrics, ...(opts.onLogError ? { onLogError: opts.onLogError } : {}) });
  return {
    config,
    store,
    hasher,
    accounts,
    auth,
    limiter,
    smtp: new SmtpRuntime({ config, store, auth, now, metrics }),
    resolver: createResolver({ servers: config.dns.servers, timeoutMs: config.dns.timeoutMs, tries: config.dns.tries }),
    imapConnections: new UserIpConnections(imapConnectionLimits.perUserIp),
    metrics,
    readiness: new Readiness(store),
    now,
    async close() {
      await auth.flush();
      await store.close();
    },
  };
}

/** `[store]`: SQLite (one node) or PostgreSQL (one or several nodes on one database). */
function openStore(config: Config, now: () => number): Store {
  if (config.store.kind === 'postgres' && config.store.url !== null) return openPgStore({ url: config.store.url, now });
  return openSqliteStore({ path: config.store.path, now, backgroundCheckpoints: true });
}
