/**
 * The PLAIN SASL mechanism, and the strict base64 every SASL response uses.
 *
 * RFC 4616 §2 (message = [authzid] UTF8NUL authcid UTF8NUL passwd; each at least 255 octets must be accepted),
 * RFC 4648 §4 (base64), RFC 4954 §4 (SMTP: "=" is an empty response; characters outside the alphabet and
 * padding anywhere but the end MUST be rejected), RFC 9051 §6.2.2 and RFC 5034 §4 (the same for IMAP and POP3).
 */
import { isUtf8 } from 'node:buffer';
import { ProtocolSyntaxError } from '../../lib/errors.js';
import { saslLimits } from '../../lib/limits.js';

/** What a password mechanism yields. Whether `authzid` may differ from `username` is the server's policy. */
export interface SaslCredentials {
  /** The authorization identity; empty when the client did not ask to act as someone else. */
  readonly authzid: string;
  /** The authentication identity (RFC 4616 authcid). */
  readonly username: string;
  readonly password: string;
}

export type SaslSyntaxReason = 'malformed' | 'too-long';

/** A malformed or over-long SASL response. `message` is safe to show the client. */
export class SaslSyntaxError extends ProtocolSyntaxError {
  declare readonly code: SaslSyntaxReason;

  constructor(reason: SaslSyntaxReason, message: string) {
    super(reason, message);
  }
}

/** RFC 4648 §4 base64 with padding, nothing else. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes one client response (an initial response or a line answering a challenge). "=" is the empty response
 * (RFC 4954 §4). Throws {@link SaslSyntaxError} for anything that is not strict base64 or is too long.
 */
export function decodeBase64Response(text: string): Buffer {
  if (text.length > saslLimits.responseMaxOctets) throw new SaslSyntaxError('too-long', 'authentication response too long');
  if (text === '=') return Buffer.alloc(0);
  if (!BASE64.test(text)) throw new SaslSyntaxError('malformed', 'invalid base64 in authentication response');
  return Buffer.from(text, 'base64');
}

/** RFC 4616 §2: decodes a base64 PLAIN response into credentials. */
export function decodePlainResponse(response: string): SaslCredentials {
  const bytes = decodeBase64Response(response);
  if (!isUtf8(bytes)) throw malformed('PLAIN response is not UTF-8');
  const parts = bytes.toString('utf8').split('\0');
  if (parts.length !== 3) throw malformed('PLAIN response must be authzid NUL username NUL password');
  const [authzid, username, password] = parts as [string, string, string];
  if (username === '' || password === '') throw malformed('PLAIN response needs a username and a password');
  for (const field of parts) {
    if (Buffer.byteLength(field) > saslLimits.fieldMaxOctets) throw new SaslSyntaxError('too-long', 'PLAIN response field too long');
  }
  return { authzid, username, password };
}

/** The client side of RFC 4616 §2, for tests and our own SMTP client. */
export function encodePlainResponse(credentials: SaslCredentials): string {
  const { authzid, username, password } = credentials;
  return Buffer.from(`${authzid}\0${username}\0${password}`, 'utf8').toString('base64');
}

function malformed(message: string): SaslSyntaxError {
  return new SaslSyntaxError('malformed', message);
}
