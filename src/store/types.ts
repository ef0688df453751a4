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

// ---------------------------------------------------------------- accounts

export type Role = 'user' | 'admin';

export interface Domain {
  /** Lower-case ASCII (punycode) name. */
  name: string;
  /** Address of the mailbox that administers this domain; postmaster@ and abuse@ point here (RFC 2142). */
  adminAddress: string | null;
  /** Who may sign up at this domain on the web (issue 9): closed by default. */
  signupPolicy: 'closed' | 'invite' | 'open';
  createdAt: number;
}

export interface Subscriber {
  id: number;
  /** The address of the mailbox that holds the subscription. */
  holder: string;
  /** How many mailboxes the subscriber may have. */
  allowance: number;
  createdAt: number;
}

export interface Mailbox {
  id: number;
  /** Canonical lower-case address. */
  address: string;
  localPart: string;
  domain: string;
  subscriberId: number;
  role: Role;
  /** PHC-format password hash (argon2id). */
  passwordHash: string;
  /** Bytes; 0 = unlimited. */
  quotaBytes: number;
  /** Sum of the sizes of all messages in all of this mailbox's folders. */
  usedBytes: number;
  disabled: boolean;
  createdAt: number;
}

export interface NewMailbox {
  address: string;
  localPart: string;
  domain: string;
  role: Role;
  passwordHash: string;
  quotaBytes: number;
  /** Join this subscriber, or create a new one with this mailbox as holder and the given allowance. */
  subscriber: { existingId: number } | { newAllowance: number };
  /** Refuse (throw `allowance`) when the subscriber already has this many mailboxes or more. */
  enforceAllowance: boolean;
  /** Folders created with the mailbox (name + special-use attribute). */
  folders: ReadonlyArray<{ name: string; specialUse: SpecialUse | null }>;
  createdAt: number;
}

export interface Alias {
  address: string;
  targets: string[];
  /** True for postmaster@/abuse@, which follow the domain's admin. */
  system: boolean;
}

export interface AppPassword {
  id: number;
  mailboxId: number;
  name: string;
  /** SHA-256 of the generated secret (secrets are high-entropy, so a fast hash suffices). */
  secretHash: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A domain's DKIM signing key (RFC 6376); the public half is published at `selector._domainkey.domain`. */
export interface DkimKey {
  domain: string;
  selector: string;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
  /** PKCS#8 PEM. */
  privateKey: string;
  /** The base64 SPKI DER for the `p=` tag. */
  publicKey: string;
  /** Active keys sign outgoing mail; an inactive one stays published while it rotates out. */
  active: boolean;
  createdAt: number;
}

/** What a mailbox does with incoming mail besides filing it (forwarding, RFC 3834 vacation replies). */
export interface MailboxRules {
  mailboxId: number;
  /** Addresses every incoming message is forwarded to (local or remote); empty = no forwarding. */
  forwardTo: string[];
  /** Keep a copy in this mailbox when forwarding. */
  keepCopy: boolean;
  vacation: {
    enabled: boolean;
    subject: string;
    body: string;
    /** RFC 3834 §2: at most one reply per sender per this many days. */
    periodDays: number;
    /** Stop replying after this time (ms since the epoch), or null for no end. */
    until: number | null;
  };
}

export interface AccountStore {
  addDomain(d: Domain): Promise<void>;
  getDomain(name: string): Promise<Domain | null>;
  listDomains(): Promise<Domain[]>;
  updateDomain(name: string, change: Partial<Pick<Domain, 'adminAddress' | 'signupPolicy'>>): Promise<void>;
  /** Removes the domain, its aliases, and (only when `withMailboxes`) its mailboxes; else refuses `not-empty`. */
  removeDomain(name: string, withMailboxes: boolean): Promise<void>;

  getSubscriber(id: number): Promise<Subscriber | null>;
  getSubscriberByHolder(holder: string): Promise<Subscriber | null>;
  setAllowance(id: number, allowance: number): Promise<void>;
  countMailboxes(subscriberId: number): Promise<number>;

  /** Atomically: check the address is free (no mailbox, no alias), check the allowance, create subscriber, mailbox, folders. */
  createMailbox(m: NewMailbox): Promise<Mailbox>;
  getMailbox(address: string): Promise<Mailbox | null>;
  getMailboxById(id: number): Promise<Mailbox | null>;
  listMailboxes(filter?: { domain?: string; subscriberId?: number }): Promise<Mailbox[]>;
  updateMailbox(id: number, change: Partial<Pick<Mailbox, 'passwordHash' | 'quotaBytes' | 'role' | 'disabled'>>): Promise<void>;
  /** Removes the mailbox with its folders, messages, app passwords and events; a subscriber left empty goes too. */
  removeMailbox(id: number): Promise<void>;

  /** Adds targets to an alias (creating it); refuses `taken` if a mailbox has that address. */
  addAlias(address: string, targets: string[], system: boolean): Promise<void>;
  getAlias(address: string): Promise<Alias | null>;
  listAliases(domain?: string): Promise<Alias[]>;
  /** Removes one target, or the whole alias when `target` is omitted. */
  removeAlias(address: string, target?: string): Promise<void>;

  getMailboxRules(mailboxId: number): Promise<MailboxRules | null>;
  setMailboxRules(rules: MailboxRules): Promise<void>;
  /**
   * A server-wide setting created once (e.g. the SRS secret): returns the stored value, storing `value` first if the
   * key had none. Every node gets the same answer.
   */
  settingOnce(key: string, value: string): Promise<string>;

  /** Adds a DKIM key (refuses `exists` for a selector already used by the domain). */
  addDkimKey(k: DkimKey): Promise<void>;
  listDkimKeys(domain: string): Promise<DkimKey[]>;
  setDkimKeyActive(domain: string, selector: string, active: boolean): Promise<void>;

  addAppPassword(mailboxId: number, name: string, secretHash: string, createdAt: number): Promise<AppPassword>;
  listAppPasswords(mailboxId: number): Promise<AppPassword[]>;
  findAppPassword(mailboxId: number, secretHash: string): Promise<AppPassword | null>;
  touchAppPassword(id: number, at: number): Promise<void>;
  revokeAppPassword(mailboxId: number, name: string): Promise<boolean>;
}

// ---------------------------------------------------------------- folders and messages

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
}

// ---------------------------------------------------------------- outbound queue

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

// ---------------------------------------------------------------- events, limiter, sessions

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

// ---------------------------------------------------------------- certificates (issue 10)

/** Where a served certificate came from. */
export type CertificateSource = 'acme' | 'file';

/**
 * A certificate every node serves by SNI (RFC 6066 §3). `key` names the group it was ordered for (the first name);
 * the private key is PEM, possibly sealed by the caller (the store treats it as opaque text and never logs it).
 */
export interface StoredCertificate {
  key: string;
  names: string[];
  certPem: string;
  keyPem: string;
  source: CertificateSource;
  issuer: string;
  notBefore: number;
  notAfter: number;
  updatedAt: number;
}

/** The ACME account for one directory URL (RFC 8555 §7.3): its private key (opaque PEM) and account URL. */
export interface AcmeAccount {
  directoryUrl: string;
  keyPem: string;
  accountUrl: string | null;
  createdAt: number;
}

/**
 * A pending ACME challenge answer (RFC 8555 §8), so any node can answer it: for `http-01` the key is the token and
 * `value` the key authorization; for `tls-alpn-01` (RFC 8737) the key is the name and `value` the challenge
 * certificate and key as JSON.
 */
export interface AcmeChallenge {
  kind: 'http-01' | 'tls-alpn-01';
  key: string;
  value: string;
  expiresAt: number;
}

/** Renewal bookkeeping for one certificate group: failures drive the exponential backoff. */
export interface CertRenewalState {
  key: string;
  failures: number;
  nextAttemptAt: number;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
}

export interface CertStore {
  /** Inserts or replaces the certificate of a group. */
  putCertificate(c: StoredCertificate): Promise<void>;
  listCertificates(): Promise<StoredCertificate[]>;
  /** The newest `updatedAt` of any certificate (0 when none): a cheap "anything new?" for every node. */
  certificatesVersion(): Promise<number>;
  getAcmeAccount(directoryUrl: string): Promise<AcmeAccount | null>;
  putAcmeAccount(a: AcmeAccount): Promise<void>;
  putAcmeChallenge(c: AcmeChallenge): Promise<void>;
  /** The challenge if it exists and has not expired at `now`. */
  getAcmeChallenge(kind: AcmeChallenge['kind'], key: string, now: number): Promise<AcmeChallenge | null>;
  deleteAcmeChallenge(kind: AcmeChallenge['kind'], key: string): Promise<void>;
  getRenewalState(key: string): Promise<CertRenewalState | null>;
  putRenewalState(s: CertRenewalState): Promise<void>;
  listRenewalStates(): Promise<CertRenewalState[]>;
}

// ---------------------------------------------------------------- change feed

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

// ---------------------------------------------------------------- webmail preferences

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

// ---------------------------------------------------------------- webmail lists and uploads

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

// ---------------------------------------------------------------- the whole store

export interface Store
  extends AccountStore,
    MailStore,
    QueueStore,
    EventStore,
    CounterStore,
    SessionStore,
    LockStore,
    CertStore,
    WebmailPrefsStore,
    WebmailListStore,
    UploadStore {
  readonly blobs: BlobStore;
  readonly changes: ChangeFeed;
  /** Which implementation, for logs: `sqlite:/path` or `postgres://host/db`. */
  readonly description: string;
  close(): Promise<void>;
}

/** The store's own refusals; `code` is one of these. */
export type StoreErrorCode = 'taken' | 'allowance' | 'exists' | 'not-found' | 'not-empty' | 'inbox' | 'invalid';
