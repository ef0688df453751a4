/**
 * MIME header values as written, for BODYSTRUCTURE: RFC 9051 §7.5.2 wants the media type, parameters and
 * disposition "as in the message". src/mail/mime normalises them for programs (lower-case names, RFC 2231
 * decoded); IMAP clients instead receive the original spelling, with RFC 2231 continuations joined but the
 * extended value left encoded (`filename*` → `utf-8''%E2%82%AC.pdf`), as Dovecot sends them.
 */

import { splitParams, stripComments } from '../../mail/mime/params.js';

/** A structured value (`text/plain; charset="x"`): the head as written and the parameters in order. */
export interface WrittenValue {
  readonly head: string;
  readonly params: Array<[string, string]>;
}

/** RFC 2045 §5.1 token: printable ASCII but SP and tspecials (8-bit octets are tolerated). */
const TOKEN_PREFIX = /^[^\x00-\x20()<>@,;:\\"/[\]?=\x7f]*/;

/** A quoted-string's content, or the token an unquoted value starts with (`a?b` is the token `a`, as Dovecot reads it). */
function unquote(v: string): string {
  const t = v.trim();
  if (t.startsWith('"')) {
    const end = t.length >= 2 && t.endsWith('"') ? t.length - 1 : t.length;
    return t.slice(1, end).replace(/\\(.)/g, '$1');
  }
  return TOKEN_PREFIX.exec(t)![0];
}

/**
 * Parses `head; a=b; c="d"` keeping spellings. RFC 2231 §3 continuations (`name*0`, `name*1*`…) are joined in
 * order under `name` (or `name*` when the first piece is extended); the first occurrence of a name wins.
 */
export function writtenValue(raw: string): WrittenValue {
  const [head = '', ...rest] = splitParams(stripComments(raw));
  const params: Array<[string, string]> = [];
  const continued = new Map<string, { at: number; pieces: Array<[number, string]> }>();
  const seen = new Set<string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const name = p.slice(0, eq).trim();
    if (name === '' || /\s/.test(name)) continue;
    const value = unquote(p.slice(eq + 1));
    const m = /^(.+?)\*(\d+)(\*?)$/.exec(name);
    if (m) {
      const key = m[1]!.toLowerCase();
      let entry = continued.get(key);
      if (!entry) {
        entry = { at: params.length, pieces: [] };
        continued.set(key, entry);
        params.push([m[1]! + (m[2] === '0' && m[3] === '*' ? '*' : ''), '']);
      } else if (m[2] === '0' && m[3] === '*') params[entry.at]![0] = `${m[1]!}*`;
      entry.pieces.push([Number(m[2]), value]);
      continue;
    }
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    params.push([name, value]);
  }
  for (const entry of continued.values()) {
    entry.pieces.sort((a, b) => a[0] - b[0]);
    params[entry.at]![1] = entry.pieces.map((p) => p[1]).join('');
  }
  return { head: head.trim(), params };
}
