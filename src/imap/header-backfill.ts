/**
 * Keeps the top-level header sections (src/store/header-cache.ts) of messages stored before sections were kept
 * (SQLite migration 11, PostgreSQL 4), in the background after start-up, so a header listing of an old folder
 * reads no message either. Until a message is reached FETCH reads it from its blob, as before. Each batch reads the
 * first storeLimits.headerCacheOctets + 4 octets of at most imapServerLimits.headerBackfillBatch messages, then
 * pauses. Every node may run it at once: keepHeaders leaves alone a message that has its section already.
 */
import { imapServerLimits } from '../lib/limits.js';
import { HEADER_PREFIX_OCTETS, keptHeaderOfPrefix } from '../store/header-cache.js';
import type { Store } from '../store/types.js';

export interface HeaderBackfill {
  /** Resolves with how many messages got a decision, once none is left (or the backfill was stopped). */
  readonly done: Promise<number>;
  stop(): Promise<void>;
}

export function startHeaderBackfill(store: Store): HeaderBackfill {
  let stopped = false;
  let wake: (() => void) | null = null;
  const pause = (): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, imapServerLimits.headerBackfillPauseMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const run = async (): Promise<number> => {
    let after = 0;
    let count = 0;
    while (!stopped) {
      const batch = await store.headerlessMessages(after, imapServerLimits.headerBackfillBatch);
      if (batch.length === 0) break;
      const kept: Array<{ messageId: number; header: Buffer | null }> = [];
      for (const m of batch) {
        // A body the store lost is left to FETCH to report (NO [CORRUPTION]); null keeps it from being read again.
        const prefix = await store.blobs.read(m.blobId, 0, HEADER_PREFIX_OCTETS).catch(() => null);
        kept.push({ messageId: m.messageId, header: prefix ? keptHeaderOfPrefix(prefix, m.size) : null });
      }
      await store.keepHeaders(kept);
      count += kept.length;
      after = batch[batch.length - 1]!.messageId;
      await pause();
    }
    return count;
  };
  const done = run();
  return {
    done,
    async stop() {
      stopped = true;
      wake?.();
      await done.catch(() => undefined);
    },
  };
}
