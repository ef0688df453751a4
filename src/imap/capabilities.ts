/**
 * The capability list for each stage of a session (RFC 9051 §6.1.1, §7.2.2).
 *
 * Before TLS on the plain port only STARTTLS and LOGINDISABLED are offered for signing in (RFC 9051 §6.2.3,
 * RFC 8314 §5.4 — loopback is not exempt); AUTH= mechanisms appear once the connection is encrypted. Extensions
 * of part 1: IDLE (RFC 2177), UIDPLUS (RFC 4315), MOVE (RFC 6851), SPECIAL-USE (RFC 6154), LITERAL+ (RFC 7888),
 * ENABLE (RFC 5161), NAMESPACE (RFC 2342), ID (RFC 2971), UNSELECT (RFC 3691), CHILDREN (RFC 3348), SASL-IR
 * (RFC 4959). Part 2: CONDSTORE/QRESYNC, ESEARCH/SEARCHRES, SORT/THREAD, QUOTA, APPENDLIMIT, STATUS=SIZE,
 * LIST-EXTENDED/LIST-STATUS, UTF8=ACCEPT, COMPRESS=DEFLATE (after sign-in, RFC 4978 §3).
 */
import { imapLimits } from '../lib/limits.js';
import { saslMechanisms } from '../protocol/sasl/index.js';
import { THREAD_ALGORITHMS } from './commands/sort-thread.js';
import type { ImapConnection, ImapStateKind } from './types.js';

const EXTENSIONS: readonly string[] = [
  ...['IDLE', 'UIDPLUS', 'MOVE', 'SPECIAL-USE', 'LITERAL+', 'ENABLE', 'NAMESPACE', 'ID', 'UNSELECT', 'CHILDREN'],
  ...['CONDSTORE', 'QRESYNC'], // RFC 7162
  ...['ESEARCH', 'SEARCHRES'], // RFC 4731, RFC 5182
  ...['SORT', 'SORT=DISPLAY', ...THREAD_ALGORITHMS.map((a) => `THREAD=${a}`)], // RFC 5256, RFC 5957
  ...['QUOTA', 'QUOTA=RES-STORAGE'], // RFC 9208
  `APPENDLIMIT=${imapLimits.appendLiteralMaxOctets}`, // RFC 7889: what APPEND accepts (also STATUS APPENDLIMIT)
  ...['STATUS=SIZE', 'LIST-EXTENDED', 'LIST-STATUS'], // RFC 8438, RFC 5258, RFC 5819
  'UTF8=ACCEPT', // RFC 6855
];

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
  // RFC 4978 §6: compression only once signed in (no secret may share a compression context with chosen text).
  if (state === 'authenticated' || state === 'selected') caps.push('COMPRESS=DEFLATE');
  return caps;
}
