/**
 * Delivery status notifications: bounces, delay notices and success reports.
 *
 * RFC 6522 (multipart/report), RFC 3464 (message/delivery-status: per-message fields Reporting-MTA, Original-Envelope-Id,
 * Arrival-Date; per-recipient fields Original-Recipient, Final-Recipient, Action, Status, Remote-MTA,
 * Diagnostic-Code, Last-Attempt-Date, Will-Retry-Until), RFC 3461 §6.2 (what to return: RET=HDRS → headers only,
 * RFC 3462 text/rfc822-headers), RFC 3834 §5 (Auto-Submitted: auto-replied), RFC 5321 §4.5.5 (notices are sent with
 * a null reverse path), RFC 3463 (status codes, explained in plain words below).
 */
import { randomBytes } from 'node:crypto';

export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed';

export interface DsnRecipient {
  rcpt: string;
  /** ORCPT as stored: `rfc822;addr`. */
  orcpt?: string | undefined;
  action: DsnAction;
  status: string;
  remoteMta?: string | null;
  /** The remote reply (sent as `smtp; …`) or our own reason. */
  diagnostic?: string | null;
  lastAttemptAt?: number;
  willRetryUntil?: number;
}

export interface DsnInput {
  kind: 'failure' | 'delay' | 'success';
  /** Our host name. */
  reportingMta: string;
  to: string;
  envid?: string | undefined;
  arrivalDate: number;
  now: number;
  recipients: DsnRecipient[];
  /** The original message (null when it is gone). */
  original: Buffer | null;
  /** RFC 3461 §4.3: FULL returns the whole message, HDRS only its header. */
  ret: 'FULL' | 'HDRS';
  /** A double bounce to the postmaster: the failed message was itself a notice. */
  toPostmaster?: boolean;
  random?: (n: number) => Buffer;
}

/** Larger originals are returned as headers only, whatever RET says (RFC 3461 §6.2 allows truncation). */
export const DSN_FULL_RETURN_MAX = 2 * 1024 * 1024;

/** RFC 5322 §3.3 date-time in UTC. */
export function rfc5322Date(ms: number): string {
  const d = new Date(ms);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${day}, ${p(d.getUTCDate())} ${month} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** The header block of a message (up to the first empty line), CRLF-terminated. */
export function headerOf(raw: Buffer): Buffer {
  const end = raw.indexOf('\r\n\r\n');
  return end < 0 ? raw : raw.subarray(0, end + 2);
}

/** The unfolded value of the first header field `name` (case-insensitive). */
export function headerValue(raw: Buffer, name: string): string | null {
  const text = headerOf(raw).toString('utf8').replace(/\r\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}[ \\t]*:[ \\t]*(.*)$`, 'im').exec(text);
  return m ? m[1]!.trim() : null;
}

/** What a status code means and what the sender can do, in plain words (RFC 3463 classes). */
export function explainStatus(status: string): string {
  const [, subject, detail] = status.split('.');
  const key = `${subject}.${detail}`;
  const table: Record<string, string> = {
    '1.1': 'The receiving server says this address does not exist. Check the spelling of the address, or ask the recipient for a current one.',
    '1.2': "The recipient's domain does not exist or has no mail server. Check the part of the address after the @.",
    '1.10': "The recipient's domain has declared that it accepts no e-mail at all (a null MX). Reach the recipient another way.",
    '2.1': "The recipient's mailbox is disabled. Reach the recipient another way.",
    '2.2': "The recipient's mailbox is full. Try again later, or tell the recipient another way.",
    '3.4': 'The message is too big for the receiving server. Send a smaller message, or share large files by a link.',
    '4.4': "No route to the recipient's mail server could be found.",
    '4.6': "The message was passed around in a loop between mail servers and was stopped. The recipient's mail setup is wrong; tell its administrator.",
    '4.7': "The message could not be delivered in the time allowed: the recipient's server could not be reached or kept refusing temporarily.",
    '6.7': 'The message uses international characters in addresses or headers, and the receiving server cannot accept them. Use a plain ASCII address for this recipient.',
    '7.1': 'The receiving server refused the message by its policy (for example as suspected spam). If you think this is wrong, contact the recipient another way.',
  };
  return table[key] ?? (status.startsWith('4') ? 'The receiving server refused the message for now.' : 'The receiving server refused the message.');
}

function textPart(i: DsnInput, subject: string | null): string {
  const lines: string[] = [];
  const about = subject ? `your message with the subject "${subject}"` : 'your message';
  if (i.toPostmaster)
    lines.push(
      'This is the mail system at ' + i.reportingMta + '.',
      '',
      'A delivery status notification could not be delivered to its recipient. It is returned to the postmaster.',
    );
  else if (i.kind === 'failure')
    lines.push(
      'This is the mail system at ' + i.reportingMta + '.',
      '',
      `I am sorry: ${about} could not be delivered to the recipient(s) below. It will not be retried.`,
    );
  else if (i.kind === 'delay')
    lines.push(
      'This is the mail system at ' + i.reportingMta + '.',
      '',
      `There is a delay delivering ${about} to the recipient(s) below. Nothing needs to be done yet: it is still being retried, and you will hear again only if it finally fails.`,
    );
  else lines.push('This is the mail system at ' + i.reportingMta + '.', '', `${about[0]!.toUpperCase()}${about.slice(1)} was delivered to the recipient(s) below.`);
  lines.push('');
  for (const r of i.recipients) {
    lines.push(`  <${r.rcpt}>`);
    if (r.diagnostic) lines.push(`    ${r.remoteMta ? `${r.remoteMta} said` : 'Reason'}: ${r.diagnostic.replace(/\r?\n/g, ' ')}`);
    if (r.action === 'failed' || r.action === 'delayed') lines.push(`    What this means: ${explainStatus(r.status)}`);
    if (r.willRetryUntil) lines.push(`    Retried until: ${rfc5322Date(r.willRetryUntil)}`);
    lines.push('');
  }
  return lines.join('\r\n');
}

/** RFC 3461 §4.2 xtext is decoded before storing; RFC 3464 §2.3.1 wants `addr-type;address`. */
function recipientFields(r: DsnRecipient, i: DsnInput): string[] {
  const f: string[] = [];
  if (r.orcpt) f.push(`Original-Recipient: ${r.orcpt}`);
  f.push(`Final-Recipient: rfc822;${r.rcpt}`, `Action: ${r.action}`, `Status: ${r.status}`);
  if (r.remoteMta) f.push(`Remote-MTA: dns;${r.remoteMta.replace(/ \[.*$/, '')}`);
  if (r.diagnostic) f.push(`Diagnostic-Code: smtp;${r.diagnostic.replace(/\r?\n/g, ' ')}`);
  f.push(`Last-Attempt-Date: ${rfc5322Date(r.lastAttemptAt ?? i.now)}`);
  if (r.willRetryUntil) f.push(`Will-Retry-Until: ${rfc5322Date(r.willRetryUntil)}`);
  return f;
}

/** Composes the notice (CRLF line endings); it is sent with `MAIL FROM:<>` to `i.to`. */
export function composeDsn(i: DsnInput): Buffer {
  const random = i.random ?? randomBytes;
  const boundary = `=_outpost_${random(12).toString('hex')}`;
  const subject = i.original ? headerValue(i.original, 'subject') : null;
  const title =
    i.kind === 'failure' ? 'Undelivered Mail Returned to Sender' : i.kind === 'delay' ? 'Delayed Mail (still being retried)' : 'Successful Mail Delivery Report';
  const header = [
    `From: Mail Delivery System <MAILER-DAEMON@${i.reportingMta}>`,
    `To: <${i.to}>`,
    `Subject: ${i.toPostmaster ? 'Postmaster Copy: ' : ''}${title}`,
    `Date: ${rfc5322Date(i.now)}`,
    `Message-ID: <${random(16).toString('hex')}@${i.reportingMta}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
  ];
  const perMessage = [`Reporting-MTA: dns;${i.reportingMta}`];
  if (i.envid) perMessage.push(`Original-Envelope-Id: ${i.envid}`);
  perMessage.push(`Arrival-Date: ${rfc5322Date(i.arrivalDate)}`);
  const status = [perMessage.join('\r\n'), ...i.recipients.map((r) => recipientFields(r, i).join('\r\n'))].join('\r\n\r\n');
  const parts = [
    `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${textPart(i, subject)}\r\n`,
    `--${boundary}\r\nContent-Type: message/delivery-status\r\n\r\n${status}\r\n\r\n`,
  ];
  const chunks: Buffer[] = [Buffer.from(`${header.join('\r\n')}\r\n\r\nThis is a MIME-encapsulated delivery status report.\r\n\r\n${parts.join('')}`)];
  if (i.original) {
    const full = i.ret === 'FULL' && i.kind === 'failure' && i.original.length <= DSN_FULL_RETURN_MAX;
    const body = full ? i.original : headerOf(i.original);
    const end = body.subarray(-2).toString() === '\r\n' ? '' : '\r\n';
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Type: ${full ? 'message/rfc822' : 'text/rfc822-headers'}\r\nContent-Description: ${full ? 'Undelivered message' : 'Message headers'}\r\n\r\n`),
      body,
      Buffer.from(end),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
