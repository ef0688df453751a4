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
