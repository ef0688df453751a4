/**
 * FETCH: the data items of one message (RFC 9051 §6.4.5 and §7.5.2; RFC 3501 §6.4.5 and §7.4.2; RFC 3516
 * BINARY; RFC 7162 §3.1.4 MODSEQ). The server turns the result into `* n FETCH (…)` with `fetchResponse()`.
 */
import type { FetchContent, FetchItem, FetchResponseItem, FlagsFetchItem } from '../../protocol/imap/index.js';
import { storeLimits } from '../../lib/limits.js';
import { bodyStructureOf } from './body-structure.js';
import { parsedMessage } from './cache.js';
import type { StoredDescription } from './describe.js';
import { envelopeOf } from './envelope.js';
import { applyPartial, binaryBytes, headerSectionBytes, sectionBytes, type HeaderText } from './sections.js';
import { localZoneOffset, type MessageRecord, type MessageSource, type ParsedMessage, type ZoneOffset } from './types.js';

export interface FetchOptions {
  readonly source: MessageSource;
  /** The client enabled UTF-8 (RFC 6855 UTF8=ACCEPT or IMAP4rev2); the encoder may then quote UTF-8 strings. */
  readonly utf8: boolean;
  /** The zone INTERNALDATE is shown in; default the process's local zone. */
  readonly zoneOffset?: ZoneOffset;
}

/** Items answered from the record alone, without reading the message. */
const RECORD_ONLY: ReadonlySet<FetchItem['kind']> = new Set(['FLAGS', 'UID', 'MODSEQ', 'INTERNALDATE', 'RFC822.SIZE']);

/** Whether FETCH of `items` needs the message octets (the server may skip the blob store otherwise). */
export function fetchNeedsBody(items: readonly FetchItem[]): boolean {
  return items.some((i) => !RECORD_ONLY.has(i.kind));
}

/** BODY[] (whole message, any partial) and RFC822: the stored octets as they are, no MIME parse needed. */
function wholeMessage(item: FetchItem): boolean {
  return item.kind === 'RFC822' || (item.kind === 'BODY[]' && item.section.part.length === 0 && item.section.text === undefined);
}

/** Items a stored description answers (computed at delivery, describe.ts). */
const DESCRIBED: ReadonlySet<FetchItem['kind']> = new Set(['ENVELOPE', 'BODY', 'BODYSTRUCTURE']);

/** Whether FETCH of `items` wants ENVELOPE or BODY[STRUCTURE] (the server then reads the stored descriptions). */
export function fetchWantsDescription(items: readonly FetchItem[]): boolean {
  return items.some((i) => DESCRIBED.has(i.kind));
}

/**
 * Whether FETCH of `items` needs the parsed MIME tree. When it does not (`FETCH 1:* BODY[]`, RFC822, flags, and
 * ENVELOPE/BODYSTRUCTURE when `described`), the server reads each message's octets once, unparsed and uncached,
 * so a whole-folder download holds one message; a message without a stored description is then parsed alone.
 */
export function fetchNeedsMime(items: readonly FetchItem[], described = false): boolean {
  return items.some((i) => !RECORD_ONLY.has(i.kind) && !wholeMessage(i) && !(described && DESCRIBED.has(i.kind)));
}

/**
 * The octets of a whole message (or a partial of it): streamed in pieces through `source.read` when the message
 * is bigger than one piece, so a 40 MiB message is never held whole; the first piece is read now, so a message
 * gone from the store fails here, before its response is started.
 */
async function wholeContent(m: MessageRecord, source: MessageSource, partial: { offset: number; length: number } | undefined, loadRaw: () => Promise<Buffer>): Promise<FetchContent> {
  const piece = storeLimits.blobChunkOctets;
  if (!source.read || m.size <= piece) return applyPartial(await loadRaw(), partial);
  const start = Math.min(partial?.offset ?? 0, m.size);
  const end = partial === undefined ? m.size : Math.min(start + partial.length, m.size);
  const read = source.read.bind(source);
  const first = await read(m.blobId, start, Math.min(piece, end - start));
  if (end - start <= piece) return first;
  async function* pieces(): AsyncGenerator<Buffer> {
    yield first;
    for (let at = start + first.length; at < end; ) {
      const next = await read(m.blobId, at, Math.min(piece, end - at));
      if (next.length === 0) throw new Error(`message ${m.blobId} ended early while it was being sent`);
      at += next.length;
      yield next;
    }
  }
  return { kind: 'stream', size: end - start, binary: false, source: pieces() };
}

/**
 * The section text of an item answered from the message's top-level header section alone (RFC822.HEADER,
 * BODY[HEADER], BODY[HEADER.FIELDS (…)] and .NOT), or undefined for any other item.
 */
export function topHeaderText(item: FetchItem): HeaderText | undefined {
  if (item.kind === 'RFC822.HEADER') return { kind: 'header' };
  if (item.kind !== 'BODY[]' || item.section.part.length > 0) return undefined;
  const text = item.section.text;
  return text?.kind === 'header' || text?.kind === 'header-fields' ? text : undefined;
}

/** RFC 3501 §6.4.5: BODY[…] and BINARY[…] without .PEEK, RFC822 and RFC822.TEXT set \Seen. */
export function fetchMarksSeen(items: readonly FetchItem[]): boolean {
  return items.some((i) => ((i.kind === 'BODY[]' || i.kind === 'BINARY[]') && !i.peek) || i.kind === 'RFC822' || i.kind === 'RFC822.TEXT');
}

/** The FETCH items answered from a record's UID, flags and modseq alone. */
export type FlagsItemKind = 'UID' | 'FLAGS' | 'MODSEQ';

export const isFlagsItemKind = (kind: FetchItem['kind']): kind is FlagsItemKind => kind === 'UID' || kind === 'FLAGS' || kind === 'MODSEQ';

/** One of those items' data; `\Recent` joins the stored flags in this session (RFC 3501 §2.3.2). */
export function flagsItem(m: MessageRecord, kind: FlagsItemKind): FlagsFetchItem {
  if (kind === 'UID') return { kind, uid: m.uid };
  if (kind === 'FLAGS') return { kind, flags: m.recent ? [...m.flags, '\\Recent'] : m.flags };
  return { kind, modSeq: BigInt(m.modSeq) };
}

/**
 * The FETCH data for `items` of message `m`, in the order asked. Throws UnknownCteError when a BINARY item names
 * a part whose transfer encoding cannot be undone (the server answers NO [UNKNOWN-CTE]). With `header`, the
 * message's top-level header section, the items {@link topHeaderText} names are cut from it, the message unread.
 */
export async function fetchMessage(
  m: MessageRecord,
  items: readonly FetchItem[],
  opts: FetchOptions,
  described?: StoredDescription,
  header?: Buffer,
): Promise<FetchResponseItem[]> {
  let message: ParsedMessage | undefined;
  const load = async (): Promise<ParsedMessage> => (message ??= await parsedMessage(opts.source, m.blobId));
  let raw: Buffer | undefined;
  const loadRaw = async (): Promise<Buffer> => message?.raw ?? (raw ??= await opts.source.raw(m.blobId));
  const zone = opts.zoneOffset ?? localZoneOffset;
  const out: FetchResponseItem[] = [];
  for (const item of items) {
    switch (item.kind) {
      case 'UID':
      case 'FLAGS':
      case 'MODSEQ':
        out.push(flagsItem(m, item.kind));
        break;
      case 'INTERNALDATE':
        out.push({ kind: 'INTERNALDATE', date: new Date(m.internalDate), offsetMinutes: zone(m.internalDate) });
        break;
      case 'RFC822.SIZE':
        out.push({ kind: 'RFC822.SIZE', size: m.size });
        break;
      case 'ENVELOPE': {
        if (described) out.push({ kind: 'ENVELOPE', envelope: described.envelope });
        else out.push({ kind: 'ENVELOPE', envelope: envelopeOf((await load()).mime.fields) });
        break;
      }
      case 'BODY':
      case 'BODYSTRUCTURE': {
        if (described) {
          out.push({ kind: item.kind, structure: described.body });
          break;
        }
        const { raw, mime } = await load();
        out.push({ kind: item.kind, structure: bodyStructureOf(raw, mime) });
        break;
      }
      case 'RFC822':
        out.push({ kind: 'RFC822', content: message ? message.raw : await wholeContent(m, opts.source, undefined, loadRaw) });
        break;
      case 'RFC822.HEADER': {
        if (header) {
          out.push({ kind: 'RFC822.HEADER', content: header });
          break;
        }
        const { raw, mime } = await load();
        out.push({ kind: 'RFC822.HEADER', content: sectionBytes(raw, mime, { part: [], text: { kind: 'header' } }) });
        break;
      }
      case 'RFC822.TEXT': {
        const { raw, mime } = await load();
        out.push({ kind: 'RFC822.TEXT', content: sectionBytes(raw, mime, { part: [], text: { kind: 'text' } }) });
        break;
      }
      case 'BODY[]': {
        if (wholeMessage(item)) {
          const content = message ? applyPartial(message.raw, item.partial) : await wholeContent(m, opts.source, item.partial, loadRaw);
          out.push({ kind: 'BODY[]', section: item.section, origin: item.partial?.offset, content });
          break;
        }
        const text = header && topHeaderText(item);
        if (header && text) {
          out.push({ kind: 'BODY[]', section: item.section, origin: item.partial?.offset, content: applyPartial(headerSectionBytes(header, text), item.partial) });
          break;
        }
        const { raw, mime } = await load();
        const bytes = sectionBytes(raw, mime, item.section);
        out.push({ kind: 'BODY[]', section: item.section, origin: item.partial?.offset, content: applyPartial(bytes, item.partial) });
        break;
      }
      case 'BINARY[]': {
        const { raw, mime } = await load();
        const bytes = binaryBytes(raw, mime, item.part);
        out.push({ kind: 'BINARY[]', part: item.part, origin: item.partial?.offset, content: bytes === null ? null : applyPartial(bytes, item.partial) });
        break;
      }
      case 'BINARY.SIZE': {
        const { raw, mime } = await load();
        out.push({ kind: 'BINARY.SIZE', part: item.part, size: binaryBytes(raw, mime, item.part)?.length ?? 0 });
        break;
      }
    }
  }
  return out;
}
