/**
 * Response codes (the bracketed `[CODE args]` of status responses), as named constants with their source.
 *
 * RFC 9051 §7.1 and RFC 3501 §7.1 (core), RFC 5530 §3 (the common error codes), RFC 4315 (UIDPLUS), RFC 7162
 * (CONDSTORE/QRESYNC), RFC 4978 (COMPRESS), RFC 5182 (SEARCHRES), RFC 6154 (SPECIAL-USE), RFC 3516 (BINARY),
 * RFC 4469 and RFC 7888 (TOOBIG), RFC 9208 (OVERQUOTA).
 */
export const ResponseCode = {
  /** RFC 9051 §7.1: a message the user must see. */
  ALERT: 'ALERT',
  /** RFC 9051 §7.1: (optionally with supported charsets) SEARCH used an unsupported CHARSET. */
  BADCHARSET: 'BADCHARSET',
  /** RFC 9051 §7.1: the capability list, sent in the greeting or after login to save a round trip. */
  CAPABILITY: 'CAPABILITY',
  /** RFC 9051 §7.1: a message's headers could not be parsed. */
  PARSE: 'PARSE',
  /** RFC 9051 §7.1: flags the client may change permanently; `\*` allows new keywords. */
  PERMANENTFLAGS: 'PERMANENTFLAGS',
  /** RFC 9051 §7.1: the mailbox is selected read-only (EXAMINE). */
  READ_ONLY: 'READ-ONLY',
  /** RFC 9051 §7.1: the mailbox is selected read-write. */
  READ_WRITE: 'READ-WRITE',
  /** RFC 9051 §7.1: APPEND/COPY/MOVE target does not exist; CREATE it first. */
  TRYCREATE: 'TRYCREATE',
  /** RFC 9051 §7.1: the next UID. */
  UIDNEXT: 'UIDNEXT',
  /** RFC 9051 §7.1: the UIDVALIDITY of the mailbox. */
  UIDVALIDITY: 'UIDVALIDITY',
  /** RFC 3501 §7.1: the first unseen message (IMAP4rev1 only). */
  UNSEEN: 'UNSEEN',
  /** RFC 9051 §7.1: the mailbox was closed implicitly by SELECT/EXAMINE (also RFC 7162 §3.2.11). */
  CLOSED: 'CLOSED',
  /** RFC 9051 §7.1: DELETE refused because the mailbox has children. */
  HASCHILDREN: 'HASCHILDREN',
  /** RFC 5530 §3: temporary failure (e.g. the store is unavailable). */
  UNAVAILABLE: 'UNAVAILABLE',
  /** RFC 5530 §3: wrong credentials. */
  AUTHENTICATIONFAILED: 'AUTHENTICATIONFAILED',
  /** RFC 5530 §3: correct credentials, but not allowed to act as the authorization identity. */
  AUTHORIZATIONFAILED: 'AUTHORIZATIONFAILED',
  /**
   * RFC 5530 §3: the credentials have expired. Sent as `* BYE [EXPIRED]` to a session whose app password was
   * revoked or whose password was changed (src/imap/credential.ts). Never to LOGIN/AUTHENTICATE: Outpost's
   * passwords and app passwords have no expiry date, and a revoked app password is deleted, so it cannot be told
   * from a wrong one (AUTHENTICATIONFAILED).
   */
  EXPIRED: 'EXPIRED',
  /** RFC 5530 §3: the operation needs TLS (LOGIN before STARTTLS). */
  PRIVACYREQUIRED: 'PRIVACYREQUIRED',
  /** RFC 5530 §3: the user should contact the administrator. */
  CONTACTADMIN: 'CONTACTADMIN',
  /** RFC 5530 §3: no permission for this operation. */
  NOPERM: 'NOPERM',
  /** RFC 5530 §3: the mailbox or resource is in use by another session. */
  INUSE: 'INUSE',
  /** RFC 5530 §3: some messages addressed were expunged by another session. */
  EXPUNGEISSUED: 'EXPUNGEISSUED',
  /**
   * RFC 5530 §3: server data is corrupt. Sent when a message body fails its check (chunks missing octets,
   * src/store/sqlite/blobs.ts) or the store reports damage (SQLITE_CORRUPT, PostgreSQL XX001/XX002); see
   * src/imap/session.ts.
   */
  CORRUPTION: 'CORRUPTION',
  /** RFC 5530 §3: a server bug. */
  SERVERBUG: 'SERVERBUG',
  /** RFC 5530 §3: the client did something wrong that is not a syntax error. */
  CLIENTBUG: 'CLIENTBUG',
  /** RFC 5530 §3: the operation violates a server rule (not a temporary condition). */
  CANNOT: 'CANNOT',
  /** RFC 5530 §3: a limit was hit (too many messages, mailboxes, nesting…). */
  LIMIT: 'LIMIT',
  /** RFC 5530 §3, RFC 9208 §4.3: over quota. */
  OVERQUOTA: 'OVERQUOTA',
  /** RFC 5530 §3: CREATE/RENAME target exists. */
  ALREADYEXISTS: 'ALREADYEXISTS',
  /** RFC 5530 §3: the mailbox does not exist. */
  NONEXISTENT: 'NONEXISTENT',
  /** RFC 4315 §3: UIDVALIDITY and UID of an appended message. */
  APPENDUID: 'APPENDUID',
  /** RFC 4315 §3: UIDVALIDITY, source UIDs and destination UIDs of a COPY/MOVE. */
  COPYUID: 'COPYUID',
  /** RFC 4315 §3: the mailbox cannot keep UIDs. */
  UIDNOTSTICKY: 'UIDNOTSTICKY',
  /** RFC 7162 §3.1.1: the highest mod-sequence of the mailbox. */
  HIGHESTMODSEQ: 'HIGHESTMODSEQ',
  /** RFC 7162 §3.1.2: the mailbox does not support mod-sequences. */
  NOMODSEQ: 'NOMODSEQ',
  /** RFC 7162 §3.1.3: STORE UNCHANGEDSINCE failed for these messages. */
  MODIFIED: 'MODIFIED',
  /** RFC 4978 §3: COMPRESS while compression is already active. */
  COMPRESSIONACTIVE: 'COMPRESSIONACTIVE',
  /** RFC 5182 §2.4: SEARCH … SAVE could not save the result. */
  NOTSAVED: 'NOTSAVED',
  /** RFC 6154 §6: CREATE … USE with an attribute the server does not support. */
  USEATTR: 'USEATTR',
  /** RFC 3516 §4.3: the content-transfer-encoding is unknown (BINARY). */
  UNKNOWN_CTE: 'UNKNOWN-CTE',
  /** RFC 4469 §4.2, RFC 7888 §4, RFC 9051 §7.1: a literal or message too big to handle. */
  TOOBIG: 'TOOBIG',
} as const;

export type ResponseCodeName = (typeof ResponseCode)[keyof typeof ResponseCode];
