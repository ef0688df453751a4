/**
 * The per-mailbox event log, limiter counters, store locks and web sessions: records every node shares. Part of the
 * store's interfaces, re-exported by src/store/types.ts.
 */

export type Protocol = 'smtp' | 'submission' | 'imap' | 'pop3' | 'web' | 'cli';

export interface MailboxEvent {
  id?: number;
  mailboxId: number;
  at: number;
  protocol: Protocol;
  /** Local port the client connected to (0 for cli). */
  port: number;
  clientIp: string;
  tls: boolean;
  /** What the client calls itself: EHLO name, IMAP ID, User-Agent. */
  clientName: string | null;
  /** e.g. `auth`, `connect`, `app-password.added`. */
  kind: string;
  result: 'ok' | 'fail';
  /** Machine-readable reason, e.g. `bad-password`, `locked-out`, `plaintext-refused`. */
  reason: string | null;
}

export interface EventStore {
  recordEvent(e: MailboxEvent): Promise<void>;
  /** Newest first. */
  listEvents(mailboxId: number, limit: number): Promise<MailboxEvent[]>;
}

export interface CounterState {
  count: number;
  windowStart: number;
  lockedUntil: number;
}

/** Counters for the auth limiter and rate limits, shared by every node (records in the store). */
export interface CounterStore {
  getCounter(key: string): Promise<CounterState | null>;
  /** Atomically adds 1 within the window (restarting it when expired) and returns the new state. */
  hitCounter(key: string, now: number, windowMs: number): Promise<CounterState>;
  lockCounter(key: string, until: number): Promise<void>;
  clearCounter(key: string): Promise<void>;
}

/**
 * Exclusive locks with an expiry, shared by every node (PostgreSQL will use a table or advisory locks). A holder
 * that dies loses its lock when it expires; a live holder refreshes it.
 */
export interface LockStore {
  /** Takes the lock if it is free or expired; returns false when someone else holds it. */
  tryLock(key: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  /** Extends a lock the owner holds; false when it is no longer theirs. */
  refreshLock(key: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  unlock(key: string, owner: string): Promise<void>;
}

export interface WebSession {
  /** SHA-256 of the session token (the token itself is only in the cookie). */
  id: string;
  mailboxId: number;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
  data: Record<string, unknown>;
}

export interface SessionStore {
  putSession(s: WebSession): Promise<void>;
  getSession(id: string, now: number): Promise<WebSession | null>;
  deleteSession(id: string): Promise<void>;
  /** Ends every web session of a mailbox (a changed password signs out everywhere); returns how many. */
  deleteSessionsOf(mailboxId: number): Promise<number>;
}
