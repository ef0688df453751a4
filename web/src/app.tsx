/**
 * The webmail shell: folders, the message list, the reader, the composer, settings and delivery status. The
 * location hash says what is shown (`#/f/3`, `#/f/3/m/17`, `#/compose`, `#/settings`, `#/outbox`), so Back works.
 * New mail arrives through the live stream (server-sent events) and refreshes counts and the list.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, post, setCsrf, type Folder, type Me, type Page, type ReplyDraft, type Uploaded } from './api';
import { FolderNav } from './folders';
import { MessageList, type ListState } from './list';
import { Reader } from './reader';
import { Composer, type Draft } from './composer';
import { Settings } from './settings';
import { Outbox } from './outbox';
import { Help, useShortcuts } from './shortcuts';
import { go } from './nav';

type View = { kind: 'folder'; folderId: number; uid: number | null } | { kind: 'compose' } | { kind: 'settings' } | { kind: 'outbox' };

function parseHash(hash: string): View | null {
  const m = /^#\/f\/(\d+)(?:\/m\/(\d+))?$/.exec(hash);
  if (m) return { kind: 'folder', folderId: Number(m[1]), uid: m[2] ? Number(m[2]) : null };
  if (hash === '#/compose') return { kind: 'compose' };
  if (hash === '#/settings') return { kind: 'settings' };
  if (hash === '#/outbox') return { kind: 'outbox' };
  return null;
}


export interface Search {
  text: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  since: string;
  before: string;
  hasAttachment: boolean;
}

const NO_SEARCH: Search = { text: '', from: '', to: '', subject: '', body: '', since: '', before: '', hasAttachment: false };

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [folders, setFolders] = useState<Folder[]>([]);
  const [view, setView] = useState<View | null>(parseHash(location.hash));
  const [list, setList] = useState<ListState>({ page: null, loading: false, error: null });
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [sort, setSort] = useState('arrival');
  const [search, setSearch] = useState<Search>(NO_SEARCH);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const [help, setHelp] = useState(false);
  const [live, setLive] = useState(false);
  const lastFolder = useRef<number | null>(null);
  const listSeq = useRef(0);

  const say = useCallback((text: string, error = false) => setNotice({ text, error }), []);

  useEffect(() => {
    get<Me>('/me').then((m) => {
      setCsrf(m.csrfToken);
      setMe(m);
    }, (e: Error) => say(e.message, true));
    const onHash = () => setView(parseHash(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [say]);

  const loadFolders = useCallback(async () => {
    const r = await get<{ folders: Folder[] }>('/folders');
    setFolders(r.folders);
    return r.folders;
  }, []);

  useEffect(() => {
    if (!me) return;
    loadFolders().then((fs) => {
      if (!parseHash(location.hash)) go(`#/f/${fs.find((f) => f.role === 'inbox')?.id ?? fs[0]?.id}`);
    }, (e: Error) => say(e.message, true));
  }, [me, loadFolders, say]);

  const folderId = view?.kind === 'folder' ? view.folderId : lastFolder.current;
  if (view?.kind === 'folder') lastFolder.current = view.folderId;
  const searching = useMemo(() => Object.entries(search).some(([, v]) => v !== '' && v !== false), [search]);

  const query = useCallback(
    (cursor: string | null) => {
      const q = new URLSearchParams();
      if (searching) {
        for (const [k, v] of Object.entries(search)) if (v) q.set(k, v === true ? '1' : String(v));
      } else if (sort === 'threads') {
        q.set('view', 'threads');
        if (cursor) q.set('cursor', cursor);
      } else {
        q.set('sort', sort);
        if (cursor) q.set('cursor', cursor);
      }
      return q.toString();
    },
    [search, searching, sort],
  );

  const loadList = useCallback(
    async (more = false) => {
      if (folderId === null || !me) return;
      // Only the newest request may fill the list: an older answer (another folder, the search before) is dropped.
      const n = ++listSeq.current;
      setList((l) => ({ ...l, loading: true }));
      try {
        const page = await get<Page>(`/folders/${folderId}/messages?${query(more ? list.page?.next ?? null : null)}`);
        if (n !== listSeq.current) return;
        setList((l) => ({ page: more && l.page ? { ...page, items: [...l.page.items, ...page.items] } : page, loading: false, error: null }));
      } catch (e) {
        if (n === listSeq.current) setList({ page: null, loading: false, error: (e as Error).message });
      }
    },
    [folderId, me, query, list.page?.next],
  );

  useEffect(() => {
    setSelected(new Set());
    void loadList(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [folderId, me, sort, search]);

  // Live updates: the server pushes a change for any folder of this mailbox; counts and the list are reloaded.
  const refresh = useRef<() => void>(() => undefined);
  refresh.current = () => {
    void loadFolders();
    void loadList(false);
  };
  useEffect(() => {
    if (!me) return;
    const es = new EventSource('/webmail/api/live');
    let timer: ReturnType<typeof setTimeout> | undefined;
    es.onopen = () => setLive(true);
    es.onerror = () => setLive(false);
    es.addEventListener('change', () => {
      clearTimeout(timer);
      timer = setTimeout(() => refresh.current(), 150);
    });
    return () => es.close();
  }, [me]);

  const act = useCallback(
    async (action: string, uids: number[], to?: number, fromFolder = folderId) => {
      if (fromFolder === null || uids.length === 0) return;
      try {
        await post(`/folders/${fromFolder}/actions`, { action, uids, ...(to ? { to } : {}) });
        const words: Record<string, string> = { delete: 'Deleted', archive: 'Archived', spam: 'Marked as spam', notspam: 'Moved to Inbox', move: 'Moved' };
        if (words[action]) {
          say(`${words[action]}: ${uids.length} message${uids.length > 1 ? 's' : ''}.`);
          if (view?.kind === 'folder' && view.uid !== null && uids.includes(view.uid)) go(`#/f/${fromFolder}`);
          setSelected(new Set());
        }
        await Promise.all([loadFolders(), loadList(false)]);
      } catch (e) {
        say((e as Error).message, true);
      }
    },
    [folderId, view, loadFolders, loadList, say],
  );

  const compose = useCallback(
    async (mode: 'new' | 'reply' | 'all' | 'forward', source?: { folderId: number; uid: number }) => {
      const signature = me?.signature ? `\n\n-- \n${me.signature}` : '';
      if (mode === 'new' || !source) {
        setDraft({ from: me?.address ?? '', to: '', cc: '', bcc: '', subject: '', text: signature, inReplyTo: null, references: [], attachments: [], draftUid: null, reply: null });
      } else {
        const r = await get<ReplyDraft>(`/folders/${source.folderId}/messages/${source.uid}/reply?mode=${mode}`);
        // A forward carries the original's attachments (made uploads of this mailbox by the server).
        const attachments = mode === 'forward' ? (await post<{ attachments: Uploaded[] }>(`/folders/${source.folderId}/messages/${source.uid}/forward-attachments`)).attachments : [];
        setDraft({
          from: me?.address ?? '',
          to: r.to.join(', '),
          cc: r.cc.join(', '),
          bcc: '',
          subject: r.subject,
          text: `${signature}${r.text}`,
          inReplyTo: r.inReplyTo,
          references: r.references,
          attachments,
          draftUid: null,
          reply: mode === 'forward' ? null : source,
        });
      }
      go('#/compose');
    },
    [me],
  );

  const items = list.page?.items ?? [];
  const openUid = view?.kind === 'folder' ? view.uid : null;
  const currentFolder = folders.find((f) => f.id === folderId) ?? null;

  useShortcuts({
    enabled: view?.kind === 'folder',
    items,
    openUid,
    folderId,
    selected,
    setSelected,
    act,
    compose,
    help: () => setHelp((h) => !h),
    searchFocus: () => document.getElementById('search')?.focus(),
  });

  if (!me) return <main class="loading" aria-busy="true">Loading your mail…</main>;

  return (
    <div class={`shell ${openUid !== null ? 'reading' : ''} view-${view?.kind ?? 'folder'}`}>
      <header class="top">
        <a class="brand" href="#/" onClick={(e) => { e.preventDefault(); go(`#/f/${folders.find((f) => f.role === 'inbox')?.id}`); }}>Mail</a>
        <SearchBar search={search} setSearch={setSearch} />
        <button type="button" class="primary" id="compose" onClick={() => void compose('new')}>Write</button>
        <nav class="top-links" aria-label="Account">
          <a href="#/outbox" id="outbox-link">Sent status</a>
          <a href="#/settings" id="settings-link">Settings</a>
          <a href="/account">{me.address}</a>
        </nav>
        <span class={`live ${live ? 'on' : ''}`} title={live ? 'New mail appears by itself' : 'Reconnecting…'} aria-label={live ? 'Live' : 'Offline'} />
      </header>
      {notice && (
        <div class={`notice ${notice.error ? 'error' : ''}`} role={notice.error ? 'alert' : 'status'} id="notice">
          {notice.text} <button type="button" class="link" onClick={() => setNotice(null)} aria-label="Dismiss">×</button>
        </div>
      )}
      <FolderNav folders={folders} current={folderId} onDrop={(uids, from, to) => void act('move', uids, to, from)} />
      <main class="main" id="main">
        {view?.kind === 'compose' && draft && (
          <Composer me={me} draft={draft} setDraft={setDraft} say={say} onDone={(sent) => { setDraft(null); history.back(); if (sent) { say('Sent.'); void loadFolders(); } }} />
        )}
        {view?.kind === 'compose' && !draft && <p>Nothing being written. <a href="#/">Back to the inbox</a></p>}
        {view?.kind === 'settings' && <Settings me={me} say={say} onSaved={(m) => setMe({ ...me, ...m })} />}
        {view?.kind === 'outbox' && <Outbox />}
        {view?.kind === 'folder' && (
          <>
            <MessageList
              folder={currentFolder}
              folders={folders}
              state={list}
              selected={selected}
              setSelected={setSelected}
              openUid={openUid}
              sort={sort}
              setSort={setSort}
              searching={searching}
              clearSearch={() => setSearch(NO_SEARCH)}
              loadMore={() => void loadList(true)}
              act={act}
            />
            {openUid !== null && folderId !== null && (
              <Reader key={`${folderId}/${openUid}`} folderId={folderId} uid={openUid} folders={folders} folder={currentFolder} act={act} compose={compose} say={say} onRead={() => void loadFolders()} />
            )}
          </>
        )}
      </main>
      {help && <Help close={() => setHelp(false)} />}
    </div>
  );
}

function SearchBar({ search, setSearch }: { search: Search; setSearch: (s: Search) => void }) {
  const [open, setOpen] = useState(false);
  const [s, setS] = useState(search);
  useEffect(() => setS(search), [search]);
  const field = (k: keyof Search, label: string, type = 'text') => (
    <label>
      {label}
      <input type={type} name={k} id={`search-${k}`} value={String(s[k])} onInput={(e) => setS({ ...s, [k]: (e.target as HTMLInputElement).value })} />
    </label>
  );
  return (
    <form class="search" role="search" onSubmit={(e) => { e.preventDefault(); setSearch(s); setOpen(false); }}>
      <label class="sr-only" for="search">Search mail</label>
      <input id="search" type="search" placeholder="Search mail" value={s.text} onInput={(e) => setS({ ...s, text: (e.target as HTMLInputElement).value })} />
      <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>Options</button>
      <button type="submit">Search</button>
      {open && (
        <div class="search-options">
          {field('from', 'From')}
          {field('to', 'To')}
          {field('subject', 'Subject')}
          {field('body', 'Words in the message')}
          {field('since', 'Since', 'date')}
          {field('before', 'Before', 'date')}
          <label class="check">
            <input type="checkbox" id="search-hasAttachment" checked={s.hasAttachment} onChange={(e) => setS({ ...s, hasAttachment: (e.target as HTMLInputElement).checked })} /> Has attachment
          </label>
        </div>
      )}
    </form>
  );
}
