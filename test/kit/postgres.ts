/**
 * A throwaway PostgreSQL 15 cluster for tests: `initdb` into a temporary directory, a unix socket in that
 * directory and a free TCP port on 127.0.0.1 only. The server refuses to run as root, so when the tests run as
 * root (CI) the cluster belongs to the `postgres` user and its programs run through `runuser`.
 * Each test database is a fresh `CREATE DATABASE`; `stop()` shuts the cluster down and removes the directory.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports.js';

const run = promisify(execFile);
/** The newest installed server (Debian: /usr/lib/postgresql/VERSION/bin; 15 on bookworm). */
const BIN = `/usr/lib/postgresql/${readdirSync('/usr/lib/postgresql').map(Number).filter((v) => v > 0).sort((a, b) => b - a)[0] ?? 15}/bin`;

export interface TestPostgres {
  port: number;
  /** `postgres://postgres@127.0.0.1:PORT/NAME` */
  url(database: string): string;
  /** Creates an empty database (or a copy of `template`) and returns its URL. */
  createDatabase(template?: string): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  /** Runs one SQL statement as the superuser in `database` (default `postgres`). */
  sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[], database?: string): Promise<T[]>;
  stop(): Promise<void>;
}

function asPostgres(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const isRoot = process.getuid?.() === 0;
  return isRoot ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args);
}

export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  chmodSync(dir, 0o700);
  await asPostgres(`${BIN}/initdb`, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  const port = await freePort();
  // fsync stays on (the default): the kill -9 tests rely on the server's durability, not just ours.
  await asPostgres(`${BIN}/pg_ctl`, [
    '-D',
    data,
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=32MB`,
    '-l',
    join(dir, 'log'),
    '-w',
    'start',
  ]);
  let n = 0;
  const url = (database: string): string => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const sql = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = [], database = 'postgres'): Promise<T[]> => {
    const c = new pg.Client({ connectionString: url(database) });
    await c.connect();
    try {
      return (await c.query<T>(text, values)).rows;
    } finally {
      await c.end();
    }
  };
  return {
    port,
    url,
    sql,
    async createDatabase(template?: string) {
      const name = `t${process.pid}_${++n}`;
      await sql(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${new URL(template).pathname.slice(1)}` : ''}`);
      return url(name);
    },
    async dropDatabase(u: string) {
      const name = new URL(u).pathname.slice(1);
      await sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
    async stop() {
      await asPostgres(`${BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
