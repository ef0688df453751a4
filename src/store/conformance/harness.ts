/**
 * What a store implementation gives the conformance suite: a fresh, empty database per test, and the ability to
 * open several independent handles on it (separate connections, as several processes or nodes would have).
 */
import type { Store } from '../types.js';

export interface StoreDatabase {
  /** Opens another handle on the same database. */
  open(): Promise<Store>;
  /** Removes the database. Handles opened by `open` are closed by the harness first. */
  destroy(): Promise<void>;
  /**
   * Runs one SQL statement written the same for both databases straight on the database: for cases that make the
   * data a store wrote before a migration (e.g. rows a new table does not have yet).
   */
  exec(sql: string): Promise<void>;
}

export interface StoreFactory {
  name: string;
  createDatabase(): Promise<StoreDatabase>;
}

export class StoreHarness {
  constructor(readonly factory: StoreFactory) {}

  /** Runs `fn` with `handles` handles on one fresh database, closing and destroying everything afterwards. */
  async withStores(handles: number, fn: (stores: Store[], db: StoreDatabase) => Promise<void>): Promise<void> {
    const db = await this.factory.createDatabase();
    const stores: Store[] = [];
    try {
      for (let i = 0; i < handles; i++) stores.push(await db.open());
      await fn(stores, db);
    } finally {
      for (const s of stores) await s.close();
      await db.destroy();
    }
  }

  withStore(fn: (store: Store, db: StoreDatabase) => Promise<void>): Promise<void> {
    return this.withStores(1, (s, db) => fn(s[0]!, db));
  }
}
