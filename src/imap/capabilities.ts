/**
 * The capability list for each stage of a session (RFC 9051 §6.1.1, §7.2.2).
 *
 * Before TLS on the plain port only STARTTLS and LOGINDISABLED are offered for signing in (RFC 9051 §6.2.3,
 * RFC 8314 §5.4 — loopback is not exempt); AUTH= mechanisms appear once the connection is encrypted. Extensions
 * of part 1: IDLE (RFC 2177), UIDPLUS (RFC 4315), MOVE (RFC 6851), SPECIAL-USE (RFC 6154), LITERAL+ (RFC 7888),
 * ENABLE (RFC 5161), NAMESPACE (RFC 2342), ID (RFC 2971), UNSELECT (RFC 3691), CHILDREN (RFC 3348), SASL-IR
 * (RFC 4959). Part 2 adds CONDSTORE/QRESYNC, ESEARCH, QUOTA, LIST-EXTENDED, COMPRESS… here, in one place.
 */
import { saslMechanisms } from '../protocol/sasl/index.js';
import type { ImapConnection, ImapStateKind } from './types.js';

const EXTENSIONS = ['IDLE', 'UIDPLUS', 'MOVE', 'SPECIAL-USE', 'LITERAL+', 'ENABLE', 'NAMESPACE', 'ID', 'UNSELECT', 'CHILDREN'] as const;

export function capabilities(conn: ImapConnection, state: ImapStateKind): string[] {
  const caps = ['IMAP4rev1'];
  if (state === 'not-authenticated') {
    if (conn.tls) caps.push(...saslMechanisms.map((m) => `AUTH=${m}`), 'SASL-IR');
    else {
      if (conn.canStartTls) caps.push('STARTTLS');
      caps.push('LOGINDISABLED');
    }
  }
  caps.push(...EXTENSIONS);
  return caps;
}
