/**
 * The Received trace field a server adds to every message it accepts, and the RFC 5322 date format.
 *
 * RFC 5321 §4.4 (trace information: `from`, `by`, `via`, `with`, `id`, `for`, then "; date-time"; the From-domain
 * is the EHLO argument, followed by the client's address literal in a comment), §4.1.3 (address literals,
 * `IPv6:` prefix), RFC 3848 (the `with` keywords ESMTPS, ESMTPA, ESMTPSA), RFC 8314 §4.3 (record the TLS version
 * and cipher), RFC 5322 §3.3 (date-time) and §2.2.3 (folding).
 *
 * Everything that came from the client (EHLO name, recipient) is reduced to characters that cannot end the
 * field, open a comment or fake another clause.
 */
import { isIP } from 'node:net';

export type ReceivedProtocol = 'SMTP' | 'ESMTP' | 'ESMTPS' | 'ESMTPA' | 'ESMTPSA';

export interface ReceivedOptions {
  /** The EHLO/HELO argument as the client sent it. */
  helo: string;
  /** The client address as Node reports it (`192.0.2.1`, `::ffff:192.0.2.1`, `2001:db8::1`). */
  clientIp: string;
  /** Our host name. */
  by: string;
  protocol: ReceivedProtocol;
  tls?: { version: string; cipher: string } | null;
  /** Our queue or message id. */
  id: string;
  /** The recipient, only when there is exactly one (RFC 5321 §4.4: a list would disclose Bcc recipients). */
  for?: string | null;
  date: Date;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** RFC 5322 §3.3 date-time in UTC: `Sat, 28 Nov 2026 21:00:00 +0000`. */
export function formatDate(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}

/** A complete folded Received field ending in CRLF. */
export function receivedHeader(o: ReceivedOptions): string {
  const lines = [`Received: from ${token(o.helo, 'unknown')} (${addressLiteral(o.clientIp)})`];
  let by = `by ${token(o.by, 'localhost')} with ${o.protocol}`;
  if (o.tls) by += ` (${token(o.tls.version, 'TLS')} ${token(o.tls.cipher, 'unknown')})`;
  lines.push(by, `id ${token(o.id, 'unknown')}`);
  if (o.for) lines.push(`for <${token(o.for, 'unknown', true)}>`);
  return `${lines.join('\r\n\t')}; ${formatDate(o.date)}\r\n`;
}

/** The client address as an RFC 5321 address literal; an IPv4-mapped IPv6 address is shown as IPv4. */
export function addressLiteral(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped && isIP(mapped[1]!) === 4) return `[${mapped[1]}]`;
  const bare = ip.replace(/%.*$/, ''); // a zone id names our interface, not the client
  if (isIP(bare) === 4) return `[${bare}]`;
  if (isIP(bare) === 6) return `[IPv6:${bare.toLowerCase()}]`;
  return `[${token(ip.replace(/[[\]]/g, '?'), 'unknown')}]`;
}

/**
 * Keeps printable ASCII other than the characters that would change the structure of the field (comment
 * parentheses, the `;` before the date, quoting, angle brackets); everything else becomes `?`. At most 255
 * characters (the longest domain), `fallback` when nothing is left. With `utf8`, non-ASCII letters stay
 * (RFC 6532 header fields), control and format characters do not.
 */
function token(text: string, fallback: string, utf8 = false): string {
  let out = '';
  for (const c of text) {
    const cp = c.codePointAt(0)!;
    const printable = cp > 0x20 && cp < 0x7f && !'();\\"<>'.includes(c);
    const letter = utf8 && cp >= 0xa0 && !/[\p{C}\p{Z}]/u.test(c);
    out += printable || letter ? c : '?';
  }
  out = [...out].slice(0, 255).join('');
  return out === '' ? fallback : out;
}
