/**
 * Maildir as Dovecot and mutt write it, sans I/O (https://cr.yp.to/proto/maildir.html, Dovecot's Maildir++ and
 * dovecot-keywords): the `:2,` info of a file name carries the flags, lower-case letters a–z index the folder's
 * dovecot-keywords file, and Maildir++ keeps sub-folders as `.Parent.Child` directories with names in modified
 * UTF-7 (RFC 3501 §5.1.3).
 */
import { decodeModifiedUtf7, encodeModifiedUtf7 } from '../../protocol/imap/mailbox-name.js';

/** Maildir info letters (they must be written in ASCII order) and the IMAP flag each stands for. */
const LETTERS: ReadonlyArray<readonly [string, string]> = [
  ['D', '\\Draft'],
  ['F', '\\Flagged'],
  ['P', '$Forwarded'],
  ['R', '\\Answered'],
  ['S', '\\Seen'],
  ['T', '\\Deleted'],
];

/** Dovecot allows 26 keywords per Maildir folder (the letters a–z). */
export const MAX_MAILDIR_KEYWORDS = 26;

/** `dovecot-keywords`: lines `0 $Label1`; returns index → keyword. */
export function parseDovecotKeywords(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d{1,2}) (\S+)$/.exec(line.trim());
    if (m && Number(m[1]) < MAX_MAILDIR_KEYWORDS) out.set(Number(m[1]), m[2]!);
  }
  return out;
}

export function formatDovecotKeywords(keywords: readonly string[]): string {
  return keywords.map((k, i) => `${i} ${k}\n`).join('');
}

/** The flags of a maildir file name (`1700000000.M1P2.host,S=123,W=130:2,FRab`). */
export function flagsOfName(name: string, keywords: ReadonlyMap<number, string>): string[] {
  const i = name.lastIndexOf(':2,');
  if (i === -1) return [];
  const flags = new Set<string>();
  for (const ch of name.slice(i + 3)) {
    const letter = LETTERS.find(([l]) => l === ch);
    if (letter) flags.add(letter[1]);
    else if (ch >= 'a' && ch <= 'z') {
      const k = keywords.get(ch.charCodeAt(0) - 97);
      if (k) flags.add(k);
    }
  }
  return [...flags].sort();
}

/** The base of a maildir file name: what stays the same when its flags change. */
export function baseOfName(name: string): string {
  const i = name.lastIndexOf(':2,');
  return i === -1 ? name : name.slice(0, i);
}

/**
 * The `:2,` info for IMAP flags; keywords get letters from `keywordIndex`, which grows (and the returned list of new
 * keywords tells the caller to rewrite dovecot-keywords). Keywords beyond 26 cannot be written and are returned.
 */
export function infoOfFlags(flags: readonly string[], keywordIndex: string[]): { info: string; dropped: string[] } {
  const letters: string[] = [];
  const dropped: string[] = [];
  for (const [l, f] of LETTERS) if (flags.includes(f)) letters.push(l);
  for (const f of flags) {
    if (f.startsWith('\\') || f === '$Forwarded') continue;
    let i = keywordIndex.indexOf(f);
    if (i === -1 && keywordIndex.length < MAX_MAILDIR_KEYWORDS) i = keywordIndex.push(f) - 1;
    if (i === -1) dropped.push(f);
    else letters.push(String.fromCharCode(97 + i));
  }
  const upper = letters.filter((l) => l < 'a').sort();
  const lower = letters.filter((l) => l >= 'a').sort();
  return { info: `:2,${upper.join('')}${lower.join('')}`, dropped };
}

/** Maildir++ directory name (`.Projects.2026`) → folder name (`Projects/2026`); null for names that are not folders. */
export function folderOfDir(dir: string): string | null {
  if (!dir.startsWith('.') || dir === '.' || dir === '..') return null;
  const parts = dir.slice(1).split('.');
  if (parts.some((p) => p === '')) return null;
  const decoded = parts.map((p) => decodeModifiedUtf7(p));
  if (decoded.some((p) => p === undefined)) return null;
  const name = decoded.join('/');
  return name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}

/** Folder name → Maildir++ directory name ('' for INBOX, which is the maildir's root). */
export function dirOfFolder(folder: string): string {
  if (folder === 'INBOX') return '';
  return `.${folder.split('/').map((p) => encodeModifiedUtf7(p)).join('.')}`;
}
