/** The POP3 server's shapes: session state as a discriminated union (RFC 1939 §3: AUTHORIZATION, TRANSACTION, UPDATE). */
import type { ServerMetrics } from '../ops/metrics.js';
import type { Logger } from 'pino';
import type { Mailbox, Store } from '../store/types.js';
import type { AuthService } from '../auth/service.js';
import type { SaslExchange } from '../protocol/sasl/index.js';

/** One message of the maildrop as numbered for this session (message n is `messages[n - 1]`). */
export interface MaildropMessage {
  uid: number;
  size: number;
  blobId: string;
}

export type Pop3State =
  | { kind: 'authorization'; user: string | null; sasl: SaslExchange | null }
  | {
      kind: 'transaction';
      mailbox: Mailbox;
      folderId: number;
      uidValidity: number;
      messages: MaildropMessage[];
      /** Message numbers marked by DELE; removed only in the UPDATE state (QUIT). */
      deleted: Set<number>;
      lockKey: string;
    }
  | { kind: 'closed' };

export type Pop3StateKind = Pop3State['kind'];

export interface Pop3Transport {
  write(data: string | Buffer): void;
  /** Ends the connection after what was written. */
  close(): void;
  /** RFC 2595 §4: upgrades to TLS, discarding anything the client sent after STLS. */
  startTls(): Promise<void>;
}

export interface Pop3Options {
  hostname: string;
  /** RFC 2449 §6.7 EXPIRE: days the server keeps mail ("NEVER" here: Outpost never deletes on its own). */
  expire: 'NEVER' | number;
  /** RFC 2449 §6.8 LOGIN-DELAY: minimum seconds between sign-ins; 0 = not advertised. */
  loginDelaySeconds: number;
}

export interface Pop3Context {
  store: Store;
  auth: AuthService;
  options: Pop3Options;
  now: () => number;
  log: Logger;
  /** Prometheus command latency (issue 14). */
  metrics?: ServerMetrics;
}

export interface Pop3Connection {
  clientIp: string;
  localPort: number;
  tls: boolean;
  /** Whether STLS can be offered (a certificate is available and we are not TLS yet). */
  canStartTls: boolean;
}
