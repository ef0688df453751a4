/**
 * Which protocol server answers on each listener role. A role without an entry is not served yet: `outpost serve`
 * says so at start-up instead of accepting connections it cannot handle.
 * (SMTP: issue 3, IMAP: issues 5-6, POP3: issue 7, HTTP(S): issue 9.)
 */
import type { ListenerRole } from '../config/schema.js';
import type { ConnectionHandler } from '../net/listeners.js';
import type { TlsProvider } from '../tls/certs.js';
import type { Services } from './services.js';
import { pop3Handler } from '../pop3/server.js';
import { imapHandler } from '../imap/server.js';
import { httpHandler } from '../http/server.js';

export type ProtocolFactory = (services: Services, tls: TlsProvider) => ConnectionHandler;

export const PROTOCOL_SERVERS: Partial<Record<ListenerRole, ProtocolFactory>> = {
  mx: (services, tls) => services.smtp.handler('mx', tls),
  submission: (services, tls) => services.smtp.handler('submission', tls),
  submissions: (services, tls) => services.smtp.handler('submissions', tls),
  submission_fallback: (services, tls) => services.smtp.handler('submission_fallback', tls),
  imap: (services, tls) => imapHandler(imapContext(services), tls),
  imaps: (services, tls) => imapHandler(imapContext(services), tls),
  pop3: (services, tls) => pop3Handler(pop3Context(services), tls),
  pop3s: (services, tls) => pop3Handler(pop3Context(services), tls),
  http: (services) => httpHandler(services, 'http'),
  https: (services) => httpHandler(services, 'https'),
};

function imapContext(s: Services) {
  return { store: s.store, auth: s.auth, now: s.now, connections: s.imapConnections, metrics: s.metrics, options: { hostname: s.config.server.hostname } };
}

function pop3Context(s: Services) {
  return {
    store: s.store,
    auth: s.auth,
    now: s.now,
    metrics: s.metrics,
    options: { hostname: s.config.server.hostname, expire: s.config.pop3.expire, loginDelaySeconds: s.config.pop3.loginDelaySeconds },
  };
}
