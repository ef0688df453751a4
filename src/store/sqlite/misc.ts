/** Per-mailbox event log, limiter counters and web sessions in SQLite. */
import type { CounterState, CounterStore, EventStore, LockStore, MailboxEvent, SessionStore, WebSession } from '../types.js';
import { eventLogLimits } from '../../lib/limits.js';
import { type Db, writeTx } from './db.js';

interface EventRow {
  id: number;
  mailbox_id: number;
  at: number;
  protocol: MailboxEvent['protocol'];
  port: number;
  client_ip: string;
  tls: number;
  client_name: string | null;
  kind: string;
  result: 'ok' | 'fail';
  reason: string | null;
}

export class SqliteEvents implements EventStore {
  constructor(private readonly db: Db) {}

  async recordEvent(e: MailboxEvent): Promise<void> {
    await writeTx(this.db, () => {
      this.db
        .prepare(
          `INSERT INTO events (mailbox_id, at, protocol, port, client_ip, tls, client_name, kind, result, reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          e.mailboxId,
          e.at,
          e.protocol,
          e.port,
          e.clientIp,
          e.tls ? 1 : 0,
          e.clientName === null ? null : e.clientName.slice(0, eventLogLimits.clientNameMaxChars),
          e.kind,
          e.result,
          e.reason,
        );
      // Keep the newest N per mailbox.
      this.db
        .prepare(
          `DELETE FROM events WHERE mailbox_id = ? AND id <= (
             SELECT id FROM events WHERE mailbox_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
        )
        .run(e.mailboxId, e.mailboxId, eventLogLimits.perMailboxMax);
    });
  }

  async listEvents(mailboxId: number, limit: number): Promise<MailboxEvent[]> {
    const rows = this.db.prepare('SELECT * FROM events WHERE mailbox_id = ? ORDER BY id DESC LIMIT ?').all(mailboxId, limit) as EventRow[];
    return rows.map((r) => ({
      id: r.id,
      mailboxId: r.mailbox_id,
      at: r.at,
      protocol: r.protocol,
      port: r.port,
      clientIp: r.client_ip,
      tls: r.tls !== 0,
      clientName: r.client_name,
      kind: r.kind,
      result: r.result,
      reason: r.reason,
    }));
  }
}

export class SqliteCounters implements CounterStore {
  constructor(private readonly db: Db) {}

  async getCounter(key: string): Promise<CounterState | null> {
    const r = this.db.prepare('SELECT count, window_start, locked_until FROM counters WHERE key = ?').get(key) as
      | { count: number; window_start: number; locked_until: number }
      | undefined;
    return r ? { count: r.count, windowStart: r.window_start, lockedUntil: r.locked_until } : null;
  }

  async hitCounter(key: string, now: number, windowMs: number): Promise<CounterState> {
    return writeTx(this.db, () => {
      const r = this.db.prepare('SELECT count, window_start, locked_until FROM counters WHERE key = ?').get(key) as
        | { count: number; window_start: number; locked_until: number }
        | undefined;
      const fresh = !r || now - r.window_start >= windowMs;
      const state: CounterState = fresh
        ? { count: 1, windowStart: now, lockedUntil: r?.locked_until ?? 0 }
        : { count: r.count + 1, windowStart: r.window_start, lockedUntil: r.locked_until };
      this.db
        .prepare(
          `INSERT INTO counters (key, count, window_start, locked_until) VALUES (?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET count = excluded.count, window_start = excluded.window_start, locked_until = excluded.locked_until`,
        )
        .run(key, state.count, state.windowStart, state.lockedUntil);
      return state;
    });
  }

  async lockCounter(key: string, until: number): Promise<void> {
    await writeTx(this.db, () =>
      this.db
        .prepare(
          `INSERT INTO counters (key, count, window_start, locked_until) VALUES (?, 0, 0, ?)
           ON CONFLICT (key) DO UPDATE SET locked_until = excluded.locked_until`,
        )
        .run(key, until),
    );
  }

  async clearCounter(key: string): Promise<void> {
    await writeTx(this.db, () => this.db.prepare('DELETE FROM counters WHERE key = ?').run(key));
  }
}

export class SqliteSessions implements SessionStore {
  constructor(private readonly db: Db) {}

  async putSession(s: WebSession): Promise<void> {
    await writeTx(this.db, () =>
      this.db
        .prepare(
          `INSERT INTO web_sessions (id, mailbox_id, csrf_token, created_at, expires_at, data) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET csrf_token = excluded.csrf_token, expires_at = excluded.expires_at, data = excluded.data`,
        )
        .run(s.id, s.mailboxId, s.csrfToken, s.createdAt, s.expiresAt, JSON.stringify(s.data)),
    );
  }

  async getSession(id: string, now: number): Promise<WebSession | null> {
    const r = this.db.prepare('SELECT * FROM web_sessions WHERE id = ?').get(id) as
      | { id: string; mailbox_id: number; csrf_token: string; created_at: number; expires_at: number; data: string }
      | undefined;
    if (!r) return null;
    if (r.expires_at <= now) {
      await writeTx(this.db, () => this.db.prepare('DELETE FROM web_sessions WHERE id = ?').run(id));
      return null;
    }
    return {
      id: r.id,
      mailboxId: r.mailbox_id,
      csrfToken: r.csrf_token,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      data: JSON.parse(r.data) as Record<string, unknown>,
    };
  }

  async deleteSession(id: string): Promise<void> {
    await writeTx(this.db, () => this.db.prepare('DELETE FROM web_sessions WHERE id = ?').run(id));
  }

  async deleteSessionsOf(mailboxId: number): Promise<number> {
    return (await writeTx(this.db, () => this.db.prepare('DELETE FROM web_sessions WHERE mailbox_id = ?').run(mailboxId))).changes;
  }
}

export class SqliteLocks implements LockStore {
  constructor(private readonly db: Db) {}

  async tryLock(key: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    return writeTx(this.db, () => {
      const r = this.db.prepare('SELECT owner, expires_at FROM locks WHERE key = ?').get(key) as { owner: string; expires_at: number } | undefined;
      if (r && r.expires_at > now && r.owner !== owner) return false;
      this.db
        .prepare('INSERT INTO locks (key, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at')
        .run(key, owner, now + ttlMs);
      return true;
    });
  }

  async refreshLock(key: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    return (await writeTx(this.db, () => this.db.prepare('UPDATE locks SET expires_at = ? WHERE key = ? AND owner = ?').run(now + ttlMs, key, owner))).changes > 0;
  }

  async unlock(key: string, owner: string): Promise<void> {
    await writeTx(this.db, () => this.db.prepare('DELETE FROM locks WHERE key = ? AND owner = ?').run(key, owner));
  }
}
