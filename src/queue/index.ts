/**
 * The outbound queue assembled from its parts (routing, SMTP client, DKIM signer, runner) for `outpost serve`.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { Config } from '../config/load.js';
import type { Logger } from '../app/logger.js';
import type { Resolver } from '../dns/resolver.js';
import type { Store } from '../store/types.js';
import { Router } from './routing.js';
import { SmtpClient } from './client.js';
import { DkimSigner } from './dkim.js';
import { QueueRunner } from './runner.js';
import { MtaSts, httpsPolicyFetcher } from './mta-sts.js';

export { QueueRunner } from './runner.js';

export interface QueueDeps {
  config: Config;
  store: Store;
  resolver: Resolver;
  log: Logger;
  now: () => number;
  /** Tests: a shorter lease bound than queueRunnerLimits.leaseMaxMs. */
  leaseMaxMs?: number;
}

/** Every address of this machine's interfaces (for loop detection of listeners on 0.0.0.0 / ::). */
function localAddresses(): Set<string> {
  return new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((i) => i?.address)
      .filter((a): a is string => !!a),
  );
}

export function createQueueRunner(d: QueueDeps): QueueRunner {
  const { config } = d;
  const log = d.log.child({ component: 'queue' });
  const router = new Router({
    resolver: d.resolver,
    hostname: config.server.hostname,
    ownMx: config.listen.mx ?? [],
    localAddresses: localAddresses(),
    queue: config.queue,
    routes: config.routes,
    smarthost: config.smarthost,
  });
  const extraCa = config.queue.tlsCaFile ? { extraCa: [readFileSync(config.queue.tlsCaFile, 'utf8')] } : {};
  const client = new SmtpClient({
    hostname: config.server.hostname,
    connectTimeoutMs: config.queue.connectTimeoutMs,
    greetingTimeoutMs: config.queue.greetingTimeoutMs,
    commandTimeoutMs: config.queue.commandTimeoutMs,
    ...extraCa,
    log,
  });
  const mtaSts = config.queue.mtaSts
    ? new MtaSts({
        resolver: d.resolver,
        store: d.store,
        fetch: httpsPolicyFetcher({ resolver: d.resolver, port: config.queue.mtaStsPort, timeoutMs: config.queue.commandTimeoutMs, ...extraCa }),
        now: d.now,
        log,
      })
    : null;
  return new QueueRunner({ store: d.store, config, router, client, signer: new DkimSigner(d.store), mtaSts, log, now: d.now, ...(d.leaseMaxMs ? { leaseMaxMs: d.leaseMaxMs } : {}) });
}
