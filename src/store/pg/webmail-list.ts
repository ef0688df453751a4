/**
 * The webmail's sorted pages and metadata searches in PostgreSQL (issue 11): sort keys on the entries, indexed per
 * folder (migration 3, text keys in the "C" collation so they order by code point as in SQLite), filled from the
 * stored metadata for entries that have none before a sorted page is read, in batches of one transaction each.
 */
import type { EntryFilter, ListOrder, MessageEntry, WebmailListStore } from '../types.js';
import { webmailLimits } from '../../lib/limits.js';
import { entryKeysOf } from '../../mail/sort-keys.js';
import { type PgDb, rowsOf } from './db.js';
import { ENTRY_COLUMNS, toEntry, type EntryRow } from './mail.js';

const ORDER_COLUMN: Record<ListOrder, string> = { arrival: 'e.uid', date: 'e.sort_date', from: 'e.sort_from', subject: 'e.sort_subject', size: 'e.sort_size' };

const containsPattern = (needle: string): string => `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class PgWebmailList implements WebmailListStore {
  constructor(private readonly db: PgDb) {}

  /** Gives every entry of the folder without sort keys its keys; returns how many were filled. */
  async fillSortKeys(folderId: number): Promise<number> {
    let filled = 0;
    for (;;) {
      const n = await this.db.tx(async (q) => {
        const rows = await rowsOf<{ uid: number; internal_date: number; size: number; subject: string | null; from_addr: string | null; date: number | null; structure: string | null }>(
          q,
          `SELECT e.uid, e.internal_date, m.size, m.subject, m.from_addr, m.date, m.structure FROM entries e JOIN messages m ON m.id = e.message_id
           WHERE e.folder_id = $1 AND e.sort_date IS NULL LIMIT $2 FOR UPDATE OF e SKIP LOCKED`,
          [folderId, webmailLimits.sortKeyBatch],
        );
        if (rows.length === 0) return 0;
        const keys = rows.map((r) => entryKeysOf({ date: r.date, from: r.from_addr, subject: r.subject, structure: r.structure }, r.internal_date, r.size));
        await q.query(
          `UPDATE entries e SET sort_date = t.d, sort_from = t.f, sort_subject = t.s, sort_size = t.z, attachments = t.a
           FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::smallint[]) AS t(u, d, f, s, z, a)
           WHERE e.folder_id = $1 AND e.uid = t.u`,
          [folderId, rows.map((r) => r.uid), keys.map((k) => k.date), keys.map((k) => k.from), keys.map((k) => k.subject), keys.map((k) => k.size), keys.map((k) => k.attachments)],
        );
        return rows.length;
      });
      filled += n;
      if (n < webmailLimits.sortKeyBatch) return filled;
    }
  }

  /** Fills the folder's missing keys, if any (one indexed probe when there are none). */
  private async ensureKeys(folderId: number): Promise<void> {
    if (await this.db.row('SELECT 1 FROM entries WHERE folder_id = $1 AND sort_date IS NULL LIMIT 1', [folderId])) await this.fillSortKeys(folderId);
  }

  async sortedEntries(folderId: number, q: { order: ListOrder; reverse: boolean; offset: number; limit: number }): Promise<MessageEntry[]> {
    if (q.order !== 'arrival') await this.ensureKeys(folderId);
    const dir = q.reverse ? 'DESC' : 'ASC';
    const rows = await this.db.rows<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM entries e JOIN messages m ON m.id = e.message_id
       WHERE e.folder_id = $1 ORDER BY ${ORDER_COLUMN[q.order]} ${dir}, e.uid ${dir} LIMIT $2 OFFSET $3`,
      [folderId, q.limit, q.offset],
    );
    return rows.map(toEntry);
  }

  async filterEntries(folderId: number, f: EntryFilter, page: { beforeUid?: number | undefined; limit: number }): Promise<MessageEntry[]> {
    const args: unknown[] = [folderId, page.beforeUid ?? Number.MAX_SAFE_INTEGER];
    const arg = (v: unknown): string => `$${args.push(v)}`;
    const where = ['e.folder_id = $1', 'e.uid < $2'];
    if (f.from) where.push(`m.from_addr ILIKE ${arg(containsPattern(f.from))} ESCAPE '\\'`);
    if (f.to) {
      const p = arg(containsPattern(f.to));
      where.push(`(m.to_addr ILIKE ${p} ESCAPE '\\' OR m.cc_addr ILIKE ${p} ESCAPE '\\')`);
    }
    if (f.subject) where.push(`m.subject ILIKE ${arg(containsPattern(f.subject))} ESCAPE '\\'`);
    if (f.since !== undefined) where.push(`e.internal_date >= ${arg(f.since)}`);
    if (f.before !== undefined) where.push(`e.internal_date < ${arg(f.before)}`);
    if (f.uids) where.push(`e.uid = ANY(${arg(f.uids)}::bigint[])`);
    if (f.attachments) {
      await this.ensureKeys(folderId);
      where.push('(e.attachments = 1 OR e.attachments IS NULL)');
    }
    const rows = await this.db.rows<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM entries e JOIN messages m ON m.id = e.message_id WHERE ${where.join(' AND ')} ORDER BY e.uid DESC LIMIT ${arg(page.limit)}`,
      args,
    );
    return rows.map(toEntry);
  }
}
