/**
 * One POP3 session, independent of sockets: lines in, responses out through a {@link Pop3Transport}. Every command
 * is looked up in the declarative table (commands.ts), checked against the state it needs, run, and any error is
 * turned into one `-ERR` reply here; an internal error never ends the process and never leaks its details.
 */
import { randomUUID } from 'node:crypto';
import { isOutpostError } from '../lib/errors.js';
import { pop3Limits } from '../lib/limits.js';
import { parsePop3Command, Pop3SyntaxError } from '../protocol/pop3/command.js';
import { err, Pop3Code } from '../protocol/pop3/response.js';
import type { Pop3Connection, Pop3Context, Pop3State, Pop3Transport } from './types.js';
import { COMMANDS } from './commands.js';
import { continueSasl } from './auth.js';

export class Pop3Session {
  state: Pop3State = { kind: 'authorization', user: null, sasl: null };
  readonly owner = randomUUID();
  authFailures = 0;
  #badCommands = 0;
  #commands = 0;

  constructor(
    readonly ctx: Pop3Context,
    readonly conn: Pop3Connection,
    readonly transport: Pop3Transport,
  ) {}

  greet(): void {
    this.transport.write(`+OK ${this.ctx.options.hostname} POP3 server (Outpost) ready\r\n`);
  }

  /** Handles one line (without CRLF). Resolves when its response has been written. */
  async onLine(line: string): Promise<void> {
    if (this.state.kind === 'closed') return;
    if (++this.#commands > pop3Limits.commandsPerSession) {
      this.transport.write(err('too many commands in one session', Pop3Code.SysTemp));
      return this.close();
    }
    if (this.state.kind === 'authorization' && this.state.sasl) return continueSasl(this, line);
    let cmd;
    try {
      cmd = parsePop3Command(line);
    } catch (e) {
      if (!(e instanceof Pop3SyntaxError)) throw e;
      this.transport.write(err(e.message));
      if (++this.#badCommands >= pop3Limits.badCommandsPerConnection) {
        this.transport.write(err('too many bad commands; closing'));
        this.close();
      }
      return;
    }
    const spec = COMMANDS[cmd.verb];
    if (!spec.states.includes(this.state.kind)) {
      this.transport.write(err(this.state.kind === 'authorization' ? 'sign in first' : `${cmd.verb} is not allowed now`));
      return;
    }
    const t0 = performance.now();
    try {
      await this.refreshLock();
      await spec.run(this, cmd as never);
    } catch (e) {
      this.ctx.log.error({ err: e, verb: cmd.verb }, 'pop3.command.failed');
      this.transport.write(isOutpostError(e) && e.kind !== 'temporary' ? err(e.message) : err('temporary problem with the mailbox, try again later', Pop3Code.SysTemp));
    }
    this.ctx.metrics?.command('pop3', cmd.verb, (performance.now() - t0) / 1000);
  }

  /** Keeps the maildrop lock alive while the session is active. */
  private async refreshLock(): Promise<void> {
    if (this.state.kind !== 'transaction') return;
    await this.ctx.store.refreshLock(this.state.lockKey, this.owner, this.ctx.now(), pop3Limits.lockTtlMs);
  }

  /** Ends the session. Without QUIT nothing is deleted (RFC 1939 §6); the lock is released. */
  close(): void {
    const s = this.state;
    this.state = { kind: 'closed' };
    if (s.kind === 'transaction') void this.ctx.store.unlock(s.lockKey, this.owner).catch((e: unknown) => this.ctx.log.error({ err: e }, 'pop3.unlock.failed'));
    this.transport.close();
  }

  /** The connection went away (or timed out) without QUIT. */
  dropped(): void {
    if (this.state.kind !== 'closed') this.close();
  }
}
