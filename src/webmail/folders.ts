/**
 * Folders as the webmail shows them: RFC 6154 special-use folders first in a fixed order (Inbox, Drafts, Sent,
 * Archive, Junk, Trash), the others by name; each with its message and unread counts (the same counts IMAP STATUS
 * gives: unread = not \Seen).
 */
import { UserError } from '../lib/errors.js';
import type { Folder, SpecialUse, Store } from '../store/types.js';

export interface FolderInfo {
  id: number;
  name: string;
  specialUse: SpecialUse | null;
  role: 'inbox' | 'drafts' | 'sent' | 'archive' | 'junk' | 'trash' | null;
  messages: number;
  unread: number;
}

const ORDER: Record<string, number> = { inbox: 0, drafts: 1, sent: 2, archive: 3, junk: 4, trash: 5 };

function roleOf(f: Folder): FolderInfo['role'] {
  if (f.name === 'INBOX') return 'inbox';
  switch (f.specialUse) {
    case '\\Drafts':
      return 'drafts';
    case '\\Sent':
      return 'sent';
    case '\\Archive':
      return 'archive';
    case '\\Junk':
      return 'junk';
    case '\\Trash':
      return 'trash';
    default:
      return null;
  }
}

export async function listFolders(store: Store, mailboxId: number): Promise<FolderInfo[]> {
  const folders = await store.listFolders(mailboxId);
  const out = await Promise.all(
    folders.map(async (f) => {
      const s = await store.folderStatus(f.id);
      return { id: f.id, name: f.name, specialUse: f.specialUse, role: roleOf(f), messages: s.messages, unread: s.unseen };
    }),
  );
  return out.sort((a, b) => (ORDER[a.role ?? ''] ?? 9) - (ORDER[b.role ?? ''] ?? 9) || a.name.localeCompare(b.name));
}

/** The folder with a special use; Junk and Archive are created on first use when the mailbox has none. */
export async function specialFolder(store: Store, mailboxId: number, use: SpecialUse, create = false): Promise<Folder | null> {
  const folders = await store.listFolders(mailboxId);
  const found = folders.find((f) => f.specialUse === use);
  if (found || !create) return found ?? null;
  const name = use.slice(1);
  const byName = folders.find((f) => f.name === name);
  if (byName) return byName;
  return store.createFolder(mailboxId, name, use);
}

/** A folder of this mailbox by id; another mailbox's folder is "not found", never "forbidden". */
export async function ownFolder(store: Store, mailboxId: number, folderId: number): Promise<Folder> {
  const f = Number.isSafeInteger(folderId) ? await store.getFolderById(folderId) : null;
  if (!f || f.mailboxId !== mailboxId) throw new UserError('not-found', 'no such folder');
  return f;
}
