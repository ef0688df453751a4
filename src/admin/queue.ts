/** Console pages: the outbound queue (list, one entry with its attempts, retry, delete, bounce), as `outpost queue`. */
import type { FastifyInstance } from 'fastify';
import type { QueueStatus } from '../store/types.js';
import type { WebContext } from '../http/context.js';
import { html } from '../http/escape.js';
import { adminPage, adminPost } from './guard.js';
import { age, button, consolePage, when } from './layout.js';

const STATUSES: readonly QueueStatus[] = ['queued', 'delivered', 'bounced', 'expired'];
/** Entries listed on one page, newest first. */
const PAGE = 200;

const DONE: Record<string, string> = {
  retry: 'The entry will be tried again now.',
  bounce: 'The entry will bounce to its sender at the next attempt (now).',
  delete: 'The entry is deleted, without a bounce.',
};

export function queueRoutes(app: FastifyInstance, ctx: WebContext): void {
  const { store, now } = ctx.services;

  app.get('/admin/queue', async (req, reply) => {
    const who = await adminPage(ctx, req, reply);
    if (!who) return reply;
    const q = req.query as { status?: string; done?: string; error?: string };
    const status = STATUSES.includes(q.status as QueueStatus) ? (q.status as QueueStatus) : 'queued';
    const entries = (await store.listQueue({ status })).sort((a, b) => b.id - a.id);
    const done = DONE[q.done ?? ''];
    return consolePage(
      reply,
      who,
      'Outbound queue',
      html`<p>${STATUSES.map((s) => (s === status ? html`<strong>${s}</strong> ` : html`<a href="/admin/queue?status=${s}">${s}</a> `))}</p>
<p id="queue-count">${entries.length} ${status}</p>
<table id="queue"><tr><th>#</th><th>From</th><th>To</th><th>Attempts</th><th>Age</th><th>Next attempt</th><th>Last error</th></tr>
${entries.slice(0, PAGE).map(
  (e) => html`<tr><td><a href="/admin/queue/${e.id}">${e.id}</a></td><td>${e.mailFrom || '<>'}</td><td>${e.rcptTo}</td><td>${e.attempts}</td><td>${age(now() - e.createdAt)}</td><td>${e.status === 'queued' ? when(e.nextAttemptAt) : '-'}</td><td>${(e.lastError ?? '').slice(0, 120)}</td></tr>`,
)}</table>`,
      { ...(done ? { done } : {}), ...(q.error ? { error: q.error } : {}) },
    );
  });

  app.get('/admin/queue/:id', async (req, reply) => {
    const who = await adminPage(ctx, req, reply);
    if (!who) return reply;
    const id = Number((req.params as { id: string }).id);
    const e = Number.isSafeInteger(id) ? await store.getQueueEntry(id) : null;
    if (!e) return consolePage(reply, who, 'No such queue entry', html`<p>There is no such entry (it may have been deleted).</p>`, { status: 404 });
    const attempts = await store.listQueueAttempts(id);
    const raw = e.blobId ? await store.blobs.get(e.blobId) : null;
    const header = raw ? raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n'))).toString('utf8').slice(0, 4000) : null;
    const a = `/admin/queue/${e.id}`;
    return consolePage(
      reply,
      who,
      `Queue entry ${e.id}`,
      html`<table id="entry">
<tr><th>Status</th><td id="entry-status">${e.status}${e.bounceRequested ? ' (bounce requested)' : ''}</td></tr>
<tr><th>From</th><td>${e.mailFrom || '<>'}</td></tr><tr><th>To</th><td>${e.rcptTo}</td></tr>
<tr><th>Queued</th><td>${when(e.createdAt)} (${age(now() - e.createdAt)} ago)</td></tr>
<tr><th>Attempts</th><td>${e.attempts}; next ${e.status === 'queued' ? when(e.nextAttemptAt) : '-'}</td></tr>
<tr><th>Last error</th><td>${e.lastError ?? '-'}</td></tr></table>
${e.status === 'queued' ? html`<p>${button(who, `${a}/retry`, 'Retry now', 'retry')} ${button(who, `${a}/bounce`, 'Bounce to sender', 'bounce')} ${button(who, `${a}/delete`, 'Delete without bounce', 'delete')}</p>` : html`<p>${button(who, `${a}/delete`, 'Delete', 'delete')}</p>`}
<h2>Attempts</h2>
<table id="attempts"><tr><th>When</th><th>Host</th><th>Result</th><th>Reply</th></tr>
${attempts.map((t) => html`<tr><td>${when(t.at)}</td><td>${t.host ?? '-'}</td><td>${t.status}</td><td>${t.reply ?? '-'}</td></tr>`)}</table>
${header === null ? '' : html`<h2>Message header</h2><pre id="header">${header}</pre>`}`,
    );
  });

  for (const verb of ['retry', 'bounce', 'delete'] as const)
    app.post(`/admin/queue/:id/${verb}`, async (req, reply) => {
      const r = await adminPost(ctx, req, reply);
      if (!r) return reply;
      const id = Number((req.params as { id: string }).id);
      const ok = Number.isSafeInteger(id) && (verb === 'retry' ? await store.retryQueueEntry(id, now()) : verb === 'bounce' ? await store.requestBounce(id, now()) : await store.deleteQueueEntry(id));
      const query = ok ? `done=${verb}` : `error=${encodeURIComponent(`entry ${id} is not waiting in the queue any more`)}`;
      return reply.code(303).header('location', `/admin/queue?${query}`).send();
    });
}
