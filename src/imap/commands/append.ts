/**
 * APPEND (RFC 9051 §6.3.12, RFC 3501 §6.3.11) with flags and internal date, RFC 4315 APPENDUID, RFC 3502
 * MULTIAPPEND syntax (messages stored one by one). A missing folder is NO [TRYCREATE]; a message that would
 * exceed the mailbox quota is NO [OVERQUOTA] (RFC 9208 §4.3), refused before the continuation when the literal
 * is synchronising; one over the size limit is refused by the reader with [TOOBIG] (RFC 7888 §4). The tagged OK
 * is written only after the store committed (and fsync'd) the message.
 */
import { extractMeta } from '../../mail/meta.js';
import { normaliseLineEndings } from '../../mail/normalise.js';
import { compressNumbers, num, ok, raw, type ImapResponse, type ResponseCodeName } from '../../protocol/imap/index.js';
import type { ImapSession } from '../session.js';
import { ImapBad, ImapNo } from '../errors.js';
import type { CommandOf } from './spec.js';

export interface LiteralRefusal {
  readonly kind: 'bad' | 'no';
  readonly text: string;
  readonly code?: ResponseCodeName;
}

const OVER_QUOTA = 'the mailbox is full: delete some messages (and empty the Trash) first';

async function overQuota(s: ImapSession, size: number): Promise<boolean> {
  const mailbox = await s.ctx.store.getMailboxById(s.mailbox().id);
  return mailbox !== null && mailbox.quotaBytes > 0 && mailbox.usedBytes + size > mailbox.quotaBytes;
}

/** Decides about an APPEND message literal before the client sends it. */
export async function checkAppendLiteral(s: ImapSession, size: number): Promise<LiteralRefusal | undefined> {
  if (s.state.kind !== 'authenticated' && s.state.kind !== 'selected') return { kind: 'bad', text: 'APPEND needs you to sign in first' };
  if (await overQuota(s, size)) return { kind: 'no', text: OVER_QUOTA, code: 'OVERQUOTA' };
  return undefined;
}

export async function append(s: ImapSession, cmd: CommandOf<'APPEND'>): Promise<ImapResponse> {
  const folder = await s.ctx.store.getFolder(s.mailbox().id, cmd.mailbox);
  if (!folder) throw new ImapNo(`no mailbox named ${JSON.stringify(cmd.mailbox).slice(0, 200)}; create it first`, 'TRYCREATE');
  const uids: number[] = [];
  for (const m of cmd.messages) {
    // RFC 6855 §4: the UTF8 data item only once UTF8=ACCEPT is enabled.
    if (m.utf8 && !s.utf8) throw new ImapBad('ENABLE UTF8=ACCEPT before APPEND … UTF8', 'CLIENTBUG');
    if (m.message.length === 0) throw new ImapNo('an empty message cannot be stored', 'CANNOT');
    const message = normaliseLineEndings(m.message);
    if (await overQuota(s, message.length)) throw new ImapNo(OVER_QUOTA, 'OVERQUOTA');
    const internalDate = m.internalDate?.date.getTime() ?? s.ctx.now();
    const r = await s.ctx.store.append(folder.id, message, extractMeta(message), [...m.flags], internalDate);
    uids.push(r.uid);
  }
  return ok(cmd.tag, 'APPEND completed', { name: 'APPENDUID', args: [num(folder.uidValidity), raw(compressNumbers(uids))] });
}
