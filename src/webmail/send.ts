/**
 * Sending from the webmail goes through the submission rules SMTP applies (src/smtp/accept.ts): the From must be
 * one of the signed-in mailbox's addresses (src/mail/submission.ts prepareSubmission: RFC 6409 §8, Bcc removed,
 * Received added), the hourly message and daily recipient limits (src/smtp/rate-limit.ts), recipients resolved as
 * RCPT TO resolves them (local mailboxes, aliases, forwarding; unknown local addresses refused), quotas, then ONE
 * store commit: local copies, the copy in Sent, and a queue row per remote recipient (the queue signs with DKIM
 * when it delivers). Vacation replies of local recipients follow, as after an SMTP submission.
 */
import { randomBytes } from 'node:crypto';
import type { Services } from '../app/services.js';
import { UserError } from '../lib/errors.js';
import { webmailLimits } from '../lib/limits.js';
import { extractMeta } from '../mail/meta.js';
import { receivedHeader } from '../mail/received.js';
import { prepareSubmission } from '../mail/submission.js';
import { parseForwardPath } from '../protocol/smtp/path.js';
import { checkQuota, resolveRecipient } from '../smtp/recipients.js';
import { ownedAddresses } from '../smtp/submission.js';
import type { DeliveryTarget, Mailbox, NewQueueEntry } from '../store/types.js';
import { buildMessage, recipients, withBcc, type Composition } from './compose.js';
import { specialFolder } from './folders.js';

export interface SendRequest {
  composition: Composition;
  clientIp: string;
}

export interface SendResult {
  messageId: string | null;
  sentUid: number | null;
  queued: number;
  local: number;
}

/** Refusals of the submission rules, limits and recipients reach the user with their reason. */
function refusal(e: unknown): never {
  if (e instanceof Error && 'kind' in e && ((e as { kind: string }).kind === 'user' || (e as { kind: string }).kind === 'temporary'))
    throw new UserError('refused', e.message.replace(/^\d{3} /, ''));
  throw e;
}

export async function sendMessage(services: Services, mailbox: Mailbox, req: SendRequest): Promise<SendResult> {
  const { store, config } = services;
  const limits = services.smtp.context.limits;
  const now = services.now();
  const c = req.composition;
  const all = [...recipients(c.to), ...recipients(c.cc), ...recipients(c.bcc)];
  if (all.length === 0) throw new UserError('invalid', 'add at least one recipient');
  if (all.length > webmailLimits.recipients) throw new UserError('invalid', `at most ${webmailLimits.recipients} recipients per message`);

  const owned = await ownedAddresses(store, mailbox);
  if (!owned.has(c.from.address.toLowerCase()))
    throw new UserError('refused', `you cannot send as ${c.from.address}: you are signed in as ${mailbox.address}; send from it or one of your aliases`);
  await limits.checkMessage(mailbox.id).catch(refusal);

  const id = randomBytes(8).toString('hex');
  const built = buildMessage(c, { now: new Date(now), messageIdDomain: mailbox.domain, keepBcc: false });
  const prepared = prepareSubmission(built, {
    owns: (address) => owned.has(address.toLowerCase()),
    hostname: config.server.hostname,
    now: new Date(now),
    received: receivedHeader({ helo: 'webmail', clientIp: req.clientIp, by: config.server.hostname, protocol: 'ESMTPSA', id, for: all.length === 1 ? all[0]!.address : null, date: new Date(now) }),
    messageIdDomain: mailbox.domain,
  });
  if (!prepared.ok) throw new UserError('refused', prepared.message);
  const raw = prepared.raw;

  const targets: DeliveryTarget[] = [];
  const localMailboxes = new Map<number, Mailbox>();
  const queue: NewQueueEntry[] = [];
  const seen = new Set<string>();
  for (const p of all) {
    const key = p.address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    let path;
    try {
      path = parseForwardPath(`<${p.address}>`, { smtputf8: /[^\x00-\x7f]/.test(p.address) });
    } catch {
      throw new UserError('invalid', `"${p.address}" is not an address mail can be sent to`);
    }
    const r = await resolveRecipient(store, path, config.server.domain);
    if (r.kind === 'unknown') throw new UserError('refused', `there is no mailbox ${p.address} here (${r.reason.replace(/-/g, ' ')})`);
    try {
      if (r.kind === 'local') checkQuota(r.mailboxes, raw.length);
    } catch (e) {
      refusal(e);
    }
    await limits.takeRecipient(mailbox.id).catch(refusal);
    const remote = r.kind === 'remote' ? [r.address] : r.forwards;
    if (r.kind === 'local') for (const m of r.mailboxes) localMailboxes.set(m.id, m);
    for (const rcptTo of remote)
      queue.push({ mailFrom: c.from.address, rcptTo, params: /[^\x00-\x7f]/.test(rcptTo + c.from.address) ? { SMTPUTF8: 'yes' } : {}, submitterId: mailbox.id, nextAttemptAt: now });
  }
  for (const m of localMailboxes.values()) targets.push({ mailboxId: m.id, folder: 'INBOX' });
  const sent = await specialFolder(store, mailbox.id, '\\Sent');
  // Without blind copies the Sent copy is the transmitted message, in the same commit. With them, the Sent copy
  // keeps its Bcc field (compose.ts withBcc), so it is other octets, stored right after the sending commit as a mail
  // program's APPEND to Sent follows its SMTP submission: the message is never held back by its copy.
  const bcc = recipients(c.bcc);
  if (sent && bcc.length === 0) targets.push({ mailboxId: mailbox.id, folder: sent.name, flags: ['\\Seen'] });

  const result = await store.deliver({ raw, meta: extractMeta(raw), receivedAt: now, targets, queue });
  await limits.recordMessage(mailbox.id).catch(() => undefined);
  const delivered = [...localMailboxes.values()];
  if (delivered.length > 0) void services.smtp.context.vacation.afterDelivery(raw, c.from.address, delivered).catch(() => undefined);
  let sentUid = sent ? (result.placed.find((p) => p.folderId === sent.id)?.uid ?? null) : null;
  if (sent && bcc.length > 0) {
    const copy = withBcc(raw, bcc);
    sentUid = (await store.append(sent.id, copy, extractMeta(copy), ['\\Seen'], now)).uid;
  }
  return { messageId: extractMeta(raw).messageId, sentUid, queued: queue.length, local: delivered.length };
}
