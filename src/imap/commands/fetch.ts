/**
 * FETCH and UID FETCH (RFC 9051 §6.4.5 and §6.4.9, RFC 3501 §6.4.5 and §6.4.8), answered by the engine
 * (src/imap/engine/) one message at a time, each response written before the next message is read, so the
 * socket's backpressure paces the command. The server's part: resolving the set against the view, UID in every
 * UID FETCH response (RFC 9051 §6.4.9), \Seen set by non-PEEK body fetches with the new FLAGS sent
 * (RFC 9051 §6.4.5), and refusing nothing because of a message expunged elsewhere meanwhile (RFC 2180 §4.1).
 * A message whose octets are gone is one of two things, told apart by asking the store whether its entry still
 * exists: expunged by another session (NO [EXPUNGEISSUED], RFC 2180 §4.1.2 / RFC 5530 §3), or a live message whose
 * body the blob store lost (NO [CORRUPTION], RFC 5530 §3, logged with its UID). Either way the other messages of
 * the command are answered and the session goes on.
 * RFC 7162: MODSEQ, CHANGEDSINCE (§3.1.4.1) and VANISHED (§3.2.6).
 *
 * Memory: `FETCH 1:* BODY[]` (or RFC822) reads one message at a time, unparsed and uncached, and waits for the
 * socket below imapServerLimits.writeHighWaterOctets before the next one; a message bigger than
 * storeLimits.blobChunkOctets is streamed in pieces of that size (BlobStore.read), so a whole-folder download
 * holds one piece plus that buffer. ENVELOPE and BODYSTRUCTURE come from the description stored at delivery
 * (MailStore.structures, a batch of messages at a time); only a message stored without one is parsed. A header
 * listing (RFC822.HEADER, BODY[HEADER], BODY[HEADER.FIELDS (…)]) reads the header sections the store keeps apart
 * (MailStore.headers), not the messages.
 */
import { imapServerLimits, storeLimits } from '../../lib/limits.js';
import {
  bad,
  FlagsLines,
  fetchResponse,
  simpleFetchOctets,
  ok,
  no,
  sequenceSetIncludes,
  vanishedResponse,
  type FetchItem,
  type ImapResponse,
  type Section,
} from '../../protocol/imap/index.js';
import type { Store } from '../../store/types.js';
import { cachedSource } from '../engine/cache.js';
import {
  fetchMarksSeen,
  fetchMessage,
  fetchNeedsBody,
  fetchNeedsMime,
  fetchWantsDescription,
  isFlagsItemKind,
  topHeaderText,
} from '../engine/fetch.js';
import { storedDescription } from '../engine/describe.js';
import { UnknownCteError, type MessageSource } from '../engine/types.js';
import type { ImapSession } from '../session.js';
import { ImapNo } from '../errors.js';
import { MessageGone, type ViewMessage } from '../selected-view.js';
import { ResponseBatch } from '../response-batch.js';
import type { CommandOf } from './spec.js';

export { MessageGone };

/**
 * Message octets straight from the blob store: nothing parsed, nothing kept, except the bodies FETCH read ahead for
 * its current batch (`prefetched`, each handed out once).
 */
function blobSource(store: Store, prefetched?: Map<string, Buffer>): MessageSource {
  return {
    async raw(blobId) {
      const ready = prefetched?.get(blobId);
      if (ready) {
        prefetched!.delete(blobId);
        return ready;
      }
      const raw = await store.blobs.get(blobId);
      if (!raw) throw new MessageGone(blobId);
      return raw;
    },
    async read(blobId, offset, length) {
      const piece = await store.blobs.read(blobId, offset, length);
      if (!piece) throw new MessageGone(blobId);
      return piece;
    },
  };
}

/** FETCH items whose responses hold no message text (RFC 9051 §7.5.2): metadata a client asks for in bulk. */
const SMALL_ITEMS: ReadonlySet<FetchItem['kind']> = new Set(['UID', 'FLAGS', 'MODSEQ', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY', 'BODYSTRUCTURE', 'BINARY.SIZE']);

/** FETCH items answered from the view alone: no blob id or size needed (the view lists only these). */
const VIEW_ITEMS: ReadonlySet<FetchItem['kind']> = new Set(['UID', 'FLAGS', 'MODSEQ', 'INTERNALDATE']);

/**
 * Descriptions, blob ids and sizes are read for this many messages at a time (bounded memory for
 * `FETCH 1:* BODYSTRUCTURE`).
 */
const DESCRIPTION_BATCH = 256;

/** Message octets from the blob store, through a per-command cache of octets and parsed MIME trees. */
export function messageSource(store: Store, prefetched?: Map<string, Buffer>): MessageSource {
  return cachedSource(blobSource(store, prefetched), imapServerLimits.messageCacheOctets);
}

/**
 * Reads ahead, in one store call, the bodies of a batch's messages that are small enough to hold (at most
 * imapServerLimits.fetchPrefetchOctets together; a body stored in chunks is left to be streamed).
 */
async function prefetchBodies(store: Store, messages: readonly ViewMessage[], into: Map<string, Buffer>): Promise<void> {
  into.clear();
  let budget = imapServerLimits.fetchPrefetchOctets;
  const ids: string[] = [];
  for (const m of messages) {
    const b = m.blob;
    if (!b || b.size > storeLimits.blobChunkOctets || b.size > budget) continue;
    ids.push(b.blobId);
    budget -= b.size;
  }
  if (ids.length < 2) return;
  for (const [id, raw] of await store.blobs.getMany(ids)) into.set(id, raw);
}

export async function fetch(s: ImapSession, cmd: CommandOf<'FETCH'>): Promise<ImapResponse> {
  const view = s.view();
  const { changedSince, vanished } = cmd.modifiers;
  // RFC 7162 §3.2.6: VANISHED only once QRESYNC is enabled.
  if (vanished && !s.qresync) return bad(cmd.tag, 'ENABLE QRESYNC before asking for VANISHED', { name: 'CLIENTBUG' });
  // RFC 7162 §3.1: MODSEQ and CHANGEDSINCE enable CONDSTORE; CHANGEDSINCE implies MODSEQ (§3.1.4.1).
  if (changedSince !== undefined || cmd.items.some((i) => i.kind === 'MODSEQ')) s.enabled.add('CONDSTORE');
  const slices = view.slices(cmd.sequenceSet, cmd.uid);
  const items: FetchItem[] = cmd.uid && !cmd.items.some((i) => i.kind === 'UID') ? [{ kind: 'UID' }, ...cmd.items] : [...cmd.items];
  if (changedSince !== undefined && !items.some((i) => i.kind === 'MODSEQ')) items.push({ kind: 'MODSEQ' });
  if (vanished && changedSince !== undefined) {
    // RFC 7162 §3.2.6: the UIDs in the set expunged since; ones this session still numbers come later as VANISHED.
    const top = Math.max(view.uidNext - 1, 1);
    const set = cmd.sequenceSet;
    const inSet = (u: number) => (set.kind === 'saved' ? view.savedResult.includes(u) : sequenceSetIncludes(set, u, top));
    const gone = (await s.ctx.store.expungedSince(view.folderId, Number(changedSince))).filter((u) => !view.byUid(u) && inSet(u));
    if (gone.length > 0) await s.write(vanishedResponse(gone, true));
  }
  const flagKinds = items.map((i) => i.kind).filter(isFlagsItemKind);
  if (flagKinds.length === items.length) {
    // The bulk case (`UID FETCH 1:* (UID FLAGS)`, a client's resync): straight from the view to text, nothing
    // built per message but its line (no body item, so nothing marks \Seen).
    const out = new ResponseBatch(s);
    const lines = new FlagsLines(flagKinds);
    const messages = view.messages;
    for (const [from, to] of slices)
      for (let i = from; i < to; i++) {
        const m = messages[i]!;
        if (changedSince !== undefined && BigInt(m.modSeq) <= changedSince) continue;
        out.line(lines.line(i + 1, m.uid, m.flags, m.recent, m.modSeq));
        if (out.full) await out.flush();
      }
    await out.flush();
    return ok(cmd.tag, `${cmd.uid ? 'UID ' : ''}FETCH completed`);
  }
  const messages = view.messages;
  let picked = slices.flatMap(([from, to]) => messages.slice(from, to).map((message, i) => ({ seq: from + i + 1, message })));
  if (changedSince !== undefined) picked = picked.filter((p) => BigInt(p.message.modSeq) > changedSince);
  const asksFlags = items.some((i) => i.kind === 'FLAGS');
  let newlySeen = new Set<number>();
  if (fetchMarksSeen(items) && !view.readOnly) {
    const unseen = picked.filter((p) => !p.message.expunged && !p.message.flags.includes('\\Seen')).map((p) => p.message.uid);
    if (unseen.length > 0) {
      const r = await s.ctx.store.storeFlags(view.folderId, unseen, 'add', ['\\Seen']);
      for (const c of r.changed) view.noteFlags(c.uid, c.flags, c.modSeq);
      newlySeen = new Set(r.changed.map((c) => c.uid));
    }
  }
  const prefetched = new Map<string, Buffer>();
  const source = fetchNeedsMime(items, true) ? messageSource(s.ctx.store, prefetched) : blobSource(s.ctx.store, prefetched);
  // Items that read message octets (ENVELOPE and BODYSTRUCTURE come from the stored descriptions instead, and the
  // top-level header sections from the ones the store keeps apart, where it has them).
  const needsBody = items.some((i) => fetchNeedsBody([i]) && !fetchWantsDescription([i]));
  const wantsHeaders = items.some((i) => topHeaderText(i) !== undefined);
  const needsMore = items.some((i) => fetchNeedsBody([i]) && !fetchWantsDescription([i]) && topHeaderText(i) === undefined);
  let headers = new Map<number, Buffer>();
  const wantsDescription = fetchWantsDescription(items);
  const wantsBlobs = items.some((i) => !VIEW_ITEMS.has(i.kind));
  let described = new Map<number, unknown>();
  let gone = 0;
  let lost = 0;
  // Responses without message text are small: written a batch at a time (one socket write, one flush); responses
  // carrying text share a write up to imapServerLimits.fetchBatchOctets, and a big or streamed body goes at once.
  const small = items.every((i) => SMALL_ITEMS.has(i.kind));
  const out = new ResponseBatch(s);
  const labels = new Map<Section, string>();
  for (const [i, p] of picked.entries()) {
    if (i % DESCRIPTION_BATCH === 0 && (wantsBlobs || wantsDescription)) {
      const next = picked.slice(i, i + DESCRIPTION_BATCH).map((q) => q.message);
      if (wantsHeaders) {
        // One read gives the blobs and sizes and the kept header sections.
        const found = await s.ctx.store.headers(view.folderId, next.map((m) => m.uid));
        view.noteBlobs(next, found);
        headers = new Map();
        for (const [uid, h] of found) if (h.header) headers.set(uid, h.header);
      } else if (wantsBlobs) await view.loadBlobs(next);
      if (needsBody) await prefetchBodies(s.ctx.store, needsMore ? next : next.filter((m) => !headers.has(m.uid)), prefetched);
      if (wantsDescription) described = await s.ctx.store.structures(view.folderId, next.map((m) => m.uid));
    }
    let response;
    try {
      response = await fetchMessage(
        view.record(p.message, p.seq),
        items,
        { source, utf8: s.utf8 },
        storedDescription(described.get(p.message.uid)),
        headers.get(p.message.uid),
      );
    } catch (e) {
      if (e instanceof MessageGone) {
        if (await bodyLost(s, view.folderId, p.message)) lost++;
        else gone++;
        continue;
      }
      if (e instanceof UnknownCteError) throw new ImapNo(`cannot decode the ${e.encoding} content transfer encoding`, 'UNKNOWN-CTE');
      throw e;
    }
    // RFC 9051 §6.4.5: when \Seen was set as a side effect, the new flags go with the data.
    if (newlySeen.has(p.message.uid)) {
      if (!asksFlags) response.push({ kind: 'FLAGS', flags: view.displayFlags(p.message) });
      if (s.condstore && !response.some((r) => r.kind === 'MODSEQ')) response.push({ kind: 'MODSEQ', modSeq: BigInt(p.message.modSeq) });
    }
    // Plain values and in-memory text are written straight to octets; anything else goes through the encoder.
    const octets = simpleFetchOctets(p.seq, response, labels);
    if (octets) await out.octets(octets);
    else await out.response(fetchResponse(p.seq, response));
    if (!small) await out.flushIfLarge();
  }
  await out.flush();
  if (lost > 0) return no(cmd.tag, 'some of the messages are damaged on the server; the administrator can see which in the log', { name: 'CORRUPTION' });
  if (gone > 0) return no(cmd.tag, 'some of the messages were expunged by another session', { name: 'EXPUNGEISSUED' });
  return ok(cmd.tag, `${cmd.uid ? 'UID ' : ''}FETCH completed`);
}

/**
 * Whether a message whose octets could not be read is still in the folder (so its body is lost: corruption), not
 * expunged by another session. The view marks an entry the store no longer lists with a null blob; an entry
 * expunged after its blob id was loaded is asked about again.
 */
async function bodyLost(s: ImapSession, folderId: number, m: ViewMessage): Promise<boolean> {
  if (!m.blob || m.expunged) return false;
  if (!(await s.ctx.store.entryBlobs(folderId, [m.uid])).has(m.uid)) return false;
  s.ctx.log.error({ folderId, uid: m.uid, blobId: m.blob.blobId }, 'imap.fetch.body-missing');
  return true;
}
