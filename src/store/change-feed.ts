import { EventEmitter } from 'node:events';
import type { ChangeFeed, FolderChange } from './types.js';

/**
 * The in-process change feed: enough for one node on SQLite. PostgreSQL nodes will publish through
 * LISTEN/NOTIFY behind the same interface. A listener that throws never affects the publisher or other listeners.
 */
export class LocalChangeFeed implements ChangeFeed {
  readonly #emitter = new EventEmitter();

  constructor() {
    // One listener per IMAP IDLE session or webmail tab: many are normal.
    this.#emitter.setMaxListeners(0);
  }

  publish(change: FolderChange): void {
    const listeners = this.#emitter.listeners(`m${change.mailboxId}`) as Array<(c: FolderChange) => void>;
    for (const listener of listeners) {
      try {
        listener(change);
      } catch {
        // A broken subscriber must not break delivery; it logs its own errors.
      }
    }
  }

  subscribe(mailboxId: number, listener: (change: FolderChange) => void): () => void {
    const event = `m${mailboxId}`;
    this.#emitter.on(event, listener);
    return () => this.#emitter.off(event, listener);
  }
}
