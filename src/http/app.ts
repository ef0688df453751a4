/**
 * The web application: security headers on every answer, the plain-HTTP rules, body parsers, and the route modules.
 * On the `http` listener only the autoconfig URLs, the Autodiscover redirect and ACME challenges answer; everything
 * else is a 301 to https, so no password or cookie ever crosses plain HTTP.
 */
import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';
import type { Services } from '../app/services.js';
import { httpLimits } from '../lib/limits.js';
import { makeContext } from './context.js';
import { STYLE_CSS } from './page.js';
import { discoveryRoutes, isPlainHttpPath } from './routes/discovery.js';
import { authRoutes } from './routes/auth.js';
import { accountRoutes } from './routes/account.js';
import { selfTestRoutes } from './routes/self-test.js';
import { guideRoutes } from './routes/guide.js';
import { apiRoutes } from './routes/api.js';
import { webmailRoutes } from '../webmail/index.js';
import { isOpsPath, opsRoutes } from '../ops/http-routes.js';
import { adminRoutes } from '../admin/routes.js';

const CSP = "default-src 'none'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The connection's child logger (the listener set made it), found by the request's socket. */
export type LogFor = (socket: object) => Logger | undefined;

export function buildApp(services: Services, role: 'http' | 'https', logFor: LogFor, serverFactory: FastifyServerFactory): FastifyInstance {
  const app = Fastify({ serverFactory, logger: false, bodyLimit: httpLimits.formBodyBytes, trustProxy: false, routerOptions: { caseSensitive: false, ignoreTrailingSlash: true } });
  const ctx = makeContext(services);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (role === 'https') reply.header('strict-transport-security', 'max-age=31536000');
    if (role === 'http' && !isPlainHttpPath(req.url) && !isOpsPath(req.url)) {
      const host = hostOf(req.headers.host) ?? services.config.public.hostname;
      const port = services.config.public.ports.https ?? 443;
      return reply.code(301).header('location', `https://${host}${port === 443 ? '' : `:${port}`}${req.url}`).send();
    }
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string', bodyLimit: httpLimits.autodiscoverBodyBytes }, (_req, body, done) => done(null, String(body)));
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: httpLimits.autodiscoverBodyBytes }, (_req, body, done) => done(null, String(body)));

  app.get('/static/style.css', async (_req, reply) => reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLE_CSS));
  discoveryRoutes(app, ctx, role);
  opsRoutes(app, services);
  if (role === 'https') {
    authRoutes(app, ctx);
    accountRoutes(app, ctx);
    selfTestRoutes(app, ctx);
    guideRoutes(app, ctx);
    apiRoutes(app, ctx);
    adminRoutes(app, ctx);
    webmailRoutes(app, ctx);
  }
  // One line per request: the path without its query (which may hold an address), never a header or a body.
  app.addHook('onResponse', async (req, reply) => {
    logFor(req.socket)?.debug({ method: req.method, path: req.url.split('?')[0]!.slice(0, 200), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'http.request');
  });
  app.setErrorHandler(async (err: { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) logFor(req.socket)?.error({ err, path: req.url.split('?')[0]!.slice(0, 200) }, 'http.failed');
    return reply.code(status).header('content-type', 'text/plain; charset=utf-8').send(status === 500 ? 'Internal error' : 'Bad request');
  });
  return app;
}

/** The host name of a Host header when it is a plausible DNS name (never anything that could bend the URL). */
export function hostOf(header: string | undefined): string | undefined {
  const h = (header ?? '').replace(/:\d{1,5}$/, '').toLowerCase();
  return /^[a-z0-9]([a-z0-9-]{0,62}\.)*[a-z0-9-]{1,63}$/.test(h) || /^\d{1,3}(\.\d{1,3}){3}$/.test(h) ? h : undefined;
}
