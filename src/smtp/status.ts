/**
 * The replies the SMTP servers give, each a named (reply code, enhanced status code) pair with its RFC, and the one
 * error class a command handler throws to refuse something. The protocol layer's own statuses (syntax) are in
 * src/protocol/smtp/codes.ts.
 *
 * RFC 5321 §4.2 (reply codes), RFC 3463 and RFC 5248 (enhanced status codes), RFC 4954 §6 (AUTH), RFC 3207 §4
 * (STARTTLS), RFC 6409 §4.3 and §8 (submission), RFC 1870 §6 (SIZE), RFC 3030 (BDAT).
 */
import { OutpostError } from '../lib/errors.js';
import { ReplyCode, type SmtpStatus } from '../protocol/smtp/codes.js';

const s = (code: number, enhanced: string): SmtpStatus => ({ code, enhanced });

export const Status = {
  /** RFC 5321 §4.2.3 250, RFC 3463 X.0.0. */
  Ok: s(ReplyCode.Ok, '2.0.0'),
  /** RFC 3463 X.1.0: MAIL FROM accepted. */
  SenderOk: s(ReplyCode.Ok, '2.1.0'),
  /** RFC 3463 X.1.5: RCPT TO accepted. */
  RecipientOk: s(ReplyCode.Ok, '2.1.5'),
  /** RFC 5321 §4.2.3 221. */
  Closing: s(ReplyCode.ServiceClosing, '2.0.0'),
  /** RFC 3207 §4: 220 Ready to start TLS. */
  ReadyForTls: s(ReplyCode.ServiceReady, '2.0.0'),
  /** RFC 4954 §6: 235 2.7.0. */
  AuthSucceeded: s(ReplyCode.AuthSucceeded, '2.7.0'),
  /** RFC 5321 §3.5.3: 252 cannot VRFY, but will accept. */
  CannotVerify: s(ReplyCode.CannotVerify, '2.5.0'),
  /** RFC 5321 §4.2.3: 214 help. */
  Help: s(ReplyCode.HelpMessage, '2.0.0'),
  /** RFC 5321 §4.2.3: 354. */
  StartMailInput: s(ReplyCode.StartMailInput, '2.0.0'),

  /** RFC 5321 §3.8: 421 closing (shutdown, too many errors, timeouts). RFC 3463 X.3.2 system not accepting. */
  ShuttingDown: s(ReplyCode.ServiceNotAvailable, '4.3.2'),
  TooManyErrors: s(ReplyCode.ServiceNotAvailable, '4.7.0'),
  TooManyConnections: s(ReplyCode.ServiceNotAvailable, '4.7.0'),
  /** RFC 3463 X.4.2: bad connection (idle or total timeout). */
  Timeout: s(ReplyCode.ServiceNotAvailable, '4.4.2'),
  /** RFC 4954 §6 with the shared limiter: locked out → 421, then we hang up. */
  AuthLockedOut: s(ReplyCode.ServiceNotAvailable, '4.7.0'),
  /** RFC 3463 X.2.2: mailbox full (temporary, so the sender retries after the user cleans up). */
  MailboxFull: s(ReplyCode.InsufficientStorage, '4.2.2'),
  /** RFC 3463 X.3.1: mail system full: our disk. */
  SystemFull: s(ReplyCode.InsufficientStorage, '4.3.1'),
  /** RFC 5321 §4.5.3.1.10: 452 too many recipients (RFC 3463 X.5.3). */
  TooManyRecipients: s(ReplyCode.InsufficientStorage, '4.5.3'),
  /** RFC 3463 X.3.0: local error after DATA (the store could not commit): never a 250. */
  LocalError: s(ReplyCode.LocalError, '4.3.0'),
  /** RFC 3463 X.7.1 used temporarily: a sending limit was reached; try later. */
  RateLimited: s(ReplyCode.LocalError, '4.7.1'),
  /** RFC 4954 §6: 454 4.7.0 temporary authentication failure. */
  AuthTemporary: s(ReplyCode.AuthTemporaryFailure, '4.7.0'),
  /** RFC 3207 §4: 454 TLS not available. */
  TlsUnavailable: s(ReplyCode.TlsNotAvailable, '4.7.0'),

  /** RFC 5321 §4.2.4: 502 command not implemented (AUTH on the MX). */
  NotImplemented: s(ReplyCode.CommandNotImplemented, '5.5.1'),
  /** RFC 5321 §4.2.3: 503 bad sequence. */
  BadSequence: s(ReplyCode.BadSequence, '5.5.1'),
  /** RFC 5321 §3.3: DATA without a valid recipient: 554 (RFC 3463 X.5.1). */
  NoValidRecipients: s(ReplyCode.TransactionFailed, '5.5.1'),
  /** RFC 3207 §4 and RFC 6409 §4.3: 530 5.7.0 must issue STARTTLS / authentication required. */
  TlsRequired: s(ReplyCode.StartTlsRequired, '5.7.0'),
  AuthRequired: s(ReplyCode.AuthRequired, '5.7.0'),
  /** RFC 4954 §4: 538 5.7.11 encryption required for the mechanism. */
  EncryptionRequired: s(ReplyCode.EncryptionRequiredForAuth, '5.7.11'),
  /** RFC 4954 §6: 535 5.7.8 invalid credentials. */
  BadCredentials: s(ReplyCode.AuthCredentialsInvalid, '5.7.8'),
  /** RFC 1870 §6: 552 5.3.4 message too big. */
  TooBig: s(ReplyCode.ExceededStorage, '5.3.4'),
  /** RFC 3463 X.1.1: no such local mailbox. */
  NoSuchUser: s(ReplyCode.MailboxUnavailable, '5.1.1'),
  /** RFC 3463 X.7.1: relay denied (RFC 5321 §3.6.2, RFC 6409 §4.3) and sender not owned (RFC 6409 §8.1). */
  RelayDenied: s(ReplyCode.TransactionFailed, '5.7.1'),
  SenderNotOwned: s(ReplyCode.MailboxUnavailable, '5.7.1'),
  /** RFC 5321 §6.3 / RFC 3463 X.4.6: routing loop (too many Received headers). */
  Loop: s(ReplyCode.TransactionFailed, '5.4.6'),
  /** RFC 5321 §2.3.8: a bare CR or LF in the message (policy "reject"). RFC 3463 X.5.2 syntax. */
  BareLineEnding: s(ReplyCode.MailboxUnavailable, '5.5.2'),
  /** RFC 5321 §4.5.3.1.6: a text line over 1000 octets. */
  LineTooLong: s(ReplyCode.SyntaxError, '5.5.2'),
  /** RFC 5321 §4.1.4 "554 No SMTP service here": the client spoke before the greeting. */
  NoService: s(ReplyCode.TransactionFailed, '5.5.0'),
} as const satisfies Record<string, SmtpStatus>;

/**
 * A refusal: the reply to send, a client-safe message, and a reason for the log only. `close` hangs up after the
 * reply (421s). Handlers throw it anywhere; the session's dispatcher catches it once per command.
 */
export class SmtpRefusal extends OutpostError {
  readonly kind: 'user' | 'temporary';
  readonly status: SmtpStatus;
  readonly close: boolean;
  /** The reply text, one entry per reply line. */
  readonly lines: string | readonly string[];

  constructor(status: SmtpStatus, text: string | readonly string[], options: { logReason?: string; close?: boolean } = {}) {
    super(`smtp-${status.code}`, typeof text === 'string' ? text : text.join(' '), options.logReason);
    this.lines = text;
    this.status = status;
    this.kind = status.code >= 500 ? 'user' : 'temporary';
    this.close = options.close ?? false;
  }
}
