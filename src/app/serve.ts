/**
 * `outpost serve`: load and validate the configuration, open the store, start every configured listener, print where
 * everything is, and run until SIGTERM/SIGINT (graceful stop, exit 0). SIGHUP reloads the TLS certificate.
 */
import { LISTENER_ROLES, type ListenerRole } from '../config/schema.js';
import type { Config } from '../config/load.js';
import { ListenerSet, type Endpoint } from '../net/listeners.js';
import { TlsProvider } from '../tls/certs.js';
import { createLogger, type Logger } from './logger.js';
import { createServices, type Services } from './services.js';
import { PROTOCOL_SERVERS } from './protocols.js';
import { startHeaderBackfill } from '../imap/header-backfill.js';
import { createQueueRunner, type QueueRunner } from '../queue/index.js';
import { CertificateManager } from '../acme/manager.js';

export interface RunningServer {
  services: Services;
  listeners: ListenerSet;
  tls: TlsProvider;
  log: Logger;
  endpoints: Endpoint[];
  /** Roles configured in [listen] whose protocol server does not exist yet. */
  unavailable: ListenerRole[];
  /** The outbound queue runner (issue 8). */
  queue: QueueRunner;
  /** Certificates from the store by SNI, ACME orders and renewals (issue 10). */
  certificates: CertificateManager;
  stop(): Promise<void>;
}

export async function startServer(config: Config, log: Logger = createLogger(config.log.level)): Promise<RunningServer> {
  const tls = new TlsProvider(config.tls.cert, config.tls.key);
  const services = createServices(config, { onLogError: (err) => log.error({ err }, 'event-log.write.failed') });
  const listeners = new ListenerSet(log, tls);
  const unavailable: ListenerRole[] = [];
  const certificates = new CertificateManager({ store: services.store, config, log, now: services.now, tls });
  // TLS-ALPN-01 answers come from the store, so whichever node the CA reaches can answer (RFC 8737).
  tls.setChallengeSource(async (name) => {
    const c = await services.store.getAcmeChallenge('tls-alpn-01', name, services.now());
    return c ? (JSON.parse(c.value) as { cert: string; key: string }) : null;
  });
  try {
    await certificates.refresh();
    for (const role of LISTENER_ROLES) {
      const addresses = config.listen[role];
      if (!addresses) continue;
      const factory = PROTOCOL_SERVERS[role];
      if (!factory) {
        unavailable.push(role);
        continue;
      }
      const handler = factory(services, tls);
      await listeners.start(role, addresses, (socket, info) => (services.metrics.connection(role), handler(socket, info)));
    }
  } catch (e) {
    await listeners.close(0);
    await services.close();
    throw e;
  }
  // Domains created before DKIM existed (or by an older version) get their key now.
  for (const d of await services.accounts.ensureDkimKeys()) log.info({ domain: d.domain, selector: d.selector }, 'dkim.key.created');
  const queue = createQueueRunner({ config, store: services.store, resolver: services.resolver, log, now: services.now });
  queue.start();
  certificates.start();
  // Header sections of messages stored before they were kept (src/imap/header-backfill.ts).
  const headers = startHeaderBackfill(services.store);
  headers.done.then(
    (messages) => messages > 0 && log.info({ messages }, 'imap.headers.backfilled'),
    (err: unknown) => log.warn({ err: (err as Error).message }, 'imap.headers.backfill.failed'),
  );
  services.readiness.setListenersUp(true);
  let stopping: Promise<void> | null = null;
  return {
    services,
    listeners,
    tls,
    log,
    endpoints: listeners.endpoints(),
    unavailable,
    queue,
    certificates,
    stop() {
      stopping ??= (async () => {
        services.readiness.setListenersUp(false);
        await queue.stop();
        await certificates.stop();
        await headers.stop();
        await listeners.close();
        await services.close();
      })();
      return stopping;
    },
  };
}

/** Human-readable start-up summary: where everything is and what to do next. */
export function banner(server: RunningServer, cli: string): string {
  const c = server.services.config;
  const lines = [
    `Outpost is running for ${c.server.domain} as ${c.server.hostname}`,
    `  data directory: ${c.dataDir}`,
    `  store:          ${server.services.store.description}`,
    `  certificate:    ${server.tls.info.subject.replace(/\n/g, ', ')}${server.tls.info.selfSigned ? ' (self-signed)' : ''}, valid until ${server.tls.info.validTo.toISOString().slice(0, 10)}${c.acme.enabled ? ' (fallback)' : ''}`,
    `  ACME:           ${c.acme.enabled ? `on, ${c.acme.directoryUrl} (see: ${cli} cert status)` : 'off ([acme] enabled = false)'}`,
    '  listeners:',
  ];
  for (const e of server.endpoints) lines.push(`    ${e.role.padEnd(12)} ${e.host}:${e.port}${e.tls ? ' (TLS)' : ''}`);
  for (const role of server.unavailable)
    lines.push(`    ${role.padEnd(12)} ${c.listen[role]!.map((a) => `${a.host}:${a.port}`).join(', ')}  (configured; not served by this version yet)`);
  lines.push(
    '',
    'Next steps:',
    `  create a mailbox:  ${cli} account add you@${c.server.domain}`,
    `  list everything:   ${cli} --help`,
    '  stop:              Ctrl-C (or SIGTERM); reload the certificate: SIGHUP',
  );
  return lines.join('\n');
}

/** Runs until a stop signal; resolves with the exit code. */
export async function serveForever(server: RunningServer): Promise<number> {
  const { log } = server;
  const onHup = () => {
    try {
      const info = server.tls.reload();
      log.info({ fingerprint: info.fingerprint256, validTo: info.validTo }, 'tls.reloaded');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'tls.reload.failed');
    }
  };
  process.on('SIGHUP', onHup);
  // Signal handlers do not keep Node's event loop alive; with no listening socket the process would end here.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info({ signal }, 'server.stopping');
  process.off('SIGHUP', onHup);
  clearInterval(keepAlive);
  await server.stop();
  log.info('server.stopped');
  return 0;
}
