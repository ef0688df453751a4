/**
 * The outbound queue in PostgreSQL: one row per recipient; a claim is a lease taken with FOR UPDATE SKIP LOCKED,
 * so nodes claiming at the same instant pass over each other's rows instead of waiting or double-claiming, and a
 * crashed node's leases expire and the entries come back to whoever claims next.
 */
import type { MtaStsCacheEntry, QueueAttempt, QueueEntry, QueueSettlement, QueueStatus, QueueStore } from '../types.js';
import { type PgDb, rowOf, rowsOf } from './db.js';
import type { PgMail } from './mail.js';
import { releaseMessage } from './message-rows.js';

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
  bounce_requested: boolean;
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
  bounceRequested: r.bounce_requested,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class PgQueue implements QueueStore {
  constructor(
    private readonly db: PgDb,
    private readonly mail: PgMail,
  ) {}

  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<QueueEntry[]> {
    const rows = await this.db.rows<QueueRow>(
      `WITH due AS (
         SELECT id FROM queue WHERE status = 'queued' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
         ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE queue q SET lease_owner = $2, lease_until = $1::bigint + $4::bigint, updated_at = $1 FROM due WHERE q.id = due.id
       RETURNING q.*, (SELECT m.blob_id FROM messages m WHERE m.id = q.message_id) AS blob_id`,
      [now, owner, limit, leaseMs],
    );
    return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id).map(toEntry);
  }

  async renewLeases(owner: string, ids: number[], now: number, leaseMs: number): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await this.db.rows<{ id: number }>(
      `UPDATE queue SET lease_until = $1::bigint + $2::bigint, updated_at = $1 WHERE id = ANY($3::bigint[]) AND lease_owner = $4 AND status = 'queued' RETURNING id`,
      [now, leaseMs, ids, owner],
    );
    return rows.length;
  }

  async finishAttempt(id: number, owner: string, outcome: { status: QueueStatus; nextAttemptAt?: number; error?: string | null; at: number }): Promise<boolean> {
    return this.db.tx(async (q) => {
      const r = await rowOf<{ message_id: number; lease_owner: string | null; status: QueueStatus }>(
        q,
        'SELECT message_id, lease_owner, status FROM queue WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (!r || r.lease_owner !== owner || r.status !== 'queued') return false;
      await q.query(
        `UPDATE queue SET status = $1, attempts = attempts + 1, next_attempt_at = $2, last_error = $3, lease_owner = NULL,
         lease_until = NULL, updated_at = $4 WHERE id = $5`,
        [outcome.status, outcome.nextAttemptAt ?? outcome.at, outcome.error ?? null, outcome.at, id],
      );
      // A finished entry no longer needs the message body; the row stays as the sender-visible status.
      if (outcome.status !== 'queued') await releaseMessage(q, r.message_id);
      return true;
    });
  }

  async getQueueEntry(id: number): Promise<QueueEntry | null> {
    const r = await this.db.row<QueueRow>(`${SELECT} WHERE q.id = $1`, [id]);
    return r ? toEntry(r) : null;
  }

  async listQueue(filter: { status?: QueueStatus; submitterId?: number } = {}): Promise<QueueEntry[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status) (args.push(filter.status), where.push(`q.status = $${args.length}`));
    if (filter.submitterId !== undefined) (args.push(filter.submitterId), where.push(`q.submitter_id = $${args.length}`));
    return (await this.db.rows<QueueRow>(`${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY q.id`, args)).map(toEntry);
  }

  async settleAttempts(owner: string, st: QueueSettlement): Promise<boolean> {
    return this.mail.write(async (q) => {
      const ids = st.outcomes.map((o) => o.id);
      const locked = await rowsOf<{ id: number; message_id: number; lease_owner: string | null; status: QueueStatus }>(
        q,
        'SELECT id, message_id, lease_owner, status FROM queue WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE',
        [ids],
      );
      const byId = new Map(locked.map((r) => [r.id, r]));
      if (ids.some((id) => { const r = byId.get(id); return !r || r.lease_owner !== owner || r.status !== 'queued'; }))
        return { value: false, changes: [] };
      for (const o of st.outcomes) {
        await q.query(
          `UPDATE queue SET status = $1, attempts = attempts + 1, next_attempt_at = $2, last_error = $3, lease_owner = NULL, lease_until = NULL,
           delay_notified_at = CASE WHEN $4 THEN $5 ELSE delay_notified_at END, updated_at = $5 WHERE id = $6`,
          [o.status, o.nextAttemptAt ?? st.at, o.error ?? null, o.delayNotified === true, st.at, o.id],
        );
        await q.query('INSERT INTO queue_attempts (queue_id, at, host, status, reply) VALUES ($1, $2, $3, $4, $5)', [o.id, st.at, o.host ?? null, o.status, o.error ?? null]);
        if (o.status !== 'queued') await releaseMessage(q, byId.get(o.id)!.message_id);
      }
      const changes = st.notice ? (await this.mail.deliverRows(q, st.notice)).changes : [];
      return { value: true, changes };
    });
  }

  async listQueueAttempts(id: number): Promise<QueueAttempt[]> {
    const rows = await this.db.rows<{ queue_id: number; at: number; host: string | null; status: QueueStatus; reply: string | null }>(
      'SELECT * FROM queue_attempts WHERE queue_id = $1 ORDER BY id',
      [id],
    );
    return rows.map((r) => ({ queueId: r.queue_id, at: r.at, host: r.host, status: r.status, reply: r.reply }));
  }

  async retryQueueEntry(id: number, now: number): Promise<boolean> {
    const r = await this.db.query(`UPDATE queue SET next_attempt_at = $1, updated_at = $1 WHERE id = $2 AND status = 'queued'`, [now, id]);
    return (r.rowCount ?? 0) > 0;
  }

  async requestBounce(id: number, now: number): Promise<boolean> {
    const r = await this.db.query(`UPDATE queue SET bounce_requested = true, next_attempt_at = $1, updated_at = $1 WHERE id = $2 AND status = 'queued'`, [now, id]);
    return (r.rowCount ?? 0) > 0;
  }

  async deleteQueueEntry(id: number): Promise<boolean> {
    return this.db.tx(async (q) => {
      const r = await rowOf<{ message_id: number; status: QueueStatus }>(q, 'DELETE FROM queue WHERE id = $1 RETURNING message_id, status', [id]);
      if (!r) return false;
      await q.query('DELETE FROM queue_attempts WHERE queue_id = $1', [id]);
      if (r.status === 'queued') await releaseMessage(q, r.message_id);
      return true;
    });
  }

  async getMtaStsPolicy(domain: string): Promise<MtaStsCacheEntry | null> {
    const r = await this.db.row<{ domain: string; policy_id: string; policy: string; fetched_at: number; expires_at: number }>(
      'SELECT * FROM mta_sts_policies WHERE domain = $1',
      [domain],
    );
    return r ? { domain: r.domain, policyId: r.policy_id, policy: r.policy, fetchedAt: r.fetched_at, expiresAt: r.expires_at } : null;
  }

  async putMtaStsPolicy(p: MtaStsCacheEntry): Promise<void> {
    await this.db.query(
      `INSERT INTO mta_sts_policies (domain, policy_id, policy, fetched_at, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (domain) DO UPDATE SET policy_id = excluded.policy_id, policy = excluded.policy, fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
      [p.domain, p.policyId, p.policy, p.fetchedAt, p.expiresAt],
    );
  }
}
