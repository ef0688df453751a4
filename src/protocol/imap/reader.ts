/**
 * The incremental IMAP command reader: push the bytes a client sends, pull complete commands.
 *
 * RFC 9051 §2.2.1 and RFC 3501 §2.2.1 (a command is a tagged line; a literal `{n}` at the end of a line makes the
 * client wait for a command continuation request `+` before sending n octets, after which the command line goes
 * on), §4.3 (literals; CHAR8 excludes NUL), §7.5 (continuation request); RFC 7888 (non-synchronising literals
 * `{n+}`: LITERAL+ allows any size, LITERAL- at most 4096 octets; §4: a literal too big is refused, a synchronising
 * one before the continuation); RFC 3516 §4.2 (literal8 `~{n}` for BINARY, may hold NUL); RFC 9051 §7.1.4 and
 * RFC 4469 (TOOBIG).
 *
 * Sans-I/O and pull-based: nothing is parsed until {@link ImapCommandReader.next} is called, so bytes that follow
 * a command stay unread until the server asks. That is how modes switch: after IDLE the server reads `DONE` with
 * {@link ImapCommandReader.nextLine}; during AUTHENTICATE it reads base64 lines the same way; after STARTTLS it
 * calls {@link ImapCommandReader.discard} (RFC 3207 §4.2-style command injection); after COMPRESS it calls
 * {@link ImapCommandReader.takeRemainder} and pushes back the inflated bytes.
 *
 * The reader only frames commands (lines and literals) and enforces the size limits; the grammar is in parser.ts.
 */
import { imapLimits } from '../../lib/limits.js';
import { LineReader, type LineEvent } from '../../lib/line-reader.js';
import { ImapSyntaxError } from './errors.js';

/** A piece of a command: a line's text (terminator and literal marker removed), or a literal's octets. */
export type RawPart =
  | { readonly kind: 'text'; readonly bytes: Buffer }
  | { readonly kind: 'literal'; readonly bytes: Buffer; readonly binary: boolean; readonly sync: boolean };

/** One framed command, as the parser takes it. */
export interface RawCommand {
  /** The tag from the start of the first line when it is syntactically valid. */
  readonly tag: string | undefined;
  readonly parts: readonly RawPart[];
  /** Every octet of the command as sent (lines with their terminators, literal markers and literals). */
  readonly octets: number;
}

/** One result of {@link ImapCommandReader.next}. */
export type ReaderEvent =
  | { readonly kind: 'command'; readonly command: RawCommand }
  /**
   * The client announced a synchronising literal within the limits and waits. The reader pauses until the server
   * calls `acceptLiteral()` (then sends `+ Ready`) or `rejectLiteral()` (then sends `tag NO [TOOBIG] …`, say, for
   * an APPEND over the APPENDLIMIT or quota). `command` is the upper-case command name (`APPEND`, `UID SEARCH`).
   */
  | {
      readonly kind: 'literal-request';
      readonly tag: string | undefined;
      readonly command: string | undefined;
      readonly size: number;
      readonly binary: boolean;
    }
  /**
   * A command that cannot be framed: answer BAD (tagged when `error.tag` is set), and hang up when
   * `error.closeConnection`. Otherwise the reader has already dropped the command and goes on with the next one.
   */
  | { readonly kind: 'error'; readonly error: ImapSyntaxError };

export type NonSyncLiterals = 'LITERAL+' | 'LITERAL-' | 'none';

export interface ImapReaderOptions {
  /** The longest command line, CRLF included. Default {@link imapLimits.lineMaxOctets}. */
  readonly maxLineOctets?: number;
  /** Lines and literals of one command together (APPEND aside). Default {@link imapLimits.commandMaxOctets}. */
  readonly maxCommandOctets?: number;
  /** One literal outside APPEND. Default {@link imapLimits.literalMaxOctets}. */
  readonly maxLiteralOctets?: number;
  /** One literal of APPEND (a message). Default {@link imapLimits.appendLiteralMaxOctets}. */
  readonly maxAppendLiteralOctets?: number;
  /** Lines and literals of one APPEND together. Default {@link imapLimits.appendCommandMaxOctets}. */
  readonly maxAppendCommandOctets?: number;
  /** Which non-synchronising literals the server advertised (RFC 7888). Default `LITERAL+`. */
  readonly nonSyncLiterals?: NonSyncLiterals;
}

/** Where the reader is, as a discriminated union: per-state data exists only in its state. */
type State =
  | { readonly kind: 'line' }
  | { readonly kind: 'paused'; readonly size: number; readonly binary: boolean }
  | { readonly kind: 'literal'; remaining: number; readonly chunks: Buffer[]; readonly binary: boolean; readonly sync: boolean }
  | { readonly kind: 'skip-literal'; remaining: number }
  | { readonly kind: 'skip-lines' }
  | { readonly kind: 'failed' };

/** The command being framed. */
interface Pending {
  readonly tag: string | undefined;
  readonly command: string | undefined;
  readonly append: boolean;
  readonly parts: RawPart[];
  octets: number;
  literals: number;
}

/** `~{123+}` at the end of a line (RFC 9051 §9 literal, RFC 3516 literal8, RFC 7888 literal-plus). */
const LITERAL_MARKER = /(~?)\{([0-9]{1,20})(\+?)\}$/;
/** RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+">. */
const TAG = /^[\x21\x23\x24\x26\x27\x2c-\x5b\x5d-\x7a\x7c\x7e]+$/;
const COMMAND_WORD = /^[A-Za-z][A-Za-z0-9.=-]*$/;

export class ImapCommandReader {
  readonly #lines: LineReader;
  readonly #maxCommand: number;
  readonly #maxLiteral: number;
  readonly #maxAppendLiteral: number;
  readonly #maxAppendCommand: number;
  #nonSync: NonSyncLiterals;
  #state: State = { kind: 'line' };
  #pending: Pending | undefined;

  constructor(options: ImapReaderOptions = {}) {
    this.#lines = new LineReader({ maxLineOctets: options.maxLineOctets ?? imapLimits.lineMaxOctets });
    this.#maxCommand = options.maxCommandOctets ?? imapLimits.commandMaxOctets;
    this.#maxLiteral = options.maxLiteralOctets ?? imapLimits.literalMaxOctets;
    this.#maxAppendLiteral = options.maxAppendLiteralOctets ?? imapLimits.appendLiteralMaxOctets;
    this.#maxAppendCommand = options.maxAppendCommandOctets ?? imapLimits.appendCommandMaxOctets;
    this.#nonSync = options.nonSyncLiterals ?? 'LITERAL+';
  }

  /** Changes which non-synchronising literals are accepted (e.g. LITERAL- before login, LITERAL+ after). */
  set nonSyncLiterals(value: NonSyncLiterals) {
    this.#nonSync = value;
  }

  /** Octets received and not yet consumed: stop reading the socket when this passes imapLimits.bufferedMaxOctets. */
  get bufferedOctets(): number {
    return this.#lines.bufferedOctets;
  }

  /** True between the first line of a command and its end (mode switches are only allowed when false). */
  get inCommand(): boolean {
    return this.#pending !== undefined || this.#state.kind !== 'line';
  }

  push(chunk: Buffer): void {
    this.#lines.push(chunk);
  }

  /** The next event, or `undefined` when more bytes (or, after a `literal-request`, a decision) are needed. */
  next(): ReaderEvent | undefined {
    for (;;) {
      const state = this.#state;
      switch (state.kind) {
        case 'failed':
        case 'paused':
          return undefined;
        case 'literal':
        case 'skip-literal':
          if (!this.#readLiteral(state)) return undefined;
          continue;
        case 'skip-lines': {
          const line = this.#lines.next();
          if (line === undefined) return undefined;
          const event = this.#skipLine(line);
          if (event !== undefined) return event;
          continue;
        }
        case 'line': {
          const line = this.#lines.next();
          if (line === undefined) return undefined;
          const event = this.#onLine(line);
          if (event !== undefined) return event;
        }
      }
    }
  }

  /** After a `literal-request`: the server sent `+ …`; the literal's octets follow. */
  acceptLiteral(): void {
    const state = this.#state;
    if (state.kind !== 'paused') throw new Error('ImapCommandReader: no literal request to accept');
    this.#state = { kind: 'literal', remaining: state.size, chunks: [], binary: state.binary, sync: true };
  }

  /** After a `literal-request`: the server refused it with a tagged NO or BAD; the command is dropped. */
  rejectLiteral(): void {
    if (this.#state.kind !== 'paused') throw new Error('ImapCommandReader: no literal request to reject');
    this.#state = { kind: 'line' };
    this.#pending = undefined;
  }

  /**
   * A raw line outside any command: IDLE's `DONE` (RFC 2177 §3) and AUTHENTICATE's responses (RFC 9051 §6.2.2).
   * The line limit applies; an over-long line comes back as `too-long`.
   */
  nextLine(): LineEvent | undefined {
    this.#checkBetweenCommands('nextLine');
    return this.#lines.next();
  }

  /** Every unread octet, for another decoder: after COMPRESS=DEFLATE (RFC 4978 §3) the rest is compressed. */
  takeRemainder(): Buffer {
    this.#checkBetweenCommands('takeRemainder');
    return this.#lines.takeRemainder();
  }

  /** Drops every unread octet (after STARTTLS: nothing pipelined in clear text may be executed). */
  discard(): number {
    this.#checkBetweenCommands('discard');
    return this.#lines.discard();
  }

  #checkBetweenCommands(what: string): void {
    if (this.inCommand) throw new Error(`ImapCommandReader: ${what}() in the middle of a command`);
  }

  #onLine(event: LineEvent): ReaderEvent | undefined {
    if (event.kind === 'too-long') {
      // The line was dropped unseen: it may have ended in a literal marker, so the stream position is lost.
      const tag = this.#pending?.tag;
      this.#pending = undefined;
      this.#state = { kind: 'failed' };
      return error('line-too-long', 'command line too long', { tag, responseCode: 'TOOBIG', closeConnection: true });
    }
    const line = event.line;
    const lineOctets = line.length + (event.bareLf ? 1 : 2);
    let pending = this.#pending;
    if (pending === undefined) {
      if (line.length === 0) return undefined; // a stray empty line between commands
      pending = this.#startCommand(line);
      this.#pending = pending;
    }
    pending.octets += lineOctets;
    const marker = LITERAL_MARKER.exec(line.toString('latin1', Math.max(0, line.length - 26)));
    const text = marker === null ? line : line.subarray(0, line.length - marker[0].length);
    if (text.length > 0) pending.parts.push({ kind: 'text', bytes: text });
    if (pending.octets > (pending.append ? this.#maxAppendCommand : this.#maxCommand)) return this.#tooBig(pending, false, 0);
    if (marker === null) {
      this.#pending = undefined;
      return { kind: 'command', command: { tag: pending.tag, parts: pending.parts, octets: pending.octets } };
    }
    const binary = marker[1] === '~';
    const sync = marker[3] !== '+';
    const size = Number(marker[2]);
    pending.literals++;
    if (pending.literals > imapLimits.literalsPerCommandMax)
      return this.#tooBig(pending, !sync, size, 'too many literals in one command', 'LIMIT');
    const maxLiteral = pending.append ? this.#maxAppendLiteral : this.#maxLiteral;
    const maxTotal = pending.append ? this.#maxAppendCommand : this.#maxCommand;
    if (!Number.isSafeInteger(size) || size > maxLiteral || pending.octets + size > maxTotal) return this.#tooBig(pending, !sync, size);
    if (!sync) {
      if (this.#nonSync === 'none') return this.#tooBig(pending, true, size, 'non-synchronising literals are not supported', 'CLIENTBUG');
      // RFC 7888 §4: under LITERAL-, a non-synchronising literal over 4096 octets is refused with TOOBIG.
      if (this.#nonSync === 'LITERAL-' && size > imapLimits.literalMinusMaxOctets) return this.#tooBig(pending, true, size);
      this.#state = { kind: 'literal', remaining: size, chunks: [], binary, sync: false };
      return undefined;
    }
    this.#state = { kind: 'paused', size, binary };
    return { kind: 'literal-request', tag: pending.tag, command: pending.command, size, binary };
  }

  #startCommand(line: Buffer): Pending {
    const head = line.toString('latin1', 0, Math.min(line.length, 64)).split(' ');
    const tag = head.length > 1 && TAG.test(head[0]!) ? head[0] : undefined;
    let command: string | undefined;
    const first = head[1];
    if (tag !== undefined && first !== undefined && COMMAND_WORD.test(first)) {
      command = first.toUpperCase();
      const second = head[2];
      if (command === 'UID' && second !== undefined && COMMAND_WORD.test(second)) command = `UID ${second.toUpperCase()}`;
    }
    return { tag, command, append: command === 'APPEND', parts: [], octets: 0, literals: 0 };
  }

  /**
   * Refuses the command being framed. A synchronising literal was not sent yet, so the command simply ends; a
   * non-synchronising one is on its way and must be read and dropped with the rest of the command (RFC 7888 §4),
   * unless it is so big that hanging up is cheaper.
   */
  #tooBig(pending: Pending, literalFollows: boolean, size: number, message = 'command too long', responseCode: 'TOOBIG' | 'LIMIT' | 'CLIENTBUG' = 'TOOBIG'): ReaderEvent {
    this.#pending = undefined;
    let closeConnection = false;
    if (!literalFollows) this.#state = { kind: 'line' };
    else if (!Number.isSafeInteger(size) || size > imapLimits.literalDiscardMaxOctets) {
      closeConnection = true;
      this.#state = { kind: 'failed' };
    } else this.#state = { kind: 'skip-literal', remaining: size };
    const text = message === 'command too long' && size > 0 ? 'literal too big' : message;
    return error(text === 'literal too big' ? 'literal-too-big' : 'command-too-long', text, { tag: pending.tag, responseCode, closeConnection });
  }

  /** Moves literal octets from the line reader; true when the literal is complete. */
  #readLiteral(state: Extract<State, { kind: 'literal' | 'skip-literal' }>): boolean {
    if (state.remaining > 0) {
      const rest = this.#lines.takeRemainder();
      if (rest.length === 0) return false;
      const take = Math.min(rest.length, state.remaining);
      if (state.kind === 'literal') state.chunks.push(rest.subarray(0, take));
      state.remaining -= take;
      this.#lines.push(rest.subarray(take));
      if (state.remaining > 0) return false;
    }
    if (state.kind === 'skip-literal') {
      this.#state = { kind: 'skip-lines' };
      return true;
    }
    const pending = this.#pending!;
    const bytes = state.chunks.length === 1 ? state.chunks[0]! : Buffer.concat(state.chunks);
    pending.parts.push({ kind: 'literal', bytes, binary: state.binary, sync: state.sync });
    pending.octets += bytes.length;
    this.#state = { kind: 'line' };
    return true;
  }

  /** The rest of a refused command: lines are dropped; a further non-synchronising literal is skipped too. */
  #skipLine(event: LineEvent): ReaderEvent | undefined {
    if (event.kind === 'too-long') {
      this.#state = { kind: 'failed' };
      return error('line-too-long', 'command line too long', { responseCode: 'TOOBIG', closeConnection: true });
    }
    const marker = LITERAL_MARKER.exec(event.line.toString('latin1', Math.max(0, event.line.length - 26)));
    if (marker === null || marker[3] !== '+') {
      // The end of the command, or a synchronising literal we will never ask for: the client gives up on it.
      this.#state = { kind: 'line' };
      return undefined;
    }
    const size = Number(marker[2]);
    if (size <= imapLimits.literalDiscardMaxOctets) {
      this.#state = { kind: 'skip-literal', remaining: size };
      return undefined;
    }
    this.#state = { kind: 'failed' };
    return error('literal-too-big', 'literal too big', { responseCode: 'TOOBIG', closeConnection: true });
  }
}

function error(code: string, message: string, options: ConstructorParameters<typeof ImapSyntaxError>[2]): ReaderEvent {
  return { kind: 'error', error: new ImapSyntaxError(code, message, options) };
}
