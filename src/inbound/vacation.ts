/**
 * Vacation auto-replies following RFC 3834: never to the null sender, to lists or to automatic mail
 * (Auto-Submitted, Precedence, List-*), at most once per sender per period, marked `Auto-Submitted: auto-replied`
 * and sent with a null envelope sender so nothing ever answers them back.
 */
import { randomBytes } from 'node:crypto';
import type { Mailbox, Store } from '../store/types.js';
import { parseHeaderFields, splitMessage } from '../mail/header-block.js';
import { extractMeta } from '../mail/meta.js';
import { formatDate } from '../mail/received.js';

/** RFC 3834 §2: addresses that are never answered (mailing-list software and mailer daemons). */
const NEVER_ANSWER = /^(mailer-daemon|postmaster|listserv|majordomo|owner-.*|.*-request|.*-owner|no-?reply|do-?not-?reply|bounces?)$/i;

export type VacationSkip =
  | 'null-sender'
  | 'automatic-sender'
  | 'auto-submitted'
  | 'list-or-bulk'
  | 'own-address'
  | 'not-enabled'
  | 'already-answered';

/** Why a message gets no auto-reply, or null when it should get one (before the once-per-period check). */
export function vacationSkip(raw: Buffer, mailFrom: string, mailbox: Mailbox): VacationSkip | null {
  if (mailFrom === '') return 'null-sender';
  const local = mailFrom.slice(0, mailFrom.lastIndexOf('@'));
  if (NEVER_ANSWER.test(local)) return 'automatic-sender';
  if (mailFrom.toLowerCase() === mailbox.address) return 'own-address';
  const fields = parseHeaderFields(splitMessage(raw).header);
  const value = (name: string) => fields.find((f) => f.lowerName === name)?.value.trim().toLowerCase();
  const auto = value('auto-submitted');
  if (auto !== undefined && auto.split(/[;\s]/)[0] !== 'no') return 'auto-submitted';
  if (/^(bulk|list|junk)$/.test(value('precedence') ?? '')) return 'list-or-bulk';
  if (fields.some((f) => f.lowerName.startsWith('list-'))) return 'list-or-bulk';
  if (/\b(oof|autoreply|all)\b/.test(value('x-auto-response-suppress') ?? '')) return 'auto-submitted';
  return null;
}

export interface VacationDeps {
  store: Store;
  now: () => number;
  hostname: string;
}

export class VacationResponder {
  constructor(private readonly deps: VacationDeps) {}

  /** Sends the replies due for one delivered message; returns how many were queued. Errors are the caller's to log. */
  async afterDelivery(raw: Buffer, mailFrom: string, mailboxes: readonly Mailbox[]): Promise<number> {
    let sent = 0;
    for (const mailbox of mailboxes) {
      const rules = await this.deps.store.getMailboxRules(mailbox.id);
      const v = rules?.vacation;
      if (!v?.enabled || (v.until !== null && this.deps.now() >= v.until)) continue;
      if (vacationSkip(raw, mailFrom, mailbox)) continue;
      const key = `vacation:${mailbox.id}:${mailFrom.toLowerCase()}`;
      const hit = await this.deps.store.hitCounter(key, this.deps.now(), v.periodDays * 86_400_000);
      if (hit.count !== 1) continue; // RFC 3834 §2: once per sender per period
      await this.send(raw, mailFrom, mailbox, v.subject, v.body);
      sent++;
    }
    return sent;
  }

  private async send(original: Buffer, to: string, mailbox: Mailbox, subject: string, body: string): Promise<void> {
    const meta = extractMeta(original);
    const now = this.deps.now();
    const ascii = (s: string) => /^[\x20-\x7e\r\n\t]*$/.test(s);
    const subj = subject || `Auto: ${meta.subject ?? ''}`.trim(); // RFC 3834 §3.1.5
    const encodedSubject = ascii(subj) ? subj : `=?UTF-8?B?${Buffer.from(subj).toString('base64')}?=`;
    const refs = [meta.references, meta.messageId].filter(Boolean).join(' ');
    const text = body.replace(/\r?\n/g, '\r\n');
    const lines = [
      `From: <${mailbox.address}>`,
      `To: <${to}>`,
      `Subject: ${encodedSubject}`,
      `Date: ${formatDate(new Date(now))}`,
      `Message-ID: <${randomBytes(12).toString('hex')}@${mailbox.domain}>`,
      ...(meta.messageId ? [`In-Reply-To: ${meta.messageId}`] : []),
      ...(refs ? [`References: ${refs}`] : []),
      'Auto-Submitted: auto-replied', // RFC 3834 §5
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      `Content-Transfer-Encoding: ${ascii(text) ? '7bit' : 'base64'}`,
    ];
    const content = ascii(text) ? `${text}\r\n` : `${Buffer.from(text).toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`;
    const raw = Buffer.from(`${lines.join('\r\n')}\r\n\r\n${content}`);
    const local = await this.deps.store.getMailbox(to.toLowerCase());
    await this.deps.store.deliver({
      raw,
      meta: extractMeta(raw),
      receivedAt: now,
      targets: local ? [{ mailboxId: local.id, folder: 'INBOX' }] : [],
      // RFC 3834 §3.3: the reply goes out with a null envelope sender, so it can never be bounced back into a loop.
      queue: local ? [] : [{ mailFrom: '', rcptTo: to, params: {}, submitterId: mailbox.id, nextAttemptAt: now }],
    });
  }
}
