import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreConformance } from '../../src/store/conformance/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import Database from 'better-sqlite3';

runStoreConformance({
  name: 'sqlite',
  async createDatabase() {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-store-'));
    const path = join(dir, 'outpost.db');
    return {
      open: async () => openSqliteStore({ path }),
      destroy: async () => rmSync(dir, { recursive: true, force: true }),
      exec: async (sql) => {
        const db = new Database(path);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      },
    };
  },
});
