/**
 * The server side of an in-protocol TLS upgrade (SMTP STARTTLS, RFC 3207; IMAP STARTTLS, RFC 9051 §6.2.1; POP3
 * STLS, RFC 2595): wraps the plain socket once the "go ahead" reply has been written. The caller has already
 * detached its plain-text reader and discarded anything the client pipelined (RFC 3207 §4.2 / CVE-2011-0411).
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { SniCallback } from '../tls/certs.js';

export interface UpgradeOptions {
  context: SecureContext;
  /** Picks the certificate by the client's server name (RFC 6066 §3); absent = always `context`. */
  SNICallback?: SniCallback;
  idleMs: number;
  onIdle: () => void;
  /** Decrypted bytes from the client, attached only after the handshake. */
  onData: (chunk: Buffer) => void;
}

/** Resolves with the encrypted socket after the handshake; rejects (and destroys the connection) if it fails. */
export function upgradeToTls(socket: Socket, o: UpgradeOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    socket.setTimeout(0);
    const secure = new TLSSocket(socket, { isServer: true, secureContext: o.context, ...(o.SNICallback ? { SNICallback: o.SNICallback } : {}) });
    secure.setTimeout(o.idleMs);
    secure.on('timeout', o.onIdle);
    secure.on('error', (e) => {
      reject(e);
      socket.destroy();
    });
    secure.once('secure', () => {
      secure.on('data', o.onData);
      resolve(secure);
    });
  });
}
