/**
 * What every webmail API route shares: the signed-in session (the `__Host-` cookie of src/http/session.ts), the
 * session's CSRF token in `X-CSRF-Token` on every state change (no CORS, so only our own pages can read the token
 * from `GET /webmail/api/me`), `no-store` caching, and one mapping from our errors to JSON answers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isOutpostError } from '../../lib/errors.js';
import type { WebContext } from '../../http/context.js';
import { sameToken, type SignedIn } from '../../http/session.js';

export type Guard = (req: FastifyRequest, reply: FastifyReply, change: boolean) => Promise<SignedIn | null>;

export function makeGuard(ctx: WebContext): Guard {
  return async (req, reply, change) => {
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
}

/** Our user errors become 404 (not found) or 422 with their message; anything else is the app's 500. */
export function refused(reply: FastifyReply, e: unknown): FastifyReply {
  if (isOutpostError(e) && (e.kind === 'user' || e.kind === 'temporary')) {
    const status = e.code === 'not-found' ? 404 : e.kind === 'temporary' ? 429 : 422;
    return reply.code(status).send({ error: e.code, message: e.message });
  }
  throw e;
}

export function intParam(v: unknown): number {
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isSafeInteger(n) ? n : -1;
}
