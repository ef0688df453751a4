/**
 * Incremental decoders for message data: DATA (dot-stuffed, ended by CRLF.CRLF) and BDAT (counted octets).
 *
 * RFC 5321 §4.1.1.4 (the end of data is "<CRLF>.<CRLF>", the first CRLF ending the last line of the message;
 * "<LF>.<LF>" MUST NOT end it), §4.5.2 (transparency: a line's leading period is removed), §2.3.8 (lines end in
 * CRLF; bare CR and LF are not line ends), §4.5.3.1.6 (text lines of 1000 octets); RFC 3030 §2 (BDAT: exactly
 * chunk-size octets, no transparency). SMTP smuggling (CVE-2023-51764, -51765, -51766): only CRLF "." CRLF ends
 * DATA here; `LF.LF`, `CR.CR`, `LF.CRLF` and `CRLF.LF` are body content, and bare CR/LF are reported so the
 * server can refuse the message (550 5.5.2) instead of relaying something another MTA would split differently.
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CR_BUF = Buffer.from([CR]);

/**
 * Where the DATA decoder is between two octets:
 * - `line-start`: after CRLF, or at the very start (the DATA command's own CRLF counts);
 * - `middle`: inside a line;
 * - `after-cr`: after a CR inside a line (already emitted: a CR is body content whether or not LF follows);
 * - `after-dot`: after a leading "." (never emitted: removed by transparency, or part of the end marker);
 * - `after-dot-cr`: after a leading "." and CR: an LF now ends the data, anything else makes the CR a bare CR.
 */
type State = 'line-start' | 'middle' | 'after-cr' | 'after-dot' | 'after-dot-cr';

/** What one `push` produced: body octets to store and, at the end, the result. */
export type DataPush<R> =
  | { readonly kind: 'more'; readonly body: Buffer }
  | { readonly kind: 'end'; readonly body: Buffer; readonly result: R };

export interface DataResult {
  /** Message octets after dot-unstuffing (counted past the limit too). */
  readonly size: number;
  /** True when `size` exceeded `maxSize`: the body emitted was cut at `maxSize`; refuse with 552 5.3.4. */
  readonly tooBig: boolean;
  /** A CR not followed by LF occurred in the message. */
  readonly bareCr: boolean;
  /** An LF not preceded by CR occurred in the message. */
  readonly bareLf: boolean;
  /** The longest line as sent (dot included, CRLF excluded); RFC 5321 §4.5.3.1.6 allows 998. */
  readonly longestLine: number;
  /** Octets after the end marker: the client's next, pipelined, command(s). */
  readonly remainder: Buffer;
}

export interface DataReaderOptions {
  /** The most message octets to emit (after unstuffing); the rest is read and dropped. */
  readonly maxSize: number;
}

/** RFC 5321 DATA decoder: feed it the bytes that follow the 354 reply. */
export class DataReader {
  readonly #maxSize: number;
  #state: State = 'line-start';
  #size = 0;
  #bareCr = false;
  #bareLf = false;
  #lineOctets = 0;
  #longestLine = 0;
  #done = false;

  constructor(options: DataReaderOptions) {
    this.#maxSize = checkSize(options.maxSize, 'maxSize');
  }

  /** Decodes a chunk. After a `kind: 'end'` result the reader is finished and must not be pushed again. */
  push(chunk: Buffer): DataPush<DataResult> {
    if (this.#done) throw new Error('DataReader: push after the end of data');
    const pieces: Buffer[] = [];
    const emit = (from: number, to: number): void => {
      if (to > from) pieces.push(chunk.subarray(from, to));
    };
    const n = chunk.length;
    let state = this.#state;
    let run = 0; // start of the octets to emit in this chunk
    let i = 0;
    let nextCr = -1;
    let nextLf = -1;
    while (i < n) {
      const b = chunk[i]!;
      switch (state) {
        case 'line-start':
          if (b === DOT) {
            // RFC 5321 §4.5.2: drop the leading period (or it starts the end marker).
            emit(run, i);
            run = i + 1;
            this.#lineOctets = 1;
            state = 'after-dot';
            i++;
          } else {
            state = 'middle';
          }
          break;
        case 'middle': {
          // Fast path: skip to the next CR or LF.
          if (nextCr < i) nextCr = indexOrEnd(chunk, CR, i);
          if (nextLf < i) nextLf = indexOrEnd(chunk, LF, i);
          const j = Math.min(nextCr, nextLf);
          this.#lineOctets += j - i;
          i = j;
          if (j === n) break;
          if (chunk[j] === CR) {
            state = 'after-cr';
            this.#lineOctets++;
          } else {
            this.#bareLf = true; // an LF alone is content, never a line end
            this.#lineOctets++;
          }
          i++;
          break;
        }
        case 'after-cr':
          if (b === LF) {
            this.#longestLine = Math.max(this.#longestLine, this.#lineOctets - 1);
            this.#lineOctets = 0;
            state = 'line-start';
            i++;
          } else if (b === CR) {
            this.#bareCr = true;
            this.#lineOctets++;
            i++;
          } else {
            this.#bareCr = true;
            state = 'middle';
          }
          break;
        case 'after-dot':
          if (b === CR) {
            state = 'after-dot-cr';
            this.#lineOctets++;
            i++;
          } else {
            state = 'middle'; // the dot was stuffing: it stays dropped
          }
          break;
        case 'after-dot-cr':
          if (b === LF) {
            // CRLF "." CRLF: the end of the data. The dot and this CRLF are not message content.
            this.#done = true;
            this.#state = state;
            return { kind: 'end', body: this.#limit(pieces), result: this.#result(chunk.subarray(i + 1)) };
          }
          // ".\r" then something else: the CR is a bare CR in the body. Emit it, then handle `b` normally.
          if (i === 0) pieces.push(CR_BUF);
          else run = i - 1;
          this.#bareCr = true;
          state = 'middle';
          break;
      }
    }
    // A trailing CR after a leading dot is not known to be content yet: it is emitted by the next push.
    emit(run, state === 'after-dot-cr' ? n - 1 : n);
    this.#state = state;
    return { kind: 'more', body: this.#limit(pieces) };
  }

  /** Counts the pieces and keeps only what fits under `maxSize`. */
  #limit(pieces: Buffer[]): Buffer {
    const kept: Buffer[] = [];
    for (const piece of pieces) {
      const room = this.#maxSize - this.#size;
      if (room > 0) kept.push(piece.length > room ? piece.subarray(0, room) : piece);
      this.#size += piece.length;
    }
    return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
  }

  #result(remainder: Buffer): DataResult {
    return {
      size: this.#size,
      tooBig: this.#size > this.#maxSize,
      bareCr: this.#bareCr,
      bareLf: this.#bareLf,
      longestLine: this.#longestLine,
      remainder,
    };
  }
}

export interface BdatOptions {
  /** The chunk-size of the BDAT command (RFC 3030 §2). */
  readonly chunkSize: number;
  /** Octets of this message already received in earlier BDAT chunks. */
  readonly received: number;
  /** The message size limit, for the whole message. */
  readonly maxSize: number;
}

export interface BdatResult {
  /** Octets of the message so far, this chunk included. */
  readonly total: number;
  /** True when `total` exceeds `maxSize`: the body emitted was cut at the limit; refuse with 552 5.3.4. */
  readonly tooBig: boolean;
  /** Octets after the chunk: the next command. */
  readonly remainder: Buffer;
}

/** RFC 3030 BDAT decoder: exactly `chunkSize` octets, passed through unchanged. */
export class BdatReader {
  readonly #maxSize: number;
  readonly #total: number;
  #remaining: number;
  #emittedTotal: number;
  #done = false;

  constructor(options: BdatOptions) {
    this.#remaining = checkSize(options.chunkSize, 'chunkSize');
    this.#emittedTotal = checkSize(options.received, 'received');
    this.#maxSize = checkSize(options.maxSize, 'maxSize');
    this.#total = options.received + options.chunkSize;
  }

  /** Octets of the chunk still expected. For `BDAT 0 LAST` this is 0 at once: push an empty buffer. */
  get remaining(): number {
    return this.#remaining;
  }

  push(chunk: Buffer): DataPush<BdatResult> {
    if (this.#done) throw new Error('BdatReader: push after the end of the chunk');
    const take = Math.min(this.#remaining, chunk.length);
    this.#remaining -= take;
    const room = Math.max(0, this.#maxSize - this.#emittedTotal);
    const body = chunk.subarray(0, Math.min(take, room));
    this.#emittedTotal += take;
    if (this.#remaining > 0) return { kind: 'more', body };
    this.#done = true;
    const result = { total: this.#total, tooBig: this.#total > this.#maxSize, remainder: chunk.subarray(take) };
    return { kind: 'end', body, result };
  }
}

function indexOrEnd(chunk: Buffer, byte: number, from: number): number {
  const at = chunk.indexOf(byte, from);
  return at < 0 ? chunk.length : at;
}

function checkSize(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}
