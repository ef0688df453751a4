/**
 * Builders for the untagged data responses (RFC 9051 §7.2–7.5 and the extensions), so the server never formats
 * protocol text by hand.
 *
 * RFC 9051 §7.2.2 CAPABILITY, §7.2.3 LIST (mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE /
 * nil) SP mailbox [SP mbox-list-extended]), §7.2.4 NAMESPACE, §7.3.1 STATUS, §7.3.4 ESEARCH, §7.3.5 FLAGS,
 * §7.4.1 EXISTS, §7.5.1 EXPUNGE; RFC 3501 §7.2.5 SEARCH, §7.3.2 RECENT, LSUB; RFC 5161 ENABLED; RFC 2971 ID;
 * RFC 7162 §3.2.10 VANISHED and §3.1.5 SEARCH (MODSEQ n); RFC 9208 §5 QUOTA and QUOTAROOT; RFC 5256 §4 SORT
 * and THREAD; RFC 5258 §4 (CHILDINFO extended data); RFC 5819 (STATUS after LIST).
 */
import { NIL, astr, atom, list, nstr, num, raw, str, type ImapValue } from './encode.js';
import { encodeMailboxName } from './mailbox-name.js';
import { data, type ImapResponse } from './response.js';
import { compressNumbers } from './sequence.js';
import type { SearchReturnOption } from './search.js';
import type { StatusItem } from './status.js';

/** Encoding of mailbox names for this session. */
export interface NameOptions {
  readonly utf8: boolean;
}

/** A mailbox name as an astring in the session's encoding. */
export function mailboxValue(name: string, options: NameOptions): ImapValue {
  return astr(encodeMailboxName(name, options.utf8));
}

export function capabilityResponse(capabilities: readonly string[]): ImapResponse {
  return data(atom('CAPABILITY'), ...capabilities.map(atom));
}

export function enabledResponse(capabilities: readonly string[]): ImapResponse {
  return data(atom('ENABLED'), ...capabilities.map(atom));
}

export function existsResponse(count: number): ImapResponse {
  return data(num(count), atom('EXISTS'));
}

export function recentResponse(count: number): ImapResponse {
  return data(num(count), atom('RECENT'));
}

export function expungeResponse(seq: number): ImapResponse {
  return data(num(seq), atom('EXPUNGE'));
}

export function flagsResponse(flags: readonly string[]): ImapResponse {
  return data(atom('FLAGS'), list(flags.map(atom)));
}

export interface ListEntry {
  readonly name: string;
  /** Name attributes (`\HasNoChildren`, `\Noselect`, `\Subscribed`, `\Sent`…). */
  readonly attributes: readonly string[];
  /** The hierarchy delimiter, or null for a flat name space. */
  readonly delimiter: string | null;
  /** RFC 5258 §3.5 CHILDINFO ("SUBSCRIBED") when RECURSIVEMATCH found a matching child. */
  readonly childInfo?: readonly string[];
  /** RFC 9051 §7.2.3 OLDNAME after a rename, when the client asked for it. */
  readonly oldName?: string;
}

/** `* LIST (attrs) "/" name [extended data]` (or LSUB with `command: 'LSUB'`). */
export function listResponse(entry: ListEntry, options: NameOptions, command: 'LIST' | 'LSUB' = 'LIST'): ImapResponse {
  const values: ImapValue[] = [atom(command), list(entry.attributes.map(atom)), entry.delimiter === null ? NIL : str(entry.delimiter), mailboxValue(entry.name, options)];
  const extended: ImapValue[] = [];
  if (entry.childInfo && entry.childInfo.length > 0) extended.push(str('CHILDINFO'), list(entry.childInfo.map((x) => str(x))));
  if (entry.oldName !== undefined) extended.push(str('OLDNAME'), list([mailboxValue(entry.oldName, options)]));
  if (extended.length > 0) values.push(list(extended));
  return data(...values);
}

/** `* STATUS name (MESSAGES 2 UIDNEXT 5 …)`. */
export function statusResponse(name: string, items: ReadonlyArray<readonly [StatusItem, number | bigint]>, options: NameOptions): ImapResponse {
  return data(atom('STATUS'), mailboxValue(name, options), list(items.flatMap(([k, v]) => [atom(k), num(v)])));
}

/** RFC 3501 §7.2.5 `* SEARCH 2 3 6`, with RFC 7162 §3.1.5 `(MODSEQ n)` when asked for. */
export function searchResponse(ids: readonly number[], highestModSeq?: bigint): ImapResponse {
  const values: ImapValue[] = [atom('SEARCH'), ...ids.map((n) => num(n))];
  if (highestModSeq !== undefined && ids.length > 0) values.push(list([atom('MODSEQ'), num(highestModSeq)]));
  return data(...values);
}

export interface EsearchResult {
  readonly min?: number;
  readonly max?: number;
  /** The matching numbers (compressed into a sequence set when sent). */
  readonly all?: readonly number[];
  readonly count?: number;
  readonly modSeq?: bigint;
}

/** RFC 4731 §3.1 / RFC 9051 §7.3.4: `* ESEARCH (TAG "a1") UID MIN 2 COUNT 3`. Empty ALL is left out. */
export function esearchResponse(tag: string, uid: boolean, result: EsearchResult, asked?: readonly SearchReturnOption[]): ImapResponse {
  const values: ImapValue[] = [atom('ESEARCH'), list([atom('TAG'), str(tag)])];
  if (uid) values.push(atom('UID'));
  const want = (o: SearchReturnOption): boolean => asked === undefined || asked.includes(o);
  if (result.min !== undefined && want('MIN')) values.push(atom('MIN'), num(result.min));
  if (result.max !== undefined && want('MAX')) values.push(atom('MAX'), num(result.max));
  if (result.all !== undefined && result.all.length > 0 && want('ALL')) values.push(atom('ALL'), raw(compressNumbers(result.all)));
  if (result.count !== undefined && want('COUNT')) values.push(atom('COUNT'), num(result.count));
  if (result.modSeq !== undefined) values.push(atom('MODSEQ'), num(result.modSeq));
  return data(...values);
}

/** RFC 7162 §3.2.10: `* VANISHED (EARLIER) 41,43:116`. */
export function vanishedResponse(uids: readonly number[], earlier: boolean): ImapResponse {
  const values: ImapValue[] = [atom('VANISHED')];
  if (earlier) values.push(list([atom('EARLIER')]));
  values.push(raw(compressNumbers(uids)));
  return data(...values);
}

export interface Namespace {
  readonly prefix: string;
  readonly delimiter: string | null;
}

/** RFC 2342 §5 / RFC 9051 §7.2.4: personal, other users' and shared namespaces (null → NIL). */
export function namespaceResponse(
  personal: readonly Namespace[] | null,
  otherUsers: readonly Namespace[] | null,
  shared: readonly Namespace[] | null,
  options: NameOptions,
): ImapResponse {
  const ns = (list_: readonly Namespace[] | null): ImapValue =>
    list_ === null || list_.length === 0
      ? NIL
      : list(list_.map((n) => list([str(encodeMailboxNameForNs(n.prefix, options)), n.delimiter === null ? NIL : str(n.delimiter)])));
  return data(atom('NAMESPACE'), ns(personal), ns(otherUsers), ns(shared));
}

function encodeMailboxNameForNs(prefix: string, options: NameOptions): string {
  return prefix === '' ? '' : encodeMailboxName(prefix, options.utf8);
}

/** RFC 2971 §3.2: `* ID ("name" "Outpost" …)` or `* ID NIL`. */
export function idResponse(params: ReadonlyArray<readonly [string, string | null]> | null): ImapResponse {
  if (params === null || params.length === 0) return data(atom('ID'), NIL);
  return data(atom('ID'), list(params.flatMap(([k, v]) => [str(k), nstr(v)])));
}

export interface QuotaResource {
  readonly resource: string;
  readonly usage: number | bigint;
  readonly limit: number | bigint;
}

/** RFC 9208 §5.1: `* QUOTA "" (STORAGE 10 512)` (STORAGE in KiB). */
export function quotaResponse(root: string, resources: readonly QuotaResource[]): ImapResponse {
  return data(atom('QUOTA'), astr(root), list(resources.flatMap((r) => [atom(r.resource), num(r.usage), num(r.limit)])));
}

/** RFC 9208 §5.2: `* QUOTAROOT INBOX ""`. */
export function quotaRootResponse(mailbox: string, roots: readonly string[], options: NameOptions): ImapResponse {
  return data(atom('QUOTAROOT'), mailboxValue(mailbox, options), ...roots.map(astr));
}

/** RFC 5256 §4: `* SORT 2 3 6`, with RFC 7162 §3.1.5's (MODSEQ n) when asked for. */
export function sortResponse(ids: readonly number[], highestModSeq?: bigint): ImapResponse {
  const values: ImapValue[] = [atom('SORT'), ...ids.map((n) => num(n))];
  if (highestModSeq !== undefined && ids.length > 0) values.push(list([atom('MODSEQ'), num(highestModSeq)]));
  return data(...values);
}

/** A thread tree: a message number and its children. RFC 5256 §4 nests single children in the same list. */
export interface ThreadNode {
  /** The message, or null for a missing parent (a dummy holding several roots). */
  readonly id: number | null;
  readonly children: readonly ThreadNode[];
}

/** RFC 5256 §4: `* THREAD (2)(3 6 (4 23)(44 7 96))`. */
export function threadResponse(threads: readonly ThreadNode[]): ImapResponse {
  const text = threads.map((t) => `(${threadText(t)})`).join('');
  return text === '' ? data(atom('THREAD')) : data(atom('THREAD'), raw(text));
}

function threadText(node: ThreadNode): string {
  const head = node.id === null ? '' : String(node.id);
  if (node.children.length === 0) return head;
  if (node.children.length === 1) return head === '' ? threadText(node.children[0]!) : `${head} ${threadText(node.children[0]!)}`;
  const branches = node.children.map((c) => `(${threadText(c)})`).join('');
  return head === '' ? branches : `${head} ${branches}`;
}
