/**
 * Live updates: a server-sent event stream (HTML Living Standard §9.2) per open webmail tab, fed by the store's
 * ChangeFeed (in-process for SQLite, LISTEN/NOTIFY on PostgreSQL), the same feed IMAP IDLE uses. Each event names
 * the folder and what changed; the page then reloads the counts and the list it shows.
 */
import type { FastifyInstance } from 'fastify';
import { webmailLimits } from '../../lib/limits.js';
import type { WebContext } from '../../http/context.js';
import type { FolderChange } from '../../store/types.js';
import type { Guard } from './guard.js';

export function liveRoutes(app: FastifyInstance, ctx: WebContext, guard: Guard): void {
  /** Open streams per mailbox in this process: a closed tab ends its stream; beyond the limit the oldest goes. */
  const open = new Map<number, Array<() => void>>();

  app.get('/api/live', async (req, reply) => {
    const w = await guard(req, reply, false);
    if (!w) return reply;
    const mailboxId = w.mailbox.id;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    res.write(`retry: 2000\n\n`);
    const send = (c: FolderChange) => {
      const data = c.kind === 'folders' ? { kind: c.kind } : { kind: c.kind, folderId: c.folderId, uids: c.uids.slice(0, 100) };
      res.write(`event: change\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const unsubscribe = ctx.services.store.changes.subscribe(mailboxId, send);
    const timer = setInterval(() => res.write(': keep-alive\n\n'), webmailLimits.sseKeepAliveMs);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      unsubscribe();
      const list = open.get(mailboxId)?.filter((c) => c !== close) ?? [];
      if (list.length) open.set(mailboxId, list);
      else open.delete(mailboxId);
      res.end();
    };
    const list = [...(open.get(mailboxId) ?? []), close];
    open.set(mailboxId, list);
    if (list.length > webmailLimits.sseStreamsPerMailbox) list[0]!();
    req.raw.socket.on('close', close);
    res.on('close', close);
  });
}
