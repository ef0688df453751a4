/**
 * One SMTP session, sans-I/O: bytes in through `feed`, replies out through the transport. The engine splits the
 * input into command lines, SASL responses, DATA and BDAT octets; `dispatch` checks each command against the
 * state table (commands/index.ts), runs it, and turns every refusal into exactly one reply.
 *
 * RFC 5321 §4.1 (commands), §4.3.2 (sequencing), §4.5.3.1 (line limits), §3.8 (421 on shutdown); RFC 2920
 * (PIPELINING: replies to a pipelined group are flushed together); RFC 3207 §4.2 (after STARTTLS, pipelined
 * plaintext is discarded and the session starts over); RFC 4954 §4 (AUTH exchange lines).
 */
import { LineReader, type LineEvent } from '../lib/line-reader.js';
import { smtpLimits, smtpServerLimits } from '../lib/limits.js';
import { SmtpSyntaxError } from '../protocol/smtp/codes.js';
import { parseCommand, type SmtpCommand } from '../protocol/smtp/command.js';
import type { ParameterExtension } from '../protocol/smtp/params.js';
import { errorReply, formatReply, statusReply } from '../protocol/smtp/reply.js';
import type { SmtpStatus } from '../protocol/smtp/codes.js';
import { COMMANDS, continueAuth, finishBdatChunk, finishData } from './commands/index.js';
import { SmtpRefusal, Status } from './status.js';
import type { ConnectionFacts, Phase, SignedIn, SmtpContext, SmtpTransport, TlsFacts } from './types.js';
import { inTrustedNetwork } from './relay-policy.js';

/** Input buffered but not yet processed beyond which the socket is paused. */
const PAUSE_AT_OCTETS = 1024 * 1024;

export class SmtpSession {
  phase: Phase = { kind: 'connected' };
  tls: TlsFacts | null;
  helo: { name: string; esmtp: boolean } | null = null;
  user: SignedIn | null = null;
  /** True when the client's IP is in `[smtp] trusted_networks`. */
  readonly trusted: boolean;
  readonly lines = new LineReader({ maxLineOctets: smtpLimits.commandLineMaxOctets });
  readonly startedAt: number;
  #errors = 0;
  #out: string[] = [];
  #inbox: Buffer[] = [];
  #inboxOctets = 0;
  #running = false;
  #draining = false;
  /** Set while STARTTLS hands the connection over: nothing queued may be executed (RFC 3207 §4.2). */
  #upgrading = false;

  constructor(
    readonly ctx: SmtpContext,
    readonly conn: ConnectionFacts,
    readonly transport: SmtpTransport,
    tls: TlsFacts | null,
  ) {
    this.tls = tls;
    this.trusted = inTrustedNetwork(ctx.config.smtp.trustedNetworks, conn.clientIp);
    this.startedAt = ctx.now();
  }

  get hostname(): string {
    return this.ctx.config.server.hostname;
  }

  get closed(): boolean {
    return this.phase.kind === 'closed';
  }

  /** True on the submission ports, where AUTH is offered (never on the MX). */
  get isSubmission(): boolean {
    return this.conn.role !== 'mx';
  }

  /** The extensions whose MAIL/RCPT parameters are accepted now (none after HELO: RFC 1869 §4). */
  get parameterExtensions(): ReadonlySet<ParameterExtension> {
    if (!this.helo?.esmtp) return new Set();
    const ext: ParameterExtension[] = ['SIZE', '8BITMIME', 'SMTPUTF8', 'DSN'];
    if (this.isSubmission) ext.push('AUTH');
    return new Set(ext);
  }

  /** RFC 5321 §4.2 and RFC 2034: the greeting. */
  greet(): void {
    this.sendRaw(`220 ${this.hostname} ESMTP Outpost ready\r\n`);
    this.flush();
  }

  /** Queues a reply (flushed at the end of the current batch of input). */
  reply(status: SmtpStatus, text: string | readonly string[]): void {
    const enhanced = this.helo?.esmtp !== false; // RFC 2034: enhanced codes once EHLO was used (and before any HELO)
    if (status.code >= 500) this.#countError();
    this.#out.push(formatReply(statusReply(status, text, enhanced)));
  }

  sendRaw(text: string): void {
    this.#out.push(text);
  }

  flush(): void {
    if (this.#out.length === 0 || this.closed) return;
    this.transport.write(this.#out.join(''));
    this.#out = [];
  }

  /** Sends what is queued plus a final line, and ends the connection. */
  close(status?: SmtpStatus, text?: string): void {
    if (this.closed) return;
    if (status) this.#out.push(formatReply(statusReply(status, text ?? '', this.helo?.esmtp !== false)));
    this.flush();
    this.phase = { kind: 'closed' };
    this.#inbox = [];
    this.transport.close();
  }

  /** Bytes from the client. Processed strictly in order, one command at a time. */
  feed(chunk: Buffer): void {
    if (this.closed || this.#upgrading) return;
    this.#inbox.push(chunk);
    this.#inboxOctets += chunk.length;
    if (this.#inboxOctets > PAUSE_AT_OCTETS) this.transport.pause();
    if (!this.#running) void this.#run();
  }

  /** Graceful stop (SIGTERM): idle sessions get 421 now; a message in progress may finish first. */
  drain(): void {
    this.#draining = true;
    if (!this.#running && this.#isBetweenMessages()) this.close(Status.ShuttingDown, `${this.hostname} shutting down; please try again later`);
  }

  /** The idle or total deadline passed. */
  timeout(what: string): void {
    this.conn.log.info({ what }, 'smtp.timeout');
    this.close(Status.Timeout, `${what} timeout; closing the connection`);
  }

  /**
   * RFC 3207 §4.2: reply 220, drop everything the client pipelined behind STARTTLS, upgrade, forget the EHLO.
   * Called by the STARTTLS command.
   */
  async startTls(): Promise<void> {
    this.reply(Status.ReadyForTls, 'ready to start TLS');
    this.flush();
    this.#upgrading = true;
    const dropped = this.lines.discard() + this.#inbox.reduce((n, c) => n + c.length, 0);
    this.#inbox = [];
    this.#inboxOctets = 0;
    if (dropped > 0) this.conn.log.warn({ octets: dropped }, 'smtp.starttls.pipelined-discarded');
    try {
      this.tls = await this.transport.startTls();
    } catch (err) {
      this.conn.log.info({ err: (err as Error).message }, 'smtp.starttls.failed');
      this.close();
      return;
    }
    this.#upgrading = false;
    this.helo = null;
    this.phase = { kind: 'connected' };
  }

  /** The reading loop: line, SASL, DATA and BDAT input modes, strictly sequential. */
  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#inbox.length > 0 && !this.closed && !this.#upgrading) {
        const chunk = this.#inbox.shift()!;
        this.#inboxOctets -= chunk.length;
        await this.#consume(chunk);
      }
    } catch (err) {
      this.conn.log.error({ err }, 'smtp.session.crashed');
      this.close(Status.LocalError, 'internal error; closing the connection');
    } finally {
      this.#running = false;
    }
    this.flush();
    if (!this.closed) {
      this.transport.resume();
      if (this.#draining && this.#isBetweenMessages()) this.drain();
    }
  }

  async #consume(chunk: Buffer): Promise<void> {
    let pending: Buffer | undefined = chunk;
    while (pending !== undefined && !this.closed && !this.#upgrading) {
      const phase = this.phase;
      if (phase.kind === 'data') {
        const r = phase.reader.push(pending);
        pending = undefined;
        if (r.body.length > 0) phase.parts.push(r.body);
        if (r.kind === 'end') {
          pending = r.result.remainder.length > 0 ? r.result.remainder : undefined;
          await finishData(this, phase, r.result);
          this.#afterMessage();
        }
      } else if (phase.kind === 'bdat') {
        const r = phase.reader.push(pending);
        pending = undefined;
        if (phase.tx && !phase.tx.tooBig && r.body.length > 0) phase.tx.chunks.push(r.body);
        if (r.kind === 'end') {
          pending = r.result.remainder.length > 0 ? r.result.remainder : undefined;
          await finishBdatChunk(this, phase, r.result);
          if (phase.last) this.#afterMessage();
        }
      } else {
        this.lines.push(pending);
        pending = undefined;
        let event: LineEvent | undefined;
        while (!this.closed && !this.#upgrading && (event = this.lines.next()) !== undefined) {
          await this.#onLine(event);
          const now = this.phase.kind;
          if (now === 'data' || now === 'bdat') {
            const rest = this.lines.takeRemainder();
            if (now === 'bdat' && this.phase.kind === 'bdat' && this.phase.reader.remaining === 0) {
              pending = rest; // BDAT 0: the chunk is already complete
              await this.#consume(Buffer.alloc(0));
            } else pending = rest.length > 0 ? rest : undefined;
            break;
          }
        }
      }
    }
  }

  async #onLine(event: LineEvent): Promise<void> {
    if (event.kind === 'too-long') {
      if (this.phase.kind === 'auth') {
        this.phase = { kind: 'idle' };
        this.lines.maxLineOctets = smtpLimits.commandLineMaxOctets;
        this.reply({ code: 500, enhanced: '5.5.6' }, 'authentication line too long');
      } else this.reply(Status.LineTooLong, `line too long (at most ${smtpLimits.commandLineMaxOctets} octets)`);
      return;
    }
    if (this.phase.kind === 'auth') {
      this.conn.log.trace({ line: '[redacted]' }, 'smtp.c');
      await this.#guard(() => continueAuth(this, event.line));
      return;
    }
    this.conn.log.trace({ line: event.line.toString('latin1') }, 'smtp.c');
    let command: SmtpCommand;
    try {
      const tx = this.phase.kind === 'transaction' ? this.phase.tx : null;
      command = parseCommand(event.line, { extensions: this.parameterExtensions, smtputf8: tx?.params.smtputf8 ?? false });
    } catch (err) {
      if (!(err instanceof SmtpSyntaxError)) throw err;
      this.#countError();
      this.#out.push(formatReply(errorReply(err, this.helo?.esmtp !== false)));
      if (err.closeConnection) {
        this.conn.log.info({ reason: err.code }, 'smtp.hangup');
        this.close();
      }
      this.#checkBudget();
      return;
    }
    await this.dispatch(command);
  }

  /** Checks the command against the state table, runs it, and turns refusals into replies. */
  async dispatch(command: SmtpCommand): Promise<void> {
    const spec = COMMANDS[command.verb];
    if (!spec.states.includes(this.phase.kind)) {
      this.reply(Status.BadSequence, spec.outOfSequence(this));
      this.#checkBudget();
      return;
    }
    const t0 = performance.now();
    await this.#guard(() => spec.run(this, command as never));
    this.ctx.metrics?.command('smtp', command.verb, (performance.now() - t0) / 1000);
  }

  async #guard(run: () => Promise<void> | void): Promise<void> {
    try {
      await run();
    } catch (err) {
      if (err instanceof SmtpRefusal) {
        if (err.logReason) this.conn.log.info({ code: err.status.code, reason: err.logReason }, 'smtp.refused');
        this.ctx.metrics?.refused(this.conn.role, err.logReason ?? `code-${err.status.code}`);
        if (err.close) this.close(err.status, err.message);
        else this.reply(err.status, err.lines);
      } else {
        this.conn.log.error({ err }, 'smtp.command.failed');
        this.reply(Status.LocalError, 'local error in processing; please try again later');
      }
    }
    this.#checkBudget();
  }

  #countError(): void {
    this.#errors++;
  }

  #checkBudget(): void {
    if (!this.closed && this.#errors > smtpLimits.badCommandsBeforeDisconnect)
      this.close(Status.TooManyErrors, 'too many errors; closing the connection');
  }

  #isBetweenMessages(): boolean {
    const k = this.phase.kind;
    return k === 'connected' || k === 'idle' || k === 'auth';
  }

  /** After a message's final reply: a draining server says goodbye now. */
  #afterMessage(): void {
    if (this.#draining) this.close(Status.ShuttingDown, `${this.hostname} shutting down; please try again later`);
  }

  /** The limit sent in the EHLO SIZE keyword and enforced on DATA/BDAT. */
  get maxMessageOctets(): number {
    return this.ctx.config.smtp.maxMessageOctets;
  }

  get drainGraceMs(): number {
    return smtpServerLimits.drainGraceMs;
  }
}
