/**
 * An incremental CRLF line splitter shared by the SMTP, IMAP and POP3 servers (sans-I/O: no sockets here).
 *
 * RFC 5321 §2.3.8 and RFC 9051 §2.2: lines end with CRLF. A bare LF also ends a line (clients that send one are
 * told apart by `bareLf`, so a server can refuse them); a bare CR is ordinary line content.
 *
 * Usage: `push()` every chunk read from the socket, then call `next()` until it returns `undefined`. A line
 * longer than the limit is never buffered: its bytes are dropped as they arrive and a single `too-long` event is
 * reported when its line end comes. `takeRemainder()` hands the unread bytes to another decoder (SMTP DATA/BDAT,
 * IMAP literals); `discard()` drops them (RFC 3207 §4.2: nothing pipelined after STARTTLS may be executed).
 *
 * Lines are views of the pushed chunks, not copies: never reuse a buffer after pushing it (socket data is fresh).
 */

const CR = 0x0d;
const LF = 0x0a;

/** One result of {@link LineReader.next}. */
export type LineEvent =
  /** A complete line without its terminator. `bareLf` is true when it ended with LF alone, not CRLF. */
  | { readonly kind: 'line'; readonly line: Buffer; readonly bareLf: boolean }
  /** A line over the limit; its `octets` (terminator excluded) were discarded. */
  | { readonly kind: 'too-long'; readonly octets: number; readonly bareLf: boolean };

export interface LineReaderOptions {
  /**
   * The longest line accepted, counted as the RFCs count it: including the CRLF. A line's content may thus be
   * `maxLineOctets - 2` octets long, whatever its terminator. Can be changed later (e.g. during AUTH).
   */
  readonly maxLineOctets: number;
}

/** The discarding state while an over-long line is being dropped. */
interface Discarding {
  /** Octets of the line seen so far (terminator not yet seen). */
  octets: number;
  /** The last octet seen, to tell CRLF from a bare LF when the LF arrives in a later chunk. */
  lastOctet: number;
}

export class LineReader {
  #buf: Buffer = Buffer.alloc(0);
  /** Start of the unread bytes in `#buf`. */
  #pos = 0;
  /** Where to resume the search for LF (bytes in `#pos..#scan` are known to hold none). */
  #scan = 0;
  #discarding: Discarding | undefined;
  #maxLineOctets: number;

  constructor(options: LineReaderOptions) {
    this.#maxLineOctets = checkLimit(options.maxLineOctets);
  }

  get maxLineOctets(): number {
    return this.#maxLineOctets;
  }

  /** Changes the limit for lines not yet complete (e.g. RFC 4954 §4 allows longer lines during AUTH). */
  set maxLineOctets(value: number) {
    this.#maxLineOctets = checkLimit(value);
  }

  /** Octets received but not yet returned: a server should stop reading from the socket when this grows. */
  get bufferedOctets(): number {
    return this.#buf.length - this.#pos;
  }

  /** True while an over-long line is being dropped (a server may choose to hang up instead of waiting). */
  get discarding(): boolean {
    return this.#discarding !== undefined;
  }

  /** Appends received bytes. Nothing is parsed until {@link next} is called. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.#pos >= this.#buf.length) {
      this.#buf = chunk;
      this.#scan = 0;
    } else {
      this.#buf = Buffer.concat([this.#buf.subarray(this.#pos), chunk]);
      this.#scan -= this.#pos;
    }
    this.#pos = 0;
  }

  /** The next complete line or over-long line, or `undefined` when more bytes are needed. */
  next(): LineEvent | undefined {
    for (;;) {
      const buf = this.#buf;
      const lf = buf.indexOf(LF, this.#scan);
      const discarding = this.#discarding;
      if (discarding) {
        if (lf < 0) {
          // Drop everything: the line is already too long.
          discarding.octets += buf.length - this.#pos;
          if (buf.length > this.#pos) discarding.lastOctet = buf[buf.length - 1]!;
          this.#reset();
          return undefined;
        }
        discarding.octets += lf - this.#pos;
        if (lf > this.#pos) discarding.lastOctet = buf[lf - 1]!;
        const crlf = discarding.lastOctet === CR;
        this.#discarding = undefined;
        this.#consume(lf + 1);
        return { kind: 'too-long', octets: discarding.octets - (crlf ? 1 : 0), bareLf: !crlf };
      }
      const maxContent = this.#maxLineOctets - 2;
      if (lf < 0) {
        this.#scan = buf.length;
        const pending = buf.length - this.#pos;
        // Too long already? Content is `pending` octets, or one fewer if the last octet is the CR of a CRLF.
        const lastIsCr = pending > 0 && buf[buf.length - 1] === CR;
        if (pending - (lastIsCr ? 1 : 0) > maxContent) {
          this.#discarding = { octets: pending, lastOctet: buf[buf.length - 1]! };
          this.#reset();
        }
        return undefined;
      }
      const crlf = lf > this.#pos && buf[lf - 1] === CR;
      const end = crlf ? lf - 1 : lf;
      const start = this.#pos;
      this.#consume(lf + 1);
      if (end - start > maxContent) return { kind: 'too-long', octets: end - start, bareLf: !crlf };
      return { kind: 'line', line: buf.subarray(start, end), bareLf: !crlf };
    }
  }

  /**
   * Returns every unread byte (including a partial line) and empties the reader, so another decoder can take
   * over the stream: SMTP DATA and BDAT, IMAP literals. A line being discarded is forgotten.
   */
  takeRemainder(): Buffer {
    const rest = this.#buf.subarray(this.#pos);
    this.#reset();
    this.#discarding = undefined;
    return rest;
  }

  /**
   * Drops every unread byte and returns how many there were. RFC 3207 §4.2: after STARTTLS the server must
   * discard anything the client pipelined behind it (CVE-2011-0411, "NO STARTTLS").
   */
  discard(): number {
    return this.takeRemainder().length;
  }

  #consume(to: number): void {
    this.#pos = to;
    this.#scan = to;
    if (this.#pos >= this.#buf.length) this.#reset();
  }

  #reset(): void {
    this.#buf = Buffer.alloc(0);
    this.#pos = 0;
    this.#scan = 0;
  }
}

function checkLimit(value: number): number {
  if (!Number.isSafeInteger(value) || value < 3) throw new RangeError(`maxLineOctets must be an integer ≥ 3, got ${value}`);
  return value;
}
