/**
 * Reading: folders, the message list (pages, sorting, search), one message (with its conversation), its HTML body
 * as a sandboxed document under its own CSP, its parts (downloads with `Content-Disposition: attachment` and
 * nosniff; cid: images inline), and the original octets ("show original").
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { UserError } from '../../lib/errors.js';
import { webmailLimits } from '../../lib/limits.js';
import type { WebContext } from '../../http/context.js';
import { parseMime, partAt, type MimePart } from '../../mail/mime/parse.js';
import { ownedAddresses } from '../../smtp/submission.js';
import type { MessageEntry, Store } from '../../store/types.js';
import { listFolders, ownFolder, specialFolder } from '../folders.js';
import { conversation, itemOf, listPage, searchFolder, suggestions, threadPage, type SortKey } from '../listing.js';
import { filenameOf, htmlToText, partBytes, readMessage } from '../message.js';
import { frameDocument, sanitiseHtml } from '../sanitise.js';
import { intParam, refused, type Guard } from './guard.js';
import type { Prefs } from '../prefs.js';

const SORTS: readonly SortKey[] = ['arrival', 'date', 'from', 'subject', 'size'];

/** Inline images a message may show by cid: (never SVG, which can carry script and links). */
const INLINE_IMAGE = /^image\/(png|jpeg|gif|webp|bmp)$/;

export async function loadMessage(store: Store, mailboxId: number, folderId: number, uid: number): Promise<{ entry: MessageEntry; raw: Buffer; mime: MimePart }> {
  await ownFolder(store, mailboxId, folderId);
  const entry = uid > 0 ? await store.getEntry(folderId, uid) : null;
  if (!entry) throw new UserError('not-found', 'no such message');
  const raw = await store.blobs.get(entry.blobId);
  if (!raw) throw new UserError('not-found', 'no such message');
  return { entry, raw, mime: parseMime(raw) };
}

export function bodyUrl(folderId: number, uid: number): string {
  return `/webmail/api/folders/${folderId}/messages/${uid}`;
}

/** The CSP of a message body document: nothing runs, nothing loads but our own inline parts (and remote images once allowed). */
export function bodyCsp(allowRemote: boolean): string {
  return `default-src 'none'; img-src 'self' data:${allowRemote ? ' https: http:' : ''}; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox`;
}

export function readRoutes(app: FastifyInstance, ctx: WebContext, guard: Guard, prefs: Prefs): void {
  const { store } = ctx.services;

  app.get('/api/me', async (req, reply) => {
    const w = await guard(req, reply, false);
    if (!w) return reply;
    const owned = [...(await ownedAddresses(store, w.mailbox))];
    const p = await prefs.get(w.mailbox.id);
    return reply.send({ address: w.mailbox.address, csrfToken: w.session.csrfToken, addresses: owned, displayName: p.displayName, signature: p.signature });
  });

  app.get('/api/folders', async (req, reply) => {
    const w = await guard(req, reply, false);
    if (!w) return reply;
    return reply.send({ folders: await listFolders(store, w.mailbox.id) });
  });

  app.get('/api/folders/:fid/messages', async (req, reply) => {
    const w = await guard(req, reply, false);
    if (!w) return reply;
    const q = req.query as Record<string, string | undefined>;
    try {
      const folder = await ownFolder(store, w.mailbox.id, intParam((req.params as { fid: string }).fid));
      const searching = ['text', 'from', 'to', 'subject', 'body', 'since', 'before', 'hasAttachment'].some((k) => q[k]);
      if (searching) {
        const r = await searchFolder(store, folder.id, { text: q.text, from: q.from, to: q.to, subject: q.subject, body: q.body, since: q.since, before: q.before, hasAttachment: q.hasAttachment === '1' }, ctx.services.now());
        return reply.send({ total: r.items.length, items: r.items, next: null, truncated: r.truncated });
      }
      const sort = SORTS.includes(q.sort as SortKey) ? (q.sort as SortKey) : 'arrival';
      const limit = Math.min(Math.max(intParam(q.limit ?? String(webmailLimits.pageSize)), 1), webmailLimits.maxPageSize);
      const cursor = /^([uo])(\d{1,15})$/.exec(q.cursor ?? '');
      if (q.view === 'threads') return reply.send(await threadPage(store, folder.id, cursor?.[1] === 'o' ? Number(cursor[2]) : 0, limit));
      const page = await listPage(store, folder.id, {
        sort,
        reverse: q.order !== 'asc',
        beforeUid: cursor?.[1] === 'u' ? Number(cursor[2]) : undefined,
        offset: cursor?.[1] === 'o' ? Number(cursor[2]) : 0,
        limit,
      });
      // Counts come with the folder list (GET /api/folders): counting a large folder costs more than its first page.
      return reply.send({ items: page.items, next: page.next });
    } catch (e) {
      return refused(reply, e);
    }
  });

  app.get('/api/folders/:fid/messages/:uid', async (req, reply) => {
    const w = await guard(req, reply, false);
    if (!w) return reply;
    const p = req.params as { fid: string; uid: string };
    try {
      const folderId = intParam(p.fid);
      const { entry, raw, mime } = await loadMessage(store, w.mailbox.id, folderId, intParam(p.uid));
      const view = readMessage(raw, mime);
      const sender = view.from[0]?.address.toLowerCase() ?? '';
      const trusted = sender !== '' && (await prefs.get(w.mailbox.id)).trustedSenders.includes(sender);
      const html = view.html !== null && Buffer.byteLength(view.html) <= webmailLimits.htmlBytes ? view.html : null;
      const remoteBlocked = html !== null && !trusted && sanitiseHtml(html, { allowRemote: false, cidUrl: () => null }).remoteBlocked;
      // The conversation: this folder and Sent, linked by Message-ID / In-Reply-To / References.
      const sent = await specialFolder(store, w.mailbox.id, '\\Sent');
      const recent = async (id: number) => {
        const f = await store.getFolderById(id);
        return store.listEntries(id, { fromUid: Math.max(1, (f?.uidNext ?? 1) - webmailLimits.conversationScan) });
      };
      const pools = [{ folderId, entries: await recent(folderId) }];
      if (sent && sent.id !== folderId) pools.push({ folderId: sent.id, entries: await recent(sent.id) });
      const pool = pools.flatMap((x) => x.entries.map((e) => ({ ...e, folderId: x.folderId })));
      const start = pool.find((e) => e.folderId === folderId && e.uid === entry.uid) ?? { ...entry, folderId };
      // A message sent to oneself is in this folder and in Sent: shown once (this folder's copy).
      const copies = new Set(pool.filter((e) => e.folderId === folderId && e.meta.messageId).map((e) => e.meta.messageId));
      const thread = conversation(start, pool)
        .filter((e) => e.folderId === folderId || !e.meta.messageId || !copies.has(e.meta.messageId))
        .map((e) => ({ folderId: e.folderId, ...itemOf(e) }));
      return reply.send({
        folderId,
        uid: entry.uid,
        flags: entry.flags,
        size: entry.size,
        internalDate: entry.internalDate,
        subject: view.subject,
        from: view.from,
        to: view.to,
        cc: view.cc,
        replyTo: view.replyTo,
        date: view.date,
        messageId: view.messageId,
        text: view.text ?? (html !== null ? htmlToText(html) : ''),
        hasHtml: html !== null,
        remoteBlocked,
        senderTrusted: trusted,
        attachments: view.attachments,
        conversation: thread.length > 1 ? thread : [],
      });
    } catch (e) {
      return refused(reply, e);
    }
  });

  app.get('/api/folders/:fid/messages/:uid/body.html', async (req, reply) => {
    const w = await guard(req, reply, false);
    if (!w) return reply;
    const p = req.params as { fid: string; uid: string };
    try {
      const folderId = intParam(p.fid);
      const uid = intParam(p.uid);
      const { raw, mime } = await loadMessage(store, w.mailbox.id, folderId, uid);
      const view = readMessage(raw, mime);
      const sender = view.from[0]?.address.toLowerCase() ?? '';
      const allowRemote = (req.query as { remote?: string }).remote === '1' || (sender !== '' && (await prefs.get(w.mailbox.id)).trustedSenders.includes(sender));
      const cids = new Map(view.attachments.filter((a) => a.contentId && INLINE_IMAGE.test(a.type)).map((a) => [a.contentId!.toLowerCase(), a.path]));
      const html = view.html !== null && Buffer.byteLength(view.html) <= webmailLimits.htmlBytes ? view.html : '';
      const clean = sanitiseHtml(html, {
        allowRemote,
        cidUrl: (cid) => {
          const path = cids.get(cid.toLowerCase());
          return path ? `${bodyUrl(folderId, uid)}/parts/${path}?inline=1` : null;
        },
      });
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', bodyCsp(allowRemote))
        .header('x-frame-options', 'SAMEORIGIN')
        .header('cross-origin-resource-policy', 'same-origin')
        .send(frameDocument(clean.html));
    } catch (e) {
      return refused(reply, e);
    }
  });

  app.get('/api/folders/:fid/messages/:uid/parts/:path', async (req, reply) => {
    const w = await guard(req, reply, false);
    if (!w) return reply;
    const p = req.params as { fid: string; uid: string; path: string };
    try {
      if (!/^\d{1,4}(\.\d{1,4}){0,20}$/.test(p.path)) throw new UserError('not-found', 'no such part');
      const { raw, mime } = await loadMessage(store, w.mailbox.id, intParam(p.fid), intParam(p.uid));
      const part = partAt(mime, p.path.split('.').map(Number));
      if (!part || part.type === 'multipart') throw new UserError('not-found', 'no such part');
      const type = `${part.type}/${part.subtype}`.toLowerCase();
      const bytes = part.message ? raw.subarray(part.bodyStart, part.end) : partBytes(raw, part);
      const name = filenameOf(part) || (part.message ? 'message.eml' : 'attachment');
      const inline = (req.query as { inline?: string }).inline === '1' && INLINE_IMAGE.test(type);
      return sendBytes(reply, bytes, inline ? type : /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type) ? type : 'application/octet-stream', inline ? null : name);
    } catch (e) {
      return refused(reply, e);
    }
  });

  app.get('/api/folders/:fid/messages/:uid/raw', async (req, reply) => {
    const w = await guard(req, reply, false);
    if (!w) return reply;
    const p = req.params as { fid: string; uid: string };
    try {
      const { raw } = await loadMessage(store, w.mailbox.id, intParam(p.fid), intParam(p.uid));
      const download = (req.query as { download?: string }).download === '1';
      return sendBytes(reply, raw, download ? 'message/rfc822' : 'text/plain; charset=utf-8', download ? 'message.eml' : null);
    } catch (e) {
      return refused(reply, e);
    }
  });

  app.get('/api/suggest', async (req, reply) => {
    const w = await guard(req, reply, false);
    if (!w) return reply;
    const q = String((req.query as { q?: string }).q ?? '').slice(0, 100);
    const recent = async (use: '\\Sent' | null) => {
      const f = use ? await specialFolder(store, w.mailbox.id, use) : await store.getFolder(w.mailbox.id, 'INBOX');
      if (!f) return [];
      return (await store.listEntries(f.id, { fromUid: Math.max(1, f.uidNext - webmailLimits.suggestionScan) }));
    };
    const own = await ownedAddresses(store, w.mailbox);
    return reply.send({ people: suggestions(await recent('\\Sent'), await recent(null), q, own) });
  });
}

/** Bytes for download: never sniffed, never rendered as a page of ours (CSP sandbox), named when an attachment. */
export function sendBytes(reply: FastifyReply, bytes: Buffer, type: string, attachmentName: string | null): FastifyReply {
  reply
    .header('content-type', type)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cross-origin-resource-policy', 'same-origin');
  if (attachmentName !== null) {
    const ascii = attachmentName.replace(/[^\x20-\x7e]|["\\]/g, '_');
    reply.header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(attachmentName)}`);
  } else reply.header('content-disposition', 'inline');
  return reply.send(bytes);
}
