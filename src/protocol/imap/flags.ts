/**
 * Message flags and keywords.
 *
 * RFC 9051 §2.3.2 and §9: flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword /
 * flag-extension; flag-keyword = atom; flag-extension = "\" atom; flag-list = "(" [flag *(SP flag)] ")".
 * System flags are case-insensitive and are returned in their canonical spelling; keywords keep their case.
 * `\Recent` cannot be stored or appended (it is in flag-fetch only, RFC 3501 §9); `\*` is flag-perm only.
 */
import { isAtomChar, type Scanner } from './scanner.js';

export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'] as const;
export type SystemFlag = (typeof SYSTEM_FLAGS)[number];

const CANONICAL = new Map<string, string>([...SYSTEM_FLAGS, '\\Recent'].map((f) => [f.toUpperCase(), f]));

/** The canonical spelling of a system flag, or the flag itself. */
export function canonicalFlag(flag: string): string {
  return CANONICAL.get(flag.toUpperCase()) ?? flag;
}

/** One flag of a flag-list or STORE (RFC 9051 §9 flag). */
export function parseFlag(s: Scanner): string {
  const backslash = s.tryChar('\\');
  const name = s.chars(isAtomChar, 'a flag');
  if (!backslash) return name;
  const flag = canonicalFlag(`\\${name}`);
  if (flag === '\\Recent') s.fail('\\Recent cannot be set');
  return flag;
}

/** RFC 9051 §9 flag-list. Duplicates are removed. */
export function parseFlagList(s: Scanner): string[] {
  return [...new Set(s.list(() => parseFlag(s), true))];
}
