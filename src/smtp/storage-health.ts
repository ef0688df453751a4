/**
 * Whether the store can take another message. A "disk full" from the store (SQLite SQLITE_FULL, including a
 * size-capped database) marks the store full for a short back-off, during which MAIL gets 452 4.3.1 (RFC 3463
 * X.3.1) instead of a transaction that would fail after DATA; free space on the store's file system below
 * `minFreeDiskBytes` does the same. When space returns, the next MAIL after the back-off goes through again.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { smtpServerLimits } from '../lib/limits.js';

/** True for the store's "no space" errors (SQLite: SQLITE_FULL; file systems: ENOSPC, EDQUOT). */
export function isStorageFull(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || /disk is full|no space left/i.test(String((e as Error)?.message));
}

export class StorageHealth {
  #fullUntil = 0;
  #checkedAt = -Infinity;
  #lowSpace = false;

  /** `path` is the store's file (SQLite) or undefined when free space cannot be checked (PostgreSQL). */
  constructor(
    private readonly path: string | undefined,
    private readonly now: () => number,
  ) {}

  markFull(): void {
    this.#fullUntil = this.now() + smtpServerLimits.storageFullBackoffMs;
  }

  markOk(): void {
    this.#fullUntil = 0;
  }

  /** True while the store should not be offered another message. */
  full(): boolean {
    const now = this.now();
    if (now < this.#fullUntil) return true;
    if (this.path !== undefined && now - this.#checkedAt > 1000) {
      this.#checkedAt = now;
      try {
        const s = statfsSync(dirname(this.path));
        this.#lowSpace = s.bavail * s.bsize < smtpServerLimits.minFreeDiskBytes;
      } catch {
        this.#lowSpace = false;
      }
    }
    return this.#lowSpace;
  }
}
