/** The folder list with unread counts; each folder is a drop target for messages dragged from the list. */
import { useState } from 'preact/hooks';
import type { Folder } from './api';

const LABELS: Record<string, string> = { inbox: 'Inbox', drafts: 'Drafts', sent: 'Sent', archive: 'Archive', junk: 'Junk', trash: 'Trash' };

export function folderLabel(f: Folder): string {
  return (f.role && LABELS[f.role]) || f.name;
}

export const DRAG_TYPE = 'application/x-outpost-messages';

export function FolderNav({ folders, current, onDrop }: { folders: Folder[]; current: number | null; onDrop: (uids: number[], from: number, to: number) => void }) {
  const [over, setOver] = useState<number | null>(null);
  return (
    <nav class="folders" aria-label="Folders">
      <ul>
        {folders.map((f) => (
          <li key={f.id}>
            <a
              href={`#/f/${f.id}`}
              class={`folder ${f.id === current ? 'current' : ''} ${over === f.id ? 'drop' : ''}`}
              aria-current={f.id === current ? 'page' : undefined}
              data-folder={f.role ?? f.name}
              onDragOver={(e) => {
                if (e.dataTransfer?.types.includes(DRAG_TYPE)) {
                  e.preventDefault();
                  setOver(f.id);
                }
              }}
              onDragLeave={() => setOver(null)}
              onDrop={(e) => {
                e.preventDefault();
                setOver(null);
                const data = JSON.parse(e.dataTransfer?.getData(DRAG_TYPE) || '{}') as { folderId?: number; uids?: number[] };
                if (data.folderId && data.uids?.length && data.folderId !== f.id) onDrop(data.uids, data.folderId, f.id);
              }}
            >
              <span class="name">{folderLabel(f)}</span>
              {f.unread > 0 && (
                <span class="count" aria-label={`${f.unread} unread`}>
                  {f.unread}
                </span>
              )}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
