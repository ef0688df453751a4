/**
 * FETCH: the data items of one message (RFC 9051 §6.4.5 and §7.5.2; RFC 3501 §6.4.5 and §7.4.2; RFC 3516
 * BINARY; RFC 7162 §3.1.4 MODSEQ). The server turns the result into `* n FETCH (…)` with `fetchResponse()`.
 */
import type { FetchItem, FetchResponseItem } from '../../protocol/imap/index.js';
import { bodyStructureOf } from './body-structure.js';
import { parsedMessage } from './cache.js';
import { envelopeOf } from './envelope.js';
import { applyPartial, binaryBytes, sectionBytes } from './sections.js';
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

/**
 * Whether FETCH of `items` needs the parsed MIME tree. When it does not (`FETCH 1:* BODY[]`, RFC822, flags), the
 * server reads each message's octets once, unparsed and uncached, so a whole-folder download holds one message.
 */
export function fetchNeedsMime(items: readonly FetchItem[]): boolean {
  return items.some((i) => !RECORD_ONLY.has(i.kind) && !wholeMessage(i));
}

/** RFC 3501 §6.4.5: BODY[…] and BINARY[…] without .PEEK, RFC822 and RFC822.TEXT set \Seen. */
export function fetchMarksSeen(items: readonly FetchItem[]): boolean {
  return items.some((i) => ((i.kind === 'BODY[]' || i.kind === 'BINARY[]') && !i.peek) || i.kind === 'RFC822' || i.kind === 'RFC822.TEXT');
}

/**
 * The FETCH data for `items` of message `m`, in the order asked. Throws UnknownCteError when a BINARY item names
 * a part whose transfer encoding cannot be undone (the server answers NO [UNKNOWN-CTE]).
 */
export async function fetchMessage(m: MessageRecord, items: readonly FetchItem[], opts: FetchOptions): Promise<FetchResponseItem[]> {
  let message: ParsedMessage | undefined;
  const load = async (): Promise<ParsedMessage> => (message ??= await parsedMessage(opts.source, m.blobId));
  let raw: Buffer | undefined;
  const loadRaw = async (): Promise<Buffer> => message?.raw ?? (raw ??= await opts.source.raw(m.blobId));
  const zone = opts.zoneOffset ?? localZoneOffset;
  const out: FetchResponseItem[] = [];
  for (const item of items) {
    switch (item.kind) {
      case 'UID':
        out.push({ kind: 'UID', uid: m.uid });
        break;
      case 'FLAGS':
        out.push({ kind: 'FLAGS', flags: m.recent ? [...m.flags, '\\Recent'] : m.flags });
        break;
      case 'MODSEQ':
        out.push({ kind: 'MODSEQ', modSeq: BigInt(m.modSeq) });
        break;
      case 'INTERNALDATE':
        out.push({ kind: 'INTERNALDATE', date: new Date(m.internalDate), offsetMinutes: zone(m.internalDate) });
        break;
      case 'RFC822.SIZE':
        out.push({ kind: 'RFC822.SIZE', size: m.size });
        break;
      case 'ENVELOPE': {
        const { mime } = await load();
        out.push({ kind: 'ENVELOPE', envelope: envelopeOf(mime.fields) });
        break;
      }
      case 'BODY':
      case 'BODYSTRUCTURE': {
        const { raw, mime } = await load();
        out.push({ kind: item.kind, structure: bodyStructureOf(raw, mime) });
        break;
      }
      case 'RFC822':
        out.push({ kind: 'RFC822', content: await loadRaw() });
        break;
      case 'RFC822.HEADER': {
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
          out.push({ kind: 'BODY[]', section: item.section, origin: item.partial?.offset, content: applyPartial(await loadRaw(), item.partial) });
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
