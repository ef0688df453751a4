/**
 * The outbound SMTP client: one delivery attempt to one destination (a list of hops, each a host with its addresses),
 * built on nodemailer's SMTP connection, which does the protocol work: EHLO/HELO, STARTTLS, AUTH, PIPELINING of RCPT,
 * DSN parameters (RFC 3461 §4), SIZE, BODY=8BITMIME and SMTPUTF8 in MAIL, dot-stuffing of the data (RFC 5321 §4.5.2).
 *
 * What this wrapper adds:
 * - RFC 5321 §5.1: every address of every hop in order, until one gives an answer about the recipients; a
 *   connection that fails (refused, timeout, 4xx/5xx greeting, TLS failure) moves on to the next address.
 * - RFC 3207 §5 / RFC 7435: opportunistic STARTTLS (any certificate; plaintext if the server offers no STARTTLS or
 *   the handshake fails), or, per domain / for a smarthost, a required STARTTLS with a certificate valid for the hop
 *   name (RFC 7672-like "secure" without DANE). Bytes the server sent before the TLS handshake are discarded
 *   (STARTTLS response injection, CVE-2011-0411 class).
 * - RFC 6531 §3.2: a message that needs SMTPUTF8 is not sent to a server without it: 5.6.7 (permanent).
 * - RFC 6152 §3: an 8-bit message to a server without 8BITMIME goes in its 7-bit form (see downgrade.ts), or, when
 *   it has none (8-bit header fields), is returned with 5.6.7.
 * - Per-recipient outcomes from the RCPT and final replies (2xx delivered, 4xx temporary, 5xx permanent), with the
 *   enhanced status code (RFC 3463) taken from the reply or derived from its class.
 */
import { rootCertificates } from 'node:tls';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { Logger } from '../app/logger.js';

/** How a hop is secured. */
export type HopSecurity = 'opportunistic' | 'require-valid' | 'implicit';

/** One host to try: an MX, a static route or the smarthost. */
export interface Hop {
  /** The host name (for SNI and certificate checks); an IP literal for routes given as one. */
  name: string;
  port: number;
  /** Addresses to try in order (always IP literals: every lookup went through our resolver). */
  addresses: string[];
  security: HopSecurity;
  /** Why TLS with a valid certificate is required (e.g. "the MTA-STS policy of example.com"), for the error text. */
  requiredBy?: string;
  auth?: { user: string; pass: string } | null;
}

export interface OutboundTransaction {
  /** '' for the null reverse path (bounces). */
  mailFrom: string;
  rcpts: string[];
  /** RFC 3461 parameters to pass on (sent only when the server offers DSN). */
  dsn?: { ret?: string; envid?: string; notify?: string; orcpt?: string };
  body: Buffer;
  /** RFC 6531: the envelope or header needs SMTPUTF8. */
  needsSmtpUtf8: boolean;
  /** The body holds 8-bit octets (BODY=8BITMIME, RFC 6152). */
  eightBit: boolean;
  /**
   * For an 8-bit body: the 7-bit version (converted, then DKIM-signed) for a server without 8BITMIME (RFC 6152 §3),
   * or why there can be none. Called at most when needed; the caller memoises.
   */
  sevenBit?: () => Promise<{ raw: Buffer } | { impossible: string }>;
}

export type OutcomeKind = 'delivered' | 'temporary' | 'permanent';

export interface RcptOutcome {
  rcpt: string;
  kind: OutcomeKind;
  /** The remote reply (or our own description of what failed). */
  reply: string;
  /** RFC 3463 enhanced status code. */
  status: string;
}

export interface AttemptReport {
  /** `name [ip]:port` of the host that gave the answers, or null if no host could be reached. */
  host: string | null;
  outcomes: RcptOutcome[];
  /** Whether that host offered DSN (RFC 3461): it then sends the success notices itself. */
  remoteDsn: boolean;
  /** Whether the session ran over TLS. */
  tls: boolean;
}

export interface ClientOptions {
  /** Our EHLO name. */
  hostname: string;
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  commandTimeoutMs: number;
  /** Extra trusted CA certificates (PEM) besides the system store. */
  extraCa?: string[];
  log: Logger;
}

/** An SMTP error as nodemailer reports it. */
interface SmtpError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  rejectedErrors?: SmtpError[];
  recipient?: string;
}

/** RFC 3463: the enhanced code of a reply, or one derived from its class. */
export function enhancedStatus(reply: string, fallbackClass: 2 | 4 | 5): string {
  const m = /^([245])\d\d[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply);
  if (m && m[1] === m[2]![0]) return m[2]!;
  const code = /^([245])\d\d/.exec(reply)?.[1];
  return `${code ?? fallbackClass}.0.0`;
}

const kindOf = (code: number | undefined): OutcomeKind => (code !== undefined && code >= 500 ? 'permanent' : 'temporary');

/** A connection with promise-returning operations that reject as soon as the connection errors or ends. */
class Session {
  readonly conn: SMTPConnection;
  #failure: SmtpError | null = null;
  #waiters = new Set<(e: SmtpError) => void>();

  constructor(options: SMTPConnection.Options) {
    this.conn = new SMTPConnection(options);
    discardBytesBeforeTls(this.conn);
    const fail = (e: SmtpError) => {
      this.#failure ??= e;
      for (const w of this.#waiters) w(this.#failure);
    };
    // A failure during the STARTTLS handshake (e.g. a certificate refused) is reported by nodemailer as a socket
    // error; it is a TLS failure.
    this.conn.on('error', (e: SmtpError) => fail((this.conn as unknown as { upgrading?: boolean }).upgrading ? Object.assign(e, { code: 'ETLS' }) : e));
    this.conn.on('end', () => fail(Object.assign(new Error('connection closed'), { code: 'ECONNECTION' })));
  }

  run<T>(start: (done: (err: SmtpError | null | undefined, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#failure) return reject(this.#failure);
      const onFail = (e: SmtpError) => finish(() => reject(e));
      const finish = (f: () => void) => {
        this.#waiters.delete(onFail);
        f();
      };
      this.#waiters.add(onFail);
      start((err, value) => finish(() => (err ? reject(err) : resolve(value as T))));
    });
  }

  get extensions(): string[] {
    return (this.conn as unknown as { _supportedExtensions: string[] })._supportedExtensions ?? [];
  }

  close(): void {
    try {
      this.conn.quit();
    } catch {
      /* already closed */
    }
    setTimeout(() => this.conn.close(), 1000).unref();
  }
}

/**
 * RFC 3207 §5 (and CVE-2011-0411): anything the server sent after its STARTTLS reply, before the handshake, must
 * not be read as a reply inside TLS. nodemailer keeps such bytes in its response queue; we drop them.
 */
function discardBytesBeforeTls(conn: SMTPConnection): void {
  const c = conn as unknown as { _upgradeConnection: (cb: unknown) => void; _responseQueue: string[]; _remainder: string };
  const upgrade = c._upgradeConnection.bind(conn);
  c._upgradeConnection = (cb: unknown) => {
    c._responseQueue = [];
    c._remainder = '';
    upgrade(cb);
  };
}

export class SmtpClient {
  readonly #o: ClientOptions;
  readonly #ca: string[] | undefined;

  constructor(o: ClientOptions) {
    this.#o = o;
    this.#ca = o.extraCa?.length ? [...rootCertificates, ...o.extraCa] : undefined;
  }

  /** One attempt: the hops in order until one host answers for the recipients; outcomes for every recipient. */
  async deliver(hops: readonly Hop[], txs: readonly OutboundTransaction[]): Promise<AttemptReport> {
    let lastError = 'no host to connect to';
    let lastStatus = '4.4.1';
    for (const hop of hops)
      for (const address of hop.addresses) {
        const host = `${hop.name} [${address}]:${hop.port}`;
        const log = this.#o.log.child({ host });
        let session: Session;
        try {
          session = await this.#open(hop, address, hop.security === 'opportunistic');
        } catch (e) {
          const err = e as SmtpError;
          if (hop.security === 'opportunistic' && err.code === 'ETLS') {
            // RFC 7435 §3: a failed opportunistic handshake falls back to plaintext on the same host.
            log.info({ err: err.message }, 'queue.tls.fallback');
            try {
              session = await this.#open(hop, address, false);
            } catch (e2) {
              ({ lastError, lastStatus } = describeConnectFailure(e2 as SmtpError, host));
              log.info({ err: lastError }, 'queue.connect.failed');
              continue;
            }
          } else {
            ({ lastError, lastStatus } = describeConnectFailure(err, host, hop.requiredBy));
            log.info({ err: lastError }, 'queue.connect.failed');
            continue;
          }
        }
        try {
          return await this.#transactions(session, host, txs, log);
        } finally {
          session.close();
        }
      }
    const outcomes = txs.flatMap((t) => t.rcpts.map((rcpt) => ({ rcpt, kind: 'temporary' as const, reply: lastError, status: lastStatus })));
    return { host: null, outcomes, remoteDsn: false, tls: false };
  }

  async #open(hop: Hop, address: string, tryTls: boolean): Promise<Session> {
    const o = this.#o;
    const verify = hop.security !== 'opportunistic';
    const session = new Session({
      host: address,
      port: hop.port,
      name: o.hostname,
      secure: hop.security === 'implicit',
      ignoreTLS: !tryTls && hop.security === 'opportunistic',
      requireTLS: hop.security === 'require-valid',
      opportunisticTLS: hop.security === 'opportunistic',
      connectionTimeout: o.connectTimeoutMs,
      greetingTimeout: o.greetingTimeoutMs,
      socketTimeout: o.commandTimeoutMs,
      logger: false,
      tls: {
        servername: hop.name,
        rejectUnauthorized: verify,
        ...(this.#ca ? { ca: this.#ca } : {}),
        minVersion: 'TLSv1.2',
      },
    });
    try {
      await session.run<void>((done) => session.conn.connect((err) => done(err)));
      if (verify && !(session.conn as unknown as { secure: boolean }).secure)
        throw Object.assign(new Error(`${hop.name} does not offer STARTTLS, which is required for it`), { code: 'ETLS' });
      if (hop.auth) await session.run<void>((done) => session.conn.login({ credentials: hop.auth! }, (err) => done(err)));
      return session;
    } catch (e) {
      session.close();
      throw e;
    }
  }

  async #transactions(session: Session, host: string, txs: readonly OutboundTransaction[], log: Logger): Promise<AttemptReport> {
    const ext = session.extensions;
    const tls = !!(session.conn as unknown as { secure: boolean }).secure;
    const outcomes: RcptOutcome[] = [];
    let broken: SmtpError | null = null;
    for (const [i, tx] of txs.entries()) {
      if (broken) {
        const reply = broken.response ?? `connection to ${host} lost: ${broken.message}`;
        for (const rcpt of tx.rcpts) outcomes.push({ rcpt, kind: 'temporary', reply, status: enhancedStatus(reply, 4) });
        continue;
      }
      if (tx.needsSmtpUtf8 && !ext.includes('SMTPUTF8')) {
        const reply = `${host} does not support SMTPUTF8, which this message needs (internationalised addresses or headers)`;
        for (const rcpt of tx.rcpts) outcomes.push({ rcpt, kind: 'permanent', reply, status: '5.6.7' });
        continue;
      }
      let body = tx.body;
      let eightBit = tx.eightBit;
      if (eightBit && !ext.includes('8BITMIME')) {
        // RFC 6152 §3: convert to 7 bit, or return the message as undeliverable.
        const converted = tx.sevenBit ? await tx.sevenBit() : { impossible: 'no conversion is available' };
        if ('impossible' in converted) {
          const reply = `${host} does not accept 8-bit data (no 8BITMIME) and this message cannot be converted to 7 bit: ${converted.impossible}`;
          for (const rcpt of tx.rcpts) outcomes.push({ rcpt, kind: 'permanent', reply, status: '5.6.7' });
          continue;
        }
        log.info({ octets: converted.raw.length }, 'queue.downgraded');
        body = converted.raw;
        eightBit = false;
      }
      try {
        if (i > 0) await session.run<void>((done) => session.conn.reset((err) => done(err)));
        const info = await session.run<SMTPConnection.SentMessageInfo>((done) =>
          session.conn.send(
            { from: tx.mailFrom, to: tx.rcpts, size: body.length, use8BitMime: eightBit, ...(tx.dsn ? { dsn: tx.dsn } : {}) } as SMTPConnection.Envelope,
            body,
            (err, value) => done(err, value),
          ),
        );
        const rejected = new Map(((info as { rejectedErrors?: SmtpError[] }).rejectedErrors ?? []).map((e) => [e.recipient ?? '', e]));
        for (const rcpt of tx.rcpts) {
          const r = rejected.get(rcpt);
          if (r) outcomes.push({ rcpt, kind: kindOf(r.responseCode), reply: r.response ?? r.message, status: enhancedStatus(r.response ?? '', 4) });
          else outcomes.push({ rcpt, kind: 'delivered', reply: info.response ?? '250', status: enhancedStatus(info.response ?? '', 2) });
        }
      } catch (e) {
        const err = e as SmtpError;
        const perRcpt = new Map((err.rejectedErrors ?? []).map((r) => [r.recipient ?? '', r]));
        const lost = err.code === 'ECONNECTION' || err.code === 'ETIMEDOUT' || err.code === 'ESOCKET';
        if (lost) broken = err;
        for (const rcpt of tx.rcpts) {
          const r = perRcpt.get(rcpt) ?? err;
          const reply = r.response ?? (lost ? `connection to ${host} lost (${err.code}): ${err.message}` : err.message);
          const kind = r.responseCode ? kindOf(r.responseCode) : 'temporary';
          outcomes.push({ rcpt, kind, reply, status: enhancedStatus(reply, kind === 'permanent' ? 5 : 4) });
        }
        log.info({ err: err.message, code: err.code }, 'queue.transaction.failed');
      }
    }
    return { host, outcomes, remoteDsn: ext.includes('DSN'), tls };
  }
}

function describeConnectFailure(err: SmtpError, host: string, requiredBy?: string): { lastError: string; lastStatus: string } {
  if (err.code === 'ETLS') {
    const why = requiredBy ? ` (TLS with a valid certificate is required by ${requiredBy})` : '';
    return { lastError: `${host}: TLS failed: ${err.message}${err.response ? ` (${err.response})` : ''}${why}`, lastStatus: '4.7.5' };
  }
  if (err.response) return { lastError: `${host}: ${err.response}`, lastStatus: enhancedStatus(err.response, 4).replace(/^5/, '4') };
  if (err.code === 'ETIMEDOUT') return { lastError: `${host}: no answer in time (${err.message})`, lastStatus: '4.4.1' };
  if (err.code === 'EAUTH') return { lastError: `${host}: authentication failed: ${err.message}`, lastStatus: '4.7.8' };
  return { lastError: `${host}: cannot connect: ${err.message}`, lastStatus: '4.4.1' };
}
