/**
 * The CHARSET of a SEARCH, SORT or THREAD program (RFC 9051 §6.4.4, RFC 3501 §6.4.4, RFC 5256 §3): which charsets
 * the server reads search strings in, and the program with its strings decoded in the declared one.
 *
 * The decoders are those of src/mail/charset.ts (WHATWG labels, iso-8859-1 read as windows-1252, what mail
 * clients mean), so a client may name any label they resolve; BADCHARSET lists their canonical names. Two
 * decisions, each what Dovecot 2.3 answers (test/imap/search-charset-dovecot.test.ts):
 *
 * - **US-ASCII means UTF-8.** 8-bit octets declared US-ASCII (or with no CHARSET) are read as UTF-8 (RFC 6855 §3
 *   lets UTF-8 through everywhere; Dovecot's charset_is_utf8 does the same).
 * - **Octets invalid in the declared charset make the program a BAD** ("Invalid search key"): the client said the
 *   string is text in that charset and it is not, so no reading of it is the one meant.
 *
 * UTF-16 is not offered: every ASCII character of a UTF-16 string holds a NUL octet, which no IMAP string can
 * carry (RFC 9051 §9 CHAR8), and the parser takes printable ASCII as the same text in every offered charset.
 */
import { isUtf8 } from 'node:buffer';
import type { SearchKey, SearchProgram } from '../../protocol/imap/index.js';
import { decodeWindows1252, encodingOf } from '../../mail/charset.js';

/**
 * Canonical names (IANA/WHATWG) of the charsets announced in NO [BADCHARSET (…)]: every one resolves in encodingOf
 * and decodes (test/protocol/imap/search-charset.test.ts). ISO-8859-16 is missing: Node 20's ICU has no decoder.
 */
export const SEARCH_CHARSETS: readonly string[] = [
  'UTF-8', 'US-ASCII', 'ISO-8859-1', 'WINDOWS-1252',
  'ISO-8859-2', 'ISO-8859-3', 'ISO-8859-4', 'ISO-8859-5', 'ISO-8859-6', 'ISO-8859-7', 'ISO-8859-8', 'ISO-8859-8-I',
  'ISO-8859-10', 'ISO-8859-13', 'ISO-8859-14', 'ISO-8859-15',
  'WINDOWS-874', 'WINDOWS-1250', 'WINDOWS-1251', 'WINDOWS-1253', 'WINDOWS-1254', 'WINDOWS-1255', 'WINDOWS-1256',
  'WINDOWS-1257', 'WINDOWS-1258', 'KOI8-R', 'KOI8-U', 'IBM866', 'MACINTOSH', 'X-MAC-CYRILLIC',
  'GBK', 'GB18030', 'BIG5', 'EUC-JP', 'ISO-2022-JP', 'SHIFT_JIS', 'EUC-KR',
];

/** Encodings (WHATWG names) refused although the label resolves: see the module comment. */
const REFUSED = new Set(['utf-16le', 'utf-16be', 'x-user-defined']);

export type DecodedProgram =
  | { readonly ok: true; readonly program: SearchProgram }
  /** `unknown-charset`: NO [BADCHARSET (…)]; `invalid-text`: BAD, a string is not text in the charset. */
  | { readonly ok: false; readonly problem: 'unknown-charset' | 'invalid-text' };

/** The WHATWG encoding a program's strings are read in; 'utf-8' for no CHARSET and US-ASCII; null if not offered. */
export function searchEncodingOf(charset: string | undefined): string | null {
  if (charset === undefined) return 'utf-8';
  const encoding = encodingOf(charset);
  if (encoding === null || REFUSED.has(encoding)) return null;
  return encoding === 'us-ascii' ? 'utf-8' : encoding;
}

/** Text of a search string's octets in `encoding`, or null when they are not text in it. */
export function decodeSearchString(encoding: string, octets: Buffer): string | null {
  if (encoding === 'utf-8') return isUtf8(octets) ? octets.toString('utf8') : null;
  // windows-1252 maps every octet (WHATWG index); Node's decoder reads 0x80–0x9F wrong (src/mail/charset.ts).
  if (encoding === 'windows-1252') return decodeWindows1252(octets);
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(octets);
  } catch {
    return null;
  }
}

/** The program with every search string read in its CHARSET (keys without `raw` already read right). */
export function decodeProgram(program: SearchProgram): DecodedProgram {
  const encoding = searchEncodingOf(program.charset);
  if (encoding === null) return { ok: false, problem: 'unknown-charset' };
  let invalid = false;
  const decode = (key: SearchKey): SearchKey => {
    switch (key.kind) {
      case 'header':
      case 'body':
      case 'text': {
        if (key.raw === undefined) return key;
        const value = decodeSearchString(encoding, key.raw);
        if (value === null) invalid = true;
        return { ...key, value: value ?? key.value };
      }
      case 'not':
        return { kind: 'not', key: decode(key.key) };
      case 'or':
        return { kind: 'or', left: decode(key.left), right: decode(key.right) };
      case 'and':
        return { kind: 'and', keys: key.keys.map(decode) };
      default:
        return key;
    }
  };
  const criteria = decode(program.criteria);
  return invalid ? { ok: false, problem: 'invalid-text' } : { ok: true, program: { charset: program.charset, criteria } };
}
