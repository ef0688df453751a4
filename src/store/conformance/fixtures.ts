/** Small builders the conformance suite uses; they go through the Store interface only. */
import type { Mailbox, MessageMeta, Store } from '../types.js';

export const DEFAULT_FOLDERS = [
  { name: 'INBOX', specialUse: null },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Trash', specialUse: '\\Trash' },
] as const;

export function meta(raw: Buffer, subject = 'test'): MessageMeta {
  return {
    size: raw.length,
    subject,
    from: 'a@example.test',
    to: 'b@example.test',
    cc: null,
    date: 0,
    messageId: null,
    inReplyTo: null,
    references: null,
    structure: null,
  };
}

export function message(n: number | string, bodyBytes = 0): Buffer {
  return Buffer.from(`Subject: message ${n}\r\nFrom: a@example.test\r\n\r\nbody ${n}\r\n${'x'.repeat(bodyBytes)}`);
}

export async function domainWithMailbox(store: Store, address = 'alice@example.test', allowance = 5): Promise<Mailbox> {
  const domain = address.slice(address.indexOf('@') + 1);
  if (!(await store.getDomain(domain))) await store.addDomain({ name: domain, adminAddress: null, signupPolicy: 'closed', createdAt: 1 });
  return store.createMailbox({
    address,
    localPart: address.slice(0, address.indexOf('@')),
    domain,
    role: 'user',
    passwordHash: '$argon2id$fake',
    quotaBytes: 0,
    subscriber: { newAllowance: allowance },
    enforceAllowance: true,
    folders: DEFAULT_FOLDERS,
    createdAt: 1,
  });
}

export async function inbox(store: Store, mailboxId: number): Promise<number> {
  const f = await store.getFolder(mailboxId, 'INBOX');
  if (!f) throw new Error('no INBOX');
  return f.id;
}
