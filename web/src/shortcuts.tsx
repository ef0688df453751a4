/** Keyboard shortcuts (as in other webmail): j/k move, o or Enter open, c write, r/a/f reply, e archive, # delete… */
import { useEffect, useRef } from 'preact/hooks';
import type { ListItem } from './api';
import { go } from './nav';

export const SHORTCUTS: Array<[string, string]> = [
  ['j / k', 'Next / previous message'],
  ['o or Enter', 'Open the message'],
  ['x', 'Select the message'],
  ['c', 'Write a message'],
  ['r', 'Reply'],
  ['a', 'Reply all'],
  ['f', 'Forward'],
  ['e', 'Archive'],
  ['#', 'Delete'],
  ['s', 'Flag / unflag'],
  ['u', 'Mark unread'],
  ['!', 'Spam'],
  ['/', 'Search'],
  ['Escape', 'Back to the list'],
  ['?', 'This help'],
];

interface Options {
  enabled: boolean;
  items: ListItem[];
  openUid: number | null;
  folderId: number | null;
  selected: Set<number>;
  setSelected: (s: Set<number>) => void;
  act: (action: string, uids: number[]) => Promise<void>;
  compose: (mode: 'new' | 'reply' | 'all' | 'forward', source?: { folderId: number; uid: number }) => Promise<void>;
  help: () => void;
  searchFocus: () => void;
}

export function useShortcuts(o: Options): void {
  const ref = useRef(o);
  ref.current = o;
  const cursor = useRef<number | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.ctrlKey || e.metaKey || e.altKey || (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) return;
      const s = ref.current;
      if (e.key === '?') return s.help();
      if (e.key === 'c') return void s.compose('new');
      if (e.key === '/') {
        e.preventDefault();
        return s.searchFocus();
      }
      if (!s.enabled || s.folderId === null) return;
      const uids = s.items.map((m) => m.uid);
      const at = cursor.current ?? s.openUid ?? null;
      let i = at === null ? -1 : uids.indexOf(at);
      const focus = (uid: number) => {
        cursor.current = uid;
        document.querySelector<HTMLElement>(`li[data-uid="${uid}"] a.row`)?.focus();
      };
      const target = s.selected.size > 0 ? [...s.selected] : at !== null ? [at] : [];
      const src = s.openUid !== null ? { folderId: s.folderId, uid: s.openUid } : null;
      switch (e.key) {
        case 'j':
          i = Math.min(i + 1, uids.length - 1);
          if (uids[i] !== undefined) s.openUid !== null ? go(`#/f/${s.folderId}/m/${uids[i]}`) : focus(uids[i]!);
          break;
        case 'k':
          i = Math.max(i - 1, 0);
          if (uids[i] !== undefined) s.openUid !== null ? go(`#/f/${s.folderId}/m/${uids[i]}`) : focus(uids[i]!);
          break;
        case 'o':
        case 'Enter':
          if (at !== null) go(`#/f/${s.folderId}/m/${at}`);
          break;
        case 'x':
          if (at !== null) {
            const n = new Set(s.selected);
            if (n.has(at)) n.delete(at);
            else n.add(at);
            s.setSelected(n);
          }
          break;
        case 'Escape':
          cursor.current = s.openUid;
          go(`#/f/${s.folderId}`);
          break;
        case 'r':
          if (src) void s.compose('reply', src);
          break;
        case 'a':
          if (src) void s.compose('all', src);
          break;
        case 'f':
          if (src) void s.compose('forward', src);
          break;
        case 'e':
          void s.act('archive', target);
          break;
        case '#':
        case 'Delete':
          void s.act('delete', target);
          break;
        case 's': {
          const flagged = s.items.filter((m) => target.includes(m.uid)).every((m) => m.flagged);
          void s.act(flagged ? 'unflag' : 'flag', target);
          break;
        }
        case 'u':
          void s.act('unseen', target);
          break;
        case '!':
          void s.act('spam', target);
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
}

export function Help({ close }: { close: () => void }) {
  return (
    <div class="help" role="dialog" aria-modal="true" aria-labelledby="help-title" id="help">
      <h2 id="help-title">Keyboard shortcuts</h2>
      <table>
        <tbody>
          {SHORTCUTS.map(([k, what]) => (
            <tr key={k}><th scope="row"><kbd>{k}</kbd></th><td>{what}</td></tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={close} autofocus>Close</button>
    </div>
  );
}
