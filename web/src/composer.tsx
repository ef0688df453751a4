/**
 * Writing a message: From (the mailbox's own addresses), To/Cc/Bcc with suggestions from past correspondents,
 * subject, plain text, attachments uploaded with progress, saved to Drafts by itself a few seconds after each
 * change, and sent through the server's submission rules.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, upload, type Me, type Person, type Uploaded } from './api';
import { personFull, size } from './format';

export interface Draft {
  from: string;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  text: string;
  inReplyTo: string | null;
  references: string[];
  attachments: Uploaded[];
  draftUid: number | null;
  reply: { folderId: number; uid: number } | null;
}

const AUTOSAVE_MS = 3000;

const list = (s: string) => s.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((x) => x.trim()).filter(Boolean);

function AddressField({ id, label, value, onInput }: { id: string; label: string; value: string; onInput: (v: string) => void }) {
  const [people, setPeople] = useState<Person[]>([]);
  const [active, setActive] = useState(-1);
  const seq = useRef(0);
  const lastToken = value.split(',').at(-1)?.trim() ?? '';
  const lookup = (v: string) => {
    const token = v.split(',').at(-1)?.trim() ?? '';
    const n = ++seq.current;
    if (token.length < 1) return setPeople([]);
    void get<{ people: Person[] }>(`/suggest?q=${encodeURIComponent(token)}`).then((r) => n === seq.current && setPeople(r.people), () => undefined);
  };
  const choose = (p: Person) => {
    const parts = value.split(',');
    parts[parts.length - 1] = ` ${personFull(p)}`;
    onInput(`${parts.join(',').trim()}, `);
    setPeople([]);
    document.getElementById(id)?.focus();
  };
  return (
    <div class="field address-field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="text"
        autocomplete="off"
        value={value}
        role="combobox"
        aria-expanded={people.length > 0}
        aria-controls={`${id}-suggestions`}
        aria-autocomplete="list"
        onInput={(e) => {
          const v = (e.target as HTMLInputElement).value;
          onInput(v);
          lookup(v);
          setActive(-1);
        }}
        onKeyDown={(e) => {
          if (people.length === 0) return;
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((active + 1) % people.length);
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((active - 1 + people.length) % people.length);
          } else if (e.key === 'Enter' && active >= 0) {
            e.preventDefault();
            choose(people[active]!);
          } else if (e.key === 'Escape') setPeople([]);
        }}
        onBlur={() => setTimeout(() => setPeople([]), 200)}
      />
      {people.length > 0 && lastToken && (
        <ul class="suggestions" id={`${id}-suggestions`} role="listbox">
          {people.map((p, i) => (
            <li key={p.address} role="option" aria-selected={i === active} class={i === active ? 'active' : ''} onMouseDown={(e) => { e.preventDefault(); choose(p); }}>
              {personFull(p)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Composer({ me, draft, setDraft, say, onDone }: { me: Me; draft: Draft; setDraft: (d: Draft) => void; say: (t: string, e?: boolean) => void; onDone: (sent: boolean) => void }) {
  const [uploads, setUploads] = useState<Array<{ name: string; progress: number }>>([]);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string>('');
  const dirty = useRef(false);
  const current = useRef(draft);
  current.current = draft;
  const saving = useRef(false);

  const payload = (d: Draft) => ({
    from: d.from,
    to: list(d.to),
    cc: list(d.cc),
    bcc: list(d.bcc),
    subject: d.subject,
    text: d.text,
    inReplyTo: d.inReplyTo,
    references: d.references,
    attachments: d.attachments.map((a) => ({ token: a.token, name: a.name, type: a.type })),
    draftUid: d.draftUid,
  });

  const saveDraft = async () => {
    if (saving.current || !dirty.current) return;
    saving.current = true;
    dirty.current = false;
    try {
      const r = await post<{ uid: number }>('/drafts', payload(current.current));
      setDraft({ ...current.current, draftUid: r.uid });
      setSaved(`Draft saved ${new Date().toLocaleTimeString()}`);
    } catch (e) {
      setSaved(`Draft not saved: ${(e as Error).message}`);
      dirty.current = true;
    } finally {
      saving.current = false;
    }
  };

  useEffect(() => {
    const t = setInterval(() => void saveDraft(), AUTOSAVE_MS);
    return () => clearInterval(t);
  }, []);

  const change = (patch: Partial<Draft>) => {
    dirty.current = true;
    setDraft({ ...current.current, ...patch });
  };

  const attach = async (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      setUploads((u) => [...u, { name: file.name, progress: 0 }]);
      try {
        const up = await upload(file, (f) => setUploads((u) => u.map((x) => (x.name === file.name ? { ...x, progress: f } : x))));
        change({ attachments: [...current.current.attachments, up] });
      } catch (e) {
        say(`${file.name}: ${(e as Error).message}`, true);
      } finally {
        setUploads((u) => u.filter((x) => x.name !== file.name));
      }
    }
  };

  const send = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      dirty.current = false;
      await post('/send', { ...payload(draft), ...(draft.reply ? { replyFolderId: draft.reply.folderId, replyUid: draft.reply.uid } : {}) });
      onDone(true);
    } catch (err) {
      say((err as Error).message, true);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="composer" id="composer" onSubmit={send} aria-label="Write a message">
      <h1>{draft.inReplyTo ? 'Reply' : 'New message'}</h1>
      <div class="field">
        <label for="from">From</label>
        <select id="from" value={draft.from} onChange={(e) => change({ from: (e.target as HTMLSelectElement).value })}>
          {me.addresses.map((a) => (
            <option key={a} value={a}>{me.displayName ? `${me.displayName} <${a}>` : a}</option>
          ))}
        </select>
      </div>
      <AddressField id="to" label="To" value={draft.to} onInput={(v) => change({ to: v })} />
      <AddressField id="cc" label="Cc" value={draft.cc} onInput={(v) => change({ cc: v })} />
      <AddressField id="bcc" label="Bcc" value={draft.bcc} onInput={(v) => change({ bcc: v })} />
      <div class="field">
        <label for="subject-input">Subject</label>
        <input id="subject-input" type="text" value={draft.subject} maxLength={500} onInput={(e) => change({ subject: (e.target as HTMLInputElement).value })} />
      </div>
      <div class="field">
        <label for="body">Message</label>
        <textarea id="body" rows={14} value={draft.text} onInput={(e) => change({ text: (e.target as HTMLTextAreaElement).value })} />
      </div>
      <div class="field">
        <label for="attach">Attach files</label>
        <input id="attach" type="file" multiple onChange={(e) => void attach((e.target as HTMLInputElement).files)} />
        <ul class="uploads">
          {draft.attachments.map((a) => (
            <li key={a.token} class="attached">
              {a.name} <span class="hint">{size(a.size)}</span>{' '}
              <button type="button" class="link" aria-label={`Remove ${a.name}`} onClick={() => change({ attachments: draft.attachments.filter((x) => x !== a) })}>Remove</button>
            </li>
          ))}
          {uploads.map((u) => (
            <li key={u.name}>
              <label>
                {u.name} <progress max={1} value={u.progress} class="upload-progress" />
              </label>
            </li>
          ))}
        </ul>
      </div>
      <div class="compose-actions">
        <button type="submit" class="primary" id="send" disabled={busy || uploads.length > 0}>{busy ? 'Sending…' : 'Send'}</button>
        <button type="button" id="save-draft" onClick={() => { dirty.current = true; void saveDraft(); }}>Save draft</button>
        <button type="button" class="link" onClick={() => onDone(false)}>Close</button>
        <span class="hint" role="status" id="draft-status">{saved}</span>
      </div>
    </form>
  );
}
