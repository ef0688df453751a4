/**
 * SEARCH and UID SEARCH (RFC 9051 §6.4.4, RFC 3501 §6.4.4), evaluated by the engine over the view's messages;
 * RFC 4731 ESEARCH results when the client asks with RETURN (MIN MAX COUNT ALL), RFC 5182 SEARCHRES (SAVE and
 * `$`), RFC 7162 §3.1.5 (MODSEQ n) after a MODSEQ key. CHARSET: the charsets of engine/search-charset.ts (RFC
 * 9051 §6.4.4: others get NO [BADCHARSET (…)]; a string that is not text in the charset is a BAD, as in Dovecot). SORT and THREAD select their messages through {@link matching} too. Text keys are first
 * looked up in the store's text index (MailStore.searchText), which narrows the messages the engine reads: on a
 * 100,000-message folder `SEARCH SUBJECT word` builds records for the index's candidates only, and blob ids and
 * sizes are read (SelectedView.loadBlobs) only for the candidates of a program that needs them. A message whose
 * octets cannot be read ends the command: NO [CORRUPTION] when its entry is live (the blob store lost its body,
 * RFC 5530 §3), NO [EXPUNGEISSUED] when another session expunged it meanwhile.
 */
import { astr, esearchResponse, list, ok, searchResponse, type ImapResponse, type SearchKey, type SearchProgram } from '../../protocol/imap/index.js';
import { searchMessages, type SearchIndex } from '../engine/search.js';
import { indexQueryOf } from '../engine/search-index.js';
import type { Store } from '../../store/types.js';
import type { MessageRecord, MessageSource } from '../engine/types.js';
import type { ImapSession } from '../session.js';
import { MessageGone, type Picked } from '../selected-view.js';
import { CorruptDataError } from '../../lib/errors.js';
import { ImapBad, ImapNo } from '../errors.js';
import { SEARCH_CHARSETS, decodeProgram, searchEncodingOf } from '../engine/search-charset.js';
import { messageSource } from './fetch.js';
import type { CommandOf } from './spec.js';

export interface Matches {
  /** The matching messages, in sequence (= UID) order. */
  readonly found: MessageRecord[];
  /** RFC 7162 §3.1.5: the highest mod-sequence of the matches when the program used MODSEQ (and matched). */
  readonly modSeq: bigint | undefined;
  readonly source: MessageSource;
}

/**
 * The messages of the selected mailbox a search program matches (SEARCH, SORT, THREAD); with `blobs`, their
 * records can also give size and blob id (SORT and THREAD read the messages).
 */
export async function matching(s: ImapSession, sent: SearchProgram, opts: { blobs?: boolean } = {}): Promise<Matches> {
  // RFC 6855 §3 and its erratum 4029: once UTF8=ACCEPT is enabled, strings are UTF-8; another charset label
  // conflicts (BAD). CHARSET UTF-8 (or US-ASCII) is let through: clients that always send it mean no conflict.
  if (s.utf8 && sent.charset !== undefined && searchEncodingOf(sent.charset) !== 'utf-8')
    throw new ImapBad(`after ENABLE UTF8=ACCEPT, search strings are UTF-8, not ${sent.charset.slice(0, 40)}`);
  const decoded = decodeProgram(sent);
  if (!decoded.ok && decoded.problem === 'unknown-charset')
    throw new ImapNo(`charset ${String(sent.charset).slice(0, 40)} is not supported`, { name: 'BADCHARSET', args: [list(SEARCH_CHARSETS.map(astr))] });
  if (!decoded.ok) throw new ImapBad(`a search string is not text in ${sent.charset === undefined ? 'UTF-8' : sent.charset.slice(0, 40)}`);
  const program = decoded.program;
  const view = s.view();
  let live: Picked[] = [];
  view.messages.forEach((m, i) => {
    if (!m.expunged) live.push({ seq: i + 1, message: m });
  });
  // `*` in a sequence-set key is the last message this search sees, whatever the index leaves out.
  const maxSeq = live.length === 0 ? 0 : live[live.length - 1]!.seq;
  const candidates = await storeSearchIndex(s.ctx.store, view.folderId).candidates(program);
  if (candidates !== undefined) live = live.filter((p) => candidates.has(p.message.uid));
  if (opts.blobs || needsBlobs(program.criteria)) {
    await view.loadBlobs(live.map((p) => p.message));
    // RFC 2180 §4.1.3: a message another session expunged (its octets gone) is not found.
    live = live.filter((p) => p.message.blob !== null);
  }
  const records = live.map((p) => view.record(p.message, p.seq));
  const last = view.messages[view.messages.length - 1];
  const source = checkedSource(s, view.folderId, live, messageSource(s.ctx.store));
  const found = await searchMessages(program, records, { source, maxUid: last?.uid ?? 0, maxSeq, now: s.ctx.now(), searchResult: view.savedResult });
  // RFC 7162 §3.1.5: a MODSEQ key enables CONDSTORE and adds the highest mod-sequence of the matches.
  let modSeq: bigint | undefined;
  if (usesModSeq(program.criteria)) {
    s.enabled.add('CONDSTORE');
    if (found.length > 0) modSeq = BigInt(found.reduce((n, r) => Math.max(n, r.modSeq), 0));
  }
  return { found, modSeq, source };
}

/**
 * The source with a missing body explained: CorruptDataError (NO [CORRUPTION], logged by the session) when the
 * message's entry is still in the folder, NO [EXPUNGEISSUED] when another session expunged it since.
 */
function checkedSource(s: ImapSession, folderId: number, live: readonly Picked[], inner: MessageSource): MessageSource {
  const explain = async (blobId: string, e: unknown): Promise<never> => {
    if (!(e instanceof MessageGone)) throw e;
    const uids = live.filter((p) => p.message.blob?.blobId === blobId).map((p) => p.message.uid);
    const still = await s.ctx.store.entryBlobs(folderId, uids);
    if (still.size > 0) throw new CorruptDataError(`UID ${[...still.keys()].join(',')} of folder ${folderId}: blob ${blobId} is missing from the blob store`);
    throw new ImapNo('a message was expunged by another session', 'EXPUNGEISSUED');
  };
  return {
    raw: (blobId) => inner.raw(blobId).catch((e: unknown) => explain(blobId, e)),
    ...(inner.parsed ? { parsed: (blobId: string) => inner.parsed!(blobId).catch((e: unknown) => explain(blobId, e)) } : {}),
    ...(inner.read ? { read: (blobId: string, offset: number, length: number) => inner.read!(blobId, offset, length).catch((e: unknown) => explain(blobId, e)) } : {}),
  };
}

/** The store's text index as the engine's pre-filter (issue 6): candidates by UID, checked again by the engine. */
export function storeSearchIndex(store: Store, folderId: number): SearchIndex {
  return {
    async candidates(program: SearchProgram) {
      const query = indexQueryOf(program.criteria);
      if (query === null) return undefined;
      const uids = await store.searchText(folderId, query);
      return uids === null ? undefined : new Set(uids);
    },
  };
}

export async function search(s: ImapSession, cmd: CommandOf<'SEARCH'>): Promise<ImapResponse> {
  const view = s.view();
  const { found, modSeq } = await matching(s, cmd.program);
  // Sequence order is UID order: the ids come out ascending.
  const ids = found.map((r) => (cmd.uid ? r.uid : r.seq));
  const options = cmd.returnOptions;
  if (options === undefined) {
    await s.write(searchResponse(ids, modSeq));
    return ok(cmd.tag, 'SEARCH completed');
  }
  // RFC 4731 §3.1: RETURN () means RETURN (ALL).
  const asked = options.length === 0 ? (['ALL'] as const) : options;
  if (asked.includes('SAVE')) view.savedResult = found.map((r) => r.uid);
  // RFC 5182 §2.4: RETURN (SAVE) alone sends no ESEARCH response.
  if (asked.some((o) => o !== 'SAVE')) {
    const result = {
      ...(ids.length > 0 ? { min: ids[0], max: ids[ids.length - 1] } : {}),
      all: ids,
      count: ids.length,
      ...(modSeq !== undefined ? { modSeq } : {}),
    };
    await s.write(esearchResponse(cmd.tag, cmd.uid, result, asked.filter((o) => o !== 'SAVE')));
  }
  return ok(cmd.tag, 'SEARCH completed');
}

/** Whether a key needs a message's size or octets (everything but flags, numbers, modseqs and INTERNALDATE). */
function needsBlobs(key: SearchKey): boolean {
  switch (key.kind) {
    case 'size':
    case 'header':
    case 'body':
    case 'text':
      return true;
    case 'date':
      return key.field !== 'internal';
    case 'not':
      return needsBlobs(key.key);
    case 'or':
      return needsBlobs(key.left) || needsBlobs(key.right);
    case 'and':
      return key.keys.some(needsBlobs);
    default:
      return false;
  }
}

function usesModSeq(key: SearchKey): boolean {
  switch (key.kind) {
    case 'modseq':
      return true;
    case 'not':
      return usesModSeq(key.key);
    case 'or':
      return usesModSeq(key.left) || usesModSeq(key.right);
    case 'and':
      return key.keys.some(usesModSeq);
    default:
      return false;
  }
}
