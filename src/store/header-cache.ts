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
