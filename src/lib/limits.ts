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
