/**
 * QUOTA (RFC 9208): one quota root, "", holding every folder of the mailbox, with the STORAGE resource taken from
 * the mailbox's quota in the store (§5.1: units of 1024 octets). A mailbox without a quota has no root
 * (§4.2: `* QUOTAROOT INBOX` with none). Limits are set by the administrator, never over IMAP: SETQUOTA is NO
 * [NOPERM] (§4.3).
 */
import { ok, quotaResponse, quotaRootResponse, type ImapResponse } from '../../protocol/imap/index.js';
import type { ImapSession } from '../session.js';
import { ImapNo } from '../errors.js';
import { existingFolder } from './mailboxes.js';
import type { CommandOf } from './spec.js';

const ROOT = '';

async function storage(s: ImapSession): Promise<{ usage: number; limit: number } | undefined> {
  const mailbox = (await s.ctx.store.getMailboxById(s.mailbox().id)) ?? s.mailbox();
  if (mailbox.quotaBytes <= 0) return undefined;
  return { usage: Math.ceil(mailbox.usedBytes / 1024), limit: Math.floor(mailbox.quotaBytes / 1024) };
}

export async function getQuotaRoot(s: ImapSession, cmd: CommandOf<'GETQUOTAROOT'>): Promise<ImapResponse> {
  const folder = await existingFolder(s, cmd.mailbox);
  const st = await storage(s);
  await s.write(quotaRootResponse(folder.name, st ? [ROOT] : [], { utf8: s.utf8 }));
  if (st) await s.write(quotaResponse(ROOT, [{ resource: 'STORAGE', ...st }]));
  return ok(cmd.tag, 'GETQUOTAROOT completed');
}

export async function getQuota(s: ImapSession, cmd: CommandOf<'GETQUOTA'>): Promise<ImapResponse> {
  const st = cmd.root === ROOT ? await storage(s) : undefined;
  if (!st) throw new ImapNo('no such quota root', 'NONEXISTENT');
  await s.write(quotaResponse(ROOT, [{ resource: 'STORAGE', ...st }]));
  return ok(cmd.tag, 'GETQUOTA completed');
}

export async function setQuota(_s: ImapSession, _cmd: CommandOf<'SETQUOTA'>): Promise<ImapResponse> {
  throw new ImapNo('quotas are set by the administrator', 'NOPERM');
}
