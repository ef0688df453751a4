/** The store conformance suite on a real PostgreSQL 15 (a throwaway cluster; one fresh database per case). */
import { after, before } from 'node:test';
import { runStoreConformance } from '../../src/store/conformance/index.js';
import { openPgStore } from '../../src/store/pg/index.js';
import { startPostgres, type TestPostgres } from '../kit/postgres.js';

let pg: TestPostgres;
/** A database the migrations already ran on: each case gets a copy (CREATE DATABASE ... TEMPLATE), not a re-run. */
let template: string;
before(async () => {
  pg = await startPostgres();
  template = await pg.createDatabase();
  const s = openPgStore({ url: template });
  await s.ready();
  await s.close();
});
after(async () => {
  await pg.stop();
});

runStoreConformance({
  name: 'postgres',
  async createDatabase() {
    const url = await pg.createDatabase(template);
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
