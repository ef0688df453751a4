/**
 * The outbound queue ({@link QueueStore}): entries, attempts, leases, settlements, the MTA-STS cache. Part of the
 * store's interfaces, re-exported by src/store/types.ts.
 */
import type { Delivery } from './mail.js';

export type QueueStatus = 'queued' | 'delivered' | 'bounced' | 'expired';

export interface QueueEntry {
  id: number;
  messageId: number;
  /** The body; null once the entry is finished and the message released. */
  blobId: string | null;
  mailFrom: string;
  rcptTo: string;
  /** Recipient domain, for per-destination concurrency. */
  domain: string;
  params: Record<string, string>;
  submitterId: number | null;
  status: QueueStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
  /** When a delay notice (RFC 3464 action=delayed) went to the sender; null if none yet. */
  delayNotifiedAt: number | null;
  /** An operator asked (`outpost queue bounce`) to give up and bounce at the next claim. */
  bounceRequested: boolean;
  createdAt: number;
  updatedAt: number;
}

/** One attempt's result for one queue entry, kept for `outpost queue show` and the sender's status page. */
export interface QueueAttempt {
  queueId: number;
  at: number;
  /** The host tried (`mx.example.net [192.0.2.1]:25`), null when no connection was made (e.g. DNS failure). */
  host: string | null;
  status: QueueStatus;
  /** The remote reply or the local reason. */
  reply: string | null;
}

/** The outcome of one attempt for one leased entry (see {@link QueueStore.settleAttempts}). */
export interface QueueOutcome {
  id: number;
  status: QueueStatus;
  /** For `queued`: when to try again. */
  nextAttemptAt?: number;
  error?: string | null;
  host?: string | null;
  /** Marks that a delay notice for this entry is part of this settlement. */
  delayNotified?: boolean;
}

export interface QueueSettlement {
  at: number;
  outcomes: QueueOutcome[];
  /** A notice (bounce or delay DSN) stored in the same commit: into local INBOXes and/or the queue. */
  notice?: Delivery;
}

export interface QueueStore {
  /**
   * Claims up to `limit` due entries (status queued, next attempt ≤ now, no live lease) as a lease that expires at
   * now + leaseMs. Two claimers never get the same entry while a lease is live (SKIP LOCKED on PostgreSQL).
   */
  claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<QueueEntry[]>;
  /**
   * Extends to now + leaseMs the leases `owner` still holds among `ids` (queued entries only): a live runner keeps
   * what it is delivering, a dead one's leases run out. Returns how many were extended.
   */
  renewLeases(owner: string, ids: number[], now: number, leaseMs: number): Promise<number>;
  /** Records an attempt's outcome; only the lease holder may (returns false otherwise). */
  finishAttempt(id: number, owner: string, outcome: { status: QueueStatus; nextAttemptAt?: number; error?: string | null; at: number }): Promise<boolean>;
  getQueueEntry(id: number): Promise<QueueEntry | null>;
  listQueue(filter?: { status?: QueueStatus; submitterId?: number }): Promise<QueueEntry[]>;
  /**
   * ONE commit for an attempt on several entries of one message: each outcome recorded (as {@link finishAttempt}
   * does, plus an attempt row), finished entries releasing the body, and the notice (bounce/delay DSN) delivered.
   * All or nothing: if any entry is not leased by `owner` any more, nothing changes and it returns false.
   */
  settleAttempts(owner: string, s: QueueSettlement): Promise<boolean>;
  /** Attempts of an entry, oldest first. */
  listQueueAttempts(id: number): Promise<QueueAttempt[]>;
  /** Makes a queued entry due now; false if it is not queued. */
  retryQueueEntry(id: number, now: number): Promise<boolean>;
  /** Asks for a queued entry to be bounced at its next claim (made due now); false if it is not queued. */
  requestBounce(id: number, now: number): Promise<boolean>;
  /** Removes an entry without a bounce (its body released if still held); false if there is none. */
  deleteQueueEntry(id: number): Promise<boolean>;
  /** RFC 8461 §5.1: the MTA-STS policy cached for a recipient domain (expired or not), or null. */
  getMtaStsPolicy(domain: string): Promise<MtaStsCacheEntry | null>;
  /** Caches (replacing any earlier one) a recipient domain's MTA-STS policy; shared by every node. */
  putMtaStsPolicy(p: MtaStsCacheEntry): Promise<void>;
}

/** A fetched MTA-STS policy (RFC 8461 §3.2) as cached, its text kept as served. */
export interface MtaStsCacheEntry {
  /** The recipient domain, lower-case A-label. */
  domain: string;
  /** The `id=` of the TXT record it was fetched for (RFC 8461 §3.1). */
  policyId: string;
  policy: string;
  fetchedAt: number;
  /** fetchedAt + max_age: after this the policy no longer applies unless fetched again. */
  expiresAt: number;
}
