/**
 * Where a delivery status notice goes (RFC 3461 §6, RFC 5321 §4.5.5 and §6.1): to the envelope sender, with a null
 * reverse path; never to `<>` — the notice about a failed notice goes to our postmaster instead (a "double bounce"),
 * and a delay of a notice is not reported at all. A local sender gets it in the INBOX in the same commit that
 * settles the queue entries; a remote one gets it through the queue.
 */
import type { Delivery, Store } from '../store/types.js';
import { composeDsn, headerValue, type DsnInput } from './dsn.js';

export interface NoticeContext {
  store: Pick<Store, 'getMailbox' | 'getAlias' | 'getDomain'>;
  hostname: string;
  /** `[server] domain`: its postmaster@ receives double bounces. */
  primaryDomain: string;
}

/** Local mailbox ids for an address (a mailbox, or an alias's mailboxes one level deep); null if the domain is not ours. */
async function localMailboxes(ctx: NoticeContext, address: string): Promise<number[] | null> {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  if (!(await ctx.store.getDomain(domain))) return null;
  const m = await ctx.store.getMailbox(address.toLowerCase());
  if (m) return m.disabled ? [] : [m.id];
  const alias = await ctx.store.getAlias(address.toLowerCase());
  const ids: number[] = [];
  for (const t of alias?.targets ?? []) {
    const tm = await ctx.store.getMailbox(t);
    if (tm && !tm.disabled) ids.push(tm.id);
  }
  return ids;
}

/**
 * Builds the notice as a {@link Delivery} for the store's settlement, or null when none is to be sent (a delay of
 * a notice; a sender in our domains that does not exist any more).
 */
export async function noticeDelivery(
  ctx: NoticeContext,
  mailFrom: string,
  input: Omit<DsnInput, 'reportingMta' | 'to' | 'toPostmaster'>,
  now: number,
): Promise<Delivery | null> {
  const doubleBounce = mailFrom === '';
  if (doubleBounce && input.kind !== 'failure') return null;
  const to = doubleBounce ? `postmaster@${ctx.primaryDomain}` : mailFrom;
  const raw = composeDsn({ ...input, reportingMta: ctx.hostname, to, toPostmaster: doubleBounce });
  const meta = {
    size: raw.length,
    subject: headerValue(raw, 'subject'),
    from: headerValue(raw, 'from'),
    to: headerValue(raw, 'to'),
    cc: null,
    date: now,
    messageId: headerValue(raw, 'message-id'),
    inReplyTo: null,
    references: null,
    structure: null,
  };
  const local = await localMailboxes(ctx, to);
  if (local !== null) {
    if (local.length === 0) return null;
    return { raw, meta, receivedAt: now, targets: local.map((mailboxId) => ({ mailboxId, folder: 'INBOX' })), queue: [] };
  }
  if (doubleBounce) return null; // our postmaster is always local; a misconfiguration must not start a loop
  return { raw, meta, receivedAt: now, targets: [], queue: [{ mailFrom: '', rcptTo: to, params: {}, submitterId: null, nextAttemptAt: now }] };
}
