/**
 * The IMAP server's refusals: thrown anywhere inside a command, turned into ONE tagged response by the session
 * (STYLE.md "throw anywhere, catch once per command"). RFC 9051 §7.1.2 (NO: the command failed), §7.1.3 (BAD: a
 * protocol error), RFC 5530 (the response codes).
 */
import { UserError } from '../lib/errors.js';
import type { ResponseCodeName } from '../protocol/imap/index.js';
import type { ResponseCodeValue } from '../protocol/imap/index.js';

/** A command understood and refused: `tag NO [CODE] text`. */
export class ImapNo extends UserError {
  readonly responseCode: ResponseCodeValue | undefined;
  constructor(message: string, code?: ResponseCodeName | ResponseCodeValue, logReason?: string) {
    super('imap-no', message, logReason);
    this.responseCode = typeof code === 'string' ? { name: code } : code;
  }
}

/** A command that is a protocol error in this context (e.g. a sequence number past the last message): `tag BAD`. */
export class ImapBad extends UserError {
  readonly responseCode: ResponseCodeValue | undefined;
  constructor(message: string, code?: ResponseCodeName) {
    super('imap-bad', message);
    this.responseCode = code === undefined ? undefined : { name: code };
  }
}
