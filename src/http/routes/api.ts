/**
 * The JSON API behind the pages (and, later, the webmail): the signed-in person's settings, app passwords and
 * explained events. State changes need the session's CSRF token in `X-CSRF-Token`; no CORS, so only our own pages
 * can read the token from `GET /api/me`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isOutpostError } from '../../lib/errors.js';
import { httpLimits } from '../../lib/limits.js';
import type { WebContext } from '../context.js';
import { devicesSeen, explainEvent } from '../explain.js';
import { sameToken, type SignedIn } from '../session.js';
import { clientSettings } from '../settings.js';

export function apiRoutes(app: FastifyInstance, ctx: WebContext): void {
  const { accounts, store, config } = ctx.services;

  const who = async (req: FastifyRequest, reply: FastifyReply, change: boolean): Promise<SignedIn | null> => {
    reply.header('cache-control', 'no-store');
    const w = await ctx.sessions.current(req);
    if (!w) {
      await reply.code(401).send({ error: 'signed-out', message: 'Sign in first.' });
      return null;
    }
    if (change && !sameToken(w.session.csrfToken, String(req.headers['x-csrf-token'] ?? ''))) {
      await reply.code(403).send({ error: 'csrf', message: 'The X-CSRF-Token header is missing or wrong.' });
      return null;
    }
    return w;
  };

  const refused = (reply: FastifyReply, e: unknown) => {
    if (isOutpostError(e) && e.kind === 'user') return reply.code(422).send({ error: e.code, message: e.message });
    throw e;
  };

  app.get('/api/me', async (req, reply) => {
    const w = await who(req, reply, false);
    if (!w) return reply;
    const m = w.mailbox;
    const apps = await accounts.listAppPasswords(m.address);
    return reply.send({
      address: m.address,
      csrfToken: w.session.csrfToken,
      settings: clientSettings(config, m.address, m.domain),
      appPasswords: apps.map((a) => ({ name: a.name, createdAt: a.createdAt, lastUsedAt: a.lastUsedAt })),
    });
  });

  app.get('/api/events', async (req, reply) => {
    const w = await who(req, reply, false);
    if (!w) return reply;
    const s = clientSettings(config, w.mailbox.address, w.mailbox.domain);
    const events = await store.listEvents(w.mailbox.id, httpLimits.accountEvents);
    return reply.send({ events: events.map((e) => ({ ...explainEvent(e, s), protocol: e.protocol, port: e.port, clientIp: e.clientIp, reason: e.reason })), devices: devicesSeen(events) });
  });

  app.post('/api/app-passwords', async (req, reply) => {
    const w = await who(req, reply, true);
    if (!w) return reply;
    const name = (req.body as { name?: unknown } | undefined)?.name;
    try {
      const { appPassword, secret } = await accounts.addAppPassword(w.mailbox.address, typeof name === 'string' ? name : '');
      return reply.code(201).send({ name: appPassword.name, secret });
    } catch (e) {
      return refused(reply, e);
    }
  });

  app.delete('/api/app-passwords/:name', async (req, reply) => {
    const w = await who(req, reply, true);
    if (!w) return reply;
    try {
      await accounts.revokeAppPassword(w.mailbox.address, (req.params as { name: string }).name);
      return reply.code(204).send();
    } catch (e) {
      return refused(reply, e);
    }
  });
}
