/**
 * What IMAP needs of a message, computed once when it is stored (issue 5): ENVELOPE and BODYSTRUCTURE as
 * JSON-safe data (FETCH reads them instead of parsing the message), and the decoded, case-folded text the SEARCH
 * index holds (issue 6). The composition root hands {@link describeMessage} to the store's delivery paths.
 */
import type { BodyStructure, Envelope } from '../../protocol/imap/index.js';
import { parseMime } from '../../mail/mime/parse.js';
import { storeLimits } from '../../lib/limits.js';
import { bodyStructureOf } from './body-structure.js';
import { envelopeOf } from './envelope.js';
import { foldedBodyText, foldedHeaderText } from './search-text.js';

/** ENVELOPE and BODYSTRUCTURE (with extension data; BODY is encoded from it without) as stored. */
export interface StoredDescription {
  readonly v: 1;
  readonly envelope: Envelope;
  readonly body: BodyStructure;
}

export interface MessageDescription {
  readonly structure: StoredDescription;
  /** Null when the text is too big to index (SEARCH then reads the message). */
  readonly text: { readonly header: string; readonly body: string } | null;
}

export function describeMessage(raw: Buffer): MessageDescription {
  const mime = parseMime(raw);
  const header = foldedHeaderText(mime);
  const body = foldedBodyText(raw, mime);
  return {
    structure: { v: 1, envelope: envelopeOf(mime.fields), body: bodyStructureOf(raw, mime) },
    text: header.length + body.length > storeLimits.searchIndexTextMaxChars ? null : { header, body },
  };
}

/** A stored description, if `value` is one this version wrote (anything else: parse the message instead). */
export function storedDescription(value: unknown): StoredDescription | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const d = value as Partial<StoredDescription>;
  return d.v === 1 && typeof d.envelope === 'object' && typeof d.body === 'object' ? (d as StoredDescription) : undefined;
}
