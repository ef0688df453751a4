/**
 * One error model for every protocol and service (../shared/STYLE.md, "Errors").
 *
 * - SyntaxError-like problems in what a client sent → {@link ProtocolSyntaxError} (IMAP BAD, SMTP 500/501, POP3 -ERR).
 * - A request that is understood but refused → {@link UserError} (IMAP NO, SMTP 5xx, CLI exit 1).
 * - Something that may work later → {@link TemporaryError} (SMTP 4xx, IMAP NO [UNAVAILABLE], POP3 -ERR [SYS/TEMP]).
 * - Anything else is internal: the client gets a generic reply, the log keeps the full error.
 *
 * `message` is always safe to show to the client or user; `logReason` (optional) is for the log only.
 */
export type ErrorKind = 'syntax' | 'user' | 'temporary';

export abstract class OutpostError extends Error {
  abstract readonly kind: ErrorKind;
  /** A short machine-readable reason, e.g. `taken`, `weak`, `allowance`. */
  readonly code: string;
  /** Details that go to the log but never to the client. */
  readonly logReason: string | undefined;

  constructor(code: string, message: string, logReason?: string) {
    super(message);
    this.code = code;
    this.logReason = logReason;
    this.name = new.target.name;
  }
}

export class ProtocolSyntaxError extends OutpostError {
  readonly kind = 'syntax' as const;
}

export class UserError extends OutpostError {
  readonly kind = 'user' as const;
}

export class TemporaryError extends OutpostError {
  readonly kind = 'temporary' as const;
}

/**
 * Stored data that fails its own check (a message body whose chunks do not add up to its size): internal, the
 * message is for the log only; IMAP answers NO [CORRUPTION] (RFC 5530 §3), other protocols their internal error.
 */
export class CorruptDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptDataError';
  }
}

export function isOutpostError(e: unknown): e is OutpostError {
  return e instanceof OutpostError;
}

/** Text that is safe to show anyone: the error's own message for our errors, a generic line otherwise. */
export function clientMessage(e: unknown, generic = 'internal error'): string {
  return isOutpostError(e) ? e.message : generic;
}
