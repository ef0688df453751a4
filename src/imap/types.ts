/**
 * The IMAP server's shapes: session state as a discriminated union (RFC 9051 §3: not authenticated,
 * authenticated, selected, logout), the context it runs in, and the transport to the socket.
 */
import type { ServerMetrics } from '../ops/metrics.js';
import type { Logger } from 'pino';
import type { AuthService } from '../auth/service.js';
import type { Mailbox, Store } from '../store/types.js';
import type { Chunk } from '../protocol/imap/index.js';
import type { SelectedView } from './selected-view.js';
import type { UserIpConnections } from './connection-limit.js';

export type ImapState =
  | { readonly kind: 'not-authenticated' }
  | { readonly kind: 'authenticated'; readonly mailbox: Mailbox }
  | { readonly kind: 'selected'; readonly mailbox: Mailbox; readonly view: SelectedView }
  | { readonly kind: 'logout' };

export type ImapStateKind = ImapState['kind'];

export interface ImapOptions {
  hostname: string;
}

export interface ImapContext {
  store: Store;
  auth: AuthService;
  options: ImapOptions;
  now: () => number;
  log: Logger;
  /** Signed-in connections per (mailbox, client IP), one counter for both listeners. */
  connections: UserIpConnections;
  /** Prometheus command latency (issue 14). */
  metrics?: ServerMetrics;
}

export interface ImapConnection {
  clientIp: string;
  localPort: number;
  tls: boolean;
  /** Whether STARTTLS can be offered (plain connection with a certificate available). */
  canStartTls: boolean;
}

/** What the session needs from the socket. */
export interface ImapTransport {
  /**
   * Writes encoded response chunks; streamed literals are resolved by the transport. Resolves once the socket
   * accepted the octets (waiting for 'drain' past the high-water mark: backpressure for FETCH).
   */
  write(chunks: readonly Chunk[]): Promise<void>;
  /** Ends the connection after what was written. */
  close(): void;
  /** RFC 9051 §6.2.1: upgrades to TLS after the tagged OK, discarding anything the client pipelined. */
  startTls(): Promise<void>;
  /**
   * RFC 4978 §3: from now on, inflates what the client sends (including what it already pipelined after
   * COMPRESS) and deflates what is written, flushed after every write.
   */
  startCompression(): void;
  /** Sets the autologout timer (changes with the state: short before sign-in, 30 minutes after). */
  setIdleTimeout(ms: number): void;
}
