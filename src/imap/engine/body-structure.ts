/**
 * BODY and BODYSTRUCTURE from a parsed MIME tree (RFC 3501 §7.4.2, RFC 9051 §7.5.2): media type and parameters
 * as written, Content-ID, Content-Description, Content-Transfer-Encoding, size in octets, lines for text/* and
 * message/rfc822 (with the encapsulated message's envelope and structure); extension data (md5, disposition,
 * language, location) for BODYSTRUCTURE; multipart parameters in its extension data.
 */
import type { BodyFields, BodyParams, BodyStructure, SinglePartExtension } from '../../protocol/imap/index.js';
import type { HeaderField } from '../../mail/header-block.js';
import type { MimePart } from '../../mail/mime/parse.js';
import { envelopeOf } from './envelope.js';
import { writtenValue } from './mime-fields.js';

const LF = 0x0a;

/** Lines of a body: its LF count (a last line without a line end is not counted, as Dovecot counts). */
export function bodyLines(raw: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = raw.indexOf(LF, start); i >= 0 && i < end; i = raw.indexOf(LF, i + 1)) n++;
  return n;
}

const field = (fields: readonly HeaderField[], name: string): string | undefined => fields.find((f) => f.lowerName === name)?.value;

function params(list: Array<[string, string]>): BodyParams {
  return list.length === 0 ? null : list;
}

/** The media type as written when it agrees with the parsed one, else the parsed (defaulted) one. */
function spelledType(part: MimePart): { type: string; subtype: string; params: BodyParams } {
  const ct = field(part.fields, 'content-type');
  if (ct !== undefined) {
    const w = writtenValue(ct);
    const m = /^([^/\s]+)\s*\/\s*([^\s]+)$/.exec(w.head);
    if (m && m[1]!.toLowerCase() === part.type && m[2]!.toLowerCase() === part.subtype) {
      // RFC 2045 §5.2: text without a charset is us-ascii; Dovecot (and clients) show the default explicitly.
      const list = w.params;
      if (part.type === 'text' && !list.some(([k]) => k.toLowerCase() === 'charset')) list.push(['charset', 'us-ascii']);
      return { type: m[1]!, subtype: m[2]!, params: params(list) };
    }
  }
  // RFC 2045 §5.2: the default is text/plain; charset=us-ascii (message/rfc822 inside multipart/digest).
  const fallback: Array<[string, string]> = part.type === 'text' ? [['charset', 'us-ascii']] : [];
  return { type: part.type, subtype: part.subtype, params: params(fallback) };
}

function encodingAsWritten(part: MimePart): string {
  const cte = field(part.fields, 'content-transfer-encoding');
  const written = cte?.trim().split(/[\s;(]/)[0];
  return written && written.toUpperCase() === part.encoding ? written : part.encoding === '7BIT' ? '7bit' : part.encoding;
}

function extensionOf(part: MimePart): SinglePartExtension {
  const cd = field(part.fields, 'content-disposition');
  const d = cd === undefined ? null : writtenValue(cd);
  return {
    md5: part.md5,
    disposition: d === null || d.head === '' ? null : { type: d.head, params: params(d.params) },
    language: part.language && part.language.length > 0 ? part.language : null,
    location: part.location,
  };
}

/** The BODYSTRUCTURE of `part` (the whole message for the root); encode with `extended` false for BODY. */
export function bodyStructureOf(raw: Buffer, part: MimePart): BodyStructure {
  const spelled = spelledType(part);
  const extension = extensionOf(part);
  if (part.type === 'multipart') {
    return {
      kind: 'multipart',
      subtype: spelled.subtype,
      parts: part.children.map((c) => bodyStructureOf(raw, c)),
      extension: { params: spelled.params, disposition: extension.disposition, language: extension.language, location: extension.location },
    };
  }
  const fields: BodyFields = {
    params: spelled.params,
    id: part.id,
    description: part.description,
    encoding: encodingAsWritten(part),
    size: part.size,
  };
  const lines = bodyLines(raw, part.bodyStart, part.end);
  if (part.message) {
    return {
      kind: 'message',
      type: spelled.type,
      subtype: spelled.subtype,
      fields,
      envelope: envelopeOf(part.message.fields),
      body: bodyStructureOf(raw, part.message),
      lines,
      extension,
    };
  }
  if (part.type === 'text') return { kind: 'text', type: spelled.type, subtype: spelled.subtype, fields, lines, extension };
  return { kind: 'basic', type: spelled.type, subtype: spelled.subtype, fields, extension };
}
