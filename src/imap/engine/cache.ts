/**
 * A small LRU of message octets and their parsed MIME trees, in front of the blob store: FETCH of several items
 * and SEARCH with several text keys read and parse each message once per command, not once per item.
 */
import { parseMime } from '../../mail/mime/parse.js';
import type { MessageSource, ParsedMessage } from './types.js';

/** Reads and parses through `source`: its own cache when it has one, else a fresh parse. */
export async function parsedMessage(source: MessageSource, blobId: string): Promise<ParsedMessage> {
  if (source.parsed) return source.parsed(blobId);
  const raw = await source.raw(blobId);
  return { raw, mime: parseMime(raw) };
}

/**
 * Wraps `inner` with an LRU holding at most `maxBytes` of message octets (a parsed tree is counted as the size
 * of its message again, a rough bound for its offsets and header fields). A message larger than the budget is
 * passed through uncached. Concurrent requests for the same blob share one read.
 */
export function cachedSource(inner: MessageSource, maxBytes: number): MessageSource & { readonly parsed: (blobId: string) => Promise<ParsedMessage> } {
  const entries = new Map<string, { promise: Promise<ParsedMessage>; cost: number }>();
  let used = 0;

  const evict = (): void => {
    for (const [key, entry] of entries) {
      if (used <= maxBytes) break;
      entries.delete(key);
      used -= entry.cost;
    }
  };

  const parsed = (blobId: string): Promise<ParsedMessage> => {
    const hit = entries.get(blobId);
    if (hit) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      entries.delete(blobId);
      entries.set(blobId, hit);
      return hit.promise;
    }
    const entry = { promise: load(blobId), cost: 0 };
    entries.set(blobId, entry);
    entry.promise.then(
      (m) => {
        if (entries.get(blobId) !== entry) return;
        entry.cost = m.raw.length * 2 + 256;
        used += entry.cost;
        if (entry.cost > maxBytes) {
          entries.delete(blobId);
          used -= entry.cost;
        } else evict();
      },
      () => {
        if (entries.get(blobId) === entry) entries.delete(blobId);
      },
    );
    return entry.promise;
  };

  const load = async (blobId: string): Promise<ParsedMessage> => {
    const raw = await inner.raw(blobId);
    return { raw, mime: parseMime(raw) };
  };

  return {
    parsed,
    raw: async (blobId) => (await parsed(blobId)).raw,
  };
}
