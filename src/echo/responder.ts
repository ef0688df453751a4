/**
 * The echo address of every hosted domain (`[echo] local_part`, default `echo@`): answers a message with the report
 * of how it arrived. The reply is marked `Auto-Submitted: auto-replied` and sent with a null envelope sender
 * (RFC 3834 §3.3, §5), through the outbound queue (or straight into a local mailbox), committed in one store call.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/types.js';
import { extractMeta } from '../mail/meta.js';
import { formatDate } from '../mail/received.js';
import { doctorLimits } from '../lib/limits.js';
import { echoSkip, type EchoSender, type EchoSkip } from './policy.js';
import { echoReport, type ArrivalFacts } from './report.js';

export interface EchoDeps {
  store: Store;
  now: () => number;
  /** `[echo] local_part`, lower case; null = off. */
  localPart: string | null;
}

/** True when `address` is the echo address of a domain (the caller checks that the domain is ours). */
export function isEchoAddress(address: string, localPart: string | null): boolean {
  const at = address.lastIndexOf('@');
  return localPart !== null && at > 0 && address.slice(0, at).toLowerCase() === localPart;
}

export type EchoOutcome = { sent: true; to: string } | { sent: false; reason: EchoSkip };

export class EchoResponder {
  constructor(private readonly deps: EchoDeps) {}

  /** Answers one message sent to `echoAddress`; the outcome says whether a reply was committed and why not. */
  async answer(raw: Buffer, echoAddress: string, sender: EchoSender, facts: ArrivalFacts): Promise<EchoOutcome> {
    const skip = echoSkip(raw, sender);
    if (skip) return { sent: false, reason: skip };
    const to = sender.mailFrom;
    const hit = await this.deps.store.hitCounter(`echo:${to.toLowerCase()}`, this.deps.now(), 3_600_000);
    if (hit.count > doctorLimits.echoRepliesPerHour) return { sent: false, reason: 'rate-limited' };
    const reply = this.compose(raw, echoAddress, to, facts);
    const local = await this.deps.store.getMailbox(to.toLowerCase());
    await this.deps.store.deliver({
      raw: reply,
      meta: extractMeta(reply),
      receivedAt: this.deps.now(),
      targets: local ? [{ mailboxId: local.id, folder: 'INBOX' }] : [],
      // RFC 3834 §3.3: a null envelope sender, so the reply can never be bounced back into a loop.
      queue: local ? [] : [{ mailFrom: '', rcptTo: to, params: {}, submitterId: null, nextAttemptAt: this.deps.now() }],
    });
    return { sent: true, to };
  }

  private compose(original: Buffer, from: string, to: string, facts: ArrivalFacts): Buffer {
    const meta = extractMeta(original);
    const domain = from.slice(from.lastIndexOf('@') + 1);
    const subject = `Echo: ${meta.subject ?? ''}`.trim();
    const ascii = (s: string) => /^[\x20-\x7e]*$/.test(s);
    const refs = [meta.references, meta.messageId].filter(Boolean).join(' ');
    const body = echoReport(facts, original);
    const head = [
      `From: Echo service <${from}>`,
      `To: <${to}>`,
      `Subject: ${ascii(subject) ? subject : `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`}`,
      `Date: ${formatDate(new Date(this.deps.now()))}`,
      `Message-ID: <${randomBytes(12).toString('hex')}@${domain}>`,
      ...(meta.messageId ? [`In-Reply-To: ${meta.messageId}`] : []),
      ...(refs ? [`References: ${refs}`] : []),
      'Auto-Submitted: auto-replied', // RFC 3834 §5
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      `Content-Transfer-Encoding: ${ascii(body.replace(/\r\n/g, '')) ? '7bit' : 'base64'}`,
    ];
    const content = ascii(body.replace(/\r\n/g, '')) ? body : Buffer.from(body).toString('base64').replace(/.{76}/g, '$&\r\n');
    return Buffer.from(`${head.join('\r\n')}\r\n\r\n${content}\r\n`);
  }
}
