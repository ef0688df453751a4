/**
 * SORT and THREAD, with their UID forms (RFC 5256 §3–4; RFC 5957 DISPLAYFROM/DISPLAYTO), computed by the engine
 * over the messages the search program matches, from their kept header sections where the store has them (a
 * message without one is read and parsed). The engine numbers threads by sequence number; UID THREAD maps
 * them to UIDs here. ESORT (RFC 5267) is not offered: SORT RETURN is a BAD. The charset both require (RFC 5256 §3)
 * follows SEARCH's rules ({@link matching}: the charsets of engine/search-charset.ts, else NO [BADCHARSET]).
 */
import { bad, ok, sortResponse, threadResponse, type ImapResponse, type ThreadNode } from '../../protocol/imap/index.js';
import { sortMessages, threadMessages, type HeaderSections } from '../engine/sort-thread.js';
import type { MessageRecord } from '../engine/types.js';
import { imapServerLimits } from '../../lib/limits.js';
import type { ImapSession } from '../session.js';
import { matching } from './search.js';
import type { CommandOf } from './spec.js';

/** The algorithms advertised as THREAD=… (capabilities.ts). */
export const THREAD_ALGORITHMS = ['REFERENCES', 'ORDEREDSUBJECT'] as const;

export async function sort(s: ImapSession, cmd: CommandOf<'SORT'>): Promise<ImapResponse> {
  if (cmd.returnOptions !== undefined) return bad(cmd.tag, 'SORT RETURN (ESORT) is not offered', { name: 'CLIENTBUG' });
  const { found, modSeq, source } = await matching(s, cmd.program, { blobs: true });
  const sorted = await sortMessages(cmd.criteria, found, source, await headerSections(s, found));
  await s.write(sortResponse(sorted.map((r) => (cmd.uid ? r.uid : r.seq)), modSeq));
  return ok(cmd.tag, `${cmd.uid ? 'UID ' : ''}SORT completed`);
}

export async function thread(s: ImapSession, cmd: CommandOf<'THREAD'>): Promise<ImapResponse> {
  const algorithm = THREAD_ALGORITHMS.find((a) => a === cmd.algorithm);
  if (algorithm === undefined) return bad(cmd.tag, `unknown threading algorithm ${cmd.algorithm.slice(0, 40)}`, { name: 'CLIENTBUG' });
  const { found, source } = await matching(s, cmd.program, { blobs: true });
  let threads = await threadMessages(algorithm, found, source, await headerSections(s, found));
  if (cmd.uid) {
    const view = s.view();
    const toUid = (n: ThreadNode): ThreadNode => ({ id: n.id === null ? null : view.messages[n.id - 1]!.uid, children: n.children.map(toUid) });
    threads = threads.map(toUid);
  }
  await s.write(threadResponse(threads));
  return ok(cmd.tag, `${cmd.uid ? 'UID ' : ''}THREAD completed`);
}

/** The kept header sections of the matched messages (src/store/header-cache.ts), read a batch at a time. */
async function headerSections(s: ImapSession, found: readonly MessageRecord[]): Promise<HeaderSections> {
  const out = new Map<number, Buffer>();
  const folderId = s.view().folderId;
  for (let i = 0; i < found.length; i += imapServerLimits.viewBlobBatch) {
    const batch = await s.ctx.store.headers(folderId, found.slice(i, i + imapServerLimits.viewBlobBatch).map((m) => m.uid));
    for (const [uid, h] of batch) if (h.header) out.set(uid, h.header);
  }
  return out;
}
