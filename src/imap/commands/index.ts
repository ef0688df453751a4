/**
 * The IMAP command table: for every command the parser knows, the states it is valid in (RFC 9051 §6: any
 * state, not authenticated, authenticated, selected), whether it addresses messages by sequence number (so no
 * EXPUNGE may interrupt it, RFC 9051 §7.5.1), and what it does. The session checks all of it generically.
 * Commands of extensions this version does not advertise are BAD.
 */
import type { ImapCommandName } from '../../protocol/imap/index.js';
import { capability, enable, id, idle, logout, namespace, noop } from './any.js';
import { append } from './append.js';
import { authenticate, login, startTls } from './auth.js';
import { compress } from './compress.js';
import { fetch } from './fetch.js';
import { listCommand, lsub } from './list.js';
import { create, del, rename, select, status, subscribe } from './mailboxes.js';
import { getQuota, getQuotaRoot, setQuota } from './quota.js';
import { search } from './search.js';
import { sort, thread } from './sort-thread.js';
import { close, copyOrMove, expunge, store } from './selected.js';
import { ANY, AUTHENTICATED, NOT_AUTHENTICATED, SELECTED, type CommandSpec } from './spec.js';

export type { CommandSpec } from './spec.js';

const bySequenceNumber = (cmd: { uid: boolean }): boolean => !cmd.uid;

export const COMMANDS: { readonly [N in ImapCommandName]: CommandSpec<N> } = {
  CAPABILITY: { states: ANY, run: capability },
  NOOP: { states: ANY, run: noop },
  LOGOUT: { states: ANY, run: logout },
  ID: { states: ANY, run: id },
  STARTTLS: { states: NOT_AUTHENTICATED, run: startTls },
  LOGIN: { states: NOT_AUTHENTICATED, run: login },
  AUTHENTICATE: { states: NOT_AUTHENTICATED, run: authenticate },
  // RFC 5161 §3.1: ENABLE only before a mailbox is selected.
  ENABLE: { states: ['authenticated'], run: enable },
  NAMESPACE: { states: AUTHENTICATED, run: namespace },
  IDLE: { states: AUTHENTICATED, run: idle },
  SELECT: { states: AUTHENTICATED, run: select },
  EXAMINE: { states: AUTHENTICATED, run: select },
  CREATE: { states: AUTHENTICATED, run: create },
  DELETE: { states: AUTHENTICATED, run: del },
  RENAME: { states: AUTHENTICATED, run: rename },
  SUBSCRIBE: { states: AUTHENTICATED, run: subscribe },
  UNSUBSCRIBE: { states: AUTHENTICATED, run: subscribe },
  LIST: { states: AUTHENTICATED, run: listCommand },
  LSUB: { states: AUTHENTICATED, run: lsub },
  STATUS: { states: AUTHENTICATED, run: status },
  APPEND: { states: AUTHENTICATED, run: append },
  CHECK: { states: SELECTED, run: noop },
  CLOSE: { states: SELECTED, run: close },
  UNSELECT: { states: SELECTED, run: close },
  EXPUNGE: { states: SELECTED, run: expunge },
  SEARCH: { states: SELECTED, usesSequenceNumbers: bySequenceNumber, run: search },
  FETCH: { states: SELECTED, usesSequenceNumbers: bySequenceNumber, run: fetch },
  STORE: { states: SELECTED, usesSequenceNumbers: bySequenceNumber, run: store },
  COPY: { states: SELECTED, usesSequenceNumbers: bySequenceNumber, run: copyOrMove },
  MOVE: { states: SELECTED, run: copyOrMove },
  SORT: { states: SELECTED, usesSequenceNumbers: bySequenceNumber, run: sort },
  THREAD: { states: SELECTED, usesSequenceNumbers: bySequenceNumber, run: thread },
  GETQUOTA: { states: AUTHENTICATED, run: getQuota },
  GETQUOTAROOT: { states: AUTHENTICATED, run: getQuotaRoot },
  SETQUOTA: { states: AUTHENTICATED, run: setQuota },
  COMPRESS: { states: AUTHENTICATED, run: compress },
};
