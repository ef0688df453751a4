/**
 * RFC 2047 encoded words (`=?charset?B|Q?text?=`) in header text, decoded the lenient way mail clients do.
 *
 * RFC 2047 §2 (syntax; RFC 2231 §5 adds `*language` after the charset), §4.1 (B = base64), §4.2 (Q: `_` is a
 * space, `=XX` an octet), §6.2 (white space between two adjacent encoded words is not displayed). Clients decode
 * encoded words in places §5 forbids (inside quoted strings, glued to other text), so for display and for the
 * submission policy's "what would a client show" checks we do the same. Adjacent words in the same charset are
 * joined as octets before decoding, so a multi-byte character split across two words survives. A word in a
 * charset we do not know stays as written; charsets are read by src/mail/charset.ts (windows-1252 for iso-8859-1,
 * UTF-8 or windows-1252 for mislabelled us-ascii).
 */
import { decodeCharset } from './charset.js';

/** Kept here for the modules that import it from encoded words. */
export { decodeCharset } from './charset.js';

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

interface Word {
  start: number;
  end: number;
  charset: string;
  octets: Buffer;
}

/** True when `text` contains at least one encoded word. */
export function hasEncodedWords(text: string): boolean {
  return new RegExp(ENCODED_WORD.source).test(text);
}

/** Decodes every encoded word in `text`; never throws. */
export function decodeEncodedWords(text: string): string {
  if (!text.includes('=?')) return text;
  const words: Word[] = [];
  for (const m of text.matchAll(ENCODED_WORD)) {
    const charset = m[1]!.split('*')[0]!.toLowerCase();
    const octets = m[2]!.toLowerCase() === 'b' ? Buffer.from(m[3]!, 'base64') : decodeQ(m[3]!);
    words.push({ start: m.index, end: m.index + m[0].length, charset, octets });
  }
  if (words.length === 0) return text;

  let out = '';
  let pos = 0;
  let i = 0;
  while (i < words.length) {
    const first = words[i]!;
    const gap = text.slice(pos, first.start);
    // RFC 2047 §6.2: linear white space between two encoded words is dropped.
    if (!(i > 0 && /^[ \t\r\n]*$/.test(gap))) out += gap;
    // Join the following words of the same charset that are separated only by white space.
    let j = i + 1;
    const parts = [first.octets];
    while (j < words.length && words[j]!.charset === first.charset && /^[ \t\r\n]*$/.test(text.slice(words[j - 1]!.end, words[j]!.start))) {
      parts.push(words[j]!.octets);
      j++;
    }
    const decoded = decodeCharset(first.charset, Buffer.concat(parts));
    out += decoded ?? text.slice(first.start, words[j - 1]!.end);
    pos = words[j - 1]!.end;
    i = j;
  }
  return out + text.slice(pos);
}

/** RFC 2047 §4.2: `_` is 0x20, `=XX` is an octet; a malformed `=` stays as itself. */
function decodeQ(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '_') bytes.push(0x20);
    else if (c === '=' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else for (const b of Buffer.from(c)) bytes.push(b);
  }
  return Buffer.from(bytes);
}
