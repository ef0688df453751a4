/**
 * Listening sockets for every role: plain TCP (STARTTLS upgrades happen inside the protocol servers) or implicit TLS
 * (RFC 8314). Tracks open connections so a shutdown can stop accepting, let sessions finish, then close the rest.
 * A handler that throws loses its own connection only.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { ListenerRole } from '../config/schema.js';
import type { ListenAddress } from '../config/values.js';
import type { TlsProvider } from '../tls/certs.js';

/** Roles whose port speaks TLS from the first byte (RFC 8314 §3.3, RFC 8314 §7 for https). */
export const IMPLICIT_TLS_ROLES: ReadonlySet<ListenerRole> = new Set(['submissions', 'imaps', 'pop3s', 'https']);

export interface ConnectionInfo {
  role: ListenerRole;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** True when the connection is already encrypted (implicit TLS). */
  tls: boolean;
  log: Logger;
}

export type ConnectionHandler = (socket: Socket | TLSSocket, info: ConnectionInfo) => void | Promise<void>;

export interface Endpoint {
  role: ListenerRole;
  host: string;
  port: number;
  tls: boolean;
}

export class ListenerSet {
  readonly #servers: Array<{ server: Server; endpoint: Endpoint }> = [];
  readonly #sockets = new Set<Socket>();
  #nextId = 1;

  constructor(
    private readonly log: Logger,
    private readonly tls: TlsProvider,
  ) {}

  /** Binds every address of a role; rejects (naming the address) when one cannot be bound. */
  async start(role: ListenerRole, addresses: ListenAddress[], handler: ConnectionHandler): Promise<Endpoint[]> {
    const implicitTls = IMPLICIT_TLS_ROLES.has(role);
    const started: Endpoint[] = [];
    for (const a of addresses) {
      const server = implicitTls
        ? createTlsServer(this.tls.serverOptions({ acmeAlpn: role === 'https' }), (s) => this.accept(s, role, true, handler))
        : createServer((s) => this.accept(s, role, false, handler));
      if (implicitTls) {
        this.tls.attach(server as ReturnType<typeof createTlsServer>);
        server.on('tlsClientError', (err, socket) => {
          this.log.debug({ role, err: err.message, remote: socket.remoteAddress }, 'tls.handshake.failed');
        });
      }
      await new Promise<void>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException) =>
          reject(new Error(`cannot listen on ${a.host}:${a.port} for ${role}: ${err.code ?? err.message}`));
        server.once('error', onError);
        server.listen({ host: a.host, port: a.port }, () => {
          server.off('error', onError);
          resolve();
        });
      });
      server.on('error', (err) => this.log.error({ role, err: err.message }, 'listener.error'));
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : a.port;
      const endpoint = { role, host: a.host, port, tls: implicitTls };
      this.#servers.push({ server, endpoint });
      started.push(endpoint);
    }
    return started;
  }

  private accept(socket: Socket | TLSSocket, role: ListenerRole, tls: boolean, handler: ConnectionHandler): void {
    // Every protocol here answers a command with several writes (untagged lines, then the tagged or final reply):
    // with Nagle's algorithm on, the last small segment waited for the client's delayed ACK, ~40 ms on Linux,
    // which was most of a LIST's or STATUS's latency in bench/imap-dovecot's mixed load.
    socket.setNoDelay(true);
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    const info: ConnectionInfo = {
      role,
      localPort: socket.localPort ?? 0,
      remoteAddress: socket.remoteAddress ?? 'unknown',
      remotePort: socket.remotePort ?? 0,
      tls,
      log: this.log.child({ conn: this.#nextId++, role, remote: socket.remoteAddress }),
    };
    // A broken session must never take the process down: errors end that connection only.
    socket.on('error', (err) => info.log.debug({ err: err.message }, 'connection.error'));
    try {
      const r = handler(socket, info);
      if (r instanceof Promise)
        r.catch((err: unknown) => {
          info.log.error({ err }, 'session.crashed');
          socket.destroy();
        });
    } catch (err) {
      info.log.error({ err }, 'session.crashed');
      socket.destroy();
    }
  }

  endpoints(): Endpoint[] {
    return this.#servers.map((s) => s.endpoint);
  }

  get openConnections(): number {
    return this.#sockets.size;
  }

  /** Stops accepting, waits up to `graceMs` for sessions to end by themselves, then closes what is left. */
  async close(graceMs = 5000): Promise<void> {
    const closed = this.#servers.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve())));
    const deadline = Date.now() + graceMs;
    while (this.#sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const s of this.#sockets) s.destroy();
    await Promise.all(closed);
  }
}
