/**
 * The PostgreSQL connection pool as the store uses it: every connection runs with `synchronous_commit = on` (a
 * COMMIT returns only once the WAL is flushed, as the SQLite store's writes do), int8 columns come back as numbers
 * (ids and millisecond times stay below 2^53), and migrations run once, under an advisory lock, before the first
 * query. Transactions that deadlock or fail serialisation are retried whole; a lost server is a TemporaryError.
 */
import pg from 'pg';
import { TemporaryError } from '../../lib/errors.js';
import { pgStoreLimits } from '../../lib/limits.js';
import { migrations } from './migrations.js';

/** Something that runs SQL: the pool or a client inside a transaction. */
export interface Sql {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

const INT8 = 20;
const NUMERIC = 1700;
/** Per-pool type parsing (pg's global `types` is module state; this keeps it ours). */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

/** Arbitrary 64-bit key of the advisory lock that serialises migrations across nodes starting at once. */
const MIGRATION_LOCK = 7_106_733_184_221;

/** SQLSTATEs worth retrying the whole transaction for: serialization_failure, deadlock_detected. */
const RETRY_CODES = new Set(['40001', '40P01']);

export function pgCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
}

/** Connection-level failures: the database is unreachable or restarting, so the caller should try later. */
function isConnectionError(e: unknown): boolean {
  const code = pgCode(e);
  if (code === undefined) return e instanceof Error && /Connection terminated|timeout exceeded when trying to connect/i.test(e.message);
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code);
}

function wrap(e: unknown): unknown {
  if (isConnectionError(e)) return new TemporaryError('storage', 'storage temporarily unavailable', e instanceof Error ? e.message : String(e));
  return e;
}

export class PgDb implements Sql {
  readonly pool: pg.Pool;
  #ready: Promise<void> | null = null;

  constructor(readonly url: string) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: pgStoreLimits.poolSize,
      connectionTimeoutMillis: pgStoreLimits.connectTimeoutMs,
      types: typeParsers,
      options: '-c synchronous_commit=on -c client_min_messages=warning',
    });
    // An idle client losing its server emits here; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.ready().catch(() => undefined);
  }

  /** Client options for a dedicated connection (the change feed's LISTEN). */
  clientConfig(): pg.ClientConfig {
    return { connectionString: this.url, types: typeParsers };
  }

  /** Migrations, once; if the database was unreachable, the next caller tries again (a node may start before it). */
  ready(): Promise<void> {
    if (!this.#ready) {
      const p = this.migrate().catch((e: unknown) => {
        if (this.#ready === p) this.#ready = null;
        throw wrap(e);
      });
      this.#ready = p;
    }
    return this.#ready;
  }

  private async migrate(): Promise<void> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const done = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, description) VALUES ($1, $2)', [m.version, m.description]);
      }
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    await this.ready();
    try {
      return await this.pool.query<R>(text, values);
    } catch (e) {
      throw wrap(e);
    }
  }

  async rows<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return (await this.query<R>(text, values)).rows;
  }

  async row<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R | undefined> {
    return (await this.query<R>(text, values)).rows[0];
  }

  /**
   * Runs `fn` in one READ COMMITTED transaction on one connection; the promise resolves after COMMIT returned
   * (WAL flushed). Deadlocks and serialisation failures are retried from the start (fn must only touch the database).
   */
  async tx<T>(fn: (c: Sql) => Promise<T>): Promise<T> {
    await this.ready();
    for (let attempt = 0; ; attempt++) {
      let c: pg.PoolClient;
      try {
        c = await this.pool.connect();
      } catch (e) {
        throw wrap(e);
      }
      let broken = false;
      try {
        await c.query('BEGIN');
        const result = await fn(c);
        await c.query('COMMIT');
        return result;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {
          broken = true;
        });
        if (RETRY_CODES.has(pgCode(e) ?? '') && attempt < pgStoreLimits.txRetries) continue;
        if (isConnectionError(e)) broken = true;
        throw wrap(e);
      } finally {
        c.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await this.#ready?.catch(() => undefined);
    await this.pool.end();
  }
}

export async function rowsOf<R extends pg.QueryResultRow>(q: Sql, text: string, values?: unknown[]): Promise<R[]> {
  return (await q.query<R>(text, values)).rows;
}

export async function rowOf<R extends pg.QueryResultRow>(q: Sql, text: string, values?: unknown[]): Promise<R | undefined> {
  return (await q.query<R>(text, values)).rows[0];
}

/** Next UIDVALIDITY: increasing across the whole database (RFC 3501 §2.3.1.1); the settings row lock serialises nodes. */
export async function nextUidValidity(q: Sql, now: number): Promise<number> {
  const r = await rowOf<{ value: string }>(
    q,
    `INSERT INTO settings (key, value) VALUES ('uid_validity', $1)
     ON CONFLICT (key) DO UPDATE SET value = GREATEST(settings.value::bigint + 1, $1::bigint)::text
     RETURNING value`,
    [String(Math.floor(now / 1000))],
  );
  return Number(r!.value);
}
