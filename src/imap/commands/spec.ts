/** The shape of one entry of the IMAP command table (STYLE.md "a declarative command table"). */
import type { ImapCommand, ImapCommandName, ImapResponse } from '../../protocol/imap/index.js';
import type { ImapSession } from '../session.js';
import type { ImapStateKind } from '../types.js';

/** The parsed command named N (some union members carry several names, e.g. DELETE | SUBSCRIBE | UNSUBSCRIBE). */
export type CommandOf<N extends ImapCommandName> = N extends ImapCommandName ? DistributeCommand<ImapCommand, N> : never;
type DistributeCommand<C, N extends string> = C extends { readonly name: infer M } ? (N extends M ? C & { readonly name: N } : never) : never;

export interface CommandSpec<N extends ImapCommandName> {
  /** RFC 9051 §3 and §6: the states the command is valid in; elsewhere it is a BAD. */
  readonly states: readonly ImapStateKind[];
  /**
   * RFC 9051 §7.5.1 / RFC 3501 §7.4.1: true when the command addresses messages by sequence number, so no
   * EXPUNGE may be sent while answering it (FETCH, STORE, SEARCH, COPY without UID).
   */
  readonly usesSequenceNumbers?: (cmd: CommandOf<N>) => boolean;
  /** Runs the command: the tagged response, or undefined when the command answers later or ended the session. */
  run(s: ImapSession, cmd: CommandOf<N>): Promise<ImapResponse | undefined>;
}

export const ANY: readonly ImapStateKind[] = ['not-authenticated', 'authenticated', 'selected'];
export const NOT_AUTHENTICATED: readonly ImapStateKind[] = ['not-authenticated'];
export const AUTHENTICATED: readonly ImapStateKind[] = ['authenticated', 'selected'];
export const SELECTED: readonly ImapStateKind[] = ['selected'];
