/** Escaping for every value interpolated into HTML or XML: the one place that decides what is safe. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML/XML element content and quoted attribute values; drops characters XML 1.0 forbids. */
export function esc(value: unknown): string {
  return String(value)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Markup that is already safe (built by {@link html}); anything else interpolated is escaped. */
export class Safe {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A tagged template: `html\`<p>${name}</p>\`` escapes `name` unless it is {@link Safe} (or an array of them). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Safe {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Safe(out);
}

function render(v: unknown): string {
  if (v instanceof Safe) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

/** The same rules for XML documents (autoconfig, Autodiscover, plist). */
export const xml = html;

/** Marks a fixed string (a tag name, a literal from our own code) as safe. Never pass input to it. */
export function raw(text: string): Safe {
  return new Safe(text);
}
