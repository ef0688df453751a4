/**
 * Folders and messages ({@link MailStore}), their metadata and SEARCH text, deliveries, and message bodies ({@link
 * BlobStore}). Part of the store's interfaces, re-exported by src/store/types.ts.
 */

/** RFC 6154 special-use attributes. */
export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Junk' | '\\Trash' | '\\Archive' | '\\All' | '\\Flagged';

export interface Folder {
  id: number;
  mailboxId: number;
  /** Full hierarchical name with '/' as the separator; INBOX is always `INBOX`. */
  name: string;
  specialUse: SpecialUse | null;
  subscribed: boolean;
  /** RFC 3501 §2.3.1.1: changes whenever UIDs could be reused (recreated folder). */
  uidValidity: number;
  /** The UID the next message will get. UIDs are never reused. */
  uidNext: number;
  /** RFC 7162: highest mod-sequence of any change in this folder. */
  highestModSeq: number;
  /** UIDs at or above this have not been announced as \Recent to any session yet (RFC 3501 §2.3.2). */
  recentUid: number;
  createdAt: number;
}

export interface FolderStatus {
  messages: number;
  unseen: number;
  sizeBytes: number;
  uidNext: number;
  uidValidity: number;
  highestModSeq: number;
  recent: number;
}

/** What is known about a message at delivery; computed by mail/ code, stored as-is. */
export interface MessageMeta {
  size: number;
  /** Header fields IMAP ENVELOPE, webmail lists and threading need; absent fields are null. */
  subject: string | null;
  from: string | null;
  to: string | null;
  cc: string | null;
  date: number | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string | null;
  /**
   * What IMAP FETCH shows of the message (ENVELOPE and BODYSTRUCTURE), computed once at delivery; opaque JSON to
   * the store, null when not computed (then IMAP parses the message when asked). {@link MailStore.listEntries}
   * leaves it out (null); {@link MailStore.structures} reads it for the UIDs a FETCH needs.
   */
  structure: unknown;
  /** The message's searchable text, computed at delivery; indexed by the store, not returned. */
  text?: MessageText | null;
}

/**
 * The text IMAP SEARCH matches (RFC 9051 §6.4.4), already decoded (encoded words, transfer encodings, charsets)
 * and case-folded by the caller: every header field as `Name: value` lines, and the text parts' bodies.
 */
export interface MessageText {
  header: string;
  body: string;
}

/**
 * A condition on indexed text: a substring `needle` (folded like {@link MessageText}) in the header text, the
 * body text or either, combined with and/or. SQLite answers with FTS5 trigrams; PostgreSQL can use pg_trgm or
 * full-text search, as long as the answer never misses a match.
 */
export type TextQuery =
  | { kind: 'term'; field: 'header' | 'body' | 'any'; needle: string }
  | { kind: 'and' | 'or'; of: TextQuery[] };

export interface MessageEntry {
  folderId: number;
  uid: number;
  messageId: number;
  blobId: string;
  size: number;
  /** System flags (`\Seen`…) and keywords, sorted, no duplicates. */
  flags: string[];
  modSeq: number;
  /** RFC 3501 INTERNALDATE. */
  internalDate: number;
  meta: MessageMeta;
}

export interface DeliveryTarget {
  mailboxId: number;
  /** Folder name in that mailbox; falls back to INBOX if it does not exist. */
  folder: string;
  flags?: string[];
}

export interface NewQueueEntry {
  mailFrom: string;
  rcptTo: string;
  /** Envelope parameters kept for delivery and DSN (RFC 3461): RET, ENVID, NOTIFY, ORCPT, SMTPUTF8, BODY. */
  params: Record<string, string>;
  /** The submitting mailbox, so the sender can see delivery status (issue 8). */
  submitterId: number | null;
  nextAttemptAt: number;
}

export interface Delivery {
  /** Raw message bytes (CRLF line endings). */
  raw: Buffer;
  meta: MessageMeta;
  receivedAt: number;
  targets: DeliveryTarget[];
  queue: NewQueueEntry[];
}

export interface DeliveryResult {
  messageId: number;
  blobId: string;
  placed: Array<{ mailboxId: number; folderId: number; uid: number }>;
  queueIds: number[];
}

export type FlagMode = 'add' | 'remove' | 'replace';

export interface FlagChange {
  uid: number;
  flags: string[];
  modSeq: number;
}

export interface MailStore {
  listFolders(mailboxId: number): Promise<Folder[]>;
  getFolder(mailboxId: number, name: string): Promise<Folder | null>;
  getFolderById(folderId: number): Promise<Folder | null>;
  /** Creates a folder (refuses `exists`); a name that was deleted earlier gets a new UIDVALIDITY. */
  createFolder(mailboxId: number, name: string, specialUse?: SpecialUse | null): Promise<Folder>;
  /** Deletes a folder and its messages (refuses `inbox` for INBOX). */
  deleteFolder(folderId: number): Promise<void>;
  /** Renames a folder and its children (RFC 3501 §6.3.5; INBOX rename moves its messages to the new folder). */
  renameFolder(folderId: number, newName: string): Promise<void>;
  setSubscribed(mailboxId: number, name: string, subscribed: boolean): Promise<void>;
  folderStatus(folderId: number): Promise<FolderStatus>;

  /** One commit: the message stored once, placed in every target folder, queue entries created. */
  deliver(d: Delivery): Promise<DeliveryResult>;
  /** RFC 3501 §6.3.11 APPEND: one message into one folder; returns its UID. */
  append(folderId: number, raw: Buffer, meta: MessageMeta, flags: string[], internalDate: number): Promise<{ uid: number; modSeq: number }>;
  /** Entries by UID range (inclusive), ascending. */
  listEntries(folderId: number, range?: { fromUid?: number; toUid?: number; changedSince?: number }): Promise<MessageEntry[]>;
  getEntry(folderId: number, uid: number): Promise<MessageEntry | null>;
  /** RFC 4315 COPY: copies keep flags and INTERNALDATE; returns the UID mapping. */
  copy(fromFolderId: number, uids: number[], toFolderId: number): Promise<Array<{ from: number; to: number }>>;
  /** RFC 6851 MOVE: copy and expunge in one commit. */
  move(fromFolderId: number, uids: number[], toFolderId: number): Promise<Array<{ from: number; to: number }>>;
  /** RFC 3501 §6.4.6 STORE, with RFC 7162 UNCHANGEDSINCE: entries whose modseq is higher are reported in `failed`. */
  storeFlags(folderId: number, uids: number[], mode: FlagMode, flags: string[], unchangedSince?: number): Promise<{ changed: FlagChange[]; failed: number[] }>;
  /** RFC 3501 §6.4.3 EXPUNGE: removes entries flagged \Deleted (only among `uids` when given); returns the UIDs removed. */
  expunge(folderId: number, uids?: number[]): Promise<number[]>;
  /** RFC 7162 VANISHED: UIDs expunged after `modSeq`. */
  expungedSince(folderId: number, modSeq: number): Promise<number[]>;
  /** Removes the given entries whatever their flags (POP3 UPDATE, RFC 1939 §6); returns the UIDs removed. */
  deleteEntries(folderId: number, uids: number[]): Promise<number[]>;
  /** Marks UIDs below `uidNext` as announced \Recent; returns the first UID that is recent for the caller. */
  claimRecent(folderId: number): Promise<number>;
  /**
   * The UIDs of a folder whose text may match `query` (IMAP SEARCH's pre-filter): a superset that never misses a
   * match, messages stored without {@link MessageMeta.text} always included; null when the index cannot narrow
   * the query (e.g. a needle shorter than it can look up), so the caller scans every message.
   */
  searchText(folderId: number, query: TextQuery): Promise<number[] | null>;
  /** {@link MessageMeta.structure} of the given UIDs that have one, by UID. */
  structures(folderId: number, uids: number[]): Promise<Map<number, unknown>>;
  /**
   * The compact listing IMAP SELECT reads (issue 6): per entry only what the selected view keeps (UID, flags,
   * mod-sequence, INTERNALDATE), ascending by UID, without touching the messages' metadata; a 100,000-message
   * folder is one light read. Same range semantics as {@link listEntries}.
   */
  listCompactEntries(folderId: number, range?: { fromUid?: number; toUid?: number; changedSince?: number }): Promise<CompactEntry[]>;
  /** Where the given UIDs' octets are and how big they are, by UID; UIDs not in the folder are left out. */
  entryBlobs(folderId: number, uids: number[]): Promise<Map<number, EntryBlob>>;
  /**
   * {@link entryBlobs} with each message's top-level header section (BODY[HEADER] octets) where one is kept apart
   * (src/store/header-cache.ts; null for a message stored earlier, or with a bigger header: read its blob): what a
   * header listing needs, in one read.
   */
  headers(folderId: number, uids: number[]): Promise<Map<number, EntryHeader>>;
  /**
   * Messages with no header section decided yet (stored before SQLite migration 11 / PostgreSQL 4), internal id
   * above `afterMessageId`, ascending, at most `limit`: what the header backfill (src/imap/header-backfill.ts) reads.
   */
  headerlessMessages(afterMessageId: number, limit: number): Promise<HeaderlessMessage[]>;
  /**
   * Records the header sections the backfill cut (null: bigger than storeLimits.headerCacheOctets, read from the
   * blob); a message deleted meanwhile, or one that has its section already, is left alone.
   */
  keepHeaders(headers: ReadonlyArray<{ messageId: number; header: Buffer | null }>): Promise<void>;
}

/** {@link MailStore.headers}: where a message's octets are, and its kept header section. */
export interface EntryHeader extends EntryBlob {
  header: Buffer | null;
}

/** {@link MailStore.headerlessMessages}: a message and where its octets are. */
export interface HeaderlessMessage {
  messageId: number;
  blobId: string;
  size: number;
}

/** One entry as {@link MailStore.listCompactEntries} lists it. */
export interface CompactEntry {
  uid: number;
  /** As in {@link MessageEntry.flags}; entries with the same flags may share one (frozen) array. */
  flags: readonly string[];
  modSeq: number;
  internalDate: number;
}

/** {@link MailStore.entryBlobs}: the message's blob and its size (RFC822.SIZE). */
export interface EntryBlob {
  blobId: string;
  size: number;
}

export interface BlobStore {
  /** Stores bytes under their SHA-256; storing the same bytes twice keeps one copy. */
  put(raw: Buffer): Promise<string>;
  get(id: string): Promise<Buffer | null>;
  /** Up to `length` octets from `offset` (fewer at the end): one big message read in pieces. Null when no such blob. */
  read(id: string, offset: number, length: number): Promise<Buffer | null>;
  /**
   * Several whole bodies at once (ids that do not exist are left out): IMAP FETCH of a batch of small messages
   * reads them in one read transaction (SQLite) or one query (PostgreSQL) instead of one per message. The caller
   * bounds the total by the sizes it knows.
   */
  getMany(ids: readonly string[]): Promise<Map<string, Buffer>>;
}
