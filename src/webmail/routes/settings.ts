/**
 * Settings (forwarding and vacation through src/accounts/rules.ts, display name and signature, app passwords
 * through the account service, the settings-guide links) and the delivery status of what the user sent, read
 * from the outbound queue: queued, retrying with the remote's last reply, delivered, bounced (or expired).
 */
import type { FastifyInstance } from 'fastify';
import { webmailLimits } from '../../lib/limits.js';
import type { WebContext } from '../../http/context.js';
import { RulesService } from '../../accounts/rules.js';
import { specialFolder } from '../folders.js';
import { itemOf } from '../listing.js';
import type { Prefs } from '../prefs.js';
import { refused, type Guard } from './guard.js';

export function settingsRoutes(app: FastifyInstance, ctx: WebContext, guard: Guard, prefs: Prefs): void {
  const { store, accounts } = ctx.services;
  const rules = new RulesService(store);

  const settingsOf = async (mailboxId: number, address: string) => {
    const r = await rules.get(address);
    const p = await prefs.get(mailboxId);
    const apps = await accounts.listAppPasswords(address);
    return {
      displayName: p.displayName,
      signature: p.signature,
      forwarding: { to: r.forwardTo, keepCopy: r.keepCopy },
      vacation: r.vacation,
      trustedSenders: p.trustedSenders,
      appPasswords: apps.map((a) => ({ name: a.name, createdAt: a.createdAt, lastUsedAt: a.lastUsedAt })),
      links: { guide: '/guide', sheet: '/guide/sheet', account: '/account' },
    };
  };

  app.get('/api/settings', async (req, reply) => {
    const w = await guard(req, reply, false);
    if (!w) return reply;
    return reply.send(await settingsOf(w.mailbox.id, w.mailbox.address));
  });

  app.post('/api/settings', async (req, reply) => {
    const w = await guard(req, reply, true);
    if (!w) return reply;
    const b = (req.body ?? {}) as {
      displayName?: unknown;
      signature?: unknown;
      forwarding?: { to?: unknown; keepCopy?: unknown };
      vacation?: { enabled?: unknown; subject?: unknown; body?: unknown; periodDays?: unknown; until?: unknown };
    };
    try {
      const a = w.mailbox.address;
      if (typeof b.displayName === 'string' || typeof b.signature === 'string')
        await prefs.update(w.mailbox.id, {
          ...(typeof b.displayName === 'string' ? { displayName: b.displayName } : {}),
          ...(typeof b.signature === 'string' ? { signature: b.signature } : {}),
        });
      if (b.forwarding && typeof b.forwarding === 'object') {
        const to = Array.isArray(b.forwarding.to) ? b.forwarding.to.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
        await rules.setForwarding(a, to, b.forwarding.keepCopy !== false);
      }
      if (b.vacation && typeof b.vacation === 'object') {
        const v = b.vacation;
        await rules.setVacation(a, {
          enabled: v.enabled === true,
          ...(typeof v.subject === 'string' ? { subject: v.subject } : {}),
          ...(typeof v.body === 'string' ? { body: v.body } : {}),
          ...(typeof v.periodDays === 'number' ? { periodDays: v.periodDays } : {}),
          ...(typeof v.until === 'number' || v.until === null ? { until: v.until as number | null } : {}),
        });
      }
      return reply.send(await settingsOf(w.mailbox.id, a));
    } catch (e) {
      return refused(reply, e);
    }
  });

  /** Delivery status per sent message (newest first): the Sent copy and the queue rows share the stored message. */
  app.get('/api/outbox', async (req, reply) => {
    const w = await guard(req, reply, false);
    if (!w) return reply;
    const entries = await store.listQueue({ submitterId: w.mailbox.id });
    const sent = await specialFolder(store, w.mailbox.id, '\\Sent');
    const sentEntries = sent ? await store.listEntries(sent.id, { fromUid: Math.max(1, sent.uidNext - webmailLimits.suggestionScan) }) : [];
    const byMessage = new Map(sentEntries.map((e) => [e.messageId, e]));
    // A message sent with Bcc has its own Sent copy (src/webmail/send.ts), stored with the sending time as its date.
    const byTime = new Map(sentEntries.map((e) => [e.internalDate, e]));
    const groups = new Map<number, { message: ReturnType<typeof itemOf> | null; folderId: number | null; recipients: unknown[]; createdAt: number }>();
    for (const q of entries.sort((a, b) => b.id - a.id).slice(0, 200)) {
      const attempts = await store.listQueueAttempts(q.id);
      const last = attempts.at(-1);
      const state = q.status === 'queued' ? (q.attempts > 0 ? 'retrying' : 'queued') : q.status;
      const g = groups.get(q.messageId) ?? { message: ((e) => (e ? itemOf(e) : null))(byMessage.get(q.messageId) ?? byTime.get(q.createdAt)), folderId: sent?.id ?? null, recipients: [], createdAt: q.createdAt };
      g.recipients.push({ address: q.rcptTo, state, attempts: q.attempts, nextAttemptAt: q.status === 'queued' ? q.nextAttemptAt : null, lastReply: last?.reply ?? q.lastError, host: last?.host ?? null, updatedAt: q.updatedAt });
      groups.set(q.messageId, g);
    }
    return reply.send({ messages: [...groups.values()] });
  });
}

