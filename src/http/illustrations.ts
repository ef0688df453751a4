/**
 * Our own drawings of each client's settings screens, filled in with the person's values and labelled with that
 * client's own field names. Plain SVG with presentation attributes only (no style attributes: the CSP forbids them).
 */
import { html, type Safe } from './escape.js';

export type Row =
  | { kind: 'heading'; label: string }
  | { kind: 'field'; label: string; value: string; secret?: boolean }
  | { kind: 'select'; label: string; value: string }
  | { kind: 'check'; label: string; checked: boolean }
  | { kind: 'button'; label: string };

export interface Theme {
  /** Title bar colour. */
  bar: string;
  barText: string;
  background: string;
  accent: string;
  font: string;
}

export const THEMES = {
  thunderbird: { bar: '#1373d9', barText: '#ffffff', background: '#f9f9fb', accent: '#0061e0', font: 'Segoe UI, sans-serif' },
  outlook: { bar: '#0f6cbd', barText: '#ffffff', background: '#ffffff', accent: '#0f6cbd', font: 'Segoe UI, sans-serif' },
  mac: { bar: '#e6e6e6', barText: '#222222', background: '#ececec', accent: '#0a84ff', font: 'Helvetica, sans-serif' },
  ios: { bar: '#f2f2f7', barText: '#000000', background: '#f2f2f7', accent: '#007aff', font: 'Helvetica, sans-serif' },
  android: { bar: '#1a73e8', barText: '#ffffff', background: '#ffffff', accent: '#1a73e8', font: 'Roboto, sans-serif' },
} satisfies Record<string, Theme>;

const W = 560;
const ROW = 34;

/** One screen: a window with a title bar and rows of labelled fields; the person's values are drawn in bold. */
export function screen(title: string, rows: Row[], theme: Theme): Safe {
  const h = 44 + rows.length * ROW + 16;
  const parts: Safe[] = [];
  rows.forEach((r, i) => {
    const y = 44 + i * ROW;
    if (r.kind === 'heading') {
      parts.push(html`<text x="16" y="${y + 22}" font-size="13" font-weight="bold" fill="#555555">${r.label.toUpperCase()}</text>`);
    } else if (r.kind === 'field' || r.kind === 'select') {
      parts.push(html`<text x="16" y="${y + 22}" font-size="14" fill="#333333">${r.label}</text>
<rect x="230" y="${y + 5}" width="310" height="24" rx="4" fill="#ffffff" stroke="${theme.accent}" stroke-width="1.5"/>
<text x="238" y="${y + 22}" font-size="14" font-weight="bold" fill="#000000">${r.kind === 'field' && r.secret ? '••••••••••' : r.value}</text>
${r.kind === 'select' ? html`<path d="M522 ${y + 14} l6 6 l6 -6" fill="none" stroke="#555555" stroke-width="1.5"/>` : ''}`);
    } else if (r.kind === 'check') {
      parts.push(html`<rect x="16" y="${y + 9}" width="16" height="16" rx="3" fill="${r.checked ? theme.accent : '#ffffff'}" stroke="${theme.accent}" stroke-width="1.5"/>
${r.checked ? html`<path d="M19 ${y + 17} l4 4 l7 -8" fill="none" stroke="#ffffff" stroke-width="2"/>` : ''}
<text x="42" y="${y + 22}" font-size="14" fill="#333333">${r.label}</text>`);
    } else {
      parts.push(html`<rect x="${W - 156}" y="${y + 3}" width="140" height="28" rx="5" fill="${theme.accent}"/>
<text x="${W - 86}" y="${y + 22}" font-size="14" fill="#ffffff" text-anchor="middle">${r.label}</text>`);
    }
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="${title}" font-family="${theme.font}">
<rect x="0" y="0" width="${W}" height="${h}" rx="8" fill="${theme.background}" stroke="#999999"/>
<rect x="0" y="0" width="${W}" height="34" rx="8" fill="${theme.bar}"/>
<rect x="0" y="26" width="${W}" height="8" fill="${theme.bar}"/>
<circle cx="16" cy="17" r="5" fill="#ff5f57"/><circle cx="32" cy="17" r="5" fill="#febc2e"/><circle cx="48" cy="17" r="5" fill="#28c840"/>
<text x="${W / 2}" y="22" font-size="14" fill="${theme.barText}" text-anchor="middle">${title}</text>
${parts}
</svg>`;
}
