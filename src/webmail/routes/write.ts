/**
 * Writing: attachment uploads (raw bytes, so the browser can show progress; answered with a token bound to the
 * mailbox), drafts saved to Drafts (each save replaces the previous one), sending (src/webmail/send.ts), and the
 * starting text of a reply, reply-all or forward.
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { UserError } from '../../lib/errors.js';
import { webmailLimits } from '../../lib/limits.js';
import type { WebContext } from '../../http/context.js';
import { extractMeta } from '../../mail/meta.js';
import { ownedAddresses } from '../../smtp/submission.js';
import type { Store } from '../../store/types.js';
import { sameToken } from '../../http/session.js';
import { buildMessage, replyDraft, type Attachment, type Composition } from '../compose.js';
import { specialFolder } from '../folders.js';
import { htmlToText, partBytes, readMessage } from '../message.js';
import { partAt } from '../../mail/mime/parse.js';
import type { Prefs } from '../prefs.js';
import { sendMessage } from '../send.js';
import { intParam, refused, type Guard } from './guard.js';
import { loadMessage } from './read.js';
import { recordUpload } from '../uploads.js';

interface ComposeBody {
  from?: unknown;
  to?: unknown;
  cc?: unknown;
  bcc?: unknown;
  subject?: unknown;
  text?: unknown;
  inReplyTo?: unknown;
  references?: unknown;
  attachments?: unknown;
  draftUid?: unknown;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').map((s) => s.slice(0, 1000)) : []);
const str = (v: unknown, max = 100_000): string => (typeof v === 'string' ? v.slice(0, max) : '');

export function writeRoutes(app: FastifyInstance, ctx: WebContext, guard: Guard, prefs: Prefs): void {
  const { store } = ctx.services;

  const uploadToken = async (mailboxId: number, blobId: string) => createHmac('sha256', await ctx.secret()).update(`webmail-upload:${mailboxId}:${blobId}`).digest('base64url');

  /** The attachments a composition names by upload token; a token of another mailbox or a forged one is refused. */
  const attachmentsOf = async (mailboxId: number, v: unknown): Promise<Array<Attachment & { blobId: string }>> => {
    const list = Array.isArray(v) ? v : [];
    const out: Array<Attachment & { blobId: string }> = [];
    let total = 0;
    for (const a of list as Array<{ token?: unknown; name?: unknown; type?: unknown }>) {
      const [blobId, mac] = str(a.token, 200).split('.');
      if (!blobId || !mac || !sameToken(mac, await uploadToken(mailboxId, blobId))) throw new UserError('invalid', 'an attachment is no longer available; attach it again');
      const data = await store.blobs.get(blobId);
      if (!data) throw new UserError('invalid', 'an attachment is no longer available; attach it again');
      total += data.length;
      if (total > webmailLimits.attachmentsBytes) throw new UserError('invalid', `attachments may total at most ${webmailLimits.attachmentsBytes / 1024 / 1024} MB`);
      out.push({ filename: str(a.name, 200) || 'attachment', type: str(a.type, 130) || 'application/octet-stream', data, blobId });
    }
    return out;
  };

  /** The composition and the blob ids of the uploads it attaches. */
  const composition = async (mailboxId: number, address: string, b: ComposeBody): Promise<Composition & { uploads: string[] }> => {
    const p = await prefs.get(mailboxId);
    const attachments = await attachmentsOf(mailboxId, b.attachments);
    return {
      from: { name: p.displayName, address: str(b.from, 320) || address },
      to: strings(b.to),
      cc: strings(b.cc),
      bcc: strings(b.bcc),
      subject: str(b.subject, 998).replace(/[\r\n]+/g, ' '),
      text: str(b.text, webmailLimits.jsonBodyBytes),
      inReplyTo: str(b.inReplyTo, 998) || null,
      references: strings(b.references),
      attachments: attachments.map(({ blobId: _, ...a }) => a),
      uploads: attachments.map((a) => a.blobId),
    };
  };

  app.post('/api/uploads', { bodyLimit: webmailLimits.uploadBytes }, async (req, reply) => {
    const w = await guard(req, reply, true);
    if (!w) return reply;
    const body = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0) return reply.code(422).send({ error: 'invalid', message: 'the upload is empty' });
    const count = await store.hitCounter(`webmail.uploads:${w.mailbox.id}`, ctx.services.now(), 3600_000);
    if (count.count > webmailLimits.uploadsPerHour)
      return reply.code(429).send({ error: 'rate-limited', message: `at most ${webmailLimits.uploadsPerHour} attachments an hour; try again later` });
    let blobId: string;
    try {
      blobId = await recordUpload(store, w.mailbox.id, body, ctx.services.now());
    } catch (e) {
      return refused(reply, e);
    }
    let name = String(req.headers['x-filename'] ?? 'attachment');
    try {
      name = decodeURIComponent(name);
    } catch {
      /* not percent-encoded: kept as sent */
    }
    name = name.replace(/[\u0000-\u001f\u007f]/g, '_').slice(0, 200);
    const type = String(req.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
    return reply.code(201).send({ token: `${blobId}.${await uploadToken(w.mailbox.id, blobId)}`, name, type, size: body.length });
  });

  app.post('/api/drafts', { bodyLimit: webmailLimits.jsonBodyBytes }, async (req, reply) => {
    const w = await guard(req, reply, true);
    if (!w) return reply;
    const b = (req.body ?? {}) as ComposeBody;
    try {
      const drafts = await specialFolder(store, w.mailbox.id, '\\Drafts', true);
      const c = await composition(w.mailbox.id, w.mailbox.address, b);
      const raw = buildMessage({ ...c, to: c.to.filter(Boolean), cc: c.cc, bcc: c.bcc }, { now: new Date(ctx.services.now()), messageIdDomain: w.mailbox.domain, keepBcc: true });
      const { uid } = await store.append(drafts!.id, raw, extractMeta(raw), ['\\Draft', '\\Seen'], ctx.services.now());
      // The draft still names these uploads: they wait another full period.
      await store.touchUploads(w.mailbox.id, c.uploads, ctx.services.now());
      const old = intParam(b.draftUid);
      if (old > 0) await removeDraft(store, drafts!.id, old);
      return reply.send({ folderId: drafts!.id, uid });
    } catch (e) {
      return refused(reply, e);
    }
  });

  app.post('/api/send', { bodyLimit: webmailLimits.jsonBodyBytes }, async (req, reply) => {
    const w = await guard(req, reply, true);
    if (!w) return reply;
    const b = (req.body ?? {}) as ComposeBody;
    try {
      const c = await composition(w.mailbox.id, w.mailbox.address, b);
      const result = await sendMessage(ctx.services, w.mailbox, { composition: c, clientIp: req.socket.remoteAddress ?? 'unknown' });
      // Sent: the message holds its own copy of the bytes.
      await store.removeUploads(w.mailbox.id, c.uploads);
      const old = intParam(b.draftUid);
      const drafts = await specialFolder(store, w.mailbox.id, '\\Drafts');
      if (old > 0 && drafts) await removeDraft(store, drafts.id, old);
      // RFC 9051 §2.3.2 \Answered on the original of a reply.
      const original = b as { replyFolderId?: unknown; replyUid?: unknown };
      const rf = intParam(original.replyFolderId);
      const ru = intParam(original.replyUid);
      if (rf > 0 && ru > 0) {
        const f = await store.getFolderById(rf);
        if (f && f.mailboxId === w.mailbox.id) await store.storeFlags(rf, [ru], 'add', ['\\Answered']);
      }
      return reply.send(result);
    } catch (e) {
      return refused(reply, e);
    }
  });

  /** Forwarding: the original's attachments become uploads of this mailbox, ready to go with the new message. */
  app.post('/api/folders/:fid/messages/:uid/forward-attachments', async (req, reply) => {
    const w = await guard(req, reply, true);
    if (!w) return reply;
    const p = req.params as { fid: string; uid: string };
    try {
      const { raw, mime } = await loadMessage(store, w.mailbox.id, intParam(p.fid), intParam(p.uid));
      const out = [];
      for (const a of readMessage(raw, mime).attachments) {
        const part = partAt(mime, a.path.split('.').map(Number));
        if (!part) continue;
        const data = part.message ? raw.subarray(part.bodyStart, part.end) : partBytes(raw, part);
        const blobId = await recordUpload(store, w.mailbox.id, data, ctx.services.now());
        out.push({ token: `${blobId}.${await uploadToken(w.mailbox.id, blobId)}`, name: a.filename, type: a.type, size: data.length });
      }
      return reply.send({ attachments: out });
    } catch (e) {
      return refused(reply, e);
    }
  });

  app.get('/api/folders/:fid/messages/:uid/reply', async (req, reply) => {
    const w = await guard(req, reply, false);
    if (!w) return reply;
    const p = req.params as { fid: string; uid: string };
    const mode = (req.query as { mode?: string }).mode;
    try {
      const { raw, mime } = await loadMessage(store, w.mailbox.id, intParam(p.fid), intParam(p.uid));
      const view = readMessage(raw, mime);
      const text = view.text ?? (view.html ? htmlToText(view.html) : '');
      const when = new Date(view.date ?? ctx.services.now()).toUTCString();
      const own = await ownedAddresses(store, w.mailbox);
      const draft = replyDraft(view, text, mode === 'all' ? 'all' : mode === 'forward' ? 'forward' : 'reply', own, when);
      return reply.send(draft);
    } catch (e) {
      return refused(reply, e);
    }
  });
}

async function removeDraft(store: Store, folderId: number, uid: number): Promise<void> {
  const e = await store.getEntry(folderId, uid);
  if (e && e.flags.includes('\\Draft')) await store.deleteEntries(folderId, [uid]);
}
