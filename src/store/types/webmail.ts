/**
 * Webmail preferences, list pages and uploads. Part of the store's interfaces, re-exported by src/store/types.ts.
 */
import type { MessageEntry } from './mail.js';

/** A mailbox's webmail preferences (issue 11). */
export interface WebmailPrefs {
  /** The name shown beside the address in From; '' for none. */
  displayName: string;
  /** Appended to new messages below "-- " (RFC 3676 §4.3); '' for none. */
  signature: string;
  /** Lower-case sender addresses whose remote images the user chose to show. */
  trustedSenders: string[];
}

export interface WebmailPrefsStore {
  getWebmailPrefs(mailboxId: number): Promise<WebmailPrefs | null>;
  /** Replaces the mailbox's preferences (refuses `not-found` for an unknown mailbox). */
  setWebmailPrefs(mailboxId: number, prefs: WebmailPrefs): Promise<void>;
}


/** Orders of the webmail's list: arrival (UID), RFC 5256 §2.2 sent date, sender, §2.1 base subject, size. */
export type ListOrder = 'arrival' | 'date' | 'from' | 'subject' | 'size';

/**
 * Metadata conditions of a webmail search, all of which must hold. Text conditions are substrings of the stored
 * (decoded) header values, compared without regard to ASCII case; dates are on the internal date.
 */
export interface EntryFilter {
  from?: string | undefined;
  /** In To or Cc. */
  to?: string | undefined;
  subject?: string | undefined;
  /** internalDate >= since (ms). */
  since?: number | undefined;
  /** internalDate < before (ms). */
  before?: number | undefined;
  /**
   * Only entries whose stored structure ({@link MessageMeta.structure}) shows an attachment
   * ({@link import('../mail/sort-keys.js').structureHasAttachment}), plus those stored without one (the caller checks them).
   */
  attachments?: boolean | undefined;
  /** Only these UIDs (e.g. candidates from {@link MailStore.searchText}). */
  uids?: number[] | undefined;
}

export interface WebmailListStore {
  /**
   * A page of a folder's entries in `order` (ties by UID, the whole reversed when `reverse`), from the folder's
   * indexed sort keys ({@link import('../mail/sort-keys.js').sortKeysOf}); entries without keys get them first.
   */
  sortedEntries(folderId: number, q: { order: ListOrder; reverse: boolean; offset: number; limit: number }): Promise<MessageEntry[]>;
  /** Newest first (UID descending): up to `limit` entries below `beforeUid` matching `filter`, over the whole folder. */
  filterEntries(folderId: number, filter: EntryFilter, page: { beforeUid?: number | undefined; limit: number }): Promise<MessageEntry[]>;
}

export interface UploadStore {
  /**
   * Records a webmail upload of `blobId` (the bytes already in the {@link BlobStore}) for the mailbox, or refreshes
   * the time of one already recorded; refuses `allowance` when the mailbox's recorded uploads would then exceed
   * `maxBytes`.
   */
  addUpload(mailboxId: number, blobId: string, size: number, at: number, maxBytes: number): Promise<void>;
  /** Refreshes the time of the mailbox's uploads among `blobIds` (a draft still names them). */
  touchUploads(mailboxId: number, blobIds: string[], at: number): Promise<void>;
  /** Forgets the mailbox's uploads among `blobIds` (sent: the message now holds the bytes). */
  removeUploads(mailboxId: number, blobIds: string[]): Promise<void>;
  /** Forgets uploads recorded before `before`; a blob goes with them when no message and no other upload holds it. */
  expireUploads(before: number): Promise<number>;
  /** Bytes of the mailbox's recorded uploads. */
  uploadBytes(mailboxId: number): Promise<number>;
}
