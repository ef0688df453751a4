/**
 * The one error type of the IMAP protocol layer.
 *
 * RFC 9051 §7.1.3 (BAD: "a protocol-level error in the client's command; the tag indicates the command that caused
 * the error"; untagged when the tag cannot be known), §7.1 and RFC 5530 (response codes such as TOOBIG and LIMIT).
 * The reader and the parser throw or report nothing else on any input, so the server can catch once per command.
 */
import { ProtocolSyntaxError } from '../../lib/errors.js';

/** Response codes that a syntax error may carry (RFC 9051 §7.1, RFC 5530 §3, RFC 7888 §4). */
export type SyntaxResponseCode = 'TOOBIG' | 'LIMIT' | 'PARSE' | 'CLIENTBUG' | 'BADCHARSET';

export interface ImapSyntaxErrorOptions {
  /** The command's tag when it could be read; `undefined` means answer with an untagged `* BAD`. */
  readonly tag?: string | undefined;
  /** The response code to put in brackets, if any. */
  readonly responseCode?: SyntaxResponseCode | undefined;
  /** True when the session cannot continue safely (the stream position is lost): send BYE and hang up. */
  readonly closeConnection?: boolean | undefined;
}

/**
 * A command the server must answer with BAD (tagged when `tag` is known). `code` is a short machine-readable
 * reason (`unknown-command`, `literal-too-big`…); `message` is safe to send to the client.
 */
export class ImapSyntaxError extends ProtocolSyntaxError {
  readonly tag: string | undefined;
  readonly responseCode: SyntaxResponseCode | undefined;
  readonly closeConnection: boolean;

  constructor(code: string, message: string, options: ImapSyntaxErrorOptions = {}) {
    super(code, message);
    this.tag = options.tag;
    this.responseCode = options.responseCode;
    this.closeConnection = options.closeConnection ?? false;
  }

  /** The same error for a command whose tag is now known. */
  withTag(tag: string | undefined): ImapSyntaxError {
    if (tag === undefined || this.tag !== undefined) return this;
    return new ImapSyntaxError(this.code, this.message, { tag, responseCode: this.responseCode, closeConnection: this.closeConnection });
  }
}
