/** Helpers for the engine's unit tests: messages from text, records, and parsed FETCH items / SEARCH programs. */
import { encodeResponse, fetchResponse, parseCommandLine, type FetchItem, type FetchResponseItem, type SearchProgram } from '../../src/protocol/imap/index.js';
import { cachedSource } from '../../src/imap/engine/cache.js';
import type { MessageRecord, MessageSource } from '../../src/imap/engine/types.js';

export const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');

export function mailbox(messages: ReadonlyArray<Buffer | { raw: Buffer; flags?: string[]; recent?: boolean; internalDate?: number; modSeq?: number }>): {
  records: MessageRecord[];
  source: MessageSource;
} {
  const blobs = new Map<string, Buffer>();
  const records = messages.map((m, i) => {
    const spec = Buffer.isBuffer(m) ? { raw: m } : m;
    blobs.set(`blob${i}`, spec.raw);
    return {
      seq: i + 1,
      uid: (i + 1) * 10,
      flags: spec.flags ?? [],
      modSeq: spec.modSeq ?? i + 1,
      internalDate: spec.internalDate ?? Date.UTC(2024, 0, 15, 12, 0, 0),
      size: spec.raw.length,
      blobId: `blob${i}`,
      recent: spec.recent ?? false,
    };
  });
  return { records, source: cachedSource({ raw: async (id) => blobs.get(id)! }, 1 << 20) };
}

export function fetchItems(text: string): FetchItem[] {
  const c = parseCommandLine(`x FETCH 1 ${text}`);
  if (c.name !== 'FETCH') throw new Error('not FETCH');
  return [...c.items];
}

export function program(text: string): SearchProgram {
  const c = parseCommandLine(`x SEARCH ${text}`, { utf8: true });
  if (c.name !== 'SEARCH') throw new Error('not SEARCH');
  return c.program;
}

/** The wire form of `* seq FETCH (…)`, without the final CRLF. */
export function wire(seq: number, items: FetchResponseItem[]): string {
  return encodeResponse(fetchResponse(seq, items)).toString('utf8').replace(/\r\n$/, '');
}
