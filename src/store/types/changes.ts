/**
 * Folder changes published after commit ({@link ChangeFeed}): IMAP IDLE, webmail live updates. Part of the store's
 * interfaces, re-exported by src/store/types.ts.
 */

export type FolderChange =
  | { kind: 'exists'; mailboxId: number; folderId: number; uids: number[]; modSeq: number }
  | { kind: 'expunge'; mailboxId: number; folderId: number; uids: number[]; modSeq: number }
  | { kind: 'flags'; mailboxId: number; folderId: number; uids: number[]; modSeq: number }
  | { kind: 'folders'; mailboxId: number };

/** Folder/UID/modseq events for IMAP IDLE and webmail live updates: in-process for SQLite, LISTEN/NOTIFY on PostgreSQL. */
export interface ChangeFeed {
  publish(change: FolderChange): void;
  /** Returns an unsubscribe function. */
  subscribe(mailboxId: number, listener: (change: FolderChange) => void): () => void;
}
