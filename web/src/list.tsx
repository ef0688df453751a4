/** The message list: multi-select, flags, drag to a folder, sorting, paging ("more"), and the bulk actions. */
import type { Folder, Page } from './api';
import { DRAG_TYPE, folderLabel } from './folders';
import { personName, shortDate } from './format';
import { go } from './nav';

export interface ListState {
  page: Page | null;
  loading: boolean;
  error: string | null;
}

interface Props {
  folder: Folder | null;
  folders: Folder[];
  state: ListState;
  selected: Set<number>;
  setSelected: (s: Set<number>) => void;
  openUid: number | null;
  sort: string;
  setSort: (s: string) => void;
  searching: boolean;
  clearSearch: () => void;
  loadMore: () => void;
  act: (action: string, uids: number[], to?: number) => Promise<void>;
}

export function Toolbar({ folder, folders, uids, act, flagged, seen }: { folder: Folder | null; folders: Folder[]; uids: number[]; act: Props['act']; flagged?: boolean; seen?: boolean }) {
  const none = uids.length === 0;
  return (
    <div class="toolbar" role="toolbar" aria-label="Message actions">
      <button type="button" disabled={none} onClick={() => void act('archive', uids)} data-action="archive" title="Archive (e)">Archive</button>
      <button type="button" disabled={none} onClick={() => void act('delete', uids)} data-action="delete" title="Delete (#)">{folder?.role === 'trash' ? 'Delete for good' : 'Delete'}</button>
      {folder?.role === 'junk' ? (
        <button type="button" disabled={none} onClick={() => void act('notspam', uids)} data-action="notspam">Not spam</button>
      ) : (
        <button type="button" disabled={none} onClick={() => void act('spam', uids)} data-action="spam">Spam</button>
      )}
      <button type="button" disabled={none} onClick={() => void act(flagged ? 'unflag' : 'flag', uids)} data-action="flag" title="Flag (s)">{flagged ? 'Unflag' : 'Flag'}</button>
      <button type="button" disabled={none} onClick={() => void act(seen === false ? 'seen' : 'unseen', uids)} data-action="seen" title="Read / unread (u)">{seen === false ? 'Mark read' : 'Mark unread'}</button>
      <label class="sr-only" for={`move-${uids.join('-') || 'none'}`}>Move to folder</label>
      <select
        id={`move-${uids.join('-') || 'none'}`}
        class="move"
        disabled={none}
        value=""
        onChange={(e) => {
          const to = Number((e.target as HTMLSelectElement).value);
          if (to) void act('move', uids, to);
        }}
      >
        <option value="">Move to…</option>
        {folders.filter((f) => f.id !== folder?.id).map((f) => (
          <option value={f.id} key={f.id}>{folderLabel(f)}</option>
        ))}
      </select>
    </div>
  );
}

export function MessageList(p: Props) {
  const items = p.state.page?.items ?? [];
  const folderId = p.folder?.id ?? 0;
  /** A row stands for one message, or for every message of a conversation in the conversation view. */
  const rowUids = (m: (typeof items)[number]) => m.uids ?? [m.uid];
  const toggle = (m: (typeof items)[number]) => {
    const s = new Set(p.selected);
    const on = s.has(m.uid);
    for (const u of rowUids(m)) on ? s.delete(u) : s.add(u);
    p.setSelected(s);
  };
  const all = items.length > 0 && items.every((m) => p.selected.has(m.uid));
  const sel = [...p.selected];
  const selItems = items.filter((m) => p.selected.has(m.uid));
  return (
    <section class="list" aria-label={`Messages in ${p.folder ? folderLabel(p.folder) : 'folder'}`}>
      <div class="list-head">
        <h1>{p.searching ? 'Search results' : p.folder ? folderLabel(p.folder) : ''}</h1>
        <span class="counts" id="list-counts">
          {p.searching ? (p.state.page ? `${p.state.page.items.length} found` : '') : p.folder ? `${p.folder.messages} messages, ${p.folder.unread} unread` : ''}
        </span>
        {p.searching && (
          <button type="button" class="link" onClick={p.clearSearch}>Clear search</button>
        )}
        {!p.searching && (
          <>
            <label for="sort" class="sr-only">Sort or group</label>
            <select id="sort" value={p.sort} onChange={(e) => p.setSort((e.target as HTMLSelectElement).value)}>
              <option value="arrival">Newest first</option>
              <option value="threads">Conversations</option>
              <option value="date">By date sent</option>
              <option value="from">By sender</option>
              <option value="subject">By subject</option>
              <option value="size">By size</option>
            </select>
          </>
        )}
      </div>
      <div class="list-tools">
        <label class="check">
          <input type="checkbox" id="select-all" checked={all} onChange={() => p.setSelected(all ? new Set() : new Set(items.flatMap(rowUids)))} /> <span class="sr-only">Select all</span>
        </label>
        <Toolbar folder={p.folder} folders={p.folders} uids={sel} act={p.act} flagged={selItems.length > 0 && selItems.every((m) => m.flagged)} seen={selItems.length > 0 ? selItems.every((m) => m.seen) : undefined} />
      </div>
      {p.state.error && <p class="error" role="alert">{p.state.error}</p>}
      {p.state.page?.truncated && <p class="hint">Only the newest messages were searched, or there were more results than shown: narrow the search.</p>}
      <ul class="messages" id="messages">
        {items.map((m) => (
          <li
            key={m.uid}
            class={`msg ${m.seen ? '' : 'unread'} ${p.openUid === m.uid ? 'open' : ''} ${p.selected.has(m.uid) ? 'selected' : ''}`}
            data-uid={m.uid}
            draggable
            onDragStart={(e) => {
              const uids = p.selected.has(m.uid) ? sel : rowUids(m);
              e.dataTransfer?.setData(DRAG_TYPE, JSON.stringify({ folderId, uids }));
              if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
            }}
          >
            <input type="checkbox" aria-label={`Select message from ${personName(m.from[0])}: ${m.subject}`} checked={p.selected.has(m.uid)} onChange={() => toggle(m)} />
            <button type="button" class={`star ${m.flagged ? 'on' : ''}`} aria-pressed={m.flagged} aria-label={m.flagged ? 'Flagged' : 'Flag'} onClick={() => void p.act(m.flagged ? 'unflag' : 'flag', rowUids(m))}>
              {m.flagged ? '★' : '☆'}
            </button>
            <a class="row" href={`#/f/${folderId}/m/${m.uid}`} onClick={() => go(`#/f/${folderId}/m/${m.uid}`)}>
              <span class="from">{p.folder?.role === 'sent' || p.folder?.role === 'drafts' ? `To: ${m.to.map(personName).join(', ')}` : personName(m.from[0])}</span>
              <span class="subject">
                {m.subject || '(no subject)'}
                {m.count !== undefined && m.count > 1 && <span class="thread-count" aria-label={`${m.count} messages`}> ({m.count})</span>}
              </span>
              <time class="date" dateTime={new Date(m.date).toISOString()}>{shortDate(m.date)}</time>
            </a>
          </li>
        ))}
      </ul>
      {items.length === 0 && !p.state.loading && !p.state.error && <p class="empty">{p.searching ? 'Nothing matches.' : 'No messages here.'}</p>}
      {p.state.page?.next && (
        <button type="button" class="more" onClick={p.loadMore} disabled={p.state.loading}>
          {p.state.loading ? 'Loading…' : 'More messages'}
        </button>
      )}
    </section>
  );
}
