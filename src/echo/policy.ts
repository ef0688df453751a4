/**
 * Who the echo address answers. RFC 3834 §2 and §5: never the null sender, mailer daemons or list software, never
 * mail marked automatic (Auto-Submitted other than "no", Precedence bulk/list/junk, List-* fields). And, so that
 * echo@ can never send backscatter to a forged address: only a signed-in local user writing as one of their own
 * addresses, or a sender that SPF or DKIM authenticates in alignment with the From domain (RFC 7489 §3.1, relaxed).
 * Sans-I/O.
 */
import { parseHeaderFields, splitMessage } from '../mail/header-block.js';
import type { SenderAuth } from '../inbound/types.js';

/** RFC 3834 §2: addresses that are never answered (mailing-list software and mailer daemons). */
const NEVER_ANSWER = /^(mailer-daemon|postmaster|listserv|majordomo|owner-.*|.*-request|.*-owner|no-?reply|do-?not-?reply|bounces?)$/i;

export type EchoSkip = 'null-sender' | 'automatic-sender' | 'auto-submitted' | 'list-or-bulk' | 'unauthenticated' | 'rate-limited';

export interface EchoSender {
  /** The envelope sender ('' for `<>`). */
  mailFrom: string;
  /** The signed-in mailbox and the addresses it may send as; null for mail from another server. */
  signedIn: { address: string; owned: ReadonlySet<string> } | null;
  /** SPF/DKIM/DMARC results of the inbound checks; null when they did not run. */
  auth: SenderAuth | null;
}

/** Relaxed alignment: the same domain, or one a subdomain of the other (organizational domains approximated). */
export function aligned(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || x.endsWith(`.${y}`) || y.endsWith(`.${x}`);
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** Why the echo address does not answer this message, or null when it does (before the rate limit). */
export function echoSkip(raw: Buffer, s: EchoSender): EchoSkip | null {
  if (s.mailFrom === '') return 'null-sender';
  if (NEVER_ANSWER.test(s.mailFrom.slice(0, s.mailFrom.lastIndexOf('@')))) return 'automatic-sender';
  const fields = parseHeaderFields(splitMessage(raw).header);
  const value = (name: string) => fields.find((f) => f.lowerName === name)?.value.trim().toLowerCase();
  const auto = value('auto-submitted');
  if (auto !== undefined && auto.split(/[;\s(]/)[0] !== 'no') return 'auto-submitted';
  if (/^(bulk|list|junk)$/.test(value('precedence') ?? '')) return 'list-or-bulk';
  if (fields.some((f) => f.lowerName.startsWith('list-'))) return 'list-or-bulk';
  if (s.signedIn) return s.signedIn.owned.has(s.mailFrom.toLowerCase()) ? null : 'unauthenticated';
  return authenticated(s.mailFrom, s.auth) ? null : 'unauthenticated';
}

function authenticated(mailFrom: string, auth: SenderAuth | null): boolean {
  if (!auth || !auth.fromDomain) return false;
  const from = auth.fromDomain;
  if (auth.dmarc?.result === 'pass') return true;
  if (auth.spf === 'pass' && aligned(domainOf(mailFrom), from)) return true;
  return auth.dkim.some((d) => d.result === 'pass' && aligned(d.domain, from));
}
