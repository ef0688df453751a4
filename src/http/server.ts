/**
 * The `http` and `https` listeners. The listener set hands us a socket (already TLS-terminated for `https`); it is
 * fed to a plain node:http server owned by Fastify, which never listens itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Services } from '../app/services.js';
import type { ConnectionHandler } from '../net/listeners.js';
import { httpLimits } from '../lib/limits.js';
import { buildApp } from './app.js';

export function httpHandler(services: Services, role: 'http' | 'https'): ConnectionHandler {
  const logs = new WeakMap<object, Logger>();
  const app = buildApp(services, role, (socket) => logs.get(socket), (handler) => {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => handler(req, res));
    server.keepAliveTimeout = httpLimits.keepAliveTimeoutMs;
    server.headersTimeout = httpLimits.headersTimeoutMs;
    server.requestTimeout = httpLimits.headersTimeoutMs * 2;
    return server;
  });
  const ready = app.ready();
  return async (socket, info) => {
    logs.set(socket, info.log);
    await ready;
    app.server.emit('connection', socket);
  };
}
