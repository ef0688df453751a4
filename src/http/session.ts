/**
 * Web sessions and CSRF. The session token lives only in an HttpOnly, Secure, SameSite=Strict `__Host-` cookie; the
 * store keeps its SHA-256. Every state change is a POST carrying a CSRF token: the session's own once signed in,
 * a double-submit cookie before (sign-up and sign-in forms). GET never changes state.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Mailbox, Store, WebSession } from '../store/types.js';
import { httpLimits } from '../lib/limits.js';

export const SESSION_COOKIE = '__Host-outpost-session';
export const CSRF_COOKIE = '__Host-outpost-csrf';

export function token(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 1) continue;
    const k = part.slice(0, i).trim();
    if (!(k in out)) out[k] = part.slice(i + 1).trim();
  }
  return out;
}

function cookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}

export function addCookie(reply: FastifyReply, value: string): void {
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  reply.header('set-cookie', [...list, value]);
}

/** Session records of other kinds (one-time profile links) share the store; only these sign a browser in. */
const WEB_KIND = 'web';

export interface SignedIn {
  session: WebSession;
  mailbox: Mailbox;
}

export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  /** A new session (always a new token: rotated at every sign-in); the old one, if any, is deleted. */
  async start(req: FastifyRequest, reply: FastifyReply, mailbox: Mailbox): Promise<void> {
    const old = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (old) await this.store.deleteSession(sha256(old));
    const t = token();
    const now = this.now();
    await this.store.putSession({ id: sha256(t), mailboxId: mailbox.id, csrfToken: token(), createdAt: now, expiresAt: now + httpLimits.sessionTtlMs, data: { kind: WEB_KIND } });
    addCookie(reply, cookie(SESSION_COOKIE, t, Math.floor(httpLimits.sessionTtlMs / 1000)));
  }

  async current(req: FastifyRequest): Promise<SignedIn | null> {
    const t = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (!t || t.length > 100) return null;
    const session = await this.store.getSession(sha256(t), this.now());
    if (!session || session.data.kind !== WEB_KIND) return null;
    const mailbox = await this.store.getMailboxById(session.mailboxId);
    if (!mailbox || mailbox.disabled) return null;
    return { session, mailbox };
  }

  async end(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const t = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (t) await this.store.deleteSession(sha256(t));
    addCookie(reply, cookie(SESSION_COOKIE, '', 0));
  }
}

/** The pre-sign-in CSRF token (double submit): reuses the browser's cookie or sets a new one. */
export function anonymousCsrf(req: FastifyRequest, reply: FastifyReply): string {
  const existing = parseCookies(req.headers.cookie)[CSRF_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const t = token();
  addCookie(reply, cookie(CSRF_COOKIE, t, 24 * 3600));
  return t;
}

export function anonymousCsrfOk(req: FastifyRequest, submitted: string | undefined): boolean {
  return sameToken(parseCookies(req.headers.cookie)[CSRF_COOKIE], submitted);
}
