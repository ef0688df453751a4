/**
 * The text SEARCH matches (RFC 9051 §6.4.4): header values with RFC 2047 encoded words decoded (RFC 6532 UTF-8
 * headers as they are), and the bodies of text parts with their transfer encoding removed and their charset
 * decoded. Attachments that are not text never match, however their octets look. Matching is a case-insensitive
 * substring test on Unicode text (simple case folding after NFC normalisation).
 */
import { decodeText } from '../../mail/charset.js';
import { decodeEncodedWords } from '../../mail/encoded-words.js';
import type { HeaderField } from '../../mail/header-block.js';
import type { MimePart } from '../../mail/mime/parse.js';
import { decodeBody } from './sections.js';
import { UnknownCteError } from './types.js';

/** The form both sides of a comparison take. */
export function foldText(s: string): string {
  return s.normalize('NFC').toLowerCase();
}

/** A header value for searching: unfolded, encoded words decoded. */
export function decodedHeaderValue(f: HeaderField): string {
  return decodeEncodedWords(f.value.replace(/\r?\n/g, ''));
}

/** Text of `octets` in `charset`: the charset when known, else UTF-8 when valid, else windows-1252 (src/mail/charset.ts). */
export function decodeTextOctets(octets: Buffer, charset: string | undefined): string {
  return decodeText(octets, charset || undefined);
}

/** Every header field as `Name: decoded value`, one per line. */
export function headerSearchText(fields: readonly HeaderField[]): string {
  return fields.map((f) => `${f.name}: ${decodedHeaderValue(f)}`).join('\n');
}

/**
 * The decoded text of a message body: its text/* leaves, including those of messages it encapsulates. The
 * header of an encapsulated message is not body text (Dovecot draws the line in the same place).
 */
export function bodySearchText(raw: Buffer, part: MimePart, out: string[] = []): string[] {
  if (part.type === 'multipart') {
    for (const child of part.children) bodySearchText(raw, child, out);
  } else if (part.message) {
    bodySearchText(raw, part.message, out);
  } else if (part.type === 'text') {
    const body = raw.subarray(part.bodyStart, part.end);
    let octets: Buffer;
    try {
      octets = decodeBody(body, part.encoding);
    } catch (e) {
      if (!(e instanceof UnknownCteError)) throw e;
      octets = body;
    }
    out.push(decodeTextOctets(octets, part.params.charset));
  }
  return out;
}

/** The folded header text TEXT and the text index see: every field, decoded. */
export function foldedHeaderText(mime: MimePart): string {
  return foldText(headerSearchText(mime.fields));
}

/** The folded body text BODY, TEXT and the text index see: the text parts, decoded, one per line. */
export function foldedBodyText(raw: Buffer, mime: MimePart): string {
  return foldText(bodySearchText(raw, mime).join('\n'));
}
