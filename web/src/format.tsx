/** Small display helpers: people, dates, sizes, and plain text with its links made clickable (never as HTML). */
import type { Person } from './api';

export function personName(p: Person | undefined): string {
  if (!p) return '(nobody)';
  return p.name || p.address || '(unknown)';
}

export function personFull(p: Person): string {
  return p.name ? `${p.name} <${p.address}>` : p.address;
}

export function shortDate(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const today = new Date(now);
  if (d.toDateString() === today.toDateString()) return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (d.getFullYear() === today.getFullYear()) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return d.toLocaleDateString();
}

export function longDate(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toLocaleString();
}

export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const LINK = /\b(https?:\/\/[^\s<>"')\]]+[^\s<>"')\].,;:!?])|\b([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

/** Text with http(s) links and addresses as links; everything else stays text nodes (no HTML is parsed). */
export function TextWithLinks({ text }: { text: string }) {
  const out: Array<string | preact.JSX.Element> = [];
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    if (m.index! > last) out.push(text.slice(last, m.index));
    if (m[1]) out.push(<a href={m[1]} target="_blank" rel="noopener noreferrer">{m[1]}</a>);
    else out.push(<a href={`mailto:${m[2]}`}>{m[2]}</a>);
    last = m.index! + m[0].length;
  }
  out.push(text.slice(last));
  return <pre class="text-body">{out}</pre>;
}
