/**
 * SMTP reply codes, enhanced status codes, and the syntax error that carries them.
 *
 * RFC 5321 §4.2 (reply codes; §4.2.2 by function, §4.2.3 in numeric order), RFC 3463 (enhanced status codes),
 * RFC 5248 (their registry), RFC 2034 (ENHANCEDSTATUSCODES), RFC 4954 §6 (AUTH), RFC 3207 §4 (STARTTLS),
 * RFC 1870 §6 (SIZE), RFC 6531 §3.5 (SMTPUTF8), RFC 3030 §2 and §4 (CHUNKING/BDAT, BINARYMIME).
 */
import { ProtocolSyntaxError } from '../../lib/errors.js';
import type { SaslFailureReason } from '../sasl/index.js';

/** Three-digit reply codes. Where one number has several meanings, each meaning has its own name. */
export const ReplyCode = {
  /** RFC 5321 §4.2.3: System status, or system help reply. */
  SystemStatus: 211,
  /** RFC 5321 §4.2.3: Help message. */
  HelpMessage: 214,
  /** RFC 5321 §4.2.3: <domain> Service ready. RFC 3207 §4: also "Ready to start TLS". */
  ServiceReady: 220,
  /** RFC 5321 §4.2.3: <domain> Service closing transmission channel. */
  ServiceClosing: 221,
  /** RFC 4954 §6: Authentication succeeded. */
  AuthSucceeded: 235,
  /** RFC 5321 §4.2.3: Requested mail action okay, completed. RFC 3030 §2: also each accepted BDAT chunk. */
  Ok: 250,
  /** RFC 5321 §4.2.3: User not local; will forward. */
  UserNotLocalWillForward: 251,
  /** RFC 5321 §4.2.3 and §3.5.3: Cannot VRFY user, but will accept message and attempt delivery. */
  CannotVerify: 252,
  /** RFC 4954 §4: a server challenge in the SASL exchange ("334 " + base64). */
  AuthChallenge: 334,
  /** RFC 5321 §4.2.3: Start mail input; end with <CRLF>.<CRLF>. */
  StartMailInput: 354,
  /** RFC 5321 §4.2.3: Service not available, closing transmission channel. */
  ServiceNotAvailable: 421,
  /** RFC 5321 §4.2.3: Requested mail action not taken: mailbox unavailable (temporary). */
  MailboxUnavailableTemporary: 450,
  /** RFC 5321 §4.2.3: Requested action aborted: local error in processing. */
  LocalError: 451,
  /** RFC 5321 §4.2.3: Insufficient system storage; §4.5.3.1.10: also "too many recipients". */
  InsufficientStorage: 452,
  /** RFC 3207 §4: TLS not available due to temporary reason. */
  TlsNotAvailable: 454,
  /** RFC 4954 §6: Temporary authentication failure (454 4.7.0). */
  AuthTemporaryFailure: 454,
  /** RFC 5321 §4.2.3: Server unable to accommodate parameters. */
  UnableToAccommodateParameters: 455,
  /** RFC 5321 §4.2.3: Syntax error, command unrecognized (includes "line too long"). */
  SyntaxError: 500,
  /** RFC 4954 §4: an authentication exchange line is too long (500 5.5.6). */
  AuthLineTooLong: 500,
  /** RFC 5321 §4.2.3: Syntax error in parameters or arguments. RFC 4954 §4: also a cancelled AUTH. */
  SyntaxErrorInArguments: 501,
  /** RFC 5321 §4.2.3 and §4.2.4: Command not implemented. */
  CommandNotImplemented: 502,
  /** RFC 5321 §4.2.3: Bad sequence of commands. RFC 3030 §2: also DATA and BDAT mixed in one transaction. */
  BadSequence: 503,
  /** RFC 5321 §4.2.3: Command parameter not implemented. RFC 4954 §4: also an unsupported AUTH mechanism. */
  ParameterNotImplemented: 504,
  /** RFC 3207 §4: Must issue a STARTTLS command first (530 5.7.0). */
  StartTlsRequired: 530,
  /** RFC 4954 §6: Authentication required (530 5.7.0). */
  AuthRequired: 530,
  /** RFC 4954 §6: Authentication mechanism is too weak. */
  AuthMechanismTooWeak: 534,
  /** RFC 4954 §6: Authentication credentials invalid. */
  AuthCredentialsInvalid: 535,
  /** RFC 4954 §6: Encryption required for requested authentication mechanism. */
  EncryptionRequiredForAuth: 538,
  /** RFC 5321 §4.2.3: Requested action not taken: mailbox unavailable / rejected for policy reasons. */
  MailboxUnavailable: 550,
  /** RFC 5321 §4.2.3: User not local; please try <forward-path>. */
  UserNotLocal: 551,
  /** RFC 5321 §4.2.3: Exceeded storage allocation. RFC 1870 §6: message size exceeds the fixed maximum. */
  ExceededStorage: 552,
  /** RFC 5321 §4.2.3: Mailbox name not allowed. RFC 6531 §3.5: non-ASCII recipient without SMTPUTF8. */
  MailboxNameNotAllowed: 553,
  /** RFC 5321 §4.2.3: Transaction failed (or, in the greeting, "No SMTP service here"). */
  TransactionFailed: 554,
  /** RFC 5321 §4.2.3 and §4.1.1.11: MAIL FROM/RCPT TO parameters not recognized or not implemented. */
  ParametersNotRecognized: 555,
} as const;
export type ReplyCode = (typeof ReplyCode)[keyof typeof ReplyCode];

/** Enhanced status codes `class.subject.detail` (RFC 3463 §2). */
export const EnhancedCode = {
  /** RFC 3463 §3.1: X.0.0 Other undefined status (5.0.0 also answers a cancelled AUTH, RFC 4954 §4). */
  Ok: '2.0.0',
  TemporaryOther: '4.0.0',
  PermanentOther: '5.0.0',
  /** RFC 3463 §3.2: X.1.0 Other address status (MAIL FROM accepted). */
  SenderOk: '2.1.0',
  /** RFC 3463 §3.2: X.1.5 Destination address valid (RCPT TO accepted). */
  RecipientOk: '2.1.5',
  /** RFC 3463 §3.2: X.1.1 Bad destination mailbox address. */
  BadDestinationMailbox: '5.1.1',
  /** RFC 3463 §3.2: X.1.3 Bad destination mailbox address syntax. */
  BadDestinationSyntax: '5.1.3',
  /** RFC 3463 §3.2: X.1.7 Bad sender's mailbox address syntax. */
  BadSenderSyntax: '5.1.7',
  /** RFC 3463 §3.3: X.2.2 Mailbox full. */
  MailboxFullTemporary: '4.2.2',
  MailboxFull: '5.2.2',
  /** RFC 3463 §3.4: X.3.1 Mail system full. */
  SystemFull: '4.3.1',
  /** RFC 3463 §3.4: X.3.2 System not accepting network messages. */
  NotAcceptingMessages: '4.3.2',
  /** RFC 3463 §3.4: X.3.4 Message too big for system. RFC 1870 §6: 552 5.3.4. */
  MessageTooBig: '5.3.4',
  /** RFC 3463 §3.5: X.4.5 Mail system congestion. */
  Congestion: '4.4.5',
  /** RFC 3463 §3.6: X.5.0 Other or undefined protocol status. */
  ProtocolOther: '5.5.0',
  /** RFC 3463 §3.6: X.5.1 Invalid command. */
  InvalidCommand: '5.5.1',
  /** RFC 3463 §3.6: X.5.2 Syntax error. RFC 4954 §4: undecodable base64 is 501 5.5.2. */
  SyntaxError: '5.5.2',
  /** RFC 3463 §3.6: X.5.3 Too many recipients (452 4.5.3, RFC 5321 §4.5.3.1.10). */
  TooManyRecipients: '4.5.3',
  /** RFC 3463 §3.6: X.5.4 Invalid command arguments. */
  InvalidArguments: '5.5.4',
  /** RFC 4954 §6 / RFC 5248: X.5.6 Authentication exchange line is too long. */
  AuthLineTooLong: '5.5.6',
  /** RFC 3463 §3.7: X.6.3 Conversion required but not supported. */
  ConversionNotSupported: '5.6.3',
  /** RFC 6531 §3.5 / §4.2: X.6.7 Non-ASCII addresses not permitted for that sender/recipient. */
  NonAsciiAddress: '5.6.7',
  /** RFC 6531 §3.5: X.6.9 UTF-8 header message cannot be transferred to one or more recipients. */
  Utf8HeaderNotTransferable: '5.6.9',
  /** RFC 3463 §3.8: X.7.0 Other or undefined security status. RFC 4954 §6: 454 4.7.0, 530 5.7.0. */
  SecurityTemporary: '4.7.0',
  SecurityOther: '5.7.0',
  /** RFC 3463 §3.8: X.7.1 Delivery not authorized, message refused. */
  NotAuthorized: '5.7.1',
  /** RFC 4954 §6: 235 2.7.0 Authentication succeeded. */
  AuthSucceeded: '2.7.0',
  /** RFC 4954 §6: 535 5.7.8 Authentication credentials invalid. */
  AuthCredentialsInvalid: '5.7.8',
  /** RFC 4954 §6: 534 5.7.9 Authentication mechanism is too weak. */
  AuthMechanismTooWeak: '5.7.9',
  /** RFC 4954 §6: 538 5.7.11 Encryption required for requested authentication mechanism. */
  EncryptionRequiredForAuth: '5.7.11',
} as const;
export type EnhancedCode = (typeof EnhancedCode)[keyof typeof EnhancedCode];

/** A reply code with its enhanced status code: what a refusal is made of. */
export interface SmtpStatus {
  readonly code: number;
  readonly enhanced: string;
}

/** The statuses the protocol layer itself produces. */
export const SyntaxStatus = {
  /** RFC 5321 §4.2.4: unknown verb → 500; RFC 3463 X.5.1. */
  UnknownCommand: { code: ReplyCode.SyntaxError, enhanced: EnhancedCode.InvalidCommand },
  /** RFC 5321 §4.2.4: a recognised but unimplemented verb (TURN, SEND…) → 502. */
  NotImplemented: { code: ReplyCode.CommandNotImplemented, enhanced: EnhancedCode.InvalidCommand },
  /** RFC 5321 §4.2.3: an empty or undecodable command line. */
  BadLine: { code: ReplyCode.SyntaxError, enhanced: EnhancedCode.SyntaxError },
  /** RFC 5321 §4.5.3.1.10: "500 Line too long". */
  LineTooLong: { code: ReplyCode.SyntaxError, enhanced: EnhancedCode.SyntaxError },
  /** RFC 5321 §4.2.3: 501 Syntax error in parameters or arguments. */
  BadArguments: { code: ReplyCode.SyntaxErrorInArguments, enhanced: EnhancedCode.InvalidArguments },
  /** Control characters or invalid UTF-8 in the arguments. */
  BadCharacters: { code: ReplyCode.SyntaxErrorInArguments, enhanced: EnhancedCode.SyntaxError },
  /** RFC 3463 X.1.7: a malformed reverse-path. */
  BadSender: { code: ReplyCode.SyntaxErrorInArguments, enhanced: EnhancedCode.BadSenderSyntax },
  /** RFC 3463 X.1.3: a malformed forward-path. */
  BadRecipient: { code: ReplyCode.SyntaxErrorInArguments, enhanced: EnhancedCode.BadDestinationSyntax },
  /** RFC 5321 §4.1.1.11, RFC 1869 §6: an unknown or unoffered MAIL/RCPT parameter. */
  UnknownParameter: { code: ReplyCode.ParametersNotRecognized, enhanced: EnhancedCode.InvalidArguments },
  /** RFC 6531 §3.5: a non-ASCII reverse-path without SMTPUTF8 → 550 5.6.7. */
  NonAsciiSender: { code: ReplyCode.MailboxUnavailable, enhanced: EnhancedCode.NonAsciiAddress },
  /** RFC 6531 §3.5: a non-ASCII forward-path without SMTPUTF8 → 553 5.6.7. */
  NonAsciiRecipient: { code: ReplyCode.MailboxNameNotAllowed, enhanced: EnhancedCode.NonAsciiAddress },
  /** RFC 4954 §4: unsupported mechanism → 504 5.5.4. */
  UnsupportedMechanism: { code: ReplyCode.ParameterNotImplemented, enhanced: EnhancedCode.InvalidArguments },
  /** RFC 4954 §4: undecodable base64 in the SASL exchange → 501 5.5.2. */
  BadBase64: { code: ReplyCode.SyntaxErrorInArguments, enhanced: EnhancedCode.SyntaxError },
  /** RFC 4954 §4: the client cancelled the exchange with "*" → 501 (5.0.0: RFC 3463 X.0.0). */
  AuthCancelled: { code: ReplyCode.SyntaxErrorInArguments, enhanced: EnhancedCode.PermanentOther },
  /** RFC 4954 §4: an authentication line longer than our buffer → 500 5.5.6. */
  AuthLineTooLong: { code: ReplyCode.AuthLineTooLong, enhanced: EnhancedCode.AuthLineTooLong },
} as const satisfies Record<string, SmtpStatus>;

/** Machine-readable reasons for {@link SmtpSyntaxError}, for logs and for the server's decisions. */
export type SmtpSyntaxReason =
  | 'empty-line'
  | 'bad-encoding'
  | 'bad-characters'
  | 'unknown-command'
  | 'not-implemented'
  | 'bad-arguments'
  | 'bad-path'
  | 'path-too-long'
  | 'non-ascii-address'
  | 'bad-parameter'
  | 'unknown-parameter'
  | 'duplicate-parameter'
  | 'bad-bdat-size'
  /** The client speaks HTTP to the SMTP port: hang up. */
  | 'http-request'
  /** The client starts a TLS handshake on a plain-text port: hang up. */
  | 'tls-handshake';

/**
 * A syntax error in what an SMTP client sent, with the reply to give. `message` is safe to send to the client.
 * `closeConnection` is set when the stream cannot be trusted any further (an HTTP or TLS client, or a BDAT
 * whose chunk size is unknown so its data cannot be skipped): reply if useful, then hang up.
 */
export class SmtpSyntaxError extends ProtocolSyntaxError {
  declare readonly code: SmtpSyntaxReason;
  readonly status: SmtpStatus;
  readonly closeConnection: boolean;

  constructor(
    reason: SmtpSyntaxReason,
    status: SmtpStatus,
    message: string,
    options: { readonly closeConnection?: boolean; readonly logReason?: string } = {},
  ) {
    super(reason, message, options.logReason);
    this.status = status;
    this.closeConnection = options.closeConnection ?? false;
  }
}

/** RFC 4954 §4: the SMTP reply for a failed SASL exchange (wrong credentials are the server's 535 5.7.8). */
export function saslFailureStatus(reason: SaslFailureReason): SmtpStatus {
  switch (reason) {
    case 'unsupported-mechanism':
      return SyntaxStatus.UnsupportedMechanism;
    case 'cancelled':
      return SyntaxStatus.AuthCancelled;
    case 'malformed':
      return SyntaxStatus.BadBase64;
    case 'too-long':
      return SyntaxStatus.AuthLineTooLong;
  }
}
