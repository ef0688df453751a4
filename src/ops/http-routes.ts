/**
 * `/metrics` (Prometheus), `/healthz` and `/readyz` on the `http` and `https` listeners. They answer on plain HTTP
 * too (a scraper or a load balancer's probe rarely speaks TLS to a backend) and reveal nothing personal; `/metrics`
 * answers only to loopback and to `[smtp] trusted_networks`, everyone else gets 404 as if it did not exist.
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { isTrustedClient } from './trusted.js';

const OPS_PATHS = ['/metrics', '/healthz', '/readyz'];

export function isOpsPath(url: string): boolean {
  return OPS_PATHS.includes(url.split('?')[0]!.toLowerCase().replace(/\/$/, ''));
}

export function opsRoutes(app: FastifyInstance, services: Services): void {
  app.get('/healthz', async (_req, reply) => reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send('ok\n'));
  app.get('/readyz', async (_req, reply) => {
    const r = await services.readiness.check();
    return reply
      .code(r.ready ? 200 : 503)
      .header('content-type', 'text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(r.ready ? 'ready\n' : `not ready: ${r.problems.join('; ')}\n`);
  });
  app.get('/metrics', async (req, reply) => {
    if (!isTrustedClient(req.socket.remoteAddress ?? '', services.config.smtp.trustedNetworks))
      return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('Not found');
    const { contentType, body } = await services.metrics.expose();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}
