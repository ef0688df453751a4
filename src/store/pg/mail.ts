/**
 * Folders, messages and folder entries in PostgreSQL. Every multi-row change is one transaction.
 * UIDs and modseqs: `UPDATE folders SET uid_next = uid_next + n, highest_modseq = highest_modseq + 1 ... RETURNING`
 * takes the folder row's lock until COMMIT, so writers on any node are serialised per folder and a rolled-back
 * allocation is undone with everything else (no gaps, no reuse). Rows are locked in one order (folders by id, then
 * mailboxes by id) where one transaction touches several; a deadlock that still happens is retried by PgDb.tx.
 */
import type {
  CompactEntry,
  Delivery,
  EntryBlob,
  EntryHeader,
  HeaderlessMessage,
  DeliveryResult,
  FlagChange,
  FlagMode,
  Folder,
  FolderChange,
  FolderStatus,
  MailStore,
  MessageEntry,
  MessageMeta,
  SpecialUse,
  TextQuery,
} from '../types.js';
import { StoreError } from '../errors.js';
import { applyFlags, decodeFlags, encodeFlags, sameFlags } from '../flags.js';
import { type PgDb, type Sql, nextUidValidity, pgCode, rowOf, rowsOf } from './db.js';
import type { PgChangeFeed } from './change-feed.js';
import { searchFolderText } from './search-text.js';
import { entryKeysOf } from '../../mail/sort-keys.js';
import { entryBlobs, entryHeaders, headerlessMessages, keepHeaders, listCompactEntries } from './imap-view.js';
import { insertMessage, placeEntry, releaseMessage } from './message-rows.js';

interface FolderRow {
  id: number;
  mailbox_id: number;
  name: string;
  special_use: SpecialUse | null;
  subscribed: boolean;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
  recent_uid: number;
  created_at: number;
}

const toFolder = (r: FolderRow): Folder => ({
  id: r.id,
  mailboxId: r.mailbox_id,
  name: r.name,
  specialUse: r.special_use,
  subscribed: r.subscribed,
  uidValidity: r.uid_validity,
  uidNext: r.uid_next,
  highestModSeq: r.highest_modseq,
  recentUid: r.recent_uid,
  createdAt: r.created_at,
});

export interface EntryRow {
  folder_id: number;
  uid: number;
  message_id: number;
  flags: string;
  modseq: number;
  internal_date: number;
  blob_id: string;
  size: number;
  subject: string | null;
  from_addr: string | null;
  to_addr: string | null;
  cc_addr: string | null;
  date: number | null;
  msgid: string | null;
  in_reply_to: string | null;
  refs: string | null;
  structure?: string | null;
}

/** Without the structure: a folder of 100,000 messages is listed at SELECT, their structures read only by FETCH. */
export const ENTRY_COLUMNS = `e.folder_id, e.uid, e.message_id, e.flags, e.modseq, e.internal_date, m.blob_id, m.size, m.subject,
  m.from_addr, m.to_addr, m.cc_addr, m.date, m.message_id AS msgid, m.in_reply_to, m.refs`;
const ENTRY_SELECT = `SELECT ${ENTRY_COLUMNS} FROM entries e JOIN messages m ON m.id = e.message_id`;

export const toEntry = (r: EntryRow): MessageEntry => ({
  folderId: r.folder_id,
  uid: r.uid,
  messageId: r.message_id,
  blobId: r.blob_id,
  size: r.size,
  flags: decodeFlags(r.flags),
  modSeq: r.modseq,
  internalDate: r.internal_date,
  meta: {
    size: r.size,
    subject: r.subject,
    from: r.from_addr,
    to: r.to_addr,
    cc: r.cc_addr,
    date: r.date,
    messageId: r.msgid,
    inReplyTo: r.in_reply_to,
    references: r.refs,
    structure: r.structure === null || r.structure === undefined ? null : JSON.parse(r.structure),
  },
});


/** Inside a transaction: a folder, its entries and the usage they counted. */
export async function deleteFolderRows(q: Sql, folderId: number): Promise<void> {
  const f = await rowOf<{ mailbox_id: number }>(q, 'SELECT mailbox_id FROM folders WHERE id = $1 FOR UPDATE', [folderId]);
  if (!f) return;
  const rows = await rowsOf<{ message_id: number; size: number }>(
    q,
    'DELETE FROM entries e USING messages m WHERE m.id = e.message_id AND e.folder_id = $1 RETURNING e.message_id, m.size',
    [folderId],
  );
  for (const r of rows) await releaseMessage(q, r.message_id);
  const bytes = rows.reduce((n, r) => n + r.size, 0);
  await q.query('UPDATE mailboxes SET used_bytes = used_bytes - $1 WHERE id = $2', [bytes, f.mailbox_id]);
  await q.query('DELETE FROM folders WHERE id = $1', [folderId]);
}

async function folderRow(q: Sql, folderId: number, lock = false): Promise<FolderRow> {
  const r = await rowOf<FolderRow>(q, `SELECT * FROM folders WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [folderId]);
  if (!r) throw new StoreError('not-found', 'no such folder');
  return r;
}

/** Inside a transaction: reserve `count` UIDs and one new modseq in a folder (the row stays locked until COMMIT). */
async function allocate(q: Sql, folderId: number, count: number): Promise<{ firstUid: number; modSeq: number; mailboxId: number }> {
  const r = await rowOf<{ first_uid: number; mod_seq: number; mailbox_id: number }>(
    q,
    `UPDATE folders SET uid_next = uid_next + $2::bigint, highest_modseq = highest_modseq + 1 WHERE id = $1
     RETURNING uid_next - $2::bigint AS first_uid, highest_modseq AS mod_seq, mailbox_id`,
    [folderId, count],
  );
  if (!r) throw new StoreError('not-found', 'no such folder');
  return { firstUid: r.first_uid, modSeq: r.mod_seq, mailboxId: r.mailbox_id };
}

async function bumpModSeq(q: Sql, folderId: number): Promise<{ modSeq: number; mailboxId: number }> {
  const r = await rowOf<{ mod_seq: number; mailbox_id: number }>(
    q,
    'UPDATE folders SET highest_modseq = highest_modseq + 1 WHERE id = $1 RETURNING highest_modseq AS mod_seq, mailbox_id',
    [folderId],
  );
  if (!r) throw new StoreError('not-found', 'no such folder');
  return { modSeq: r.mod_seq, mailboxId: r.mailbox_id };
}

async function addUsage(q: Sql, mailboxId: number, bytes: number): Promise<void> {
  if (bytes !== 0) await q.query('UPDATE mailboxes SET used_bytes = used_bytes + $1 WHERE id = $2', [bytes, mailboxId]);
}

export class PgMail implements MailStore {
  constructor(
    private readonly db: PgDb,
    private readonly feed: PgChangeFeed,
    private readonly now: () => number,
  ) {}

  /** Runs a writing transaction whose changes are NOTIFYed in it and published locally after COMMIT. */
  async write<T>(fn: (q: Sql) => Promise<{ value: T; changes: FolderChange[] }>): Promise<T> {
    const { value, changes } = await this.db.tx(async (q) => {
      const out = await fn(q);
      await this.feed.notifyIn(q, out.changes);
      return out;
    });
    this.feed.publishLocal(changes);
    return value;
  }

  async listFolders(mailboxId: number): Promise<Folder[]> {
    return (await this.db.rows<FolderRow>('SELECT * FROM folders WHERE mailbox_id = $1 ORDER BY name COLLATE "C"', [mailboxId])).map(toFolder);
  }

  async getFolder(mailboxId: number, name: string): Promise<Folder | null> {
    const r = await this.db.row<FolderRow>('SELECT * FROM folders WHERE mailbox_id = $1 AND name = $2', [mailboxId, name]);
    return r ? toFolder(r) : null;
  }

  async getFolderById(folderId: number): Promise<Folder | null> {
    const r = await this.db.row<FolderRow>('SELECT * FROM folders WHERE id = $1', [folderId]);
    return r ? toFolder(r) : null;
  }

  async createFolder(mailboxId: number, name: string, specialUse: SpecialUse | null = null): Promise<Folder> {
    try {
      return await this.write(async (q) => {
        if (await rowOf(q, 'SELECT 1 FROM folders WHERE mailbox_id = $1 AND name = $2', [mailboxId, name])) throw new StoreError('exists', `folder ${name} already exists`);
        const now = this.now();
        const r = await rowOf<FolderRow>(q, 'INSERT INTO folders (mailbox_id, name, special_use, uid_validity, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
          mailboxId,
          name,
          specialUse,
          await nextUidValidity(q, now),
          now,
        ]);
        return { value: toFolder(r!), changes: [{ kind: 'folders', mailboxId }] };
      });
    } catch (e) {
      if (pgCode(e) === '23505') throw new StoreError('exists', `folder ${name} already exists`);
      throw e;
    }
  }

  async deleteFolder(folderId: number): Promise<void> {
    await this.write(async (q) => {
      const f = await folderRow(q, folderId, true);
      if (f.name === 'INBOX') throw new StoreError('inbox', 'INBOX cannot be deleted');
      await deleteFolderRows(q, folderId);
      return { value: undefined, changes: [{ kind: 'folders', mailboxId: f.mailbox_id }] };
    });
  }

  async renameFolder(folderId: number, newName: string): Promise<void> {
    await this.write(async (q) => {
      const f = await folderRow(q, folderId, true);
      if (await rowOf(q, 'SELECT 1 FROM folders WHERE mailbox_id = $1 AND name = $2', [f.mailbox_id, newName]))
        throw new StoreError('exists', `folder ${newName} already exists`);
      if (f.name !== 'INBOX') {
        const prefix = `${f.name}/`;
        const children = await rowsOf<{ id: number; name: string }>(
          q,
          'SELECT id, name FROM folders WHERE mailbox_id = $1 AND substr(name, 1, $2) = $3 ORDER BY id FOR UPDATE',
          [f.mailbox_id, prefix.length, prefix],
        );
        for (const c of children) {
          const target = `${newName}/${c.name.slice(prefix.length)}`;
          if (await rowOf(q, 'SELECT 1 FROM folders WHERE mailbox_id = $1 AND name = $2', [f.mailbox_id, target]))
            throw new StoreError('exists', `folder ${target} already exists`);
          await q.query('UPDATE folders SET name = $1 WHERE id = $2', [target, c.id]);
        }
        await q.query('UPDATE folders SET name = $1 WHERE id = $2', [newName, folderId]);
        return { value: undefined, changes: [{ kind: 'folders', mailboxId: f.mailbox_id }] };
      }
      // RFC 3501 §6.3.5: renaming INBOX moves all its messages to a new folder and leaves INBOX empty.
      const now = this.now();
      const created = await rowOf<{ id: number }>(
        q,
        'INSERT INTO folders (mailbox_id, name, special_use, uid_validity, created_at) VALUES ($1, $2, NULL, $3, $4) RETURNING id',
        [f.mailbox_id, newName, await nextUidValidity(q, now), now],
      );
      const uids = (await rowsOf<{ uid: number }>(q, 'SELECT uid FROM entries WHERE folder_id = $1 ORDER BY uid', [folderId])).map((r) => r.uid);
      const moved = await this.moveRows(q, folderId, uids, created!.id);
      return { value: undefined, changes: [{ kind: 'folders', mailboxId: f.mailbox_id }, ...moved.changes] };
    });
  }

  async setSubscribed(mailboxId: number, name: string, subscribed: boolean): Promise<void> {
    const r = await this.db.query('UPDATE folders SET subscribed = $1 WHERE mailbox_id = $2 AND name = $3', [subscribed, mailboxId, name]);
    if (r.rowCount === 0) throw new StoreError('not-found', `no folder ${name}`);
  }

  async folderStatus(folderId: number): Promise<FolderStatus> {
    // One statement, one snapshot: the counts and uid_next agree with each other.
    const r = await this.db.row<FolderRow & { messages: number; unseen: number; bytes: number; recent: number }>(
      `SELECT f.*,
         (SELECT COUNT(*) FROM entries e WHERE e.folder_id = f.id) AS messages,
         (SELECT COUNT(*) FROM entries e WHERE e.folder_id = f.id AND position($2 in ' ' || e.flags || ' ') = 0) AS unseen,
         (SELECT COALESCE(SUM(m.size), 0) FROM entries e JOIN messages m ON m.id = e.message_id WHERE e.folder_id = f.id) AS bytes,
         (SELECT COUNT(*) FROM entries e WHERE e.folder_id = f.id AND e.uid >= f.recent_uid) AS recent
       FROM folders f WHERE f.id = $1`,
      [folderId, ' \\Seen '],
    );
    if (!r) throw new StoreError('not-found', 'no such folder');
    return {
      messages: r.messages,
      unseen: r.unseen,
      sizeBytes: r.bytes,
      recent: r.recent,
      uidNext: r.uid_next,
      uidValidity: r.uid_validity,
      highestModSeq: r.highest_modseq,
    };
  }

  deliver(d: Delivery): Promise<DeliveryResult> {
    if (d.targets.length === 0 && d.queue.length === 0) return Promise.reject(new StoreError('invalid', 'a delivery needs a target or a queue entry'));
    return this.write(async (q) => {
      const { result, changes } = await this.deliverRows(q, d);
      return { value: result, changes };
    });
  }

  /** Inside a transaction: one delivery's rows (also used by the queue's settlement). */
  async deliverRows(q: Sql, d: Delivery): Promise<{ result: DeliveryResult; changes: FolderChange[] }> {
    const msg = await insertMessage(q, d.raw, d.meta, d.receivedAt, d.targets.length + d.queue.length);
    // Resolve every target first, then lock folders in id order and mailboxes in id order (no deadlock between
    // two deliveries to the same recipients listed differently).
    const resolved: Array<{ mailboxId: number; folderId: number; flags: string[] }> = [];
    for (const t of d.targets) {
      const f = await rowOf<{ id: number }>(
        q,
        `SELECT id FROM folders WHERE mailbox_id = $1 AND name IN ($2, 'INBOX') ORDER BY (name = $2) DESC LIMIT 1`,
        [t.mailboxId, t.folder],
      );
      if (!f) throw new StoreError('not-found', `mailbox ${t.mailboxId} has no INBOX`);
      resolved.push({ mailboxId: t.mailboxId, folderId: f.id, flags: t.flags ?? [] });
    }
    const order = resolved.map((_, i) => i).sort((a, b) => resolved[a]!.folderId - resolved[b]!.folderId || a - b);
    const placedAt = new Array<{ mailboxId: number; folderId: number; uid: number; modSeq: number }>(resolved.length);
    const keys = entryKeysOf(d.meta, d.receivedAt, d.raw.length);
    for (const i of order) {
      const t = resolved[i]!;
      const { uid, modSeq } = await placeEntry(q, t.folderId, msg.id, t.flags, d.receivedAt, null, keys);
      placedAt[i] = { mailboxId: t.mailboxId, folderId: t.folderId, uid, modSeq };
    }
    const usage = new Map<number, number>();
    for (const t of resolved) usage.set(t.mailboxId, (usage.get(t.mailboxId) ?? 0) + d.raw.length);
    for (const id of [...usage.keys()].sort((a, b) => a - b)) await addUsage(q, id, usage.get(id)!);
    const placed = placedAt.map((p) => ({ mailboxId: p.mailboxId, folderId: p.folderId, uid: p.uid }));
    const changes: FolderChange[] = placedAt.map((p) => ({ kind: 'exists', mailboxId: p.mailboxId, folderId: p.folderId, uids: [p.uid], modSeq: p.modSeq }));
    const queueIds: number[] = [];
    for (const e of d.queue) {
      const r = await rowOf<{ id: number }>(
        q,
        `INSERT INTO queue (message_id, mail_from, rcpt_to, domain, params, submitter_id, status, next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, $8) RETURNING id`,
        [msg.id, e.mailFrom, e.rcptTo, e.rcptTo.slice(e.rcptTo.lastIndexOf('@') + 1).toLowerCase(), JSON.stringify(e.params), e.submitterId, e.nextAttemptAt, d.receivedAt],
      );
      queueIds.push(r!.id);
    }
    return { result: { messageId: msg.id, blobId: msg.blobId, placed, queueIds }, changes };
  }

  async append(folderId: number, raw: Buffer, meta: MessageMeta, flags: string[], internalDate: number): Promise<{ uid: number; modSeq: number }> {
    return this.write(async (q) => {
      const msg = await insertMessage(q, raw, meta, this.now(), 1);
      const { uid, modSeq, mailboxId } = await placeEntry(q, folderId, msg.id, flags, internalDate, raw.length, entryKeysOf(meta, internalDate, raw.length));
      return { value: { uid, modSeq }, changes: [{ kind: 'exists', mailboxId, folderId, uids: [uid], modSeq }] };
    });
  }

  async listEntries(folderId: number, range: { fromUid?: number; toUid?: number; changedSince?: number } = {}): Promise<MessageEntry[]> {
    const rows = await this.db.rows<EntryRow>(`${ENTRY_SELECT} WHERE e.folder_id = $1 AND e.uid >= $2 AND e.uid <= $3 AND e.modseq > $4 ORDER BY e.uid`, [
      folderId,
      range.fromUid ?? 1,
      range.toUid ?? Number.MAX_SAFE_INTEGER,
      range.changedSince ?? 0,
    ]);
    return rows.map(toEntry);
  }

  async getEntry(folderId: number, uid: number): Promise<MessageEntry | null> {
    const r = await this.db.row<EntryRow>(
      `SELECT ${ENTRY_COLUMNS}, m.structure FROM entries e JOIN messages m ON m.id = e.message_id WHERE e.folder_id = $1 AND e.uid = $2`,
      [folderId, uid],
    );
    return r ? toEntry(r) : null;
  }

  async structures(folderId: number, uids: number[]): Promise<Map<number, unknown>> {
    const rows = await this.db.rows<{ uid: number; structure: string }>(
      `SELECT e.uid, m.structure FROM entries e JOIN messages m ON m.id = e.message_id
       WHERE e.folder_id = $1 AND e.uid = ANY($2::bigint[]) AND m.structure IS NOT NULL ORDER BY e.uid`,
      [folderId, [...new Set(uids)]],
    );
    return new Map(rows.map((r) => [r.uid, JSON.parse(r.structure) as unknown]));
  }

  async searchText(folderId: number, query: TextQuery): Promise<number[] | null> {
    return searchFolderText(this.db, folderId, query);
  }

  async listCompactEntries(folderId: number, range?: { fromUid?: number; toUid?: number; changedSince?: number }): Promise<CompactEntry[]> {
    return listCompactEntries(this.db, folderId, range);
  }

  async entryBlobs(folderId: number, uids: number[]): Promise<Map<number, EntryBlob>> {
    return entryBlobs(this.db, folderId, uids);
  }

  async headers(folderId: number, uids: number[]): Promise<Map<number, EntryHeader>> {
    return entryHeaders(this.db, folderId, uids);
  }

  async headerlessMessages(afterMessageId: number, limit: number): Promise<HeaderlessMessage[]> {
    return headerlessMessages(this.db, afterMessageId, limit);
  }

  async keepHeaders(headers: ReadonlyArray<{ messageId: number; header: Buffer | null }>): Promise<void> {
    await keepHeaders(this.db, headers);
  }

  /** Inside a transaction: copy rows to another folder; returns the mapping and the change to publish. */
  private async copyRows(q: Sql, fromId: number, uids: number[], toId: number): Promise<{ map: Array<{ from: number; to: number }>; changes: FolderChange[] }> {
    await folderRow(q, fromId);
    await folderRow(q, toId);
    const wanted = [...new Set(uids)];
    const rows = await rowsOf<{ uid: number; message_id: number; flags: string; internal_date: number; size: number }>(
      q,
      `SELECT e.uid, e.message_id, e.flags, e.internal_date, m.size FROM entries e JOIN messages m ON m.id = e.message_id
       WHERE e.folder_id = $1 AND e.uid = ANY($2::bigint[]) ORDER BY e.uid`,
      [fromId, wanted],
    );
    if (rows.length === 0) return { map: [], changes: [] };
    const { firstUid, modSeq, mailboxId } = await allocate(q, toId, rows.length);
    await q.query(
      `INSERT INTO entries (folder_id, uid, message_id, flags, modseq, internal_date)
       SELECT $1, u, mid, fl, $2, idate FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::bigint[]) AS t(u, mid, fl, idate)`,
      [toId, modSeq, rows.map((_, i) => firstUid + i), rows.map((r) => r.message_id), rows.map((r) => r.flags), rows.map((r) => r.internal_date)],
    );
    // One reference per copy; the same message can appear only once per source folder.
    await q.query('UPDATE messages SET refcount = refcount + 1 WHERE id = ANY($1::bigint[])', [rows.map((r) => r.message_id)]);
    await addUsage(q, mailboxId, rows.reduce((n, r) => n + r.size, 0));
    const map = rows.map((r, i) => ({ from: r.uid, to: firstUid + i }));
    return { map, changes: [{ kind: 'exists', mailboxId, folderId: toId, uids: map.map((m) => m.to), modSeq }] };
  }

  /** Inside a transaction: remove entries, remember them as expunged, release their messages. */
  private async removeRows(q: Sql, folderId: number, uids: number[]): Promise<FolderChange | null> {
    if (uids.length === 0) return null;
    const { modSeq, mailboxId } = await bumpModSeq(q, folderId);
    const rows = await rowsOf<{ uid: number; message_id: number; size: number }>(
      q,
      `DELETE FROM entries e USING messages m WHERE m.id = e.message_id AND e.folder_id = $1 AND e.uid = ANY($2::bigint[])
       RETURNING e.uid, e.message_id, m.size`,
      [folderId, uids],
    );
    rows.sort((a, b) => a.uid - b.uid);
    await q.query(
      `INSERT INTO expunged (folder_id, uid, modseq) SELECT $1, u, $2 FROM unnest($3::bigint[]) AS u
       ON CONFLICT (folder_id, uid) DO UPDATE SET modseq = excluded.modseq`,
      [folderId, modSeq, rows.map((r) => r.uid)],
    );
    for (const r of rows) await releaseMessage(q, r.message_id);
    await addUsage(q, mailboxId, -rows.reduce((n, r) => n + r.size, 0));
    return { kind: 'expunge', mailboxId, folderId, uids: rows.map((r) => r.uid), modSeq };
  }

  private async moveRows(q: Sql, fromId: number, uids: number[], toId: number): Promise<{ map: Array<{ from: number; to: number }>; changes: FolderChange[] }> {
    const copied = await this.copyRows(q, fromId, uids, toId);
    const expunged = await this.removeRows(q, fromId, copied.map.map((m) => m.from));
    return { map: copied.map, changes: expunged ? [...copied.changes, expunged] : copied.changes };
  }

  async copy(fromFolderId: number, uids: number[], toFolderId: number): Promise<Array<{ from: number; to: number }>> {
    return this.write(async (q) => {
      const { map, changes } = await this.copyRows(q, fromFolderId, uids, toFolderId);
      return { value: map, changes };
    });
  }

  async move(fromFolderId: number, uids: number[], toFolderId: number): Promise<Array<{ from: number; to: number }>> {
    if (fromFolderId === toFolderId) throw new StoreError('invalid', 'cannot move messages into the folder they are in');
    return this.write(async (q) => {
      const { map, changes } = await this.moveRows(q, fromFolderId, uids, toFolderId);
      return { value: map, changes };
    });
  }

  async storeFlags(folderId: number, uids: number[], mode: FlagMode, flags: string[], unchangedSince?: number): Promise<{ changed: FlagChange[]; failed: number[] }> {
    return this.write(async (q) => {
      // Lock the folder first: flag changes in one folder are serialised, so UNCHANGEDSINCE is checked against the
      // latest modseqs and the new modseq is higher than any the entries have.
      await folderRow(q, folderId, true);
      const rows = await rowsOf<{ uid: number; flags: string; modseq: number }>(
        q,
        'SELECT uid, flags, modseq FROM entries WHERE folder_id = $1 AND uid = ANY($2::bigint[]) ORDER BY uid',
        [folderId, [...new Set(uids)]],
      );
      const pending: Array<{ uid: number; flags: string[] }> = [];
      const failed: number[] = [];
      for (const r of rows) {
        if (unchangedSince !== undefined && r.modseq > unchangedSince) {
          failed.push(r.uid);
          continue;
        }
        const current = decodeFlags(r.flags);
        const next = applyFlags(current, mode, flags);
        if (!sameFlags(current, next)) pending.push({ uid: r.uid, flags: next });
      }
      if (pending.length === 0) return { value: { changed: [], failed }, changes: [] };
      const { modSeq, mailboxId } = await bumpModSeq(q, folderId);
      await q.query(
        `UPDATE entries e SET flags = t.fl, modseq = $2 FROM unnest($3::bigint[], $4::text[]) AS t(u, fl) WHERE e.folder_id = $1 AND e.uid = t.u`,
        [folderId, modSeq, pending.map((p) => p.uid), pending.map((p) => encodeFlags(p.flags))],
      );
      const changed = pending.map((p) => ({ uid: p.uid, flags: p.flags, modSeq }));
      return { value: { changed, failed }, changes: [{ kind: 'flags', mailboxId, folderId, uids: changed.map((c) => c.uid), modSeq }] };
    });
  }

  async expunge(folderId: number, uids?: number[]): Promise<number[]> {
    return this.write(async (q) => {
      await folderRow(q, folderId, true);
      const rows = await rowsOf<{ uid: number; flags: string }>(q, 'SELECT uid, flags FROM entries WHERE folder_id = $1 ORDER BY uid', [folderId]);
      const only = uids ? new Set(uids) : null;
      const doomed = rows.filter((r) => decodeFlags(r.flags).includes('\\Deleted') && (!only || only.has(r.uid))).map((r) => r.uid);
      const change = await this.removeRows(q, folderId, doomed);
      return change && change.kind === 'expunge' ? { value: change.uids, changes: [change] } : { value: [], changes: [] };
    });
  }

  async deleteEntries(folderId: number, uids: number[]): Promise<number[]> {
    return this.write(async (q) => {
      const change = await this.removeRows(q, folderId, [...new Set(uids)].sort((a, b) => a - b));
      return change && change.kind === 'expunge' ? { value: change.uids, changes: [change] } : { value: [], changes: [] };
    });
  }

  async expungedSince(folderId: number, modSeq: number): Promise<number[]> {
    return (await this.db.rows<{ uid: number }>('SELECT uid FROM expunged WHERE folder_id = $1 AND modseq > $2 ORDER BY uid', [folderId, modSeq])).map((r) => r.uid);
  }

  async claimRecent(folderId: number): Promise<number> {
    // The old value comes from the locked row the UPDATE itself read, so two sessions never both get the same UIDs.
    const r = await this.db.row<{ recent_uid: number }>(
      `UPDATE folders f SET recent_uid = f.uid_next FROM (SELECT id, recent_uid FROM folders WHERE id = $1 FOR UPDATE) old
       WHERE f.id = old.id RETURNING old.recent_uid`,
      [folderId],
    );
    if (!r) throw new StoreError('not-found', 'no such folder');
    return r.recent_uid;
  }
}
