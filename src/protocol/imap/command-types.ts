/**
 * The parsed IMAP command: a discriminated union on `name` (upper case), with fully typed arguments.
 *
 * RFC 3501 §6 and RFC 9051 §6 (every core command), with the extensions' syntax: RFC 2177 IDLE, RFC 2971 ID,
 * RFC 3502 MULTIAPPEND, RFC 3691 UNSELECT, RFC 4315 UIDPLUS (UID EXPUNGE), RFC 4978 COMPRESS, RFC 5161 ENABLE,
 * RFC 5256 SORT/THREAD, RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE, RFC 6851 MOVE, RFC 7162 CONDSTORE/QRESYNC,
 * RFC 9208 QUOTA, RFC 2342 NAMESPACE. Commands that take UIDs with the "UID" prefix carry `uid`.
 */
import type { AppendMessage } from './append.js';
import type { FetchItem, FetchModifiers } from './fetch-items.js';
import type { ListReturn, ListSelection } from './list.js';
import type { QresyncParams } from './mailbox-args.js';
import type { SearchProgram, SearchReturnOption } from './search.js';
import type { SequenceSet } from './sequence.js';
import type { SortCriterion } from './sort-thread.js';
import type { StatusItem } from './status.js';
import type { StoreArgs } from './store.js';

export type ImapCommandBody =
  | { readonly name: 'CAPABILITY' }
  | { readonly name: 'NOOP' }
  | { readonly name: 'LOGOUT' }
  | { readonly name: 'STARTTLS' }
  /** RFC 9051 §6.2.2 with RFC 4959 SASL-IR: the initial response as sent (base64, or "=" for empty). */
  | { readonly name: 'AUTHENTICATE'; readonly mechanism: string; readonly initialResponse: string | undefined }
  | { readonly name: 'LOGIN'; readonly username: string; readonly password: string }
  | { readonly name: 'SELECT' | 'EXAMINE'; readonly mailbox: string; readonly condstore: boolean; readonly qresync: QresyncParams | undefined }
  | { readonly name: 'CREATE'; readonly mailbox: string; readonly specialUse: readonly string[] }
  | { readonly name: 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE'; readonly mailbox: string }
  | { readonly name: 'RENAME'; readonly from: string; readonly to: string }
  | {
      readonly name: 'LIST';
      readonly reference: string;
      readonly patterns: readonly string[];
      readonly selection: ListSelection;
      readonly returns: ListReturn;
      readonly extended: boolean;
    }
  | { readonly name: 'LSUB'; readonly reference: string; readonly pattern: string }
  | { readonly name: 'STATUS'; readonly mailbox: string; readonly items: readonly StatusItem[] }
  | { readonly name: 'APPEND'; readonly mailbox: string; readonly messages: readonly AppendMessage[] }
  | { readonly name: 'CHECK' | 'CLOSE' | 'UNSELECT' | 'IDLE' | 'NAMESPACE' }
  | { readonly name: 'EXPUNGE'; readonly uid: false }
  /** RFC 4315 §2.1 UID EXPUNGE. */
  | { readonly name: 'EXPUNGE'; readonly uid: true; readonly uids: SequenceSet }
  | {
      readonly name: 'SEARCH';
      readonly uid: boolean;
      /** RFC 4731 / RFC 9051 ESEARCH; `undefined` asks for the classic SEARCH response. */
      readonly returnOptions: readonly SearchReturnOption[] | undefined;
      readonly program: SearchProgram;
    }
  | {
      readonly name: 'FETCH';
      readonly uid: boolean;
      readonly sequenceSet: SequenceSet;
      readonly items: readonly FetchItem[];
      readonly modifiers: FetchModifiers;
    }
  | ({ readonly name: 'STORE'; readonly uid: boolean; readonly sequenceSet: SequenceSet } & StoreArgs)
  | { readonly name: 'COPY' | 'MOVE'; readonly uid: boolean; readonly sequenceSet: SequenceSet; readonly mailbox: string }
  | {
      readonly name: 'SORT';
      readonly uid: boolean;
      readonly returnOptions: readonly SearchReturnOption[] | undefined;
      readonly criteria: readonly SortCriterion[];
      readonly program: SearchProgram;
    }
  | { readonly name: 'THREAD'; readonly uid: boolean; readonly algorithm: string; readonly program: SearchProgram }
  /** RFC 5161: capability names, upper case. */
  | { readonly name: 'ENABLE'; readonly capabilities: readonly string[] }
  /** RFC 2971: field/value pairs in order, or `null` for "ID NIL". */
  | { readonly name: 'ID'; readonly parameters: ReadonlyArray<readonly [string, string | null]> | null }
  | { readonly name: 'GETQUOTA'; readonly root: string }
  | { readonly name: 'GETQUOTAROOT'; readonly mailbox: string }
  | { readonly name: 'SETQUOTA'; readonly root: string; readonly limits: ReadonlyArray<{ readonly resource: string; readonly limit: bigint }> }
  /** RFC 4978: the algorithm, upper case (only DEFLATE is defined). */
  | { readonly name: 'COMPRESS'; readonly algorithm: string };

export type ImapCommand = ImapCommandBody & { readonly tag: string };
export type ImapCommandName = ImapCommandBody['name'];
