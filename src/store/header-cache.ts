/**
 * Which header section a store keeps apart from a message's body (SQLite migration 11, PostgreSQL 4): the top-level
 * header section, the empty line after it included, when at most storeLimits.headerCacheOctets. IMAP answers
 * BODY[HEADER], BODY[HEADER.FIELDS (…)] and RFC822.HEADER from it without reading the message
 * (MailStore.headers); a message without one is read from its blob as before.
 */
import { storeLimits } from '../lib/limits.js';
import { headerSection } from '../mail/mime/parse.js';

export function keptHeader(raw: Buffer): Buffer | null {
  const header = headerSection(raw);
  return header.length <= storeLimits.headerCacheOctets ? header : null;
}

/**
 * {@link keptHeader} from the first octets of a message of `size` octets (the backfill reads no more than
 * storeLimits.headerCacheOctets + 4 of each): a section that runs to the end of an incomplete prefix is longer
 * than the prefix, so too big to keep.
 */
export function keptHeaderOfPrefix(prefix: Buffer, size: number): Buffer | null {
  const header = headerSection(prefix);
  if (prefix.length < size && header.length === prefix.length) return null;
  return header.length <= storeLimits.headerCacheOctets ? header : null;
}

/** How much of a message {@link keptHeaderOfPrefix} needs: the largest kept section and its empty line's CRLF CRLF. */
export const HEADER_PREFIX_OCTETS = storeLimits.headerCacheOctets + 4;
