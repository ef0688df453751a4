/**
 * The IMAP SEARCH text index in PostgreSQL: one `message_text` row per message with the decoded, case-folded text
 * (MessageText, written with the message by mail.ts), GIN pg_trgm indexes on both columns. A needle is matched with LIKE '%needle%' (wildcards escaped),
 * which is exactly IMAP's substring semantics (RFC 9051 §6.4.4); pg_trgm's index answers LIKE for needles of three
 * characters or more; a query that depends on a shorter one answers null and the caller scans, as on SQLite.
 * Messages stored without text have no row and are always candidates, so the answer never misses a match.
 */
import type { TextQuery } from '../types.js';
import type { Sql } from './db.js';

/** `needle` as a LIKE pattern matching it anywhere (backslash is LIKE's default escape). */
export const likePattern = (needle: string): string => `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** pg_trgm indexes trigrams: a shorter needle cannot use the index (LIKE would read every row of the folder). */
const MIN_NEEDLE_CHARS = 3;

/**
 * The SQL condition for `q` on alias `t`, pushing its patterns onto `args`; null when the index cannot narrow it
 * (as the SQLite store: a short needle makes an OR unanswerable and drops out of an AND, whose rest is a superset).
 */
export function textCondition(q: TextQuery, args: unknown[]): string | null {
  if (q.kind === 'term') {
    if ([...q.needle].length < MIN_NEEDLE_CHARS) return null;
    args.push(likePattern(q.needle));
    const p = `$${args.length}`;
    if (q.field === 'header') return `t.header LIKE ${p}`;
    if (q.field === 'body') return `t.body LIKE ${p}`;
    return `(t.header LIKE ${p} OR t.body LIKE ${p})`;
  }
  const mark = args.length;
  const parts = q.of.map((s) => textCondition(s, args));
  if (q.kind === 'or') {
    if (parts.length === 0 || parts.some((p) => p === null)) {
      args.length = mark;
      return null;
    }
    return `(${parts.join(' OR ')})`;
  }
  const known = parts.filter((p): p is string => p !== null);
  return known.length > 0 ? `(${known.join(' AND ')})` : null;
}

/** UIDs of a folder that may match `query` (exact for the terms it looks up), plus every message the index does not hold. */
export async function searchFolderText(q: Sql, folderId: number, query: TextQuery): Promise<number[] | null> {
  const args: unknown[] = [folderId];
  const cond = textCondition(query, args);
  if (cond === null) return null;
  const rows = await q.query<{ uid: number }>(
    `SELECT e.uid FROM entries e LEFT JOIN message_text t ON t.message_id = e.message_id
     WHERE e.folder_id = $1 AND (t.message_id IS NULL OR ${cond}) ORDER BY e.uid`,
    args,
  );
  return rows.rows.map((r) => r.uid);
}
