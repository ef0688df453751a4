/** The store conformance suite on a real PostgreSQL 15 (a throwaway cluster; one fresh database per case). */
import { after, before } from 'node:test';
import { runStoreConformance } from '../../src/store/conformance/index.js';
import { openPgStore } from '../../src/store/pg/index.js';
import { startPostgres, type TestPostgres } from '../kit/postgres.js';

let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg.stop();
});

runStoreConformance({
  name: 'postgres',
  async createDatabase() {
    const url = await pg.createDatabase();
    return {
      open: async () => {
        const s = openPgStore({ url });
        await s.ready();
        return s;
      },
      destroy: () => pg.dropDatabase(url),
    };
  },
});
