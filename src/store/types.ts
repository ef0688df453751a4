/**
 * The storage interfaces every Outpost component uses. SQLite implements them today (store/sqlite/), PostgreSQL
 * will implement them for several nodes (issue 13); one conformance suite (store/conformance/) runs against both.
 *
 * Rules (they keep later work from rewriting the store):
 * - Every operation that must be atomic is ONE method here; no begin/commit escapes the store.
 * - All methods are async, even where SQLite answers synchronously.
 * - Message bodies live behind {@link BlobStore}, stored once however many folders hold them.
 * - Folder changes are published on the {@link ChangeFeed} after they commit.
 * - Times are milliseconds since the epoch (numbers), supplied by the caller's injected clock where they matter.
 */

export type * from './types/accounts.js';
export type * from './types/mail.js';
export type * from './types/queue.js';
export type * from './types/sessions.js';
export type * from './types/certs.js';
export type * from './types/changes.js';
export type * from './types/webmail.js';
export type * from './types/store.js';
