/**
 * The LOGIN SASL mechanism: obsolete but still sent by Outlook and many devices.
 *
 * draft-murchison-sasl-login-00 (never an RFC): the server prompts "Username:" then "Password:" (base64
 * `VXNlcm5hbWU6` and `UGFzc3dvcmQ6`); the client answers each with base64 text. Clients may send the username as
 * an initial response (`AUTH LOGIN dXNlcg==`), which we accept. Base64 rules as in RFC 4954 §4.
 */
import { isUtf8 } from 'node:buffer';
import { saslLimits } from '../../lib/limits.js';
import { SaslSyntaxError, decodeBase64Response } from './plain.js';

/** base64("Username:") */
export const LOGIN_USERNAME_CHALLENGE = 'VXNlcm5hbWU6';
/** base64("Password:") */
export const LOGIN_PASSWORD_CHALLENGE = 'UGFzc3dvcmQ6';

/** Decodes the client's answer to one LOGIN prompt; both must be non-empty UTF-8 without NUL. */
export function decodeLoginResponse(response: string, field: 'username' | 'password'): string {
  const bytes = decodeBase64Response(response);
  if (bytes.length === 0) throw new SaslSyntaxError('malformed', `LOGIN ${field} is empty`);
  if (bytes.length > saslLimits.fieldMaxOctets) throw new SaslSyntaxError('too-long', `LOGIN ${field} too long`);
  if (!isUtf8(bytes) || bytes.includes(0)) throw new SaslSyntaxError('malformed', `LOGIN ${field} is not valid text`);
  return bytes.toString('utf8');
}
