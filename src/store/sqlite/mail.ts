/** Folders, messages and folder entries in SQLite: every multi-row change is one transaction. */
import { createHash } from 'node:crypto';
import type {
  ChangeFeed,
  CompactEntry,
  EntryBlob,
  EntryHeader,
  HeaderlessMessage,
  Delivery,
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
import { decodeFlags, encodeFlags, normaliseFlags } from '../flags.js';
import { type Db, nextUidValidity, writeTx } from './db.js';
import { deleteBlob, putBlob } from './blobs.js';
import { indexMessageText, searchFolderText, unindexMessageText } from './search-text.js';
import { keyNewEntry } from './webmail-list.js';
import { keptHeader } from '../header-cache.js';
import { entryBlobs, entryHeaders, headerlessMessages, keepHeaders, listCompactEntries, planFlagChange, writeFlagChange } from './imap-view.js';

interface FolderRow {
  id: number;
  mailbox_id: number;
  name: string;
  special_use: SpecialUse | null;
  subscribed: number;
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
  subscribed: r.subscribed !== 0,
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

export const blobIdOf = (raw: Buffer): string => createHash('sha256').update(raw).digest('hex');

/** Inside a transaction: store the bytes once and a message row referencing them. */
function insertMessage(db: Db, raw: Buffer, meta: MessageMeta, receivedAt: number, refcount: number): { id: number; blobId: string } {
  const blobId = blobIdOf(raw);
  putBlob(db, blobId, raw);
  const id = Number(
    db
      .prepare(
        `INSERT INTO messages (blob_id, size, received_at, subject, from_addr, to_addr, cc_addr, date, message_id, in_reply_to, refs, structure, refcount)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        blobId,
        raw.length,
        receivedAt,
        meta.subject,
        meta.from,
        meta.to,
        meta.cc,
        meta.date,
        meta.messageId,
        meta.inReplyTo,
        meta.references,
        meta.structure === null || meta.structure === undefined ? null : JSON.stringify(meta.structure),
        refcount,
      ).lastInsertRowid,
  );
  if (meta.text) indexMessageText(db, id, meta.text);
  db.prepare('INSERT INTO message_headers (message_id, header) VALUES (?, ?)').run(id, keptHeader(raw));
  return { id, blobId };
}

/** Inside a transaction: one reference to a message dropped; the message and its blob go when nothing holds them. */
export function releaseMessage(db: Db, messageId: number): void {
  db.prepare('UPDATE messages SET refcount = refcount - 1 WHERE id = ?').run(messageId);
  const r = db.prepare('SELECT refcount, blob_id FROM messages WHERE id = ?').get(messageId) as { refcount: number; blob_id: string } | undefined;
  if (!r || r.refcount > 0) return;
  unindexMessageText(db, messageId);
  db.prepare('DELETE FROM messages WHERE id = ?').run(messageId);
  if (!db.prepare('SELECT 1 FROM messages WHERE blob_id = ?').get(r.blob_id)) deleteBlob(db, r.blob_id);
}

/** Inside a transaction: a folder, its entries and the usage they counted. */
export function deleteFolderRows(db: Db, folderId: number): void {
  const f = db.prepare('SELECT mailbox_id FROM folders WHERE id = ?').get(folderId) as { mailbox_id: number } | undefined;
  if (!f) return;
  const rows = db.prepare('SELECT e.message_id, m.size FROM entries e JOIN messages m ON m.id = e.message_id WHERE e.folder_id = ?').all(
    folderId,
  ) as Array<{ message_id: number; size: number }>;
  db.prepare('DELETE FROM entries WHERE folder_id = ?').run(folderId);
  for (const r of rows) releaseMessage(db, r.message_id);
  const bytes = rows.reduce((n, r) => n + r.size, 0);
  db.prepare('UPDATE mailboxes SET used_bytes = used_bytes - ? WHERE id = ?').run(bytes, f.mailbox_id);
  db.prepare('DELETE FROM folders WHERE id = ?').run(folderId);
}

export class SqliteMail implements MailStore {
  constructor(
    private readonly db: Db,
    private readonly feed: ChangeFeed,
    private readonly now: () => number,
  ) {}

  private folderRow(folderId: number): FolderRow {
    const r = this.db.prepare('SELECT * FROM folders WHERE id = ?').get(folderId) as FolderRow | undefined;
    if (!r) throw new StoreError('not-found', 'no such folder');
    return r;
  }

  /** Inside a transaction: reserve `count` UIDs and one new modseq in a folder. */
  private allocate(folderId: number, count: number): { firstUid: number; modSeq: number } {
    const f = this.folderRow(folderId);
    const modSeq = f.highest_modseq + 1;
    this.db.prepare('UPDATE folders SET uid_next = ?, highest_modseq = ? WHERE id = ?').run(f.uid_next + count, modSeq, folderId);
    return { firstUid: f.uid_next, modSeq };
  }

  /** Inside a transaction: a new modseq for a folder. */
  private bumpModSeq(folderId: number): number {
    const f = this.folderRow(folderId);
    this.db.prepare('UPDATE folders SET highest_modseq = ? WHERE id = ?').run(f.highest_modseq + 1, folderId);
    return f.highest_modseq + 1;
  }

  private addUsage(mailboxId: number, bytes: number): void {
    this.db.prepare('UPDATE mailboxes SET used_bytes = used_bytes + ? WHERE id = ?').run(bytes, mailboxId);
  }

  /** Publishes committed changes (also used by the queue's settlement, which delivers notices in its own commit). */
  publish(changes: FolderChange[]): void {
    for (const c of changes) this.feed.publish(c);
  }

  async listFolders(mailboxId: number): Promise<Folder[]> {
    return (this.db.prepare('SELECT * FROM folders WHERE mailbox_id = ? ORDER BY name').all(mailboxId) as FolderRow[]).map(toFolder);
  }

  async getFolder(mailboxId: number, name: string): Promise<Folder | null> {
    const r = this.db.prepare('SELECT * FROM folders WHERE mailbox_id = ? AND name = ?').get(mailboxId, name) as FolderRow | undefined;
    return r ? toFolder(r) : null;
  }

  async getFolderById(folderId: number): Promise<Folder | null> {
    const r = this.db.prepare('SELECT * FROM folders WHERE id = ?').get(folderId) as FolderRow | undefined;
    return r ? toFolder(r) : null;
  }

  async createFolder(mailboxId: number, name: string, specialUse: SpecialUse | null = null): Promise<Folder> {
    const id = await writeTx(this.db, () => {
      if (this.db.prepare('SELECT 1 FROM folders WHERE mailbox_id = ? AND name = ?').get(mailboxId, name))
        throw new StoreError('exists', `folder ${name} already exists`);
      const now = this.now();
      return Number(
        this.db
          .prepare('INSERT INTO folders (mailbox_id, name, special_use, uid_validity, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(mailboxId, name, specialUse, nextUidValidity(this.db, now), now).lastInsertRowid,
      );
    });
    this.publish([{ kind: 'folders', mailboxId }]);
    return toFolder(this.folderRow(id));
  }

  async deleteFolder(folderId: number): Promise<void> {
    const mailboxId = await writeTx(this.db, () => {
      const f = this.folderRow(folderId);
      if (f.name === 'INBOX') throw new StoreError('inbox', 'INBOX cannot be deleted');
      deleteFolderRows(this.db, folderId);
      return f.mailbox_id;
    });
    this.publish([{ kind: 'folders', mailboxId }]);
  }

  async renameFolder(folderId: number, newName: string): Promise<void> {
    const changes = await writeTx(this.db, (): FolderChange[] => {
      const f = this.folderRow(folderId);
      if (this.db.prepare('SELECT 1 FROM folders WHERE mailbox_id = ? AND name = ?').get(f.mailbox_id, newName))
        throw new StoreError('exists', `folder ${newName} already exists`);
      if (f.name !== 'INBOX') {
        const prefix = `${f.name}/`;
        const children = this.db
          .prepare('SELECT id, name FROM folders WHERE mailbox_id = ? AND substr(name, 1, ?) = ?')
          .all(f.mailbox_id, prefix.length, prefix) as Array<{ id: number; name: string }>;
        for (const c of children) {
          const target = `${newName}/${c.name.slice(prefix.length)}`;
          if (this.db.prepare('SELECT 1 FROM folders WHERE mailbox_id = ? AND name = ?').get(f.mailbox_id, target))
            throw new StoreError('exists', `folder ${target} already exists`);
          this.db.prepare('UPDATE folders SET name = ? WHERE id = ?').run(target, c.id);
        }
        this.db.prepare('UPDATE folders SET name = ? WHERE id = ?').run(newName, folderId);
        return [{ kind: 'folders', mailboxId: f.mailbox_id }];
      }
      // RFC 3501 §6.3.5: renaming INBOX moves all its messages to a new folder and leaves INBOX empty.
      const now = this.now();
      const newId = Number(
        this.db
          .prepare('INSERT INTO folders (mailbox_id, name, special_use, uid_validity, created_at) VALUES (?, ?, NULL, ?, ?)')
          .run(f.mailbox_id, newName, nextUidValidity(this.db, now), now).lastInsertRowid,
      );
      const uids = (this.db.prepare('SELECT uid FROM entries WHERE folder_id = ? ORDER BY uid').all(folderId) as Array<{ uid: number }>).map(
        (r) => r.uid,
      );
      const moved = this.moveRows(folderId, uids, newId);
      return [{ kind: 'folders', mailboxId: f.mailbox_id }, ...moved.changes];
    });
    this.publish(changes);
  }

  async setSubscribed(mailboxId: number, name: string, subscribed: boolean): Promise<void> {
    const res = await writeTx(this.db, () =>
      this.db.prepare('UPDATE folders SET subscribed = ? WHERE mailbox_id = ? AND name = ?').run(subscribed ? 1 : 0, mailboxId, name),
    );
    if (res.changes === 0) throw new StoreError('not-found', `no folder ${name}`);
  }

  async folderStatus(folderId: number): Promise<FolderStatus> {
    const f = this.folderRow(folderId);
    const r = this.db
      .prepare(
        `SELECT COUNT(*) AS messages,
                COALESCE(SUM(CASE WHEN (' ' || e.flags || ' ') LIKE '% \\Seen %' THEN 0 ELSE 1 END), 0) AS unseen,
                COALESCE(SUM(m.size), 0) AS size,
                COALESCE(SUM(CASE WHEN e.uid >= ? THEN 1 ELSE 0 END), 0) AS recent
         FROM entries e JOIN messages m ON m.id = e.message_id WHERE e.folder_id = ?`,
      )
      .get(f.recent_uid, folderId) as { messages: number; unseen: number; size: number; recent: number };
    return {
      messages: r.messages,
      unseen: r.unseen,
      sizeBytes: r.size,
      recent: r.recent,
      uidNext: f.uid_next,
      uidValidity: f.uid_validity,
      highestModSeq: f.highest_modseq,
    };
  }

  /** Resolves a delivery target's folder: the named one, else INBOX. */
  private targetFolder(mailboxId: number, name: string): FolderRow {
    const q = this.db.prepare('SELECT * FROM folders WHERE mailbox_id = ? AND name = ?');
    const r = (q.get(mailboxId, name) ?? q.get(mailboxId, 'INBOX')) as FolderRow | undefined;
    if (!r) throw new StoreError('not-found', `mailbox ${mailboxId} has no INBOX`);
    return r;
  }

  /**
   * Group commit: deliveries that arrive in the same turn of the event loop are written in ONE transaction (one
   * fsync, shared with any other commit waiting for the same WAL flush), each inside its own savepoint so a failing delivery affects only itself. Every caller's promise resolves
   * only after that commit.
   */
  deliver(d: Delivery): Promise<DeliveryResult> {
    if (d.targets.length === 0 && d.queue.length === 0) return Promise.reject(new StoreError('invalid', 'a delivery needs a target or a queue entry'));
    return new Promise((resolve, reject) => {
      this.#batch.push({ d, resolve, reject });
      if (this.#batch.length === 1) setImmediate(() => void this.flushDeliveries());
    });
  }

  readonly #batch: Array<{ d: Delivery; resolve: (r: DeliveryResult) => void; reject: (e: unknown) => void }> = [];

  private async flushDeliveries(): Promise<void> {
    const batch = this.#batch.splice(0);
    const one = this.db.transaction((d: Delivery) => this.deliverRows(d));
    let outcomes: Array<{ ok: true; result: DeliveryResult; changes: FolderChange[] } | { ok: false; error: unknown }>;
    try {
      outcomes = await writeTx(this.db, () =>
        batch.map(({ d }) => {
          try {
            return { ok: true as const, ...one(d) };
          } catch (error) {
            return { ok: false as const, error };
          }
        }),
      );
    } catch (error) {
      for (const b of batch) b.reject(error); // the commit or its flush failed (disk full, I/O error): nothing is acknowledged
      return;
    }
    batch.forEach((b, i) => {
      const o = outcomes[i]!;
      if (o.ok) {
        this.publish(o.changes);
        b.resolve(o.result);
      } else b.reject(o.error);
    });
  }

  /** Inside a transaction: one delivery's rows (also used by the queue's settlement). */
  deliverRows(d: Delivery): { result: DeliveryResult; changes: FolderChange[] } {
    const msg = insertMessage(this.db, d.raw, d.meta, d.receivedAt, d.targets.length + d.queue.length);
    const placed: DeliveryResult['placed'] = [];
    const changes: FolderChange[] = [];
    const insertEntry = this.db.prepare('INSERT INTO entries (folder_id, uid, message_id, flags, modseq, internal_date) VALUES (?, ?, ?, ?, ?, ?)');
    for (const t of d.targets) {
      const f = this.targetFolder(t.mailboxId, t.folder);
      const { firstUid, modSeq } = this.allocate(f.id, 1);
      insertEntry.run(f.id, firstUid, msg.id, encodeFlags(normaliseFlags(t.flags ?? [])), modSeq, d.receivedAt);
      keyNewEntry(this.db, f.id, firstUid, d.meta, d.receivedAt, d.raw.length);
      this.addUsage(t.mailboxId, d.raw.length);
      placed.push({ mailboxId: t.mailboxId, folderId: f.id, uid: firstUid });
      changes.push({ kind: 'exists', mailboxId: t.mailboxId, folderId: f.id, uids: [firstUid], modSeq });
    }
    const insertQueue = this.db.prepare(
      `INSERT INTO queue (message_id, mail_from, rcpt_to, domain, params, submitter_id, status, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
    );
    const queueIds = d.queue.map((q) =>
      Number(
        insertQueue.run(
          msg.id,
          q.mailFrom,
          q.rcptTo,
          q.rcptTo.slice(q.rcptTo.lastIndexOf('@') + 1).toLowerCase(),
          JSON.stringify(q.params),
          q.submitterId,
          q.nextAttemptAt,
          d.receivedAt,
          d.receivedAt,
        ).lastInsertRowid,
      ),
    );
    return { result: { messageId: msg.id, blobId: msg.blobId, placed, queueIds }, changes };
  }

  async append(folderId: number, raw: Buffer, meta: MessageMeta, flags: string[], internalDate: number): Promise<{ uid: number; modSeq: number }> {
    const { uid, modSeq, mailboxId } = await writeTx(this.db, () => {
      const f = this.folderRow(folderId);
      const msg = insertMessage(this.db, raw, meta, this.now(), 1);
      const { firstUid, modSeq } = this.allocate(folderId, 1);
      this.db
        .prepare('INSERT INTO entries (folder_id, uid, message_id, flags, modseq, internal_date) VALUES (?, ?, ?, ?, ?, ?)')
        .run(folderId, firstUid, msg.id, encodeFlags(normaliseFlags(flags)), modSeq, internalDate);
      keyNewEntry(this.db, folderId, firstUid, meta, internalDate, raw.length);
      this.addUsage(f.mailbox_id, raw.length);
      return { uid: firstUid, modSeq, mailboxId: f.mailbox_id };
    });
    this.publish([{ kind: 'exists', mailboxId, folderId, uids: [uid], modSeq }]);
    return { uid, modSeq };
  }

  async listEntries(folderId: number, range: { fromUid?: number; toUid?: number; changedSince?: number } = {}): Promise<MessageEntry[]> {
    const rows = this.db
      .prepare(`${ENTRY_SELECT} WHERE e.folder_id = ? AND e.uid >= ? AND e.uid <= ? AND e.modseq > ? ORDER BY e.uid`)
      .all(folderId, range.fromUid ?? 1, range.toUid ?? Number.MAX_SAFE_INTEGER, range.changedSince ?? 0) as EntryRow[];
    return rows.map(toEntry);
  }

  async getEntry(folderId: number, uid: number): Promise<MessageEntry | null> {
    const r = this.db.prepare(`SELECT ${ENTRY_COLUMNS}, m.structure FROM entries e JOIN messages m ON m.id = e.message_id WHERE e.folder_id = ? AND e.uid = ?`).get(folderId, uid) as
      | EntryRow
      | undefined;
    return r ? toEntry(r) : null;
  }

  async structures(folderId: number, uids: number[]): Promise<Map<number, unknown>> {
    const out = new Map<number, unknown>();
    const get = this.db.prepare(
      'SELECT m.structure FROM entries e JOIN messages m ON m.id = e.message_id WHERE e.folder_id = ? AND e.uid = ? AND m.structure IS NOT NULL',
    );
    for (const uid of uids) {
      const r = get.get(folderId, uid) as { structure: string } | undefined;
      if (r) out.set(uid, JSON.parse(r.structure));
    }
    return out;
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
    await writeTx(this.db, () => keepHeaders(this.db, headers));
  }

  /** Inside a transaction: copy rows to another folder; returns the mapping and the change to publish. */
  private copyRows(fromId: number, uids: number[], toId: number): { map: Array<{ from: number; to: number }>; changes: FolderChange[] } {
    this.folderRow(fromId);
    const dest = this.folderRow(toId);
    const wanted = new Set(uids);
    const rows = (
      this.db
        .prepare('SELECT e.uid, e.message_id, e.flags, e.internal_date, m.size FROM entries e JOIN messages m ON m.id = e.message_id WHERE e.folder_id = ? ORDER BY e.uid')
        .all(fromId) as Array<{ uid: number; message_id: number; flags: string; internal_date: number; size: number }>
    ).filter((r) => wanted.has(r.uid));
    if (rows.length === 0) return { map: [], changes: [] };
    const { firstUid, modSeq } = this.allocate(toId, rows.length);
    const insert = this.db.prepare('INSERT INTO entries (folder_id, uid, message_id, flags, modseq, internal_date) VALUES (?, ?, ?, ?, ?, ?)');
    const ref = this.db.prepare('UPDATE messages SET refcount = refcount + 1 WHERE id = ?');
    const map = rows.map((r, i) => {
      insert.run(toId, firstUid + i, r.message_id, r.flags, modSeq, r.internal_date);
      ref.run(r.message_id);
      return { from: r.uid, to: firstUid + i };
    });
    this.addUsage(dest.mailbox_id, rows.reduce((n, r) => n + r.size, 0));
    return { map, changes: [{ kind: 'exists', mailboxId: dest.mailbox_id, folderId: toId, uids: map.map((m) => m.to), modSeq }] };
  }

  /** Inside a transaction: remove entries, remember them as expunged, release their messages. */
  private removeRows(folderId: number, uids: number[]): FolderChange | null {
    if (uids.length === 0) return null;
    const f = this.folderRow(folderId);
    const modSeq = this.bumpModSeq(folderId);
    const get = this.db.prepare('SELECT e.message_id, m.size FROM entries e JOIN messages m ON m.id = e.message_id WHERE e.folder_id = ? AND e.uid = ?');
    const del = this.db.prepare('DELETE FROM entries WHERE folder_id = ? AND uid = ?');
    const remember = this.db.prepare(
      'INSERT INTO expunged (folder_id, uid, modseq) VALUES (?, ?, ?) ON CONFLICT (folder_id, uid) DO UPDATE SET modseq = excluded.modseq',
    );
    let bytes = 0;
    const removed: number[] = [];
    for (const uid of uids) {
      const r = get.get(folderId, uid) as { message_id: number; size: number } | undefined;
      if (!r) continue;
      del.run(folderId, uid);
      remember.run(folderId, uid, modSeq);
      releaseMessage(this.db, r.message_id);
      bytes += r.size;
      removed.push(uid);
    }
    this.addUsage(f.mailbox_id, -bytes);
    return { kind: 'expunge', mailboxId: f.mailbox_id, folderId, uids: removed, modSeq };
  }

  private moveRows(fromId: number, uids: number[], toId: number): { map: Array<{ from: number; to: number }>; changes: FolderChange[] } {
    const copied = this.copyRows(fromId, uids, toId);
    const expunged = this.removeRows(fromId, copied.map.map((m) => m.from));
    return { map: copied.map, changes: expunged ? [...copied.changes, expunged] : copied.changes };
  }

  async copy(fromFolderId: number, uids: number[], toFolderId: number): Promise<Array<{ from: number; to: number }>> {
    const { map, changes } = await writeTx(this.db, () => this.copyRows(fromFolderId, uids, toFolderId));
    this.publish(changes);
    return map;
  }

  async move(fromFolderId: number, uids: number[], toFolderId: number): Promise<Array<{ from: number; to: number }>> {
    if (fromFolderId === toFolderId) throw new StoreError('invalid', 'cannot move messages into the folder they are in');
    const { map, changes } = await writeTx(this.db, () => this.moveRows(fromFolderId, uids, toFolderId));
    this.publish(changes);
    return map;
  }

  async storeFlags(
    folderId: number,
    uids: number[],
    mode: FlagMode,
    flags: string[],
    unchangedSince?: number,
  ): Promise<{ changed: FlagChange[]; failed: number[] }> {
    const { changed, failed, change } = await writeTx(this.db, () => {
      const f = this.folderRow(folderId);
      const plan = planFlagChange(this.db, folderId, uids, mode, flags, unchangedSince);
      const { pending, failed } = plan;
      if (pending.length === 0) return { changed: [], failed, change: null };
      const modSeq = this.bumpModSeq(folderId);
      writeFlagChange(this.db, folderId, plan, modSeq);
      const changed = pending.map((p) => ({ uid: p.uid, flags: p.flags, modSeq }));
      const change: FolderChange = { kind: 'flags', mailboxId: f.mailbox_id, folderId, uids: changed.map((c) => c.uid), modSeq };
      return { changed, failed, change };
    });
    if (change) this.publish([change]);
    return { changed, failed };
  }

  async expunge(folderId: number, uids?: number[]): Promise<number[]> {
    const change = await writeTx(this.db, () => {
      const rows = this.db.prepare('SELECT uid, flags FROM entries WHERE folder_id = ? ORDER BY uid').all(folderId) as Array<{
        uid: number;
        flags: string;
      }>;
      const only = uids ? new Set(uids) : null;
      const doomed = rows.filter((r) => decodeFlags(r.flags).includes('\\Deleted') && (!only || only.has(r.uid))).map((r) => r.uid);
      return this.removeRows(folderId, doomed);
    });
    if (!change || change.kind !== 'expunge') return [];
    this.publish([change]);
    return change.uids;
  }

  async deleteEntries(folderId: number, uids: number[]): Promise<number[]> {
    const change = await writeTx(this.db, () => this.removeRows(folderId, [...new Set(uids)].sort((a, b) => a - b)));
    if (!change || change.kind !== 'expunge') return [];
    this.publish([change]);
    return change.uids;
  }

  async expungedSince(folderId: number, modSeq: number): Promise<number[]> {
    return (this.db.prepare('SELECT uid FROM expunged WHERE folder_id = ? AND modseq > ? ORDER BY uid').all(folderId, modSeq) as Array<{ uid: number }>).map(
      (r) => r.uid,
    );
  }

  async claimRecent(folderId: number): Promise<number> {
    // Nothing arrived since the last claim: nothing to write, so no commit for the SELECT to wait on.
    const seen = this.folderRow(folderId);
    if (seen.recent_uid >= seen.uid_next) return seen.recent_uid;
    return writeTx(this.db, () => {
      const f = this.folderRow(folderId);
      this.db.prepare('UPDATE folders SET recent_uid = uid_next WHERE id = ?').run(folderId);
      return f.recent_uid;
    });
  }
}
