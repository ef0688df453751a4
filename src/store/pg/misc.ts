/** Per-mailbox event log, limiter counters, web sessions and expiring locks in PostgreSQL, shared by every node. */
import type { CounterState, CounterStore, EventStore, LockStore, MailboxEvent, SessionStore, WebSession } from '../types.js';
import { eventLogLimits } from '../../lib/limits.js';
import type { PgDb } from './db.js';

interface EventRow {
  id: number;
  mailbox_id: number;
  at: number;
  protocol: MailboxEvent['protocol'];
  port: number;
  client_ip: string;
  tls: boolean;
  client_name: string | null;
  kind: string;
  result: 'ok' | 'fail';
  reason: string | null;
}

export class PgEvents implements EventStore {
  constructor(private readonly db: PgDb) {}

  async recordEvent(e: MailboxEvent): Promise<void> {
    await this.db.tx(async (q) => {
      await q.query(
        `INSERT INTO events (mailbox_id, at, protocol, port, client_ip, tls, client_name, kind, result, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          e.mailboxId,
          e.at,
          e.protocol,
          e.port,
          e.clientIp,
          e.tls,
          e.clientName === null ? null : e.clientName.slice(0, eventLogLimits.clientNameMaxChars),
          e.kind,
          e.result,
          e.reason,
        ],
      );
      // Keep the newest N per mailbox.
      await q.query(
        `DELETE FROM events WHERE mailbox_id = $1 AND id <= (
           SELECT id FROM events WHERE mailbox_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
        [e.mailboxId, eventLogLimits.perMailboxMax],
      );
    });
  }

  async listEvents(mailboxId: number, limit: number): Promise<MailboxEvent[]> {
    const rows = await this.db.rows<EventRow>('SELECT * FROM events WHERE mailbox_id = $1 ORDER BY id DESC LIMIT $2', [mailboxId, limit]);
    return rows.map((r) => ({
      id: r.id,
      mailboxId: r.mailbox_id,
      at: r.at,
      protocol: r.protocol,
      port: r.port,
      clientIp: r.client_ip,
      tls: r.tls,
      clientName: r.client_name,
      kind: r.kind,
      result: r.result,
      reason: r.reason,
    }));
  }
}

interface CounterRow {
  count: number;
  window_start: number;
  locked_until: number;
}
const toCounter = (r: CounterRow): CounterState => ({ count: r.count, windowStart: r.window_start, lockedUntil: r.locked_until });

export class PgCounters implements CounterStore {
  constructor(private readonly db: PgDb) {}

  async getCounter(key: string): Promise<CounterState | null> {
    const r = await this.db.row<CounterRow>('SELECT count, window_start, locked_until FROM counters WHERE key = $1', [key]);
    return r ? toCounter(r) : null;
  }

  async hitCounter(key: string, now: number, windowMs: number): Promise<CounterState> {
    // One upsert: the row lock makes hits from every node count exactly once.
    const r = await this.db.row<CounterRow>(
      `INSERT INTO counters (key, count, window_start, locked_until) VALUES ($1, 1, $2, 0)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN $2::bigint - counters.window_start >= $3::bigint THEN 1 ELSE counters.count + 1 END,
         window_start = CASE WHEN $2::bigint - counters.window_start >= $3::bigint THEN $2::bigint ELSE counters.window_start END
       RETURNING count, window_start, locked_until`,
      [key, now, windowMs],
    );
    return toCounter(r!);
  }

  async lockCounter(key: string, until: number): Promise<void> {
    await this.db.query(
      `INSERT INTO counters (key, count, window_start, locked_until) VALUES ($1, 0, 0, $2)
       ON CONFLICT (key) DO UPDATE SET locked_until = excluded.locked_until`,
      [key, until],
    );
  }

  async clearCounter(key: string): Promise<void> {
    await this.db.query('DELETE FROM counters WHERE key = $1', [key]);
  }
}

export class PgSessions implements SessionStore {
  constructor(private readonly db: PgDb) {}

  async putSession(s: WebSession): Promise<void> {
    await this.db.query(
      `INSERT INTO web_sessions (id, mailbox_id, csrf_token, created_at, expires_at, data) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET csrf_token = excluded.csrf_token, expires_at = excluded.expires_at, data = excluded.data`,
      [s.id, s.mailboxId, s.csrfToken, s.createdAt, s.expiresAt, JSON.stringify(s.data)],
    );
  }

  async getSession(id: string, now: number): Promise<WebSession | null> {
    const r = await this.db.row<{ id: string; mailbox_id: number; csrf_token: string; created_at: number; expires_at: number; data: string }>(
      'SELECT * FROM web_sessions WHERE id = $1',
      [id],
    );
    if (!r) return null;
    if (r.expires_at <= now) {
      await this.db.query('DELETE FROM web_sessions WHERE id = $1 AND expires_at <= $2', [id, now]);
      return null;
    }
    return { id: r.id, mailboxId: r.mailbox_id, csrfToken: r.csrf_token, createdAt: r.created_at, expiresAt: r.expires_at, data: JSON.parse(r.data) as Record<string, unknown> };
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.query('DELETE FROM web_sessions WHERE id = $1', [id]);
  }

  async deleteSessionsOf(mailboxId: number): Promise<number> {
    return (await this.db.query('DELETE FROM web_sessions WHERE mailbox_id = $1', [mailboxId])).rowCount ?? 0;
  }
}

/** Locks as rows with an expiry (a node that dies loses its locks when they expire, as the LockStore contract says). */
export class PgLocks implements LockStore {
  constructor(private readonly db: PgDb) {}

  async tryLock(key: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const r = await this.db.query(
      `INSERT INTO locks (key, owner, expires_at) VALUES ($1, $2, $3::bigint + $4::bigint)
       ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE locks.expires_at <= $3::bigint OR locks.owner = $2`,
      [key, owner, now, ttlMs],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async refreshLock(key: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const r = await this.db.query('UPDATE locks SET expires_at = $1::bigint + $2::bigint WHERE key = $3 AND owner = $4', [now, ttlMs, key, owner]);
    return (r.rowCount ?? 0) > 0;
  }

  async unlock(key: string, owner: string): Promise<void> {
    await this.db.query('DELETE FROM locks WHERE key = $1 AND owner = $2', [key, owner]);
  }
}
