/** What every route module receives. */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import type { Protocol } from '../store/types.js';
import { Sessions, type SignedIn } from './session.js';
import { page } from './page.js';
import type { Safe } from './escape.js';

export interface WebContext {
  services: Services;
  sessions: Sessions;
  /** A server-wide secret (created once, shared by every node): stable profile UUIDs, invite codes. */
  secret(): Promise<string>;
}

export function makeContext(services: Services): WebContext {
  let secret: Promise<string> | undefined;
  return {
    services,
    sessions: new Sessions(services.store, services.now),
    secret: () => (secret ??= services.store.settingOnce('http.secret', randomBytes(32).toString('hex'))),
  };
}

/** The auth-service view of a web request, for sign-in and the event log. */
export function attemptOf(req: FastifyRequest): { protocol: Protocol; port: number; clientIp: string; tls: boolean; clientName: string | null } {
  return {
    protocol: 'web',
    port: req.socket.localPort ?? 0,
    clientIp: req.socket.remoteAddress ?? 'unknown',
    tls: 'encrypted' in req.socket && Boolean((req.socket as { encrypted?: boolean }).encrypted),
    clientName: (req.headers['user-agent'] ?? '').slice(0, 200) || null,
  };
}

export function sendPage(reply: FastifyReply, title: string, body: Safe, who?: SignedIn | null, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .send(page(title, body, who ? { signedIn: who.mailbox.address, csrf: who.session.csrfToken } : {}));
}

export type Form = Record<string, string | undefined>;

export function formOf(req: FastifyRequest): Form {
  const b = req.body;
  return b && typeof b === 'object' ? (b as Form) : {};
}
