/**
 * Octets to text in a MIME charset (RFC 2045 §5.1 the charset parameter, RFC 2046 §4.1.2 text charsets,
 * RFC 2047 §2 encoded words, RFC 2231 §4 parameter values), the way mail clients read real mail.
 *
 * Labels are resolved by the WHATWG Encoding Standard (https://encoding.spec.whatwg.org/#names-and-labels), the
 * table every browser and TextDecoder use. Three decisions, each what clients do:
 *
 * - **iso-8859-1 is windows-1252.** WHATWG maps the labels iso-8859-1, latin1, cp1252, us-ascii and ascii to
 *   windows-1252, whose octets 0x80–0x9F are € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ instead of the C1
 *   control characters of ISO 8859-1, which never occur in text (HTML5 did the same for the same reason). Node 20's
 *   TextDecoder names the encoding windows-1252 but decodes those octets as C1 controls (a Latin-1 fast path;
 *   nodejs/node#56542), so windows-1252 is decoded here from the WHATWG index, never by TextDecoder.
 * - **us-ascii, or no charset, with 8-bit octets is mislabelled.** RFC 2045 §5.2 makes us-ascii the default, and
 *   ASCII octets read the same in every charset below; octets above 0x7F in such a part are read as UTF-8 when
 *   they are valid UTF-8 (what senders write today, RFC 6532), else as windows-1252. The same rule reads raw 8-bit
 *   header bytes (src/mail/header-block.ts).
 * - **An unknown charset returns null**, and so does WHATWG's "replacement" encoding (iso-2022-kr, hz-gb-2312…),
 *   which would turn a whole text into one U+FFFD; the caller keeps the text as written or falls back to
 *   `decodeUnlabelled`.
 */
import { isUtf8 } from 'node:buffer';

/** WHATWG index-windows-1252 for 0x80–0x9F (0x81, 0x8D, 0x8F, 0x90 and 0x9D map to the same C1 code point). */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
] as const;

/** windows-1252 octets as text: 0x00–0x7F and 0xA0–0xFF are the same code points, 0x80–0x9F from the table. */
export function decodeWindows1252(octets: Uint8Array): string {
  let i = 0;
  while (i < octets.length && (octets[i]! < 0x80 || octets[i]! > 0x9f)) i++;
  if (i === octets.length) return Buffer.from(octets.buffer, octets.byteOffset, octets.length).toString('latin1');
  const units = new Uint16Array(octets.length);
  for (let j = 0; j < octets.length; j++) {
    const b = octets[j]!;
    units[j] = b >= 0x80 && b <= 0x9f ? WINDOWS_1252_HIGH[b - 0x80]! : b;
  }
  return Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString('utf16le');
}

/** Text with no (or an ASCII) charset: UTF-8 when the octets are valid UTF-8, else windows-1252. Never throws. */
export function decodeUnlabelled(octets: Uint8Array): string {
  return isUtf8(octets) ? Buffer.from(octets.buffer, octets.byteOffset, octets.length).toString('utf8') : decodeWindows1252(octets);
}

/** Labels WHATWG resolves to windows-1252 that name 7-bit ASCII (RFC 2046 §4.1.2, RFC 2978 charset registry). */
const ASCII_LABELS = new Set(['us-ascii', 'ascii', 'ansi_x3.4-1968', 'iso646-us', 'us', 'iso-ir-6', 'cp367', 'ibm367', 'csascii']);

/** The WHATWG encoding name of a MIME charset label, or null when it names none. */
export function encodingOf(charset: string): string | null {
  const label = charset.trim().replace(/^"(.*)"$/, '$1').trim().toLowerCase();
  if (ASCII_LABELS.has(label)) return 'us-ascii';
  try {
    const encoding = new TextDecoder(label).encoding;
    return encoding === 'replacement' ? null : encoding;
  } catch {
    return null;
  }
}

/** Decodes octets in a MIME charset; null when the charset is unknown. Never throws. */
export function decodeCharset(charset: string, octets: Uint8Array): string | null {
  const encoding = encodingOf(charset);
  if (encoding === null) return null;
  if (encoding === 'us-ascii') return decodeUnlabelled(octets);
  if (encoding === 'windows-1252') return decodeWindows1252(octets);
  try {
    return new TextDecoder(encoding).decode(octets);
  } catch {
    return null;
  }
}

/** Text of a text part's octets: in its charset when known, else by `decodeUnlabelled`. Never throws. */
export function decodeText(octets: Uint8Array, charset: string | undefined): string {
  return (charset === undefined ? null : decodeCharset(charset, octets)) ?? decodeUnlabelled(octets);
}
