/** Settings: display name, signature, forwarding, vacation reply, app passwords, and the settings-guide links. */
import { useEffect, useState } from 'preact/hooks';
import { get, post, type Me } from './api';

interface SettingsData {
  displayName: string;
  signature: string;
  forwarding: { to: string[]; keepCopy: boolean };
  vacation: { enabled: boolean; subject: string; body: string; periodDays: number; until: number | null };
  appPasswords: Array<{ name: string; createdAt: number; lastUsedAt: number | null }>;
  links: { guide: string; sheet: string; account: string };
}

/** The account API (src/http/routes/api.ts) lives beside ours; it takes the same session and CSRF token. */
async function accountApi(method: string, path: string, csrf: string, body?: unknown): Promise<{ secret?: string; message?: string }> {
  const res = await fetch(path, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: body === undefined ? null : JSON.stringify(body) });
  const data = res.status === 204 ? {} : ((await res.json().catch(() => ({}))) as { secret?: string; message?: string });
  if (!res.ok) throw new Error(data.message ?? `The server answered ${res.status}.`);
  return data;
}

export function Settings({ me, say, onSaved }: { me: Me; say: (t: string, e?: boolean) => void; onSaved: (m: Partial<Me>) => void }) {
  const [s, setS] = useState<SettingsData | null>(null);
  const [forward, setForward] = useState('');
  const [appName, setAppName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const load = () =>
    get<SettingsData>('/settings').then((d) => {
      setS(d);
      setForward(d.forwarding.to.join(', '));
    });
  useEffect(() => void load(), []);
  if (!s) return <p aria-busy="true">Loading settings…</p>;

  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const d = await post<SettingsData>('/settings', {
        displayName: s.displayName,
        signature: s.signature,
        forwarding: { to: forward.split(',').map((x) => x.trim()).filter(Boolean), keepCopy: s.forwarding.keepCopy },
        vacation: s.vacation,
      });
      setS(d);
      onSaved({ displayName: d.displayName, signature: d.signature });
      say('Settings saved.');
    } catch (err) {
      say((err as Error).message, true);
    }
  };
  const v = s.vacation;
  return (
    <div class="settings" id="settings">
      <h1>Settings</h1>
      <form onSubmit={save}>
        <fieldset>
          <legend>You</legend>
          <div class="field"><label for="display-name">Display name (shown beside {me.address})</label><input id="display-name" value={s.displayName} maxLength={100} onInput={(e) => setS({ ...s, displayName: (e.target as HTMLInputElement).value })} /></div>
          <div class="field"><label for="signature">Signature</label><textarea id="signature" rows={4} value={s.signature} onInput={(e) => setS({ ...s, signature: (e.target as HTMLTextAreaElement).value })} /></div>
        </fieldset>
        <fieldset>
          <legend>Forwarding</legend>
          <div class="field"><label for="forward-to">Forward all incoming mail to (addresses, separated by commas)</label><input id="forward-to" value={forward} onInput={(e) => setForward((e.target as HTMLInputElement).value)} /></div>
          <label class="check"><input type="checkbox" id="keep-copy" checked={s.forwarding.keepCopy} onChange={(e) => setS({ ...s, forwarding: { ...s.forwarding, keepCopy: (e.target as HTMLInputElement).checked } })} /> Keep a copy here</label>
        </fieldset>
        <fieldset>
          <legend>Vacation reply</legend>
          <label class="check"><input type="checkbox" id="vacation-on" checked={v.enabled} onChange={(e) => setS({ ...s, vacation: { ...v, enabled: (e.target as HTMLInputElement).checked } })} /> Answer incoming mail automatically</label>
          <div class="field"><label for="vacation-subject">Subject</label><input id="vacation-subject" value={v.subject} onInput={(e) => setS({ ...s, vacation: { ...v, subject: (e.target as HTMLInputElement).value } })} /></div>
          <div class="field"><label for="vacation-body">Message</label><textarea id="vacation-body" rows={4} value={v.body} onInput={(e) => setS({ ...s, vacation: { ...v, body: (e.target as HTMLTextAreaElement).value } })} /></div>
          <div class="field"><label for="vacation-days">Answer each sender at most once every (days)</label><input id="vacation-days" type="number" min={1} max={365} value={v.periodDays} onInput={(e) => setS({ ...s, vacation: { ...v, periodDays: Number((e.target as HTMLInputElement).value) } })} /></div>
          <div class="field"><label for="vacation-until">Until (optional)</label><input id="vacation-until" type="date" value={v.until ? new Date(v.until).toISOString().slice(0, 10) : ''} onInput={(e) => { const x = (e.target as HTMLInputElement).value; setS({ ...s, vacation: { ...v, until: x ? Date.parse(`${x}T23:59:59Z`) : null } }); }} /></div>
        </fieldset>
        <p><button type="submit" class="primary" id="save-settings">Save settings</button></p>
      </form>
      <section>
        <h2>App passwords</h2>
        <p>Give each mail program or phone its own password; revoke one without changing anything else.</p>
        <ul id="app-passwords">
          {s.appPasswords.map((a) => (
            <li key={a.name}>
              {a.name} <span class="hint">created {new Date(a.createdAt).toLocaleDateString()}, {a.lastUsedAt ? `last used ${new Date(a.lastUsedAt).toLocaleDateString()}` : 'never used'}</span>{' '}
              <button type="button" class="link" onClick={() => void accountApi('DELETE', `/api/app-passwords/${encodeURIComponent(a.name)}`, me.csrfToken).then(load, (e: Error) => say(e.message, true))}>Revoke</button>
            </li>
          ))}
        </ul>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void accountApi('POST', '/api/app-passwords', me.csrfToken, { name: appName }).then(
              (r) => {
                setSecret(r.secret ?? null);
                setAppName('');
                void load();
              },
              (err: Error) => say(err.message, true),
            );
          }}
        >
          <label for="app-name">Device name</label> <input id="app-name" value={appName} maxLength={64} required onInput={(e) => setAppName((e.target as HTMLInputElement).value)} /> <button type="submit">Create</button>
        </form>
        {secret && <p class="notice" role="status">New app password (shown once): <code id="app-secret">{secret}</code></p>}
      </section>
      <section>
        <h2>Set up other mail programs</h2>
        <ul>
          <li><a href={s.links.guide}>The settings guide for your phone and computer</a></li>
          <li><a href={s.links.sheet}>A printable sheet of your settings</a></li>
          <li><a href={s.links.account}>Your account: password, devices, recent sign-ins</a></li>
        </ul>
      </section>
    </div>
  );
}
