/**
 * The socket adaptor: one {@link SmtpSession} per connection, with the parts that need a real socket: the
 * per-IP connection limit, the optional pre-greeting wait (a client that talks first is a bot: close), the STARTTLS
 * upgrade (RFC 3207), idle and total deadlines (RFC 5321 §4.5.3.2), flow control, and graceful drain.
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { ConnectionHandler, ConnectionInfo } from '../net/listeners.js';
import type { TlsProvider } from '../tls/certs.js';
import { upgradeToTls } from '../net/starttls.js';
import { smtpServerLimits } from '../lib/limits.js';
import { formatReply, statusReply } from '../protocol/smtp/reply.js';
import { SmtpSession } from './session.js';
import { Status } from './status.js';
import type { SmtpContext, SmtpRole, SmtpTransport, TlsFacts } from './types.js';

export interface SessionRegistry {
  add(session: SmtpSession): void;
  delete(session: SmtpSession): void;
  readonly draining: boolean;
}

/** The handler for one listener role. */
export function smtpHandler(ctx: SmtpContext, tls: TlsProvider, role: SmtpRole, registry: SessionRegistry): ConnectionHandler {
  return (socket, info) => serveConnection(ctx, tls, role, registry, socket, info);
}

function tlsFacts(s: TLSSocket): TlsFacts {
  return { version: s.getProtocol() ?? 'TLS', cipher: s.getCipher()?.name ?? 'unknown' };
}

async function serveConnection(ctx: SmtpContext, tls: TlsProvider, role: SmtpRole, registry: SessionRegistry, socket: Socket, info: ConnectionInfo): Promise<void> {
  const clientIp = info.remoteAddress;
  const line = (status: { code: number; enhanced: string }, text: string) => formatReply(statusReply(status, text));
  if (registry.draining) {
    socket.end(line(Status.ShuttingDown, `${ctx.config.server.hostname} shutting down; please try again later`));
    return;
  }
  if (!ctx.connections.acquire(clientIp)) {
    info.log.info({ clientIp }, 'smtp.connections-per-ip');
    socket.end(line(Status.TooManyConnections, 'too many connections from your address; try again later'));
    return;
  }
  let current: Socket = socket;
  socket.setNoDelay(true);
  const delay = ctx.config.smtp.greetingDelayMs;
  if (delay > 0 && !(await quietFor(socket, delay))) {
    // RFC 5321 §4.3.1: the client must wait for the greeting. One that does not is not a real MTA or MUA.
    info.log.info({ clientIp }, 'smtp.pregreet');
    ctx.connections.release(clientIp);
    socket.end(line(Status.NoService, 'you spoke before the greeting; closing'));
    return;
  }
  let closed = false;
  // The per-IP slot is freed as soon as the session is over (e.g. after 221 to QUIT), not when the socket's close
  // event arrives later: a client that reconnects at once after QUIT must not find its own old connection counted.
  let released = false;
  const releaseSlot = () => {
    if (released) return;
    released = true;
    ctx.connections.release(clientIp);
  };
  const transport: SmtpTransport = {
    write: (text) => {
      if (!current.destroyed) current.write(text);
    },
    close: () => {
      releaseSlot();
      current.end();
      setTimeout(() => current.destroy(), 2000).unref();
    },
    pause: () => current.pause(),
    resume: () => current.resume(),
    startTls: async () => {
      socket.removeListener('data', onData);
      socket.removeListener('timeout', onTimeout);
      const secure = await upgradeToTls(socket, { ...tls.starttlsOptions(), idleMs: smtpServerLimits.idleTimeoutMs, onIdle: onTimeout, onData });
      current = secure;
      return tlsFacts(secure);
    },
  };
  const session = new SmtpSession(ctx, { role, clientIp, localPort: info.localPort, log: info.log }, transport, info.tls ? tlsFacts(socket as TLSSocket) : null);
  const onData = (chunk: Buffer) => session.feed(chunk);
  const onTimeout = () => session.timeout('idle');
  registry.add(session);
  const total = setTimeout(() => session.timeout('session'), smtpServerLimits.sessionTimeoutMs);
  total.unref();
  socket.setTimeout(smtpServerLimits.idleTimeoutMs);
  socket.on('timeout', onTimeout);
  socket.on('data', onData);
  socket.resume();
  socket.once('close', () => {
    if (closed) return;
    closed = true;
    clearTimeout(total);
    registry.delete(session);
    releaseSlot();
    if (!session.closed) session.phase = { kind: 'closed' };
  });
  session.greet();
}

/** Waits `ms`; false as soon as the client sends anything (pipelining before the greeting). */
function quietFor(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (quiet: boolean) => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
      if (quiet) socket.pause(); // resumed once the session's reader is attached
      resolve(quiet);
    };
    const onData = () => done(false);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}
