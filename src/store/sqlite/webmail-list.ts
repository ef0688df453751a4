/**
 * The webmail's sorted pages and metadata searches in SQLite (issue 11). Sort keys live on the entries, indexed per
 * folder (migration 10), so the first page sorted by subject of a 100,000-message folder is an index walk of 50
 * rows. Entries get their keys here, from the metadata the store already holds, before a sorted page is read:
 * rows stored before the migration and new deliveries alike, in batches (one write transaction each).
 */
import type { EntryFilter, ListOrder, MessageEntry, WebmailListStore } from '../types.js';
import { webmailLimits } from '../../lib/limits.js';
import { entryKeysOf, type EntryKeys } from '../../mail/sort-keys.js';
import type { MessageMeta } from '../types.js';
import { type Db, writeTx } from './db.js';
import { ENTRY_COLUMNS, toEntry, type EntryRow } from './mail.js';

const ORDER_COLUMN: Record<ListOrder, string> = { arrival: 'e.uid', date: 'e.sort_date', from: 'e.sort_from', subject: 'e.sort_subject', size: 'e.sort_size' };

/** A LIKE pattern matching `needle` anywhere (with `\` as the escape character). */
export const containsPattern = (needle: string): string => `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Inside a transaction: an entry's webmail keys (at delivery, APPEND, or filled later). */
export function setEntryKeys(db: Db, folderId: number, uid: number, k: EntryKeys): void {
  db.prepare('UPDATE entries SET sort_date = ?, sort_from = ?, sort_subject = ?, sort_size = ?, attachments = ? WHERE folder_id = ? AND uid = ?').run(
    k.date,
    k.from,
    k.subject,
    k.size,
    k.attachments,
    folderId,
    uid,
  );
}

/** Inside a transaction: the keys of a new entry of a message stored with `meta`. */
export function keyNewEntry(db: Db, folderId: number, uid: number, meta: MessageMeta, internalDate: number, size: number): void {
  setEntryKeys(db, folderId, uid, entryKeysOf(meta, internalDate, size));
}

export class SqliteWebmailList implements WebmailListStore {
  constructor(private readonly db: Db) {}

  /** Gives every entry of the folder without sort keys its keys; returns how many were filled. */
  async fillSortKeys(folderId: number): Promise<number> {
    const pick = this.db.prepare(
      `SELECT e.uid, e.internal_date, m.size, m.subject, m.from_addr, m.date, m.structure FROM entries e JOIN messages m ON m.id = e.message_id
       WHERE e.folder_id = ? AND e.sort_date IS NULL LIMIT ?`,
    );
    let filled = 0;
    for (;;) {
      const n = await writeTx(this.db, () => {
        const rows = pick.all(folderId, webmailLimits.sortKeyBatch) as Array<{
          uid: number;
          internal_date: number;
          size: number;
          subject: string | null;
          from_addr: string | null;
          date: number | null;
          structure: string | null;
        }>;
        for (const r of rows) setEntryKeys(this.db, folderId, r.uid, entryKeysOf({ date: r.date, from: r.from_addr, subject: r.subject, structure: r.structure }, r.internal_date, r.size));
        return rows.length;
      });
      filled += n;
      if (n < webmailLimits.sortKeyBatch) return filled;
    }
  }

  /** Fills the folder's missing keys, if any (one indexed probe when there are none). */
  private async ensureKeys(folderId: number): Promise<void> {
    if (this.db.prepare('SELECT 1 FROM entries WHERE folder_id = ? AND sort_date IS NULL LIMIT 1').get(folderId)) await this.fillSortKeys(folderId);
  }

  async sortedEntries(folderId: number, q: { order: ListOrder; reverse: boolean; offset: number; limit: number }): Promise<MessageEntry[]> {
    if (q.order !== 'arrival') await this.ensureKeys(folderId);
    const dir = q.reverse ? 'DESC' : 'ASC';
    const rows = this.db
      .prepare(
        `SELECT ${ENTRY_COLUMNS} FROM entries e JOIN messages m ON m.id = e.message_id
         WHERE e.folder_id = ? ORDER BY ${ORDER_COLUMN[q.order]} ${dir}, e.uid ${dir} LIMIT ? OFFSET ?`,
      )
      .all(folderId, q.limit, q.offset) as EntryRow[];
    return rows.map(toEntry);
  }

  async filterEntries(folderId: number, f: EntryFilter, page: { beforeUid?: number | undefined; limit: number }): Promise<MessageEntry[]> {
    // LIKE ignores ASCII case (SQLite's default); the webmail confirms other foldings itself.
    const where = ['e.folder_id = ?', 'e.uid < ?'];
    const args: unknown[] = [folderId, page.beforeUid ?? Number.MAX_SAFE_INTEGER];
    if (f.from) where.push("m.from_addr LIKE ? ESCAPE '\\'"), args.push(containsPattern(f.from));
    if (f.to) where.push("(m.to_addr LIKE ? ESCAPE '\\' OR m.cc_addr LIKE ? ESCAPE '\\')"), args.push(containsPattern(f.to), containsPattern(f.to));
    if (f.subject) where.push("m.subject LIKE ? ESCAPE '\\'"), args.push(containsPattern(f.subject));
    if (f.since !== undefined) where.push('e.internal_date >= ?'), args.push(f.since);
    if (f.before !== undefined) where.push('e.internal_date < ?'), args.push(f.before);
    if (f.uids) where.push('e.uid IN (SELECT value FROM json_each(?))'), args.push(JSON.stringify(f.uids));
    if (f.attachments) {
      await this.ensureKeys(folderId);
      where.push('(e.attachments = 1 OR e.attachments IS NULL)');
    }
    const rows = this.db
      .prepare(`SELECT ${ENTRY_COLUMNS} FROM entries e JOIN messages m ON m.id = e.message_id WHERE ${where.join(' AND ')} ORDER BY e.uid DESC LIMIT ?`)
      .all(...args, page.limit) as EntryRow[];
    return rows.map(toEntry);
  }
}
