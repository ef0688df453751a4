/**
 * Flag normalisation shared by every store implementation.
 * RFC 3501 §2.3.2 / RFC 9051 §2.3.2: system flags begin with a backslash and are matched case-insensitively;
 * keywords are atoms, compared case-insensitively here too (as Dovecot and Cyrus do), keeping the first spelling.
 */
const SYSTEM_FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'] as const;
const SYSTEM_BY_LOWER = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));

/** Canonical spelling, sorted, without duplicates. Unknown backslash flags (e.g. `\Recent`) are dropped: never stored. */
export function normaliseFlags(flags: Iterable<string>): string[] {
  const seen = new Map<string, string>();
  for (const f of flags) {
    const lower = f.toLowerCase();
    if (f.startsWith('\\')) {
      const sys = SYSTEM_BY_LOWER.get(lower);
      if (sys) seen.set(lower, sys);
    } else if (f.length > 0 && !seen.has(lower)) {
      seen.set(lower, f);
    }
  }
  return [...seen.values()].sort();
}

export function applyFlags(current: string[], mode: 'add' | 'remove' | 'replace', change: string[]): string[] {
  if (mode === 'replace') return normaliseFlags(change);
  if (mode === 'add') return normaliseFlags([...current, ...change]);
  const drop = new Set(change.map((f) => f.toLowerCase()));
  return normaliseFlags(current.filter((f) => !drop.has(f.toLowerCase())));
}

export const sameFlags = (a: string[], b: string[]): boolean => a.length === b.length && a.every((f, i) => f === b[i]);

export const encodeFlags = (flags: string[]): string => flags.join(' ');
export const decodeFlags = (s: string): string[] => (s === '' ? [] : s.split(' '));

/** Decodes stored flags, one shared frozen array per distinct stored value (a folder has a handful of flag sets). */
export function flagsInterner(): (stored: string) => readonly string[] {
  const known = new Map<string, readonly string[]>();
  return (stored) => {
    let flags = known.get(stored);
    if (flags === undefined) known.set(stored, (flags = Object.freeze(decodeFlags(stored))));
    return flags;
  };
}
