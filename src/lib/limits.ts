/**
 * Every limit Outpost enforces, in one place, each with the reason for its number.
 * Servers import from here; nothing else hard-codes a limit. Configurable limits take their default from here.
 */

export const accountLimits = {
  /** RFC 5321 §4.5.3.1.1: a local part is at most 64 octets. */
  localPartMaxOctets: 64,
  /** RFC 5321 §4.5.3.1.2: a domain is at most 255 octets; RFC 1035 §2.3.4 labels at most 63. */
  domainMaxOctets: 255,
  domainLabelMaxOctets: 63,
  /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets, so an address ≤ 254. */
  addressMaxOctets: 254,
  /** NIST SP 800-63B asks for at least 8; we ask 10 because mail passwords are attacked online all day. */
  passwordMinLength: 10,
  /** Argon2 input beyond this is pointless and an easy CPU exhaustion vector. */
  passwordMaxLength: 256,
  /** The number of included mailboxes a new subscriber gets (the provider's usual offer). */
  defaultAllowance: 5,
  /** Default quota per mailbox: 1 GiB, what small providers commonly include. 0 means unlimited. */
  defaultQuotaBytes: 1024 * 1024 * 1024,
  /** App passwords per mailbox: one per device is plenty; every sign-in may check them. */
  appPasswordsPerMailbox: 50,
  /** Targets per alias: an alias is not a mailing list. */
  aliasTargetsMax: 50,
} as const;

/**
 * The brute-force limiter shared by SMTP, IMAP, POP3 and the web (src/auth/limiter.ts).
 * Failures are counted in a sliding window; a success clears the (mailbox, IP) counter.
 */
export const authLimits = {
  /** Window in which failures are counted. 15 minutes is long enough to stop guessing, short enough to forgive. */
  windowMs: 15 * 60 * 1000,
  /** Failures per mailbox (from anywhere) before each further attempt is slowed down. */
  mailboxSlowAfter: 3,
  /** Delay added per failure beyond `mailboxSlowAfter`, doubling, capped at `mailboxMaxDelayMs`. */
  mailboxBaseDelayMs: 250,
  /** Cap on the slowdown: long enough to make guessing slow, short enough for a real user to get in. */
  mailboxMaxDelayMs: 8_000,
  /** Failures for one (mailbox, client IP) before that pair is locked out. Ten typos is not a user. */
  pairLockAfter: 10,
  /** Failures from one client IP (across all mailboxes) before the IP is locked out: credential stuffing. */
  ipLockAfter: 50,
  /** How long a lockout lasts. */
  lockoutMs: 15 * 60 * 1000,
} as const;

/** Per-mailbox event log (src/store, `events`): how much history the support view keeps. */
export const eventLogLimits = {
  /** Events kept per mailbox; older ones are pruned on insert. Enough for weeks of a busy phone. */
  perMailboxMax: 2_000,
  /** Client-supplied names (EHLO, IMAP ID, User-Agent) are truncated to this many characters. */
  clientNameMaxChars: 200,
} as const;

/**
 * SMTP (src/protocol/smtp and the servers in src/smtp). Octet counts follow RFC 5321 §4.5.3.1 and include the
 * CRLF, as the RFC counts them; the line reader subtracts the two octets itself.
 */
export const smtpLimits = {
  /**
   * RFC 5321 §4.5.3.1.4 sets 512 octets for a command line, but extensions lengthen MAIL and RCPT (SIZE, DSN's
   * ENVID/ORCPT up to 500 characters, AUTH=, SMTPUTF8: RFC 1870, RFC 3461 §4, RFC 4954 §5, RFC 6531 §3.1 item 5)
   * and §4.5.3.1 itself asks servers to accept longer lines where they can. 4096 is generous and still cheap.
   */
  commandLineMaxOctets: 4096,
  /** RFC 4954 §4: 12288 octets is "sufficient ... for deployed authentication mechanisms" (AUTH line and responses). */
  authLineMaxOctets: 12288,
  /** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets including the reply code and CRLF. */
  replyLineMaxOctets: 512,
  /** RFC 5321 §4.5.3.1.6: a line of message text is at most 1000 octets including CRLF. */
  textLineMaxOctets: 1000,
  /** RFC 5321 §4.5.3.1.3: a reverse-path or forward-path is at most 256 octets including the angle brackets. */
  pathMaxOctets: 256,
  /**
   * Default maximum message size (advertised with SIZE, RFC 1870). The common 25 MB attachment limit grows by a
   * third in base64 (≈ 34 MB); 50 MiB leaves room for that plus headers and still bounds a spool file.
   */
  maxMessageOctets: 50 * 1024 * 1024,
  /**
   * RFC 5321 §4.5.3.1.8: a server must accept at least 100 recipients per transaction; beyond our limit the
   * client gets 452 4.5.3 and, per §4.5.3.1.10, sends the rest in another transaction. Submission is not a list server.
   */
  recipientsPerMessage: 100,
  /**
   * Syntax errors and refused commands before we hang up (421). A real client makes one or two mistakes; port
   * scanners, HTTP clients and brute-forcers make many. Postfix uses 20 as its hard limit; we are stricter.
   */
  badCommandsBeforeDisconnect: 10,
  /** RFC 3461 §4.4: an ENVID value is at most 100 characters. */
  envidMaxChars: 100,
  /** RFC 3461 §4.2: an ORCPT value is at most 500 characters. */
  orcptMaxChars: 500,
} as const;

/** SASL (src/protocol/sasl), shared by SMTP AUTH, IMAP AUTHENTICATE and POP3 AUTH. */
export const saslLimits = {
  /** RFC 4954 §4: 12288 octets of base64 per client response covers every deployed mechanism. */
  responseMaxOctets: 12288,
  /**
   * RFC 4616 §2: authzid, authcid and passwd must each be accepted up to 255 octets. We accept up to 1024 so
   * long app passwords and tokens fit, and refuse more before any password check runs.
   */
  fieldMaxOctets: 1024,
} as const;

/**
 * The SMTP servers (src/smtp): defaults for the `[smtp]` section of outpost.toml and the fixed limits beside them.
 */
export const smtpServerLimits = {
  /**
   * RFC 5321 §4.5.3.2.7: a server should wait at least 5 minutes for the next command. Idle sessions beyond that
   * hold a socket and a file descriptor for nothing.
   */
  idleTimeoutMs: 5 * 60 * 1000,
  /** A whole session, however busy: long enough for a 50 MiB message over a slow link, short enough to end slowlorises. */
  sessionTimeoutMs: 30 * 60 * 1000,
  /** RFC 5321 §4.5.3.2.6: the server waits 10 minutes after the end of DATA; we need far less, but never hang. */
  dataTimeoutMs: 10 * 60 * 1000,
  /** Concurrent connections from one client IP: a busy NAT'd office needs a few, a spammer wants hundreds. */
  connectionsPerIp: 20,
  /**
   * Received headers before we call it a loop (RFC 5321 §6.3: 554 5.4.6). Postfix's hopcount_limit is 50; real
   * paths have fewer than 20.
   */
  maxReceivedHeaders: 50,
  /** Messages per mailbox per hour over submission: a person writes far fewer; a stolen password sends far more. */
  messagesPerHour: 200,
  /** Recipients per mailbox per day over submission (Gmail's consumer limit is 500; small providers go lower). */
  recipientsPerDay: 1000,
  /** Messages per hour relayed without a password for one client IP of a trusted network (the provider model). */
  trustedRelayPerHour: 300,
  /** Default pre-greeting wait: 0, because one message per connection is common and the greeting must be immediate. */
  greetingDelayMs: 0,
  /** The most a configured greeting delay may be: RFC 5321 §4.5.3.2.1 clients wait 5 minutes for it; we keep well under. */
  greetingDelayMaxMs: 30_000,
  /** After a store "disk full" error, MAIL is answered 452 4.3.1 for this long before trying the store again. */
  storageFullBackoffMs: 2_000,
  /** Free bytes below which MAIL is refused with 452 4.3.1 even before the store fails (one message must fit). */
  minFreeDiskBytes: 16 * 1024 * 1024,
  /** Alias expansion depth: an alias may point at an alias, but a loop must end. */
  aliasDepthMax: 5,
  /** How long a graceful stop lets a session finish its current message before the 421. */
  drainGraceMs: 4_000,
} as const;

/**
 * IMAP (src/protocol/imap and the server in src/imap). Octet counts include the CRLF where a line is meant.
 * RFC 9051 §4 and RFC 7162 §4 say servers should accept command lines of at least 8192 octets; real clients send
 * far longer UID sets, so our numbers are generous, and each bounds the memory one session can make us hold.
 */
export const imapLimits = {
  /**
   * One line of a command (up to a literal or the CRLF). RFC 7162 §4 asks for at least 8192 octets; Thunderbird
   * and mbsync send UID sets of tens of kilobytes. Dovecot's imap_max_line_length is 64 KiB; so is ours.
   */
  lineMaxOctets: 64 * 1024,
  /**
   * Every line and non-message literal of one command together (a command may be many lines joined by
   * literals). Four full lines: enough for any real SEARCH, small enough that 1,000 sessions cannot exhaust memory.
   */
  commandMaxOctets: 256 * 1024,
  /**
   * One literal outside APPEND (a password, a mailbox name, a SEARCH string). Nobody types a 64 KiB search string.
   * Larger synchronising literals are refused before the continuation (RFC 7888 §4, RFC 9051 §7.1.4 TOOBIG).
   */
  literalMaxOctets: 64 * 1024,
  /**
   * One message literal in APPEND: the SMTP message size limit (smtpLimits.maxMessageOctets) plus headroom for the
   * Received and authentication headers that delivery adds, so every message we accept by SMTP can be appended.
   */
  appendLiteralMaxOctets: 51 * 1024 * 1024,
  /**
   * All literals of one APPEND together (MULTIAPPEND, RFC 3502): literals are held in memory until the command
   * is complete, so a session may hold at most this much. Two maximal messages; clients append one at a time.
   */
  appendCommandMaxOctets: 102 * 1024 * 1024,
  /** RFC 7888 §4: LITERAL- allows non-synchronising literals of at most 4096 octets. */
  literalMinusMaxOctets: 4096,
  /**
   * A refused non-synchronising literal must still be read (the client sends it without waiting). Up to this
   * many octets are read and dropped so the session can go on; beyond, the server hangs up (Dovecot always does).
   */
  literalDiscardMaxOctets: 1024 * 1024,
  /** Literals in one command: MULTIAPPEND of 1,000 messages is already absurd; every literal costs a round trip. */
  literalsPerCommandMax: 1000,
  /**
   * Parenthesis nesting in SEARCH keys, fetch section lists and the like. The parsers recurse; deep nesting is
   * only ever an attack (a stack overflow or quadratic evaluation). No client nests 20 levels of OR/NOT/().
   */
  nestingMaxDepth: 32,
  /**
   * Comma-separated ranges in one sequence set. Clients compress UID sets into ranges; 10,000 pieces covers a
   * folder of scattered messages while keeping set operations cheap.
   */
  sequenceSetMaxRanges: 10_000,
  /** Search keys in one SEARCH program (all levels): bounds evaluation cost per message. */
  searchKeysMax: 1000,
  /** Items in one FETCH attribute list (BODY[...] sections included); clients ask for about ten. */
  fetchItemsMax: 100,
  /** RFC 2971 §3.3: ID has at most 30 field-value pairs, fields of at most 30 octets, values of at most 1024. */
  idPairsMax: 30,
  idFieldMaxOctets: 30,
  idValueMaxOctets: 1024,
  /**
   * A mailbox name, decoded to UTF-8. RFC 9051 says nothing; Dovecot allows 255 per path segment. One KiB of a
   * full path leaves room for deep folders and is far below anything a file system or index would choke on.
   */
  mailboxNameMaxOctets: 1024,
  /** Path segments in a mailbox name (delimiter '/'): real folder trees are under ten deep. */
  mailboxNameMaxDepth: 32,
  /** Commands parsed ahead of the one being executed (pipelining): the server stops reading past this. */
  pipelinedCommandsMax: 64,
  /** Octets read but not yet parsed before the server stops reading the socket (backpressure). */
  bufferedMaxOctets: 1024 * 1024,
  /**
   * Bad commands (BAD) in one session before the server says BYE. Clients make a few mistakes; a scanner or an
   * HTTP client talking to port 143 makes many. Dovecot's default is 20; we are stricter, as for SMTP.
   */
  badCommandsBeforeDisconnect: 10,
  /** Header field names in BODY[HEADER.FIELDS (...)]: a client asks for about twenty. */
  headerFieldsMax: 100,
  /** Literals longer than this are used in responses instead of quoted strings, even for plain ASCII text. */
  quotedStringMaxOctets: 1024,
} as const;

/** POP3 (src/pop3, src/protocol/pop3). */
export const pop3Limits = {
  /** RFC 2449 §4: a command line is at most 255 octets including CRLF; AUTH responses need more (RFC 5034 §4). */
  commandLineOctets: 255,
  /** A SASL response line (base64 of authzid, user and password): generous, like the SMTP AUTH line. */
  authLineOctets: 12_288,
  /** RFC 1939 §3: an inactivity autologout timer of at least 10 minutes. */
  idleTimeoutMs: 10 * 60 * 1000,
  /** A whole session: long downloads of big maildrops are fine, a session parked for ever is not. */
  sessionMaxMs: 4 * 60 * 60 * 1000,
  /** Commands per session: a real client needs a few per message; this bounds a runaway loop. */
  commandsPerSession: 100_000,
  /** Failed sign-ins in one connection before it is closed (the shared limiter still counts every one). */
  authFailuresPerConnection: 3,
  /** Unknown or malformed commands before the connection is closed. */
  badCommandsPerConnection: 10,
  /** The maildrop lock: refreshed on every command, lost if a crashed node stops refreshing it. */
  lockTtlMs: 15 * 60 * 1000,
  /** Message numbers are 1..count; anything past this is refused before arithmetic (RETR 4294967296). */
  maxMessageNumber: 2 ** 31 - 1,
} as const;

/** The IMAP server (src/imap): timers and per-session bounds; the protocol layer's limits are in imapLimits. */
export const imapServerLimits = {
  /** RFC 9051 §5.4: an autologout timer for an authenticated session must be at least 30 minutes. */
  idleTimeoutMs: 30 * 60 * 1000,
  /** Before sign-in nobody needs long to type LOGIN: a minute, as Dovecot, frees sockets held by scanners. */
  preAuthTimeoutMs: 60 * 1000,
  /**
   * RFC 2177 §3: clients re-issue IDLE at least every 29 minutes; an IDLE may last a little longer than the
   * autologout timer before we end it with BYE.
   */
  idleCommandMaxMs: 31 * 60 * 1000,
  /** A whole session: phones keep one for hours; a day bounds a forgotten one (the client just reconnects). */
  sessionMaxMs: 24 * 60 * 60 * 1000,
  /** Failed sign-ins in one connection before it is closed (the shared limiter still counts every one). */
  authFailuresPerConnection: 3,
  /** A SASL response line during AUTHENTICATE (base64 of authzid, user and password), as for SMTP and POP3. */
  authLineOctets: 12_288,
  /**
   * How often a signed-in session checks again that its credential still holds (src/imap/credential.ts, RFC 5530
   * EXPIRED): a revoked app password or changed password ends the session at its first command a minute later at
   * most; checking on every command would cost a store round trip each (one to PostgreSQL per NOOP).
   */
  credentialRecheckMs: 60 * 1000,
  /** Folders in one mailbox: people file mail in dozens, archivers in hundreds; every LIST reads them all. */
  foldersPerMailboxMax: 1000,
  /** Message octets held by one command's cache while FETCH or SEARCH reads messages several times. */
  messageCacheOctets: 16 * 1024 * 1024,
  /**
   * FETCH responses without message text (FLAGS, UID, ENVELOPE...) written in one go: one socket write per batch
   * instead of per message; 256 ENVELOPE/BODYSTRUCTURE responses stay well under a megabyte.
   */
  fetchBatchResponses: 256,
  /**
   * FETCH responses that carry message text (BODY[HEADER.FIELDS ...], small bodies) are gathered up to this many
   * octets per socket write: a client listing a folder asks for 100s of header sections, and one TLS write per
   * message was most of that FETCH's cost (bench/imap-dovecot (c)). A streamed body is never held behind others.
   */
  fetchBatchOctets: 64 * 1024,
  /**
   * Bodies FETCH reads ahead for one batch of messages (one store call instead of one per message, which was half
   * of a header-listing FETCH's time): 4 MiB holds 256 ordinary messages and bounds a command's memory.
   */
  fetchPrefetchOctets: 4 * 1024 * 1024,
  /** Write-buffer octets beyond which FETCH waits for the socket to drain (backpressure on slow clients). */
  writeHighWaterOctets: 256 * 1024,
  /**
   * Blob ids and sizes the selected view reads from the store in one query when a command first needs them
   * (SELECT lists only UIDs, flags, modseqs and dates): one round trip per thousand messages, a few tens of KiB.
   */
  viewBlobBatch: 1000,
  /**
   * The header backfill (src/imap/header-backfill.ts) keeps the header sections of messages stored before they
   * were kept, this many messages per batch with a pause between batches: each batch reads ~32 KiB of each
   * message at most, a few milliseconds of work, so sessions are never held up behind it.
   */
  headerBackfillBatch: 200,
  headerBackfillPauseMs: 20,
} as const;

/** The web server (src/http): sign-up, sign-in, settings pages, discovery endpoints. */
export const httpLimits = {
  /** Autodiscover POX requests are a few hundred bytes; 4 KB leaves room and keeps the parser's work tiny. */
  autodiscoverBodyBytes: 4096,
  /** Forms (sign-up, password change) hold a few short fields. */
  formBodyBytes: 16 * 1024,
  /** A web session lasts a working day; signing in again once a day is a fair price for a stolen cookie expiring. */
  sessionTtlMs: 12 * 60 * 60 * 1000,
  /** Open sign-up: accounts created per client IP per window, so one host cannot mint thousands of mailboxes. */
  signupsPerIp: 5,
  signupWindowMs: 60 * 60 * 1000,
  /** Sign-up attempts (refused or not) per client IP per window: enough for typos, too few to enumerate names. */
  signupAttemptsPerIp: 30,
  /** The one-time profile link (QR code) works this long: enough to pick up the phone, short enough if leaked. */
  profileLinkTtlMs: 10 * 60 * 1000,
  /** Idle HTTP keep-alive connections are closed after this. */
  keepAliveTimeoutMs: 5_000,
  /** A request's headers must arrive within this (slowloris). */
  headersTimeoutMs: 15_000,
  /** Events shown on the account page. */
  accountEvents: 50,
} as const;

/** Concurrent IMAP connections (src/imap/connection-limit.ts), counted across the imap and imaps listeners. */
export const imapConnectionLimits = {
  /**
   * Signed-in connections per (mailbox, client IP), as Dovecot's mail_max_userip_connections (default 10): a
   * desktop client opens 5 or so, a household behind one NAT several clients; a runaway or hostile one no more.
   */
  perUserIp: 10,
} as const;

/** The PostgreSQL store (src/store/pg). */
export const pgStoreLimits = {
  /**
   * Connections per node. Each open transaction holds one; IMAP IDLE holds none (the change feed has its own
   * LISTEN connection). 10 per node keeps 10 nodes under PostgreSQL's default max_connections of 100.
   */
  poolSize: 10,
  /** A transaction that deadlocks or fails serialisation is retried this many times before the error surfaces. */
  txRetries: 5,
  /** NOTIFY payloads must stay under PostgreSQL's 8000-byte limit; larger UID lists are split. */
  notifyPayloadBytes: 7000,
  /** How long to wait before re-opening a lost LISTEN connection. */
  listenReconnectMs: 1000,
  /** A node waits this long for a free connection before the operation fails as temporary (SMTP 4xx). */
  connectTimeoutMs: 10_000,
} as const;

/** The network doctor (`outpost doctor`), the server check (`outpost check`) and the echo address (issue 12). */
export const doctorLimits = {
  /** One TCP connect: a blocked port usually drops packets silently, so the doctor must not wait long for it. */
  connectTimeoutMs: 4_000,
  /** One reply or TLS handshake on an open port: a live server answers in milliseconds; a proxy may stall. */
  replyTimeoutMs: 8_000,
  /** Sending the test message and waiting for it in INBOX: local delivery is immediate, spam checks take seconds. */
  roundTripTimeoutMs: 30_000,
  /** How often the mailbox is looked at while waiting for the test message. */
  pollIntervalMs: 250,
  /** A certificate expiring sooner than this is a warning (ACME renews at 30 days left). */
  certWarnDays: 14,
  /** The autoconfig document read: a real one is ~2 KB. */
  autoconfigMaxBytes: 64 * 1024,
  /** Echo replies per sender per hour (RFC 3834 §2: never a flood of automatic replies). */
  echoRepliesPerHour: 5,
  /** The echo report quotes at most this many Received headers. */
  echoReceivedMax: 20,
  /** A web self-test token stays valid this long. */
  selfTestTtlMs: 30 * 60 * 1000,
} as const;

/** Operations: health, backups, import and export (issue 14). */
export const opsLimits = {
  /** `/readyz` fails when the store does not answer a read within this: a supervisor must not wait on a hung disk. */
  readinessStoreTimeoutMs: 2_000,
  /** Messages `outpost import` commits in one transaction (one fsync): fast, yet a batch never holds the write lock long. */
  importBatchMessages: 200,
  /** …or fewer when they are large: the bytes of one batch held in memory at once. */
  importBatchBytes: 32 * 1024 * 1024,
  /** One imported message: the same as the largest message SMTP accepts by default would be too small for old archives. */
  importMessageMaxBytes: 100 * 1024 * 1024,
  /** Progress on a non-terminal is printed every this many messages (a terminal gets a redrawn bar). */
  progressEveryMessages: 500,
} as const;

/** The webmail's JSON API (src/webmail). */
export const webmailLimits = {
  /** Messages per list page: a screenful and a half on a desktop, and a small answer on a phone. */
  pageSize: 50,
  /** The largest page a client may ask for (a select-all on one page); more would make one answer slow. */
  maxPageSize: 200,
  /** A JSON request (a message being written, with its recipients) may hold this much text. */
  jsonBodyBytes: 2 * 1024 * 1024,
  /** One uploaded attachment: below the usual 25 MB message size limits of other providers once base64-encoded. */
  uploadBytes: 18 * 1024 * 1024,
  /**
   * Uploads per mailbox per hour: uploads wait in the blob store until sent (not counted in the quota until then),
   * so a runaway page or a stolen session must not be able to fill the disk; a busy person attaches far fewer.
   */
  uploadsPerHour: 300,
  /**
   * Bytes of uploads a mailbox may have waiting to be sent: four messages' worth of attachments (several drafts at
   * once), so unsent uploads, which sit outside the quota, can never grow without bound.
   */
  uploadsPendingBytes: 4 * 24 * 1024 * 1024,
  /**
   * An upload not sent, and not named by a draft saved since, is deleted after this: a day covers writing a message
   * over an evening (each draft save, every few seconds while typing, keeps its uploads).
   */
  uploadKeepMs: 24 * 3600_000,
  /** How often each node sweeps expired uploads (the sweep is idempotent, so several nodes may run it). */
  uploadSweepMs: 15 * 60_000,
  /** Entries given their sort keys in one write transaction: short enough never to hold the writer long. */
  sortKeyBatch: 2_000,
  /** Attachments of one message, together (base64 adds a third: still under 35 MB on the wire). */
  attachmentsBytes: 24 * 1024 * 1024,
  /** Recipients (to + cc + bcc) of one message written in the webmail. */
  recipients: 100,
  /** Messages read to fill a search answer: a search beyond this asks the user to narrow it. */
  searchScanMax: 20_000,
  /** Search answers at most this many messages. */
  searchResultsMax: 500,
  /** Entries a metadata search asks the store for at a time (newest first) while it fills its answer. */
  searchPage: 1_000,
  /** An HTML body larger than this is shown as text only: sanitising megabytes of markup would stall the server. */
  htmlBytes: 2 * 1024 * 1024,
  /** Address suggestions: the recent messages in Sent and INBOX looked at, and how many suggestions are answered. */
  suggestionScan: 2_000,
  suggestions: 10,
  /** Senders whose remote images the user allowed (per mailbox). */
  trustedSenders: 500,
  /** The live-update stream sends a comment this often so proxies and the browser keep it open. */
  sseKeepAliveMs: 25_000,
  /** Live-update streams per mailbox in this process (tabs left open); the oldest is closed beyond it. */
  sseStreamsPerMailbox: 10,
  /** Signature and display name lengths. */
  signatureChars: 2_000,
  displayNameChars: 100,
  /** Messages of a conversation shown together. */
  conversationMax: 100,
  /**
   * A conversation is looked for among this many of the newest messages of the folder and of Sent: replies are
   * recent, and reading a 100,000-message folder's metadata on every open would cost seconds.
   */
  conversationScan: 2_000,
} as const;

/** The SQLite store's message bodies and the IMAP SEARCH text index (src/store/sqlite, src/imap/engine/describe.ts). */
export const storeLimits = {
  /**
   * Bodies above this are stored in chunks of this size: SQLite reads a whole BLOB to answer substr() of it, so a
   * 40 MiB message would be read whole for every piece IMAP streams. 1 MiB keeps a chunk one quick read.
   */
  blobChunkOctets: 1024 * 1024,
  /**
   * Decoded text beyond this (header plus body) is not indexed for SEARCH: trigrams of a huge text cost far more
   * than scanning the rare message that big, which SEARCH then reads instead (it is never missed).
   */
  searchIndexTextMaxChars: 4 * 1024 * 1024,
  /**
   * A message's top-level header section is kept apart from its body when it is at most this big, so a client's
   * header listing (`FETCH 1:* BODY.PEEK[HEADER.FIELDS (…)]`) reads no message (Dovecot answers it from its cache
   * file the same way). Real headers are 1–10 KiB (Received, DKIM and ARC chains); a bigger one is read from the
   * message, so the copy costs at most this much per message.
   */
  headerCacheOctets: 32 * 1024,
  /**
   * SQLite's page cache for the serving connection (SQLite's default is 2 MiB). Every IMAP command reads index and
   * table pages; once a store outgrew 2 MiB they came from the kernel one read() at a time: after the IMAP
   * benchmark's mixed load a 100-message header FETCH took 2.05 ms with the default and 1.58 ms with 64 MiB, and
   * every other command 10-20% less (bench/imap-dovecot). Pages are cached as they are read, so a small store
   * never uses it all.
   */
  sqliteCacheKiB: 64 * 1024,
  /**
   * Prepared statements kept per database connection, by SQL text: preparing costs more than running a small
   * query (bench/imap-dovecot's profile), and the store's queries are a few hundred fixed texts; the bound only
   * stops texts built with a varying number of `?` from growing the cache without end.
   */
  preparedStatements: 1000,
  /**
   * How often the background checkpointer looks for new commits to copy from the WAL into the database
   * (checkpointer.ts). Twice a second keeps the WAL to what ~0.5 s of writing adds (a few MB at most here).
   */
  walCheckpointIntervalMs: 500,
  /**
   * The automatic checkpoint kept on the serving connection as a backstop, in pages (4 KiB): ~80 MB of WAL, far
   * above what the background checkpointer lets it reach, so it fires only if that worker falls behind.
   */
  walBackstopPages: 20_000,
} as const;

/** ACME ordering and certificate expiry (src/acme, src/tls; issue 10). */
export const acmeLimits = {
  /** A stored challenge answer lives this long: validation takes seconds; a crashed order must not leave it forever. */
  challengeTtlMs: 10 * 60_000,
  /** The store lock one node holds while ordering (refreshed while it works), so two nodes never order at once. */
  orderLockTtlMs: 5 * 60_000,
  /** An order (all challenges, finalize, download) that takes longer is abandoned and retried with backoff. */
  orderTimeoutMs: 5 * 60_000,
  /** The reachability check of the ACME directory before an order. */
  directoryTimeoutMs: 15_000,
  /** At shutdown, how long an order in flight may finish; after that it is abandoned (the lock expires by itself). */
  stopGraceMs: 3_000,
  /** Fewer days left than this: a warning in the log and in `outpost check` (Let's Encrypt's own mails start at 20). */
  expiryWarningDays: 14,
} as const;

/** The outbound queue runner (src/queue/runner.ts). */
export const queueRunnerLimits = {
  /**
   * The longest a claimed entry's lease runs without renewal. A live runner renews its leases every third of
   * this while it delivers (however long the remote takes), so after a node dies (kill -9, power) another node
   * takes over its entries within this time rather than after a whole session's worth of timeouts.
   */
  leaseMaxMs: 60_000,
} as const;
