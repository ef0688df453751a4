/**
 * Mailbox names and the folder tree as IMAP shows it.
 *
 * RFC 9051 §5.1 (names; INBOX is case-insensitive), §5.1.1 (hierarchy: the delimiter is "/"), §6.3.4 CREATE
 * (a trailing delimiter is dropped; missing superiors are created), §6.3.9 LIST (wildcards "*" and "%", the
 * reference name, \Noselect for a superior that does not exist, \HasChildren/\HasNoChildren from RFC 3348 and
 * RFC 5258 §4), RFC 6154 (special-use attributes). Names that could be mistaken for paths or hide control
 * characters are refused, so every name means one folder for every client.
 */
import { imapLimits } from '../lib/limits.js';
import type { Folder } from '../store/types.js';
import { ImapNo } from './errors.js';

export const DELIMITER = '/';

/**
 * Checks a name a client wants to create or rename to and returns its canonical form (INBOX upper case,
 * trailing delimiter dropped). Refuses empty, over-long, over-deep, traversal-like and control-character names.
 */
export function checkNewName(name: string): string {
  let n = name.endsWith(DELIMITER) ? name.slice(0, -1) : name;
  if (n.toUpperCase() === 'INBOX') n = 'INBOX';
  if (n === '') throw new ImapNo('a mailbox needs a name', 'CANNOT');
  if (Buffer.byteLength(n, 'utf8') > imapLimits.mailboxNameMaxOctets) throw new ImapNo('mailbox name too long', 'LIMIT');
  const segments = n.split(DELIMITER);
  if (segments.length > imapLimits.mailboxNameMaxDepth) throw new ImapNo('mailbox hierarchy too deep', 'LIMIT');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f\u0080-\u009f\u2028\u2029\ufeff]/.test(n)) throw new ImapNo('mailbox names cannot contain control characters', 'CANNOT');
  for (const s of segments) {
    if (s === '') throw new ImapNo('mailbox names cannot have empty levels ("//")', 'CANNOT');
    if (s === '.' || s === '..') throw new ImapNo('"." and ".." are not mailbox names', 'CANNOT');
    if (s.trim() !== s) throw new ImapNo('mailbox names cannot begin or end with spaces', 'CANNOT');
    if (/[*%]/.test(s)) throw new ImapNo('mailbox names cannot contain the wildcards * and %', 'CANNOT');
  }
  if (segments[0]!.toUpperCase() === 'INBOX' && segments[0] !== 'INBOX') throw new ImapNo('INBOX is spelled INBOX in folder names', 'CANNOT');
  return n;
}

/** The superiors of a name: "a/b/c" → ["a", "a/b"]. */
export function superiors(name: string): string[] {
  const parts = name.split(DELIMITER);
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join(DELIMITER));
}

/**
 * A LIST pattern (reference and mailbox joined per RFC 9051 §6.3.9) as a matcher: "*" matches anything, "%"
 * anything but the delimiter. INBOX matches case-insensitively.
 */
export function patternMatcher(reference: string, pattern: string): (name: string) => boolean {
  const full = pattern.startsWith(DELIMITER) || reference === '' ? pattern : reference.endsWith(DELIMITER) ? reference + pattern : `${reference}${DELIMITER}${pattern}`;
  const exact = toRegExp(full);
  // "inbox", "Inbox/*": the INBOX part of a pattern is case-insensitive (RFC 9051 §5.1).
  const inbox = /^inbox(?=$|\/|[*%])/i.test(full) ? toRegExp(`INBOX${full.slice(5)}`) : undefined;
  return (name) => exact.test(name) || (inbox !== undefined && inbox.test(name));
}

function toRegExp(pattern: string): RegExp {
  const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '%' ? '[^/]*' : c.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 's');
}

/** One name in a LIST answer: an existing folder, or a superior that does not exist (\Noselect). */
export interface TreeNode {
  readonly name: string;
  readonly folder: Folder | null;
  readonly hasChildren: boolean;
}

/** Every existing folder plus the missing superiors of any of them. */
export function folderTree(folders: readonly Folder[]): TreeNode[] {
  const byName = new Map(folders.map((f) => [f.name, f]));
  const names = new Set(folders.map((f) => f.name));
  for (const f of folders) for (const s of superiors(f.name)) names.add(s);
  const parents = new Set<string>();
  for (const n of names) for (const s of superiors(n)) parents.add(s);
  return [...names].sort(compareNames).map((name) => ({ name, folder: byName.get(name) ?? null, hasChildren: parents.has(name) }));
}

/** INBOX first, then by name. */
export function compareNames(a: string, b: string): number {
  if (a === 'INBOX') return b === 'INBOX' ? 0 : -1;
  if (b === 'INBOX') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Name attributes for LIST (RFC 9051 §7.2.3, RFC 6154 §2). */
export function listAttributes(node: TreeNode, opts: { subscribed: boolean; specialUse: boolean }): string[] {
  const attrs: string[] = [];
  if (node.folder === null) attrs.push('\\Noselect');
  attrs.push(node.hasChildren ? '\\HasChildren' : '\\HasNoChildren');
  if (opts.subscribed && node.folder?.subscribed) attrs.push('\\Subscribed');
  if (opts.specialUse && node.folder?.specialUse) attrs.push(node.folder.specialUse);
  return attrs;
}
