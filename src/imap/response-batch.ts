/**
 * Untagged responses written a batch at a time (one socket write, one COMPRESS flush per batch instead of per
 * response): FETCH and STORE answer `1:*` on a 100,000-message folder with as many responses. Lines already
 * encoded as text (protocol/imap `FlagsLines`) are joined into one buffer; other responses go through the
 * encoder as `ImapSession.write` would.
 */
import { imapServerLimits } from '../lib/limits.js';
import { encodeResponseChunks, type Chunk, type ImapResponse } from '../protocol/imap/index.js';
import type { ImapSession } from './session.js';

export class ResponseBatch {
  #chunks: Chunk[] = [];
  #text = '';
  #count = 0;
  #octets = 0;
  #streamed = false;

  constructor(private readonly s: ImapSession) {}

  /** Adds an encoded line (CRLF included); the caller writes the batch once it is {@link full}. */
  line(text: string): void {
    this.#text += text;
    this.#count++;
  }

  get full(): boolean {
    return this.#count >= imapServerLimits.fetchBatchResponses;
  }

  /** Adds a response already encoded to octets (protocol/imap `simpleFetchOctets`). */
  async octets(bytes: Buffer): Promise<void> {
    this.#takeText();
    this.#chunks.push(bytes);
    this.#octets += bytes.length;
    await this.#added();
  }

  async response(r: ImapResponse): Promise<void> {
    this.#takeText();
    for (const chunk of encodeResponseChunks(r, { utf8: this.s.utf8 })) {
      this.#chunks.push(chunk);
      if (Buffer.isBuffer(chunk)) this.#octets += chunk.length;
      else this.#streamed = true;
    }
    await this.#added();
  }

  /**
   * Writes the batch when it holds a streamed body or {@link imapServerLimits.fetchBatchOctets} of text: for
   * responses that carry message text, so a big one goes out at once and small ones share a write.
   */
  async flushIfLarge(): Promise<void> {
    if (this.#streamed || this.#octets >= imapServerLimits.fetchBatchOctets) await this.flush();
  }

  /** Writes what is pending. */
  async flush(): Promise<void> {
    this.#takeText();
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#count = 0;
    this.#octets = 0;
    this.#streamed = false;
    if (chunks.length > 0) await this.s.transport.write(chunks);
  }

  async #added(): Promise<void> {
    if (++this.#count >= imapServerLimits.fetchBatchResponses) await this.flush();
  }

  #takeText(): void {
    if (this.#text === '') return;
    const text = Buffer.from(this.#text, 'latin1');
    this.#chunks.push(text);
    this.#octets += text.length;
    this.#text = '';
  }
}
