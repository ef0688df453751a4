/**
 * The real IMAP server (src/imap/server.ts) on an implicit-TLS loopback socket, in process, with real services
 * (SQLite store, argon2, the auth service; test/kit/services.ts) and their injected clock: for tests that reach
 * into the store or the clock while a client talks to the server. The domain example.test has its admin; mailboxes
 * are the test's to create.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { testServices, type TestServices } from './services.js';
import { imapHandler } from '../../src/imap/server.js';
import { UserIpConnections } from '../../src/imap/connection-limit.js';
import { TlsProvider, writeSelfSigned } from '../../src/tls/certs.js';

export interface TestImapServer {
  readonly t: TestServices;
  readonly port: number;
  /** Ends every connection, closes the listener and the services, removes the certificate. */
  close(): Promise<void>;
}

export async function startTestImap(): Promise<TestImapServer> {
  const certDir = mkdtempSync(join(tmpdir(), 'outpost-imap-kit-'));
  const cert = join(certDir, 'cert.pem');
  const key = join(certDir, 'key.pem');
  await writeSelfSigned('mail.example.test', cert, key);
  const t = await testServices();
  await t.accounts.bootstrap('example.test', 'admins secret passphrase');
  const handler = imapHandler(
    { store: t.store, auth: t.auth, options: { hostname: 'mail.example.test' }, now: () => t.clock.now, connections: new UserIpConnections(20) },
    new TlsProvider(cert, key),
  );
  const sockets = new Set<tls.TLSSocket>();
  let port = 0;
  const server = tls.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    void handler(socket, { role: 'imaps', localPort: port, remoteAddress: socket.remoteAddress ?? '127.0.0.1', remotePort: socket.remotePort ?? 0, tls: true, log: pino({ level: 'silent' }) });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  return {
    t,
    port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
      await t.close();
      rmSync(certDir, { recursive: true, force: true });
    },
  };
}
