/**
 * What an SMTP session is made of: the context shared by every session of a process, the facts of one connection,
 * the transport the socket adaptor provides, and the session state as a discriminated union (STYLE.md habit 1):
 * per-state data exists only in its state.
 */
import type { InboundChecker } from '../inbound/checker.js';
import type { Srs } from '../inbound/srs.js';
import type { VacationResponder } from '../inbound/vacation.js';
import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import type { AuthService } from '../auth/service.js';
import type { Mailbox, Store } from '../store/types.js';
import type { MailParameters, RcptParameters } from '../protocol/smtp/params.js';
import type { ReversePath } from '../protocol/smtp/path.js';
import type { BdatReader, DataReader } from '../protocol/smtp/data-reader.js';
import type { SaslExchange } from '../protocol/sasl/index.js';
import type { ConnectionCounter, SendingLimits } from './rate-limit.js';
import type { StorageHealth } from './storage-health.js';
import type { RecipientRoute } from './recipients.js';
import type { ServerMetrics } from '../ops/metrics.js';

/** The listener roles served by SMTP. */
export type SmtpRole = 'mx' | 'submission' | 'submissions' | 'submission_fallback';

/** Everything sessions share: built once per process by {@link SmtpRuntime}. */
export interface SmtpContext {
  readonly config: Config;
  readonly store: Store;
  readonly auth: AuthService;
  readonly now: () => number;
  readonly limits: SendingLimits;
  readonly connections: ConnectionCounter;
  readonly storage: StorageHealth;
  /** Checks on mail from other servers (SPF/DKIM/DMARC, blocklists, spam score); null when `[inbound] enabled = false`. */
  readonly inbound: InboundChecker | null;
  /** Rewrites envelope senders of mail we forward, and recognises bounces to them. */
  readonly srs: Srs;
  /** RFC 3834 vacation replies after local delivery. */
  readonly vacation: VacationResponder;
  /** Prometheus counters and latency (issue 14); absent in tests that build a context by hand. */
  readonly metrics?: ServerMetrics;
}

/** The negotiated TLS of a connection, for the Received header (RFC 8314 §4.3) and the event log. */
export interface TlsFacts {
  readonly version: string;
  readonly cipher: string;
}

/** What the socket adaptor does for a session. Sans-I/O: a test can implement it in memory. */
export interface SmtpTransport {
  write(text: string): void;
  /** Upgrades the connection (RFC 3207); bytes the client sends from now on arrive decrypted through `feed`. */
  startTls(): Promise<TlsFacts>;
  /** Ends the connection after what was written has been sent. */
  close(): void;
  /** Flow control: stop/restart reading while the session is behind. */
  pause(): void;
  resume(): void;
}

export interface ConnectionFacts {
  readonly role: SmtpRole;
  readonly clientIp: string;
  readonly localPort: number;
  readonly log: Logger;
}

/** A mail transaction (RFC 5321 §3.3): from MAIL to the end of the data. */
export interface Transaction {
  readonly reversePath: ReversePath;
  readonly params: MailParameters;
  readonly recipients: AcceptedRecipient[];
  /** Which data command this transaction uses: DATA and BDAT must not mix (RFC 3030 §2). */
  body: 'data' | 'bdat' | null;
  /** BDAT chunks received so far. */
  readonly chunks: Buffer[];
  received: number;
  /** True once a BDAT chunk pushed the message past the size limit (the rest is read and dropped). */
  tooBig: boolean;
}

export interface AcceptedRecipient {
  readonly route: RecipientRoute;
  readonly params: RcptParameters;
}

/** Who the client is, once signed in (RFC 4954). */
export interface SignedIn {
  readonly mailbox: Mailbox;
  readonly via: 'password' | 'app-password';
  /** Addresses this mailbox may send as (its own and its aliases'). */
  readonly owned: ReadonlySet<string>;
}

export type Phase =
  /** Before EHLO/HELO (also right after STARTTLS, RFC 3207 §4.2). */
  | { readonly kind: 'connected' }
  /** After EHLO/HELO, no transaction. */
  | { readonly kind: 'idle' }
  /** In a SASL exchange (RFC 4954 §4): lines are responses, not commands. */
  | { readonly kind: 'auth'; readonly exchange: SaslExchange; readonly mechanism: string; username: string | null }
  /** After MAIL FROM. */
  | { readonly kind: 'transaction'; readonly tx: Transaction }
  /** Reading DATA (after 354). */
  | { readonly kind: 'data'; readonly tx: Transaction; readonly reader: DataReader; readonly parts: Buffer[] }
  /** Reading a BDAT chunk; `tx` is null when BDAT came outside a transaction (the chunk is read, then refused). */
  | { readonly kind: 'bdat'; readonly tx: Transaction | null; readonly reader: BdatReader; readonly last: boolean }
  | { readonly kind: 'closed' };

export type PhaseKind = Phase['kind'];
