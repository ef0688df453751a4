/**
 * One IMAP session, independent of sockets: framed commands in (from the sans-I/O reader), responses out through
 * an {@link ImapTransport}. RFC 9051 §3 (states), §5.5 (commands are answered in order; this server runs one
 * at a time), §7 (responses).
 *
 * Every command is looked up in the declarative table (commands/index.ts), checked against the state it needs,
 * run, and any error is turned into ONE tagged response here; an internal error never ends the process and never
 * leaks its details. After each command the selected view's pending updates are sent, EXPUNGE only when the
 * command allows it (RFC 9051 §7.5.1), then the tagged response.
 */
import type { LineEvent } from '../lib/line-reader.js';
import { imapLimits, imapServerLimits } from '../lib/limits.js';
import { CorruptDataError, isOutpostError } from '../lib/errors.js';
import { StoreError } from '../store/errors.js';
import type { StoreErrorCode } from '../store/types.js';
import {
  ImapSyntaxError,
  bad,
  encodeResponseChunks,
  no,
  parseCommand,
  syntaxErrorResponse,
  untagged,
  type ImapCommand,
  type ImapResponse,
  type RawCommand,
  type ReaderEvent,
  type ResponseCodeName,
} from '../protocol/imap/index.js';
import { capabilities } from './capabilities.js';
import { COMMANDS, type CommandSpec } from './commands/index.js';
import { ImapBad, ImapNo } from './errors.js';
import type { SelectedView, UpdateStyle } from './selected-view.js';
import type { ImapConnection, ImapContext, ImapState, ImapTransport } from './types.js';
import type { Mailbox } from '../store/types.js';
import { checkAppendLiteral } from './commands/append.js';
import type { CredentialWatch } from './credential.js';

const STORE_CODES: Record<StoreErrorCode, ResponseCodeName> = {
  taken: 'ALREADYEXISTS',
  allowance: 'LIMIT',
  exists: 'ALREADYEXISTS',
  'not-found': 'NONEXISTENT',
  'not-empty': 'CANNOT',
  inbox: 'CANNOT',
  invalid: 'CANNOT',
};

/** A store that stayed locked past its wait (SQLite SQLITE_BUSY/SQLITE_LOCKED, PostgreSQL lock_not_available 55P03). */
function storeBusy(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null && 'code' in e ? (e as { code: unknown }).code : undefined;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === '55P03';
}

/**
 * Stored data that fails its check (RFC 5530 §3 CORRUPTION): a body missing octets (CorruptDataError), a SQLite
 * file that is malformed (SQLITE_CORRUPT, SQLITE_NOTADB), PostgreSQL data_corrupted / index_corrupted (XX001, XX002).
 */
function storeCorrupt(e: unknown): boolean {
  if (e instanceof CorruptDataError) return true;
  const code = typeof e === 'object' && e !== null && 'code' in e ? (e as { code: unknown }).code : undefined;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code === 'XX001' || code === 'XX002';
}

/** What ENABLE can turn on (RFC 5161): RFC 7162 CONDSTORE and QRESYNC, RFC 6855 UTF8=ACCEPT. */
export type EnableName = 'CONDSTORE' | 'QRESYNC' | 'UTF8=ACCEPT';

export class ImapSession {
  state: ImapState = { kind: 'not-authenticated' };
  /** What the client called itself in ID (RFC 2971), for the sign-in event log. */
  clientName: string | null = null;
  authFailures = 0;
  /**
   * RFC 5161 / RFC 7162 §3.1 and §3.2: CONDSTORE is enabled by ENABLE or by the first CONDSTORE-aware command
   * (SELECT … (CONDSTORE), FETCH MODSEQ, CHANGEDSINCE, UNCHANGEDSINCE, SEARCH MODSEQ); QRESYNC only by ENABLE,
   * and implies CONDSTORE. Both last for the rest of the connection.
   */
  readonly enabled = new Set<EnableName>();
  /** RFC 4978: DEFLATE is active on this connection. */
  compressed = false;
  /** Gives back this connection's place in the per-(mailbox, IP) count; set at sign-in. */
  releaseConnection: (() => void) | undefined;
  /** Set while the session reads raw lines (IDLE's DONE, AUTHENTICATE responses) instead of commands. */
  lineHandler: ((line: LineEvent) => Promise<void>) | undefined;
  /** The credential this session signed in with, checked again before commands (src/imap/credential.ts); set at sign-in. */
  credential: CredentialWatch | undefined;
  #badCommands = 0;

  constructor(
    readonly ctx: ImapContext,
    readonly conn: ImapConnection,
    readonly transport: ImapTransport,
  ) {}

  get closed(): boolean {
    return this.state.kind === 'logout';
  }

  /** Mailbox names are modified UTF-7 until the client enables UTF8=ACCEPT (RFC 6855 §3); quoted UTF-8 after. */
  get utf8(): boolean {
    return this.enabled.has('UTF8=ACCEPT');
  }

  get condstore(): boolean {
    return this.enabled.has('CONDSTORE');
  }

  get qresync(): boolean {
    return this.enabled.has('QRESYNC');
  }

  /** How untagged updates are worded for this session. */
  get updateStyle(): UpdateStyle {
    return { modSeq: this.condstore, vanished: this.qresync };
  }

  capabilities(): string[] {
    return capabilities(this.conn, this.state.kind);
  }

  async greet(): Promise<void> {
    this.transport.setIdleTimeout(imapServerLimits.preAuthTimeoutMs);
    await this.write(untagged('OK', `${this.ctx.options.hostname} Outpost IMAP ready`, { name: 'CAPABILITY', args: this.capabilities().map(atomValue) }));
  }

  async write(...responses: ImapResponse[]): Promise<void> {
    if (responses.length === 0) return;
    await this.transport.write(responses.flatMap((r) => encodeResponseChunks(r, { utf8: this.utf8 })));
  }

  /** The signed-in mailbox (authenticated or selected state). */
  mailbox(): Mailbox {
    if (this.state.kind !== 'authenticated' && this.state.kind !== 'selected') throw new Error('not signed in');
    return this.state.mailbox;
  }

  view(): SelectedView {
    if (this.state.kind !== 'selected') throw new Error('no mailbox selected');
    return this.state.view;
  }

  /** Leaves the selected state (CLOSE, UNSELECT, SELECT of another mailbox, LOGOUT). */
  deselect(): void {
    if (this.state.kind !== 'selected') return;
    this.state.view.close();
    this.state = { kind: 'authenticated', mailbox: this.state.mailbox };
  }

  /** One reader event. Returns after its responses were written. */
  async onReaderEvent(ev: Exclude<ReaderEvent, { kind: 'literal-request' }>): Promise<void> {
    if (this.closed) return;
    if (ev.kind === 'error') return this.#syntaxError(ev.error);
    return this.onCommand(ev.command);
  }

  /**
   * A synchronising literal announced: true to send "+ Ready". APPEND is checked before the client sends the
   * message (RFC 7888 §4, RFC 9051 §7.1: TOOBIG / OVERQUOTA before the octets travel).
   */
  async onLiteralRequest(ev: Extract<ReaderEvent, { kind: 'literal-request' }>): Promise<boolean> {
    if (ev.command === 'APPEND') {
      const refusal = await checkAppendLiteral(this, ev.size);
      if (refusal !== undefined) {
        if (ev.tag !== undefined) await this.write(refusal.kind === 'bad' ? bad(ev.tag, refusal.text) : no(ev.tag, refusal.text, refusal.code ? { name: refusal.code } : undefined));
        return false;
      }
    }
    return true;
  }

  async onCommand(raw: RawCommand): Promise<void> {
    let cmd: ImapCommand;
    try {
      cmd = parseCommand(raw, { utf8: this.utf8 });
    } catch (e) {
      if (!(e instanceof ImapSyntaxError)) throw e;
      return this.#syntaxError(e);
    }
    const spec = COMMANDS[cmd.name] as CommandSpec<ImapCommand['name']>;
    if (!spec.states.includes(this.state.kind)) {
      const text = this.state.kind === 'not-authenticated' ? `${cmd.name} needs you to sign in first` : this.state.kind === 'authenticated' && spec.states.includes('selected') ? `${cmd.name} needs a selected mailbox` : `${cmd.name} is not allowed now`;
      // Not counted towards the bad-command budget: the command was well-formed, only early or late.
      return this.write(bad(cmd.tag, text, { name: 'CLIENTBUG' }));
    }
    if (!(await this.credentialHolds())) return;
    let tagged: ImapResponse | undefined;
    const t0 = performance.now();
    try {
      tagged = await spec.run(this, cmd as never);
    } catch (e) {
      tagged = this.#errorResponse(cmd, e);
    }
    this.ctx.metrics?.command('imap', cmd.name, (performance.now() - t0) / 1000);
    if (tagged === undefined || this.closed) return; // the command answers later (IDLE, AUTHENTICATE) or ended the session
    await this.flushUpdates(!(spec.usesSequenceNumbers?.(cmd as never) ?? false));
    if (!this.closed) await this.write(tagged);
  }

  /**
   * RFC 5530 §3: a session whose app password was revoked, or whose password was changed, ends with BYE [EXPIRED]
   * (a disabled mailbox: [CONTACTADMIN]) instead of running the command, or, in IDLE, instead of the next update.
   * A store that cannot answer the check does not end the session (logged; checked again next time).
   */
  async credentialHolds(): Promise<boolean> {
    if (this.credential === undefined || this.closed) return true;
    let verdict;
    try {
      verdict = await this.credential!.check(this.ctx.store, this.ctx.now());
    } catch (e) {
      this.ctx.log.warn({ err: e }, 'imap.credential.check-failed');
      return true;
    }
    if (verdict.kind === 'valid') return true;
    this.ctx.log.info({ mailbox: this.credential!.credential.address, reason: verdict.reason }, 'imap.credential.expired');
    const code: ResponseCodeName = verdict.kind === 'disabled' ? 'CONTACTADMIN' : 'EXPIRED';
    await this.write(untagged('BYE', `${verdict.reason}; sign in again${verdict.kind === 'disabled' ? ' after contacting your provider' : ' with a valid password'}`, { name: code }));
    this.close();
    return false;
  }

  /** Sends the selected mailbox's pending untagged updates; ends the session if the mailbox went away. */
  async flushUpdates(allowExpunge: boolean): Promise<void> {
    if (this.state.kind !== 'selected') return;
    const view = this.state.view;
    await view.sync();
    if (view.deleted) {
      await this.write(untagged('BYE', 'the selected mailbox was deleted or renamed by another session'));
      return this.close();
    }
    await this.write(...view.drain(allowExpunge, this.updateStyle));
  }

  /** Reads one raw line in line mode (IDLE, AUTHENTICATE). */
  async onLine(line: LineEvent): Promise<void> {
    const handler = this.lineHandler;
    if (handler === undefined) return;
    await handler(line);
  }

  #errorResponse(cmd: ImapCommand, e: unknown): ImapResponse {
    if (e instanceof ImapNo) return no(cmd.tag, e.message, e.responseCode);
    if (e instanceof ImapBad) return bad(cmd.tag, e.message, e.responseCode);
    if (e instanceof StoreError) return no(cmd.tag, e.message, { name: STORE_CODES[e.code] });
    if (isOutpostError(e) && e.kind === 'temporary') return no(cmd.tag, e.message, { name: 'UNAVAILABLE' });
    if (storeBusy(e)) {
      // RFC 5530 §3 INUSE: another process (e.g. a CLI command or a backup) held the store longer than we wait.
      this.ctx.log.warn({ err: e, command: cmd.name }, 'imap.command.store-busy');
      return no(cmd.tag, 'the mailbox is busy; try again in a moment', { name: 'INUSE' });
    }
    if (storeCorrupt(e)) {
      this.ctx.log.error({ err: e, command: cmd.name }, 'imap.command.corrupt-data');
      return no(cmd.tag, 'a message or mailbox is damaged on the server; the administrator can see which in the log', { name: 'CORRUPTION' });
    }
    this.ctx.log.error({ err: e, command: cmd.name }, 'imap.command.failed');
    return no(cmd.tag, 'internal server error; the problem was logged', { name: 'SERVERBUG' });
  }

  async #syntaxError(e: ImapSyntaxError): Promise<void> {
    if (e.closeConnection) {
      await this.write(syntaxErrorResponse(e), untagged('BYE', e.code === 'http-request' ? 'this is an IMAP server, not a web server' : 'cannot continue after this error'));
      return this.close();
    }
    return this.#countBad(syntaxErrorResponse(e));
  }

  async #countBad(response: ImapResponse): Promise<void> {
    await this.write(response);
    if (++this.#badCommands >= imapLimits.badCommandsBeforeDisconnect) {
      await this.write(untagged('BYE', 'too many bad commands'));
      this.close();
    }
  }

  /** Ends the session (LOGOUT, BYE, limits). */
  close(): void {
    this.releaseConnection?.();
    if (this.state.kind === 'logout') return;
    if (this.state.kind === 'selected') this.state.view.close();
    this.state = { kind: 'logout' };
    this.lineHandler = undefined;
    this.transport.close();
  }

  /** The connection went away or timed out. */
  dropped(): void {
    this.close();
  }
}

function atomValue(text: string) {
  return { kind: 'atom' as const, value: text };
}
