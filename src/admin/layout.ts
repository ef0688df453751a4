/** The console's frame: its own navigation inside the site's page, and small helpers for forms and times. */
import type { FastifyReply } from 'fastify';
import { sendPage } from '../http/context.js';
import { html, type Safe } from '../http/escape.js';
import type { SignedIn } from '../http/session.js';

export function consolePage(reply: FastifyReply, who: SignedIn, title: string, body: Safe, opts: { done?: string; error?: string; status?: number } = {}): FastifyReply {
  return sendPage(
    reply,
    title,
    html`<nav class="admin" id="admin-nav"><a href="/admin">Status</a> · <a href="/admin/domains">Domains</a> · <a href="/admin/mailboxes">Mailboxes</a> · <a href="/admin/queue">Queue</a></nav>
${opts.done ? html`<div class="notice" id="message">${opts.done}</div>` : ''}${opts.error ? html`<div class="error" id="message">${opts.error}</div>` : ''}
${body}`,
    who,
    opts.status ?? 200,
  );
}

export const csrfField = (who: SignedIn) => html`<input type="hidden" name="csrf" value="${who.session.csrfToken}">`;

/** A one-button form posting to `action`. */
export const button = (who: SignedIn, action: string, label: string, id: string) =>
  html`<form method="post" action="${action}" class="inline">${csrfField(who)}<button type="submit" id="${id}">${label}</button></form>`;

export const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC');

export function age(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
