/** The outbound queue in SQLite: one row per recipient; claims are leases so a crashed worker's entries come back. */
import type { Delivery, DeliveryResult, FolderChange, MtaStsCacheEntry, QueueAttempt, QueueEntry, QueueSettlement, QueueStatus, QueueStore } from '../types.js';
import { type Db, writeTx } from './db.js';
import { releaseMessage } from './mail.js';

/** What the settlement needs from the mail part: a delivery's rows inside our transaction, and publishing after it. */
export interface NoticeWriter {
  deliverRows(d: Delivery): { result: DeliveryResult; changes: FolderChange[] };
  publish(changes: FolderChange[]): void;
}

interface QueueRow {
  id: number;
  message_id: number;
  blob_id: string | null;
  mail_from: string;
  rcpt_to: string;
  domain: string;
  params: string;
  submitter_id: number | null;
  status: QueueStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  delay_notified_at: number | null;
  bounce_requested: number;
  created_at: number;
  updated_at: number;
}

const SELECT = 'SELECT q.*, m.blob_id FROM queue q LEFT JOIN messages m ON m.id = q.message_id';

const toEntry = (r: QueueRow): QueueEntry => ({
  id: r.id,
  messageId: r.message_id,
  blobId: r.blob_id,
  mailFrom: r.mail_from,
  rcptTo: r.rcpt_to,
  domain: r.domain,
  params: JSON.parse(r.params) as Record<string, string>,
  submitterId: r.submitter_id,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  leaseOwner: r.lease_owner,
  leaseUntil: r.lease_until,
  delayNotifiedAt: r.delay_notified_at,
  bounceRequested: r.bounce_requested === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class SqliteQueue implements QueueStore {
  constructor(
    private readonly db: Db,
    private readonly notices: NoticeWriter,
  ) {}

  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<QueueEntry[]> {
    return writeTx(this.db, () => {
      const rows = this.db
        .prepare(
          `${SELECT} WHERE q.status = 'queued' AND q.next_attempt_at <= ? AND (q.lease_until IS NULL OR q.lease_until <= ?)
           ORDER BY q.next_attempt_at, q.id LIMIT ?`,
        )
        .all(now, now, limit) as QueueRow[];
      const lease = this.db.prepare('UPDATE queue SET lease_owner = ?, lease_until = ?, updated_at = ? WHERE id = ?');
      for (const r of rows) {
        lease.run(owner, now + leaseMs, now, r.id);
        r.lease_owner = owner;
        r.lease_until = now + leaseMs;
      }
      return rows.map(toEntry);
    });
  }

  async renewLeases(owner: string, ids: number[], now: number, leaseMs: number): Promise<number> {
    if (ids.length === 0) return 0;
    return writeTx(this.db, () => {
      const renew = this.db.prepare(`UPDATE queue SET lease_until = ?, updated_at = ? WHERE id = ? AND lease_owner = ? AND status = 'queued'`);
      let n = 0;
      for (const id of ids) n += renew.run(now + leaseMs, now, id, owner).changes;
      return n;
    });
  }

  async finishAttempt(
    id: number,
    owner: string,
    outcome: { status: QueueStatus; nextAttemptAt?: number; error?: string | null; at: number },
  ): Promise<boolean> {
    return writeTx(this.db, () => {
      const r = this.db.prepare('SELECT message_id, lease_owner, status FROM queue WHERE id = ?').get(id) as
        | { message_id: number; lease_owner: string | null; status: QueueStatus }
        | undefined;
      if (!r || r.lease_owner !== owner || r.status !== 'queued') return false;
      this.db
        .prepare(
          `UPDATE queue SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?, lease_owner = NULL,
           lease_until = NULL, updated_at = ? WHERE id = ?`,
        )
        .run(outcome.status, outcome.nextAttemptAt ?? outcome.at, outcome.error ?? null, outcome.at, id);
      // A finished entry no longer needs the message body; the row stays as the sender-visible status.
      if (outcome.status !== 'queued') releaseMessage(this.db, r.message_id);
      return true;
    });
  }

  async getQueueEntry(id: number): Promise<QueueEntry | null> {
    const r = this.db.prepare(`${SELECT} WHERE q.id = ?`).get(id) as QueueRow | undefined;
    return r ? toEntry(r) : null;
  }

  async listQueue(filter: { status?: QueueStatus; submitterId?: number } = {}): Promise<QueueEntry[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status) (where.push('q.status = ?'), args.push(filter.status));
    if (filter.submitterId !== undefined) (where.push('q.submitter_id = ?'), args.push(filter.submitterId));
    const sql = `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY q.id`;
    return (this.db.prepare(sql).all(...args) as QueueRow[]).map(toEntry);
  }

  async settleAttempts(owner: string, st: QueueSettlement): Promise<boolean> {
    const changes = await writeTx(this.db, (): FolderChange[] | null => {
      const get = this.db.prepare('SELECT message_id, lease_owner, status FROM queue WHERE id = ?');
      const rows = st.outcomes.map((o) => get.get(o.id) as { message_id: number; lease_owner: string | null; status: QueueStatus } | undefined);
      if (rows.some((r) => !r || r.lease_owner !== owner || r.status !== 'queued')) return null;
      const update = this.db.prepare(
        `UPDATE queue SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL,
         delay_notified_at = CASE WHEN ? THEN ? ELSE delay_notified_at END, updated_at = ? WHERE id = ?`,
      );
      const attempt = this.db.prepare('INSERT INTO queue_attempts (queue_id, at, host, status, reply) VALUES (?, ?, ?, ?, ?)');
      st.outcomes.forEach((o, i) => {
        update.run(o.status, o.nextAttemptAt ?? st.at, o.error ?? null, o.delayNotified ? 1 : 0, st.at, st.at, o.id);
        attempt.run(o.id, st.at, o.host ?? null, o.status, o.error ?? null);
        if (o.status !== 'queued') releaseMessage(this.db, rows[i]!.message_id);
      });
      return st.notice ? this.notices.deliverRows(st.notice).changes : [];
    });
    if (changes === null) return false;
    this.notices.publish(changes);
    return true;
  }

  async listQueueAttempts(id: number): Promise<QueueAttempt[]> {
    const rows = this.db.prepare('SELECT * FROM queue_attempts WHERE queue_id = ? ORDER BY id').all(id) as Array<{
      queue_id: number;
      at: number;
      host: string | null;
      status: QueueStatus;
      reply: string | null;
    }>;
    return rows.map((r) => ({ queueId: r.queue_id, at: r.at, host: r.host, status: r.status, reply: r.reply }));
  }

  async retryQueueEntry(id: number, now: number): Promise<boolean> {
    const r = await writeTx(this.db, () =>
      this.db.prepare(`UPDATE queue SET next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'queued'`).run(now, now, id),
    );
    return r.changes > 0;
  }

  async requestBounce(id: number, now: number): Promise<boolean> {
    const r = await writeTx(this.db, () =>
      this.db
        .prepare(`UPDATE queue SET bounce_requested = 1, next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'queued'`)
        .run(now, now, id),
    );
    return r.changes > 0;
  }

  async deleteQueueEntry(id: number): Promise<boolean> {
    return writeTx(this.db, () => {
      const r = this.db.prepare('SELECT message_id, status FROM queue WHERE id = ?').get(id) as { message_id: number; status: QueueStatus } | undefined;
      if (!r) return false;
      this.db.prepare('DELETE FROM queue WHERE id = ?').run(id);
      this.db.prepare('DELETE FROM queue_attempts WHERE queue_id = ?').run(id);
      if (r.status === 'queued') releaseMessage(this.db, r.message_id);
      return true;
    });
  }

  async getMtaStsPolicy(domain: string): Promise<MtaStsCacheEntry | null> {
    const r = this.db.prepare('SELECT * FROM mta_sts_policies WHERE domain = ?').get(domain) as
      | { domain: string; policy_id: string; policy: string; fetched_at: number; expires_at: number }
      | undefined;
    return r ? { domain: r.domain, policyId: r.policy_id, policy: r.policy, fetchedAt: r.fetched_at, expiresAt: r.expires_at } : null;
  }

  async putMtaStsPolicy(p: MtaStsCacheEntry): Promise<void> {
    await writeTx(this.db, () =>
      this.db
        .prepare(
          `INSERT INTO mta_sts_policies (domain, policy_id, policy, fetched_at, expires_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (domain) DO UPDATE SET policy_id = excluded.policy_id, policy = excluded.policy, fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
        )
        .run(p.domain, p.policyId, p.policy, p.fetchedAt, p.expiresAt),
    );
  }
}
