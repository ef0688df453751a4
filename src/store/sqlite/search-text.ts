/**
 * The IMAP SEARCH text index in SQLite: one FTS5 row per message (rowid = messages.id) with the trigram tokenizer
 * (SQLite ≥ 3.34), contentless with deletes (≥ 3.43) so the text is not stored twice. The text arrives decoded and
 * case-folded (MessageText); a phrase of trigrams then finds any substring of three characters or more, which is
 * IMAP's substring semantics (RFC 9051 §6.4.4). Shorter needles cannot be looked up: a query that depends on one
 * answers null and the caller scans. Messages stored without text (`text_indexed = 0`) are always candidates, so
 * the answer never misses a match.
 */
import type { MessageText, TextQuery } from '../types.js';
import type { Db } from './db.js';

/** Inside a transaction: the text of a new message. */
export function indexMessageText(db: Db, messageId: number, text: MessageText): void {
  db.prepare('INSERT INTO message_text (rowid, header, body) VALUES (?, ?, ?)').run(messageId, text.header, text.body);
  db.prepare('UPDATE messages SET text_indexed = 1 WHERE id = ?').run(messageId);
}

/** Inside a transaction: forget a message's text (it is being deleted). */
export function unindexMessageText(db: Db, messageId: number): void {
  db.prepare('DELETE FROM message_text WHERE rowid = ?').run(messageId);
}

/** The trigram tokenizer matches nothing for a phrase shorter than three characters. */
const MIN_NEEDLE_CHARS = 3;

const COLUMNS: Record<'header' | 'body' | 'any', string> = { header: 'header', body: 'body', any: '{header body}' };

/**
 * The FTS5 MATCH expression for `q`, or null when it cannot be answered: a term with a short needle makes an OR
 * unanswerable and is dropped from an AND (the AND of the rest is a superset).
 */
export function matchExpression(q: TextQuery): string | null {
  if (q.kind === 'term') {
    if ([...q.needle].length < MIN_NEEDLE_CHARS) return null;
    // FTS5 string: double quotes doubled inside; a column filter keeps the phrase within one column.
    return `${COLUMNS[q.field]} : "${q.needle.replaceAll('"', '""')}"`;
  }
  const parts = q.of.map(matchExpression);
  if (q.kind === 'or') return parts.length > 0 && parts.every((p) => p !== null) ? `(${parts.join(' OR ')})` : null;
  const known = parts.filter((p): p is string => p !== null);
  return known.length > 0 ? `(${known.join(' AND ')})` : null;
}

/** UIDs of a folder that may match `q`: the index's matches plus every message it does not hold. */
export function searchFolderText(db: Db, folderId: number, q: TextQuery): number[] | null {
  const expr = matchExpression(q);
  if (expr === null) return null;
  const rows = db
    .prepare(
      // The index's matches first (then their entries in this folder), and the messages it does not hold (a
      // partial index keeps those few cheap to find): never a scan of the folder.
      `SELECT e.uid FROM message_text t JOIN entries e ON e.message_id = t.rowid WHERE message_text MATCH ? AND e.folder_id = ?
       UNION
       SELECT e.uid FROM messages m CROSS JOIN entries e ON e.message_id = m.id WHERE m.text_indexed = 0 AND e.folder_id = ?
       ORDER BY 1`,
    )
    .all(expr, folderId, folderId) as Array<{ uid: number }>;
  return rows.map((r) => r.uid);
}
