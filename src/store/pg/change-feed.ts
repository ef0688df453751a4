/**
 * The change feed across nodes: a change is NOTIFYed inside the transaction that makes it (PostgreSQL delivers
 * notifications at COMMIT and drops them on ROLLBACK, so listeners never hear of an uncommitted change), delivered to
 * this node's own listeners right after the commit, and to every other node through one LISTEN connection each.
 * A node ignores its own notifications (it already delivered them locally). Payloads stay under PostgreSQL's 8000
 * bytes by splitting long UID lists.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ChangeFeed, FolderChange } from '../types.js';
import { LocalChangeFeed } from '../change-feed.js';
import { pgStoreLimits } from '../../lib/limits.js';
import type { PgDb, Sql } from './db.js';

export const CHANNEL = 'outpost_changes';

interface Envelope {
  /** The publishing node. */
  n: string;
  c: FolderChange;
}

/** Splits a change into payloads that each fit a NOTIFY. */
export function notifyPayloads(node: string, change: FolderChange): string[] {
  const whole = JSON.stringify({ n: node, c: change } satisfies Envelope);
  if (whole.length <= pgStoreLimits.notifyPayloadBytes || change.kind === 'folders') return [whole];
  const out: string[] = [];
  // A UID is at most 16 characters with its comma; leave room for the rest of the envelope.
  const per = Math.max(1, Math.floor((pgStoreLimits.notifyPayloadBytes - 200) / 17));
  for (let i = 0; i < change.uids.length; i += per)
    out.push(JSON.stringify({ n: node, c: { ...change, uids: change.uids.slice(i, i + per) } } satisfies Envelope));
  return out;
}

export class PgChangeFeed implements ChangeFeed {
  readonly node = randomUUID();
  readonly #local = new LocalChangeFeed();
  #client: pg.Client | null = null;
  #closed = false;
  #retry: NodeJS.Timeout | null = null;
  /** Resolves once LISTEN is in place (tests and start-up wait for it). */
  listening: Promise<void>;

  constructor(private readonly db: PgDb) {
    this.listening = this.start();
  }

  /** Opens the LISTEN connection; on failure (database down) tries again until closed. */
  private start(): Promise<void> {
    const p = this.listen().catch((e: unknown) => {
      this.scheduleRestart();
      throw e;
    });
    p.catch(() => undefined);
    return p;
  }

  private scheduleRestart(): void {
    if (this.#closed || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.listening = this.start();
    }, pgStoreLimits.listenReconnectMs);
  }

  private async listen(): Promise<void> {
    await this.db.ready();
    if (this.#closed) return;
    const client = new pg.Client(this.db.clientConfig());
    const lost = (): void => {
      if (this.#client !== client) return;
      this.#client = null;
      client.end().catch(() => undefined);
      this.scheduleRestart();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      let env: Envelope;
      try {
        env = JSON.parse(msg.payload) as Envelope;
      } catch {
        return;
      }
      if (env.n !== this.node) this.#local.publish(env.c);
    });
    this.#client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (e) {
      if (this.#client === client) this.#client = null;
      client.end().catch(() => undefined);
      throw e;
    }
  }

  /** Inside the writing transaction: tell the other nodes (sent at COMMIT). */
  async notifyIn(q: Sql, changes: FolderChange[]): Promise<void> {
    for (const c of changes) for (const p of notifyPayloads(this.node, c)) await q.query('SELECT pg_notify($1, $2)', [CHANNEL, p]);
  }

  /** After the commit: this node's own listeners. */
  publishLocal(changes: FolderChange[]): void {
    for (const c of changes) this.#local.publish(c);
  }

  /** A change made outside the store's transactions: local listeners now, other nodes as soon as NOTIFY runs. */
  publish(change: FolderChange): void {
    this.#local.publish(change);
    for (const p of notifyPayloads(this.node, change)) void this.db.query('SELECT pg_notify($1, $2)', [CHANNEL, p]).catch(() => undefined);
  }

  subscribe(mailboxId: number, listener: (change: FolderChange) => void): () => void {
    return this.#local.subscribe(mailboxId, listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    const c = this.#client;
    this.#client = null;
    await c?.end().catch(() => undefined);
  }
}
