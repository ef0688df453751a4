/**
 * The IMAP message engine's contract with the IMAP server: what a message looks like to FETCH, SEARCH, SORT and
 * THREAD, and where its octets come from. The engine never touches the store or a socket; the server hands it
 * {@link MessageRecord}s (one per message of the selected mailbox, in sequence order) and a {@link MessageSource}.
 */
import type { MimePart } from '../../mail/mime/parse.js';

/** One message of the selected mailbox as the session sees it. */
export interface MessageRecord {
  /** Message sequence number in this session (RFC 9051 §2.3.1.2). */
  readonly seq: number;
  readonly uid: number;
  /** System flags (`\Seen`…) and keywords; `\Recent` is carried by `recent`, not here. */
  readonly flags: readonly string[];
  readonly modSeq: number;
  /** INTERNALDATE, milliseconds since the epoch. */
  readonly internalDate: number;
  /** RFC822.SIZE: octets of the message as stored (CRLF line ends). */
  readonly size: number;
  readonly blobId: string;
  /** \Recent in this session (RFC 3501 §2.3.2). */
  readonly recent: boolean;
}

/** A message's octets and their MIME structure. */
export interface ParsedMessage {
  readonly raw: Buffer;
  readonly mime: MimePart;
}

/**
 * Where message octets come from. The server passes one backed by `store.blobs.get`; wrap it in
 * `cachedSource()` so one command that needs a message several times (FETCH of many items, SEARCH of several
 * text keys) reads and parses it once. `parsed` is optional: without it the engine parses `raw` itself.
 */
export interface MessageSource {
  raw(blobId: string): Promise<Buffer>;
  parsed?(blobId: string): Promise<ParsedMessage>;
  /** Up to `length` octets from `offset`: when present, a big message is streamed in pieces. */
  read?(blobId: string, offset: number, length: number): Promise<Buffer>;
}

/**
 * RFC 3516 §4.3: BINARY on a part whose Content-Transfer-Encoding the server cannot decode. The server answers
 * `NO [UNKNOWN-CTE]`.
 */
export class UnknownCteError extends Error {
  readonly code = 'UNKNOWN-CTE' as const;
  constructor(readonly encoding: string) {
    super(`unknown content transfer encoding ${encoding}`);
    this.name = 'UnknownCteError';
  }
}

/**
 * Offset east of UTC, in minutes, that the server's zone has at an instant: INTERNALDATE is shown with it, and
 * SEARCH BEFORE/ON/SINCE compare calendar days in it. The default is the process's local zone.
 */
export type ZoneOffset = (instant: number) => number;

export const localZoneOffset: ZoneOffset = (instant) => {
  const off = -new Date(instant).getTimezoneOffset();
  return off === 0 ? 0 : off; // never -0
};
