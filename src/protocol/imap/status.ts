/**
 * STATUS data items (STATUS, and LIST … RETURN (STATUS (…))).
 *
 * RFC 3501 §6.3.10 (MESSAGES, RECENT, UIDNEXT, UIDVALIDITY, UNSEEN); RFC 9051 §6.3.11 (adds DELETED, drops
 * RECENT); RFC 8438 (SIZE); RFC 7162 §3.1.6 (HIGHESTMODSEQ); RFC 7889 §3 (APPENDLIMIT); RFC 5819 (LIST-STATUS).
 */
import type { Scanner } from './scanner.js';
import { parseMailbox } from './mailbox-name.js';

export const STATUS_ITEMS = ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'DELETED', 'SIZE', 'RECENT', 'HIGHESTMODSEQ', 'APPENDLIMIT'] as const;
export type StatusItem = (typeof STATUS_ITEMS)[number];

const KNOWN: ReadonlySet<string> = new Set(STATUS_ITEMS);

/** "(" status-att *(SP status-att) ")"; duplicates are removed, order kept. */
export function parseStatusItems(s: Scanner): StatusItem[] {
  const items = s.list(() => {
    const name = s.keyword('a status item');
    if (!KNOWN.has(name)) s.fail(`unknown status item ${name.slice(0, 40)}`);
    return name as StatusItem;
  }, false, 32);
  return [...new Set(items)];
}

/** RFC 9051 §6.3.11: STATUS mailbox SP "(" status-att *(SP status-att) ")". */
export function parseStatusArgs(s: Scanner, utf8: boolean): { mailbox: string; items: StatusItem[] } {
  s.sp();
  const mailbox = parseMailbox(s, utf8);
  s.sp();
  const items = parseStatusItems(s);
  return { mailbox, items };
}
