/**
 * Commands of the selected state that change it: CHECK (RFC 3501 §6.4.1), CLOSE (RFC 9051 §6.4.1), UNSELECT
 * (RFC 3691), EXPUNGE and UID EXPUNGE (RFC 9051 §6.4.3, RFC 4315 §2.1), STORE (§6.4.6), COPY (§6.4.7, RFC 4315
 * COPYUID) and MOVE (RFC 6851). Each tagged OK follows the store's commit.
 */
import { FlagsLines, num, ok, raw, untagged, compressNumbers, type FlagsFetchItem, type ImapResponse } from '../../protocol/imap/index.js';
import type { FlagMode } from '../../store/types.js';
import { ResponseBatch } from '../response-batch.js';
import type { ImapSession } from '../session.js';
import { ImapNo } from '../errors.js';
import type { CommandOf } from './spec.js';

function writable(s: ImapSession) {
  const view = s.view();
  if (view.readOnly) throw new ImapNo('the mailbox is selected read-only (EXAMINE)', 'CANNOT');
  return view;
}

export async function close(s: ImapSession, cmd: CommandOf<'CLOSE' | 'UNSELECT'>): Promise<ImapResponse> {
  const view = s.view();
  // RFC 9051 §6.4.1: CLOSE removes \Deleted messages silently (no EXPUNGE responses); UNSELECT does not.
  if (cmd.name === 'CLOSE' && !view.readOnly) await s.ctx.store.expunge(view.folderId);
  s.deselect();
  return ok(cmd.tag, `${cmd.name} completed`);
}

export async function expunge(s: ImapSession, cmd: CommandOf<'EXPUNGE'>): Promise<ImapResponse> {
  const view = writable(s);
  const only = cmd.uid ? view.resolve(cmd.uids, true).map((p) => p.message.uid) : undefined;
  if (only !== undefined && only.length === 0) return ok(cmd.tag, 'nothing to expunge');
  const removed = await s.ctx.store.expunge(view.folderId, only);
  await s.write(...view.expungeOwn(removed, s.updateStyle));
  return ok(cmd.tag, `${cmd.uid ? 'UID ' : ''}EXPUNGE completed`);
}

const MODES: Record<CommandOf<'STORE'>['operation'], FlagMode> = { set: 'replace', add: 'add', remove: 'remove' };

export async function store(s: ImapSession, cmd: CommandOf<'STORE'>): Promise<ImapResponse> {
  const view = writable(s);
  const picked = view.resolve(cmd.sequenceSet, cmd.uid);
  // RFC 7162 §3.1.3: UNCHANGEDSINCE enables CONDSTORE; a message changed after it is left alone and reported.
  if (cmd.unchangedSince !== undefined) s.enabled.add('CONDSTORE');
  const unchangedSince = cmd.unchangedSince === undefined ? undefined : Number(cmd.unchangedSince);
  const result = await s.ctx.store.storeFlags(view.folderId, picked.map((p) => p.message.uid), MODES[cmd.operation], [...cmd.flags], unchangedSince);
  for (const c of result.changed) view.noteFlags(c.uid, c.flags, c.modSeq);
  const failed = new Set(result.failed);
  const changed = new Set(result.changed.map((c) => c.uid));
  // The FETCH responses go out a batch at a time (one socket write each), encoded straight to text.
  const out = new ResponseBatch(s);
  const kinds: Array<FlagsFetchItem['kind']> = [];
  if (cmd.uid) kinds.push('UID');
  if (!cmd.silent) kinds.push('FLAGS');
  if (s.condstore) kinds.push('MODSEQ');
  const lines = new FlagsLines(kinds);
  for (const p of picked) {
    if (failed.has(p.message.uid)) continue;
    // RFC 7162 §3.1.3: with CONDSTORE, .SILENT still reports the new MODSEQ of each changed message.
    if (cmd.silent && !(s.condstore && changed.has(p.message.uid))) continue;
    const m = p.message;
    out.line(lines.line(p.seq, m.uid, m.flags, m.recent, m.modSeq));
    if (out.full) await out.flush();
  }
  await out.flush();
  if (failed.size > 0) {
    // The set names messages the way the command did: UIDs for UID STORE, sequence numbers otherwise.
    const ids = cmd.uid ? result.failed : picked.filter((p) => failed.has(p.message.uid)).map((p) => p.seq);
    return ok(cmd.tag, 'some messages were changed since', { name: 'MODIFIED', args: [raw(compressNumbers(ids))] });
  }
  return ok(cmd.tag, 'STORE completed');
}

export async function copyOrMove(s: ImapSession, cmd: CommandOf<'COPY' | 'MOVE'>): Promise<ImapResponse> {
  const view = cmd.name === 'MOVE' ? writable(s) : s.view();
  const dest = await s.ctx.store.getFolder(s.mailbox().id, cmd.mailbox);
  if (!dest) throw new ImapNo(`no mailbox named ${JSON.stringify(cmd.mailbox).slice(0, 200)}; create it first`, 'TRYCREATE');
  const picked = view.resolve(cmd.sequenceSet, cmd.uid);
  if (picked.length === 0) return ok(cmd.tag, `${cmd.name} completed: no messages`);
  const uids = picked.map((p) => p.message.uid);
  if (cmd.name === 'MOVE' && dest.id === view.folderId) throw new ImapNo('the messages are already in that mailbox', 'CANNOT');
  if (cmd.name === 'COPY') {
    const mailbox = await s.ctx.store.getMailboxById(s.mailbox().id);
    await view.loadBlobs(picked.map((p) => p.message));
    const bytes = picked.reduce((n, p) => n + (p.message.blob?.size ?? 0), 0);
    if (mailbox && mailbox.quotaBytes > 0 && mailbox.usedBytes + bytes > mailbox.quotaBytes) throw new ImapNo('the mailbox is full', 'OVERQUOTA');
  }
  const map = cmd.name === 'COPY' ? await s.ctx.store.copy(view.folderId, uids, dest.id) : await s.ctx.store.move(view.folderId, uids, dest.id);
  // RFC 4315 §3: source and destination sets in corresponding order (the store allocates in ascending source order).
  const copyUid = map.length === 0 ? undefined : { name: 'COPYUID', args: [num(dest.uidValidity), raw(compressNumbers(map.map((m) => m.from))), raw(compressNumbers(map.map((m) => m.to)))] };
  if (cmd.name === 'COPY') return ok(cmd.tag, 'COPY completed', copyUid);
  // RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGEs.
  if (copyUid) await s.write(untagged('OK', 'moved', copyUid));
  await s.write(...view.expungeOwn(map.map((m) => m.from), s.updateStyle));
  return ok(cmd.tag, 'MOVE completed');
}
