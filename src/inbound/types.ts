/**
 * Inbound checks for mail arriving on the MX: who sent it (SPF, DKIM, DMARC, ARC), is it spam (blocklists,
 * reputation, an engine), and where it goes (INBOX, Junk, or refused at DATA).
 */

/** What the SMTP session knows when DATA ends. */
export interface InboundContext {
  /** The message as received (CRLF line endings), before we add any header. */
  raw: Buffer;
  clientIp: string;
  /** The EHLO/HELO name the client gave. */
  helo: string;
  /** MAIL FROM address; '' for the null reverse-path. */
  mailFrom: string;
  /** Local mailboxes the message is for (after alias expansion). */
  recipients: ReadonlyArray<{ mailboxId: number; address: string }>;
  tls: boolean;
}

export type AuthResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy';

/** The outcome of sender authentication, summarised for policy and scoring. */
export interface SenderAuth {
  spf: AuthResult;
  /** One entry per DKIM signature. */
  dkim: Array<{ domain: string; result: AuthResult; aligned: boolean }>;
  dmarc: { result: AuthResult; policy: 'none' | 'quarantine' | 'reject' | null; domain: string } | null;
  arc: AuthResult;
  /** The header-From domain, if one could be parsed. */
  fromDomain: string | null;
  /** A complete `Authentication-Results:` field (RFC 8601), folded, ending in CRLF. */
  header: string;
}

/** One reason that moved the spam score, for the X-Spam-Report header and the logs. */
export interface ScoreReason {
  rule: string;
  score: number;
  detail?: string;
}

export interface SpamSignals {
  auth: SenderAuth;
  /** DNSBL zones that list the client address. */
  blocklisted: string[];
  /** Zones that could not be asked (timeout, SERVFAIL): no evidence either way. */
  blocklistErrors: string[];
  /** First message ever seen from this envelope sender. */
  firstTimeSender: boolean;
  /** Problems with the EHLO name, e.g. `helo-not-fqdn`, `helo-is-our-name`. */
  heloProblems: string[];
  missingMessageId: boolean;
}

/**
 * A spam engine gives a score (higher = more likely spam). The built-in one scores the signals above; an external
 * engine (Rspamd over its HTTP protocol) can implement the same interface later.
 */
export interface SpamEngine {
  readonly name: string;
  score(ctx: InboundContext, signals: SpamSignals): Promise<{ score: number; reasons: ScoreReason[] }>;
}

export type Disposition = 'inbox' | 'junk';

export type InboundVerdict =
  | { action: 'reject'; code: number; enhanced: string; text: string; reasons: ScoreReason[]; auth: SenderAuth | null }
  | {
      action: 'deliver';
      /** Header fields to prepend (Authentication-Results, X-Spam-*), each ending in CRLF. */
      headers: string;
      /** The message with forged Authentication-Results removed (RFC 8601 §5). */
      raw: Buffer;
      /** Where each recipient's copy goes (training can differ per mailbox). */
      folders: Map<number, Disposition>;
      score: number;
      reasons: ScoreReason[];
      auth: SenderAuth;
    };
