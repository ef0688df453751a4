/**
 * Structured MIME header values: `type/subtype; name=value; …` (RFC 2045 §5.1), dispositions (RFC 2183), with
 * quoted strings, comments (RFC 5322 §3.2.2) and RFC 2231 parameter continuations and charsets
 * (`name*0*=utf-8''%E2%82%AC`). Tolerant: it never throws; junk yields defaults.
 */
import { decodeText } from '../charset.js';

export interface ParsedValue {
  /** The value before the first `;`, lower-cased (e.g. `text/plain`, `attachment`). */
  value: string;
  /** Parameters with lower-cased names, continuations joined, RFC 2231 values decoded. */
  params: Record<string, string>;
}

/** Removes RFC 5322 comments (nested parentheses) outside quoted strings. */
export function stripComments(s: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      out += c;
      if (c === '\\' && i + 1 < s.length) out += s[++i];
      else if (c === '"') quoted = false;
    } else if (depth > 0) {
      if (c === '\\') i++;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
    } else if (c === '(') depth = 1;
    else {
      if (c === '"') quoted = true;
      out += c;
    }
  }
  return out;
}

/** Splits on `;` outside quoted strings. */
export function splitParams(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted && c === '\\' && i + 1 < s.length) {
      cur += c + s[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  return t;
}

/** RFC 2231 §4: charset'language'percent-encoded. */
function decode2231(value: string, charset: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '%' && /^[0-9a-f]{2}$/i.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  const buf = Buffer.from(bytes);
  return decodeText(buf, charset || undefined);
}

export function parseStructured(raw: string): ParsedValue {
  const [head = '', ...rest] = splitParams(stripComments(raw));
  const params: Record<string, string> = {};
  const pieces = new Map<string, Array<{ n: number; value: string; encoded: boolean }>>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const name = p.slice(0, eq).trim().toLowerCase();
    const value = p.slice(eq + 1);
    if (!name) continue;
    const m = /^([^*]+)\*(?:(\d+)(\*)?|)$/.exec(name);
    if (!m) {
      if (!(name in params)) params[name] = unquote(value);
      continue;
    }
    const base = m[1]!;
    const n = m[2] === undefined ? 0 : Number(m[2]);
    const encoded = m[2] === undefined ? true : m[3] === '*';
    const list = pieces.get(base) ?? [];
    list.push({ n, value: unquote(value), encoded });
    pieces.set(base, list);
  }
  for (const [base, list] of pieces) {
    list.sort((a, b) => a.n - b.n);
    let charset = '';
    const decoded = list.map((piece, i) => {
      let v = piece.value;
      if (i === 0 && piece.encoded) {
        const q = /^([^']*)'[^']*'(.*)$/s.exec(v);
        if (q) {
          charset = q[1]!;
          v = q[2]!;
        }
      }
      return piece.encoded ? decode2231(v, charset) : v;
    });
    params[base] = decoded.join('');
  }
  return { value: head.trim().toLowerCase(), params };
}

/** RFC 2045 §5.2: a missing or invalid Content-Type means text/plain; charset=us-ascii. */
export function parseContentType(raw: string | undefined, fallback = 'text/plain'): { type: string; subtype: string; params: Record<string, string> } {
  const parsed = raw === undefined ? null : parseStructured(raw);
  const m = parsed ? /^([a-z0-9!#$&^_.+-]+)\/([a-z0-9!#$&^_.+-]+)$/.exec(parsed.value.replace(/\s+/g, '')) : null;
  if (!parsed || !m) {
    const [type, subtype] = fallback.split('/') as [string, string];
    return { type, subtype, params: type === 'text' ? { charset: 'us-ascii' } : {} };
  }
  return { type: m[1]!, subtype: m[2]!, params: parsed.params };
}
