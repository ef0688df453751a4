/**
 * One message: its header, the actions, the body (the server-sanitised HTML in a sandboxed iframe without scripts
 * under its own CSP, or the plain text with links), remote images blocked until the user allows them for this
 * message or this sender, attachments to download, the conversation it belongs to, and "show original".
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, messageUrl, post, type Folder, type Message } from './api';
import { TextWithLinks, longDate, personFull, personName, shortDate, size } from './format';
import { Toolbar } from './list';

interface Props {
  folderId: number;
  uid: number;
  folder: Folder | null;
  folders: Folder[];
  act: (action: string, uids: number[], to?: number) => Promise<void>;
  compose: (mode: 'new' | 'reply' | 'all' | 'forward', source?: { folderId: number; uid: number }) => Promise<void>;
  say: (text: string, error?: boolean) => void;
  onRead: () => void;
}

export function Reader(p: Props) {
  const [m, setM] = useState<Message | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [remote, setRemote] = useState(false);
  const [rich, setRich] = useState(true);
  const frame = useRef<HTMLIFrameElement>(null);

  useEffect(() => {
    let gone = false;
    get<Message>(`/folders/${p.folderId}/messages/${p.uid}`).then(
      (msg) => {
        if (gone) return;
        setM(msg);
        // Opening a message marks it read, as IMAP clients do (GET never changes state: this is its own POST).
        if (!msg.flags.includes('\\Seen')) void post(`/folders/${p.folderId}/actions`, { action: 'seen', uids: [p.uid] }).then(p.onRead, () => undefined);
      },
      (e: Error) => !gone && setError(e.message),
    );
    return () => {
      gone = true;
    };
  }, [p.folderId, p.uid]);

  if (error) return <article class="reader"><p class="error" role="alert">{error}</p></article>;
  if (!m) return <article class="reader" aria-busy="true"><p>Loading…</p></article>;

  const base = messageUrl(m.folderId, m.uid);
  const sender = m.from[0]?.address ?? '';
  const fit = () => {
    const doc = frame.current?.contentDocument;
    if (doc?.documentElement && frame.current) frame.current.style.height = `${Math.min(doc.documentElement.scrollHeight + 20, 20000)}px`;
  };
  const listed = m.attachments.filter((a) => !a.inline);
  return (
    <article class="reader" aria-labelledby="subject" id="reader">
      <div class="reader-head">
        <button type="button" class="link back" onClick={() => history.back()}>← Back</button>
        <h2 id="subject">{m.subject || '(no subject)'}</h2>
        <dl class="fields">
          <dt>From</dt>
          <dd id="from">{m.from.map(personFull).join(', ')}</dd>
          {m.to.length > 0 && (<><dt>To</dt><dd id="to">{m.to.map(personFull).join(', ')}</dd></>)}
          {m.cc.length > 0 && (<><dt>Cc</dt><dd>{m.cc.map(personFull).join(', ')}</dd></>)}
          <dt>Date</dt>
          <dd>{longDate(m.date ?? m.internalDate)}</dd>
        </dl>
        <div class="reply-actions">
          <button type="button" id="reply" onClick={() => void p.compose('reply', m)}>Reply</button>
          <button type="button" id="reply-all" onClick={() => void p.compose('all', m)}>Reply all</button>
          <button type="button" id="forward" onClick={() => void p.compose('forward', m)}>Forward</button>
          <a href={`${base}/raw`} target="_blank" rel="noopener" id="show-original">Show original</a>
        </div>
        <Toolbar folder={p.folder} folders={p.folders} uids={[m.uid]} act={p.act} flagged={m.flags.includes('\\Flagged')} seen={true} />
      </div>
      {m.hasHtml && m.remoteBlocked && !remote && (
        <div class="remote-blocked" role="status" id="remote-blocked">
          Remote images are hidden to protect your privacy.
          <button type="button" class="link" id="show-images" onClick={() => setRemote(true)}>Show images</button>
          {sender && (
            <button
              type="button"
              class="link"
              id="trust-sender"
              onClick={() =>
                void post('/trusted-senders', { sender, trusted: true }).then(
                  () => {
                    setRemote(true);
                    p.say(`Images from ${sender} will be shown.`);
                  },
                  (e: Error) => p.say(e.message, true),
                )
              }
            >
              Always show from {sender}
            </button>
          )}
        </div>
      )}
      {m.hasHtml && (
        <div class="view-switch">
          <button type="button" class="link" aria-pressed={rich} onClick={() => setRich(!rich)}>{rich ? 'Show as plain text' : 'Show formatted'}</button>
        </div>
      )}
      {m.hasHtml && rich ? (
        <iframe
          ref={frame}
          class="html-body"
          id="html-body"
          title="Message body"
          sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
          referrerpolicy="no-referrer"
          src={`${base}/body.html${remote ? '?remote=1' : ''}`}
          onLoad={fit}
        />
      ) : (
        <TextWithLinks text={m.text} />
      )}
      {listed.length > 0 && (
        <section class="attachments" aria-label="Attachments">
          <h3>Attachments</h3>
          <ul>
            {listed.map((a) => (
              <li key={a.path}>
                <a href={`${base}/parts/${a.path}`} download={a.filename} class="attachment">{a.filename}</a> <span class="hint">{a.type}, {size(a.size)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {m.conversation.length > 1 && (
        <section class="conversation" aria-label="Conversation" id="conversation">
          <h3>Conversation ({m.conversation.length})</h3>
          <ol>
            {m.conversation.map((c) => (
              <li key={`${c.folderId}/${c.uid}`} class={c.folderId === m.folderId && c.uid === m.uid ? 'current' : ''}>
                <a href={`#/f/${c.folderId}/m/${c.uid}`}>
                  <span class="from">{personName(c.from[0])}</span> <span class="subject">{c.subject}</span> <time>{shortDate(c.date)}</time>
                </a>
              </li>
            ))}
          </ol>
        </section>
      )}
    </article>
  );
}
