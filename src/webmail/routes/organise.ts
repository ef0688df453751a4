/**
 * Organising: move (also what drag-and-drop does), delete (to Trash; from Trash for good), archive, flag,
 * read/unread, and "spam / not spam" (moved to Junk or back to Inbox, and the sender trained for this mailbox:
 * src/inbound/training.ts). All through the store's one-commit operations IMAP uses (RFC 6851 MOVE, STORE,
 * EXPUNGE), so IMAP clients see the same changes at once through the ChangeFeed.
 */
import type { FastifyInstance } from 'fastify';
import { UserError } from '../../lib/errors.js';
import { webmailLimits } from '../../lib/limits.js';
import type { WebContext } from '../../http/context.js';
import { SpamTraining } from '../../inbound/training.js';
import { ownFolder, specialFolder } from '../folders.js';
import { people } from '../message.js';
import type { Prefs } from '../prefs.js';
import { intParam, refused, type Guard } from './guard.js';

const ACTIONS = ['move', 'delete', 'archive', 'spam', 'notspam', 'flag', 'unflag', 'seen', 'unseen'] as const;
type Action = (typeof ACTIONS)[number];

export function organiseRoutes(app: FastifyInstance, ctx: WebContext, guard: Guard, prefs: Prefs): void {
  const { store } = ctx.services;
  const training = new SpamTraining(store, ctx.services.now);

  app.post('/api/folders/:fid/actions', async (req, reply) => {
    const w = await guard(req, reply, true);
    if (!w) return reply;
    const b = (req.body ?? {}) as { action?: unknown; uids?: unknown; to?: unknown };
    try {
      const folder = await ownFolder(store, w.mailbox.id, intParam((req.params as { fid: string }).fid));
      const action = ACTIONS.find((a) => a === b.action) as Action | undefined;
      if (!action) throw new UserError('invalid', 'unknown action');
      const uids = (Array.isArray(b.uids) ? b.uids : []).map(intParam).filter((u) => u > 0).slice(0, webmailLimits.maxPageSize);
      if (uids.length === 0) throw new UserError('invalid', 'select at least one message');
      const moveTo = async (toId: number) => {
        if (toId === folder.id) return 0;
        return (await store.move(folder.id, uids, toId)).length;
      };
      const senders = async () => {
        const out: string[] = [];
        for (const uid of uids) {
          const e = await store.getEntry(folder.id, uid);
          const a = e ? people(e.meta.from)[0]?.address : undefined;
          if (a) out.push(a.toLowerCase());
        }
        return out;
      };
      let changed = 0;
      switch (action) {
        case 'move':
          changed = await moveTo((await ownFolder(store, w.mailbox.id, intParam(b.to))).id);
          break;
        case 'delete': {
          const trash = await specialFolder(store, w.mailbox.id, '\\Trash', true);
          if (trash!.id === folder.id) {
            await store.storeFlags(folder.id, uids, 'add', ['\\Deleted']);
            changed = (await store.expunge(folder.id, uids)).length;
          } else changed = await moveTo(trash!.id);
          break;
        }
        case 'archive':
          changed = await moveTo((await specialFolder(store, w.mailbox.id, '\\Archive', true))!.id);
          break;
        case 'spam':
        case 'notspam': {
          for (const s of await senders()) await training.train(w.mailbox.id, s, action === 'spam' ? 'spam' : 'ham');
          const target = action === 'spam' ? await specialFolder(store, w.mailbox.id, '\\Junk', true) : await store.getFolder(w.mailbox.id, 'INBOX');
          changed = await moveTo(target!.id);
          break;
        }
        default: {
          const [mode, flag] = ({ flag: ['add', '\\Flagged'], unflag: ['remove', '\\Flagged'], seen: ['add', '\\Seen'], unseen: ['remove', '\\Seen'] } as const)[action];
          changed = (await store.storeFlags(folder.id, uids, mode, [flag])).changed.length;
        }
      }
      return reply.send({ changed });
    } catch (e) {
      return refused(reply, e);
    }
  });

  app.post('/api/trusted-senders', async (req, reply) => {
    const w = await guard(req, reply, true);
    if (!w) return reply;
    const b = (req.body ?? {}) as { sender?: unknown; trusted?: unknown };
    try {
      await prefs.trustSender(w.mailbox.id, typeof b.sender === 'string' ? b.sender : '', b.trusted !== false);
      return reply.code(204).send();
    } catch (e) {
      return refused(reply, e);
    }
  });
}
