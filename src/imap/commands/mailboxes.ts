/**
 * Mailbox commands: SELECT and EXAMINE (RFC 9051 §6.3.2–3, RFC 3501 §6.3.1–2), CREATE (§6.3.4, RFC 6154 §3
 * CREATE … USE), DELETE (§6.3.5), RENAME (§6.3.6; INBOX rename moves its messages), SUBSCRIBE and UNSUBSCRIBE
 * (§6.3.7–8), STATUS (§6.3.11, RFC 3501 §6.3.10).
 */
import { imapLimits, imapServerLimits } from '../../lib/limits.js';
import type { Folder, SpecialUse } from '../../store/types.js';
import {
  SYSTEM_FLAGS,
  atom,
  flagsResponse,
  list,
  num,
  ok,
  statusResponse,
  untagged,
  existsResponse,
  recentResponse,
  sequenceSetIncludes,
  vanishedResponse,
  data,
  bad,
  type ImapResponse,
  type QresyncParams,
  type StatusItem,
} from '../../protocol/imap/index.js';
import type { ImapSession } from '../session.js';
import { SelectedView } from '../selected-view.js';
import { ImapNo } from '../errors.js';
import { DELIMITER, checkNewName, superiors } from '../folders.js';
import type { CommandOf } from './spec.js';

/** Special-use attributes a client may give a new folder (\All and \Flagged are virtual folders: not offered). */
const CREATABLE_USES: ReadonlySet<string> = new Set<SpecialUse>(['\\Sent', '\\Drafts', '\\Junk', '\\Trash', '\\Archive']);

export async function existingFolder(s: ImapSession, name: string, missing = 'NONEXISTENT' as const): Promise<Folder> {
  const folder = await s.ctx.store.getFolder(s.mailbox().id, name);
  if (!folder) throw new ImapNo(`no mailbox named ${JSON.stringify(name).slice(0, 200)}`, missing);
  return folder;
}

export async function select(s: ImapSession, cmd: CommandOf<'SELECT' | 'EXAMINE'>): Promise<ImapResponse> {
  // RFC 7162 §3.2.5: the QRESYNC parameter without ENABLE QRESYNC is a BAD (and the mailbox stays selected).
  if (cmd.qresync !== undefined && !s.qresync) return bad(cmd.tag, 'ENABLE QRESYNC first', { name: 'CLIENTBUG' });
  if (cmd.condstore) s.enabled.add('CONDSTORE');
  const wasSelected = s.state.kind === 'selected';
  // RFC 9051 §6.3.2: a SELECT, even a failing one, first closes the selected mailbox (without expunging).
  s.deselect();
  if (wasSelected) await s.write(untagged('OK', 'previous mailbox closed', { name: 'CLOSED' }));
  const folder = await existingFolder(s, cmd.mailbox);
  const readOnly = cmd.name === 'EXAMINE';
  const view = await SelectedView.open({ store: s.ctx.store, mailboxId: s.mailbox().id, folderId: folder.id, name: folder.name, readOnly });
  s.state = { kind: 'selected', mailbox: s.mailbox(), view };
  const keywords = new Set<string>();
  for (const m of view.messages) for (const f of m.flags) if (!f.startsWith('\\')) keywords.add(f);
  const flags = [...SYSTEM_FLAGS, ...[...keywords].sort()];
  const firstUnseen = view.messages.findIndex((m) => !m.flags.includes('\\Seen'));
  await s.write(
    flagsResponse(flags),
    untagged('OK', readOnly ? 'no permanent flags: read-only' : 'flags and new keywords can be stored', {
      name: 'PERMANENTFLAGS',
      args: [list(readOnly ? [] : [...flags, '\\*'].map(atom))],
    }),
    existsResponse(view.count),
    recentResponse(view.recentCount),
    ...(firstUnseen >= 0 ? [untagged('OK', 'first unseen message', { name: 'UNSEEN', args: [num(firstUnseen + 1)] })] : []),
    untagged('OK', 'UIDs valid', { name: 'UIDVALIDITY', args: [num(view.uidValidity)] }),
    untagged('OK', 'predicted next UID', { name: 'UIDNEXT', args: [num(view.uidNext)] }),
    // RFC 7162 §3.1.2.1: once CONDSTORE is enabled, every SELECT/EXAMINE reports HIGHESTMODSEQ.
    ...(s.condstore ? [untagged('OK', 'highest mod-sequence', { name: 'HIGHESTMODSEQ', args: [num(view.openedModSeq)] })] : []),
  );
  if (cmd.qresync !== undefined && cmd.qresync.uidValidity === view.uidValidity) await resynchronise(s, view, cmd.qresync);
  return ok(cmd.tag, `${cmd.name} completed`, { name: readOnly ? 'READ-ONLY' : 'READ-WRITE' });
}

/**
 * RFC 7162 §3.2.5.1: what changed since the client's mod-sequence: `* VANISHED (EARLIER)` with the UIDs expunged
 * since (limited to the known UIDs the client sent), then `* n FETCH (UID FLAGS MODSEQ)` of every message changed.
 */
const RESYNC_BATCH = 256;

async function resynchronise(s: ImapSession, view: SelectedView, q: QresyncParams): Promise<void> {
  const since = Number(q.modSeq);
  const known = q.knownUids;
  const top = Math.max(view.uidNext - 1, 1);
  const gone = (await s.ctx.store.expungedSince(view.folderId, since)).filter((u) => !view.byUid(u) && (known === undefined || known.kind === 'saved' || sequenceSetIncludes(known, u, top)));
  if (gone.length > 0) await s.write(vanishedResponse(gone, true));
  // Written in batches: a resynchronisation from modseq 1 on a large folder is one FETCH per message.
  let batch: ImapResponse[] = [];
  for (const [i, m] of view.messages.entries()) {
    if (m.modSeq <= since) continue;
    batch.push(data(num(i + 1), atom('FETCH'), list([atom('UID'), num(m.uid), atom('FLAGS'), list(view.displayFlags(m).map(atom)), atom('MODSEQ'), list([num(m.modSeq)])])));
    if (batch.length >= RESYNC_BATCH) {
      await s.write(...batch);
      batch = [];
    }
  }
  await s.write(...batch);
}

/** Creates the superiors of `name` that do not exist yet (RFC 9051 §6.3.4). */
async function createSuperiors(s: ImapSession, name: string, existing: ReadonlySet<string>): Promise<void> {
  for (const parent of superiors(name)) {
    if (existing.has(parent) || parent === 'INBOX') continue;
    try {
      await s.ctx.store.createFolder(s.mailbox().id, parent, null);
    } catch (e) {
      if (!(e instanceof Error && 'code' in e && e.code === 'exists')) throw e;
    }
  }
}

export async function create(s: ImapSession, cmd: CommandOf<'CREATE'>): Promise<ImapResponse> {
  const name = checkNewName(cmd.mailbox);
  if (cmd.specialUse.length > 1) throw new ImapNo('a mailbox can have one special use', 'USEATTR');
  const use = cmd.specialUse[0];
  if (use !== undefined && !CREATABLE_USES.has(use)) throw new ImapNo(`special use ${use} is not supported`, 'USEATTR');
  const folders = await s.ctx.store.listFolders(s.mailbox().id);
  if (folders.length >= imapServerLimits.foldersPerMailboxMax) throw new ImapNo('too many mailboxes', 'LIMIT');
  const names = new Set(folders.map((f) => f.name));
  if (names.has(name)) throw new ImapNo(`mailbox ${name} already exists`, 'ALREADYEXISTS');
  await createSuperiors(s, name, names);
  await s.ctx.store.createFolder(s.mailbox().id, name, (use as SpecialUse | undefined) ?? null);
  return ok(cmd.tag, 'CREATE completed');
}

export async function del(s: ImapSession, cmd: CommandOf<'DELETE'>): Promise<ImapResponse> {
  if (cmd.mailbox === 'INBOX') throw new ImapNo('INBOX cannot be deleted', 'CANNOT');
  const folder = await existingFolder(s, cmd.mailbox);
  if (s.state.kind === 'selected' && s.state.view.folderId === folder.id) s.deselect();
  // RFC 9051 §6.3.5: children stay; the name lives on as a \Noselect superior in LIST.
  await s.ctx.store.deleteFolder(folder.id);
  return ok(cmd.tag, 'DELETE completed');
}

export async function rename(s: ImapSession, cmd: CommandOf<'RENAME'>): Promise<ImapResponse> {
  const folder = await existingFolder(s, cmd.from);
  const to = checkNewName(cmd.to);
  if (to === 'INBOX') throw new ImapNo('INBOX already exists', 'ALREADYEXISTS');
  if (to === folder.name || to.startsWith(`${folder.name}${DELIMITER}`)) throw new ImapNo('a mailbox cannot be moved inside itself', 'CANNOT');
  const folders = await s.ctx.store.listFolders(s.mailbox().id);
  const names = new Set(folders.map((f) => f.name));
  if (names.has(to)) throw new ImapNo(`mailbox ${to} already exists`, 'ALREADYEXISTS');
  await createSuperiors(s, to, names);
  await s.ctx.store.renameFolder(folder.id, to);
  // The selected mailbox (or one of its superiors) renamed by this session: it stays selected under its new name.
  if (s.state.kind === 'selected' && folder.name !== 'INBOX') {
    const view = s.state.view;
    if (view.name === folder.name || view.name.startsWith(`${folder.name}${DELIMITER}`)) view.rename(to + view.name.slice(folder.name.length));
  }
  return ok(cmd.tag, 'RENAME completed');
}

export async function subscribe(s: ImapSession, cmd: CommandOf<'SUBSCRIBE' | 'UNSUBSCRIBE'>): Promise<ImapResponse> {
  await existingFolder(s, cmd.mailbox);
  await s.ctx.store.setSubscribed(s.mailbox().id, cmd.mailbox, cmd.name === 'SUBSCRIBE');
  return ok(cmd.tag, `${cmd.name} completed`);
}

/** The values of STATUS items for a folder (also for LIST … RETURN (STATUS) in part 2). */
export async function statusItems(s: ImapSession, folder: Folder, items: readonly StatusItem[]): Promise<Array<[StatusItem, number]>> {
  const st = await s.ctx.store.folderStatus(folder.id);
  let deleted: number | undefined;
  if (items.includes('DELETED')) deleted = (await s.ctx.store.listCompactEntries(folder.id)).filter((e) => e.flags.includes('\\Deleted')).length;
  return items.map((item): [StatusItem, number] => {
    switch (item) {
      case 'MESSAGES':
        return [item, st.messages];
      case 'UIDNEXT':
        return [item, st.uidNext];
      case 'UIDVALIDITY':
        return [item, st.uidValidity];
      case 'UNSEEN':
        return [item, st.unseen];
      case 'RECENT':
        return [item, st.recent];
      case 'DELETED':
        return [item, deleted ?? 0];
      case 'SIZE':
        return [item, st.sizeBytes];
      case 'HIGHESTMODSEQ':
        return [item, st.highestModSeq];
      case 'APPENDLIMIT':
        return [item, imapLimits.appendLiteralMaxOctets];
    }
  });
}

export async function status(s: ImapSession, cmd: CommandOf<'STATUS'>): Promise<ImapResponse> {
  // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE-enabling command.
  if (cmd.items.includes('HIGHESTMODSEQ')) s.enabled.add('CONDSTORE');
  const folder = await existingFolder(s, cmd.mailbox);
  await s.write(statusResponse(folder.name, await statusItems(s, folder, cmd.items), { utf8: s.utf8 }));
  return ok(cmd.tag, 'STATUS completed');
}
