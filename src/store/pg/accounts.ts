/** Domains, subscribers, mailboxes, aliases, rules, settings, DKIM keys and app passwords in PostgreSQL. */
import type { AccountStore, Alias, AppPassword, DkimKey, Domain, Mailbox, MailboxRules, NewMailbox, Subscriber } from '../types.js';
import { StoreError } from '../errors.js';
import { type PgDb, type Sql, nextUidValidity, pgCode, rowOf, rowsOf } from './db.js';
import { deleteFolderRows } from './mail.js';

interface MailboxRow {
  id: number;
  address: string;
  local_part: string;
  domain: string;
  subscriber_id: number;
  role: 'user' | 'admin';
  password_hash: string;
  quota_bytes: number;
  used_bytes: number;
  disabled: boolean;
  created_at: number;
}

const toMailbox = (r: MailboxRow): Mailbox => ({
  id: r.id,
  address: r.address,
  localPart: r.local_part,
  domain: r.domain,
  subscriberId: r.subscriber_id,
  role: r.role,
  passwordHash: r.password_hash,
  quotaBytes: r.quota_bytes,
  usedBytes: r.used_bytes,
  disabled: r.disabled,
  createdAt: r.created_at,
});

interface DomainRow {
  name: string;
  admin_address: string | null;
  signup_policy: Domain['signupPolicy'];
  created_at: number;
}
const toDomain = (r: DomainRow): Domain => ({ name: r.name, adminAddress: r.admin_address, signupPolicy: r.signup_policy, createdAt: r.created_at });

interface AppPasswordRow {
  id: number;
  mailbox_id: number;
  name: string;
  secret_hash: string;
  created_at: number;
  last_used_at: number | null;
}
const toAppPassword = (r: AppPasswordRow): AppPassword => ({
  id: r.id,
  mailboxId: r.mailbox_id,
  name: r.name,
  secretHash: r.secret_hash,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

interface SubscriberRow {
  id: number;
  holder: string;
  allowance: number;
  created_at: number;
}
const toSubscriber = (r: SubscriberRow): Subscriber => ({ id: r.id, holder: r.holder, allowance: r.allowance, createdAt: r.created_at });

const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);

/** A unique-key race lost to another node becomes the same refusal the check before it would have given. */
async function refuseDuplicate<T>(p: Promise<T>, code: 'taken' | 'exists', message: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (pgCode(e) === '23505') throw new StoreError(code, message);
    throw e;
  }
}

export class PgAccounts implements AccountStore {
  constructor(private readonly db: PgDb) {}

  async addDomain(d: Domain): Promise<void> {
    const r = await this.db.query(
      'INSERT INTO domains (name, admin_address, signup_policy, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING',
      [d.name, d.adminAddress, d.signupPolicy, d.createdAt],
    );
    if (r.rowCount === 0) throw new StoreError('exists', `domain ${d.name} already exists`);
  }

  async getDomain(name: string): Promise<Domain | null> {
    const r = await this.db.row<DomainRow>('SELECT * FROM domains WHERE name = $1', [name]);
    return r ? toDomain(r) : null;
  }

  async listDomains(): Promise<Domain[]> {
    return (await this.db.rows<DomainRow>('SELECT * FROM domains ORDER BY name')).map(toDomain);
  }

  async updateDomain(name: string, change: Partial<Pick<Domain, 'adminAddress' | 'signupPolicy'>>): Promise<void> {
    const r = await this.db.query(
      `UPDATE domains SET admin_address = CASE WHEN $2 THEN $3 ELSE admin_address END, signup_policy = COALESCE($4, signup_policy) WHERE name = $1`,
      [name, change.adminAddress !== undefined, change.adminAddress ?? null, change.signupPolicy ?? null],
    );
    if (r.rowCount === 0) throw new StoreError('not-found', `no domain ${name}`);
  }

  async removeDomain(name: string, withMailboxes: boolean): Promise<void> {
    await this.db.tx(async (q) => {
      if (!(await rowOf(q, 'SELECT 1 FROM domains WHERE name = $1 FOR UPDATE', [name]))) throw new StoreError('not-found', `no domain ${name}`);
      const ids = (await rowsOf<{ id: number }>(q, 'SELECT id FROM mailboxes WHERE domain = $1 ORDER BY id', [name])).map((r) => r.id);
      if (ids.length > 0 && !withMailboxes) throw new StoreError('not-empty', `domain ${name} still has ${ids.length} mailbox(es); remove them first`);
      for (const id of ids) await removeMailboxRows(q, id);
      await q.query('DELETE FROM aliases WHERE domain = $1', [name]);
      await q.query('DELETE FROM domains WHERE name = $1', [name]);
    });
  }

  async getSubscriber(id: number): Promise<Subscriber | null> {
    const r = await this.db.row<SubscriberRow>('SELECT * FROM subscribers WHERE id = $1', [id]);
    return r ? toSubscriber(r) : null;
  }

  async getSubscriberByHolder(holder: string): Promise<Subscriber | null> {
    const r = await this.db.row<SubscriberRow>('SELECT * FROM subscribers WHERE holder = $1', [holder]);
    return r ? toSubscriber(r) : null;
  }

  async setAllowance(id: number, allowance: number): Promise<void> {
    const r = await this.db.query('UPDATE subscribers SET allowance = $1 WHERE id = $2', [allowance, id]);
    if (r.rowCount === 0) throw new StoreError('not-found', `no subscriber ${id}`);
  }

  async countMailboxes(subscriberId: number): Promise<number> {
    return (await this.db.row<{ n: number }>('SELECT COUNT(*) AS n FROM mailboxes WHERE subscriber_id = $1', [subscriberId]))!.n;
  }

  async createMailbox(m: NewMailbox): Promise<Mailbox> {
    const id = await refuseDuplicate(
      this.db.tx(async (q) => {
        if (!(await rowOf(q, 'SELECT 1 FROM domains WHERE name = $1 FOR SHARE', [m.domain]))) throw new StoreError('not-found', `${m.domain} is not a local domain`);
        if (await rowOf(q, 'SELECT 1 FROM mailboxes WHERE address = $1', [m.address])) throw new StoreError('taken', `${m.address} is already taken`);
        if (await rowOf(q, 'SELECT 1 FROM aliases WHERE address = $1', [m.address])) throw new StoreError('taken', `${m.address} is already taken (it is an alias)`);
        let subscriberId: number;
        if ('existingId' in m.subscriber) {
          // The row lock makes the allowance check hold against another node adding a mailbox at the same moment.
          const s = await rowOf<SubscriberRow>(q, 'SELECT * FROM subscribers WHERE id = $1 FOR UPDATE', [m.subscriber.existingId]);
          if (!s) throw new StoreError('not-found', `no subscriber ${m.subscriber.existingId}`);
          const used = (await rowOf<{ n: number }>(q, 'SELECT COUNT(*) AS n FROM mailboxes WHERE subscriber_id = $1', [s.id]))!.n;
          if (m.enforceAllowance && used >= s.allowance)
            throw new StoreError('allowance', `the allowance of ${s.holder} is used up (${used} of ${s.allowance} mailboxes)`);
          subscriberId = s.id;
        } else {
          if (await rowOf(q, 'SELECT 1 FROM subscribers WHERE holder = $1', [m.address])) throw new StoreError('taken', `${m.address} already holds a subscription`);
          subscriberId = (await rowOf<{ id: number }>(q, 'INSERT INTO subscribers (holder, allowance, created_at) VALUES ($1, $2, $3) RETURNING id', [
            m.address,
            m.subscriber.newAllowance,
            m.createdAt,
          ]))!.id;
        }
        const mailboxId = (await rowOf<{ id: number }>(
          q,
          `INSERT INTO mailboxes (address, local_part, domain, subscriber_id, role, password_hash, quota_bytes, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
          [m.address, m.localPart, m.domain, subscriberId, m.role, m.passwordHash, m.quotaBytes, m.createdAt],
        ))!.id;
        for (const f of m.folders)
          await q.query('INSERT INTO folders (mailbox_id, name, special_use, uid_validity, created_at) VALUES ($1, $2, $3, $4, $5)', [
            mailboxId,
            f.name,
            f.specialUse,
            await nextUidValidity(q, m.createdAt),
            m.createdAt,
          ]);
        return mailboxId;
      }),
      'taken',
      `${m.address} is already taken`,
    );
    return (await this.getMailboxById(id))!;
  }

  async getMailbox(address: string): Promise<Mailbox | null> {
    const r = await this.db.row<MailboxRow>('SELECT * FROM mailboxes WHERE address = $1', [address]);
    return r ? toMailbox(r) : null;
  }

  async getMailboxById(id: number): Promise<Mailbox | null> {
    const r = await this.db.row<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1', [id]);
    return r ? toMailbox(r) : null;
  }

  async listMailboxes(filter: { domain?: string; subscriberId?: number } = {}): Promise<Mailbox[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.domain !== undefined) (args.push(filter.domain), where.push(`domain = $${args.length}`));
    if (filter.subscriberId !== undefined) (args.push(filter.subscriberId), where.push(`subscriber_id = $${args.length}`));
    const sql = `SELECT * FROM mailboxes ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY address COLLATE "C"`;
    return (await this.db.rows<MailboxRow>(sql, args)).map(toMailbox);
  }

  async updateMailbox(id: number, change: Partial<Pick<Mailbox, 'passwordHash' | 'quotaBytes' | 'role' | 'disabled'>>): Promise<void> {
    const r = await this.db.query(
      `UPDATE mailboxes SET password_hash = COALESCE($2, password_hash), quota_bytes = COALESCE($3, quota_bytes), role = COALESCE($4, role),
       disabled = COALESCE($5, disabled) WHERE id = $1`,
      [id, change.passwordHash ?? null, change.quotaBytes ?? null, change.role ?? null, change.disabled ?? null],
    );
    if (r.rowCount === 0) throw new StoreError('not-found', `no mailbox ${id}`);
  }

  async removeMailbox(id: number): Promise<void> {
    await this.db.tx(async (q) => {
      if (!(await rowOf(q, 'SELECT 1 FROM mailboxes WHERE id = $1 FOR UPDATE', [id]))) throw new StoreError('not-found', `no mailbox ${id}`);
      await removeMailboxRows(q, id);
    });
  }

  async addAlias(address: string, targets: string[], system: boolean): Promise<void> {
    await this.db.tx(async (q) => {
      if (await rowOf(q, 'SELECT 1 FROM mailboxes WHERE address = $1', [address])) throw new StoreError('taken', `${address} is already a mailbox`);
      for (const t of targets)
        await q.query('INSERT INTO aliases (address, target, domain, system) VALUES ($1, $2, $3, $4) ON CONFLICT (address, target) DO NOTHING', [
          address,
          t,
          domainOf(address),
          system,
        ]);
    });
  }

  async getAlias(address: string): Promise<Alias | null> {
    const rows = await this.db.rows<{ target: string; system: boolean }>('SELECT target, system FROM aliases WHERE address = $1 ORDER BY target COLLATE "C"', [address]);
    if (rows.length === 0) return null;
    return { address, targets: rows.map((r) => r.target), system: rows.some((r) => r.system) };
  }

  async listAliases(domain?: string): Promise<Alias[]> {
    const rows =
      domain === undefined
        ? await this.db.rows<{ address: string; target: string; system: boolean }>('SELECT * FROM aliases ORDER BY address COLLATE "C", target COLLATE "C"')
        : await this.db.rows<{ address: string; target: string; system: boolean }>(
            'SELECT * FROM aliases WHERE domain = $1 ORDER BY address COLLATE "C", target COLLATE "C"',
            [domain],
          );
    const byAddress = new Map<string, Alias>();
    for (const r of rows) {
      const a = byAddress.get(r.address) ?? { address: r.address, targets: [], system: false };
      a.targets.push(r.target);
      a.system ||= r.system;
      byAddress.set(r.address, a);
    }
    return [...byAddress.values()];
  }

  async removeAlias(address: string, target?: string): Promise<void> {
    const res =
      target === undefined
        ? await this.db.query('DELETE FROM aliases WHERE address = $1', [address])
        : await this.db.query('DELETE FROM aliases WHERE address = $1 AND target = $2', [address, target]);
    if (res.rowCount === 0) throw new StoreError('not-found', target ? `${address} does not point to ${target}` : `no alias ${address}`);
  }

  async getMailboxRules(mailboxId: number): Promise<MailboxRules | null> {
    const r = await this.db.row<{
      mailbox_id: number;
      forward_to: string;
      keep_copy: boolean;
      vacation_enabled: boolean;
      vacation_subject: string;
      vacation_body: string;
      vacation_period_days: number;
      vacation_until: number | null;
    }>('SELECT * FROM mailbox_rules WHERE mailbox_id = $1', [mailboxId]);
    if (!r) return null;
    return {
      mailboxId: r.mailbox_id,
      forwardTo: JSON.parse(r.forward_to) as string[],
      keepCopy: r.keep_copy,
      vacation: { enabled: r.vacation_enabled, subject: r.vacation_subject, body: r.vacation_body, periodDays: r.vacation_period_days, until: r.vacation_until },
    };
  }

  async setMailboxRules(rules: MailboxRules): Promise<void> {
    const v = rules.vacation;
    try {
      await this.db.query(
        `INSERT INTO mailbox_rules (mailbox_id, forward_to, keep_copy, vacation_enabled, vacation_subject, vacation_body, vacation_period_days, vacation_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (mailbox_id) DO UPDATE SET forward_to = excluded.forward_to, keep_copy = excluded.keep_copy,
           vacation_enabled = excluded.vacation_enabled, vacation_subject = excluded.vacation_subject, vacation_body = excluded.vacation_body,
           vacation_period_days = excluded.vacation_period_days, vacation_until = excluded.vacation_until`,
        [rules.mailboxId, JSON.stringify(rules.forwardTo), rules.keepCopy, v.enabled, v.subject, v.body, v.periodDays, v.until],
      );
    } catch (e) {
      if (pgCode(e) === '23503') throw new StoreError('not-found', `no mailbox ${rules.mailboxId}`);
      throw e;
    }
  }

  async settingOnce(key: string, value: string): Promise<string> {
    await this.db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [`app:${key}`, value]);
    return (await this.db.row<{ value: string }>('SELECT value FROM settings WHERE key = $1', [`app:${key}`]))!.value;
  }

  async addDkimKey(k: DkimKey): Promise<void> {
    try {
      const r = await this.db.query(
        `INSERT INTO dkim_keys (domain, selector, algorithm, private_key, public_key, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (domain, selector) DO NOTHING`,
        [k.domain, k.selector, k.algorithm, k.privateKey, k.publicKey, k.active, k.createdAt],
      );
      if (r.rowCount === 0) throw new StoreError('exists', `${k.domain} already has a DKIM key with selector ${k.selector}`);
    } catch (e) {
      if (pgCode(e) === '23503') throw new StoreError('not-found', `no domain ${k.domain}`);
      throw e;
    }
  }

  async listDkimKeys(domain: string): Promise<DkimKey[]> {
    const rows = await this.db.rows<{
      domain: string;
      selector: string;
      algorithm: DkimKey['algorithm'];
      private_key: string;
      public_key: string;
      active: boolean;
      created_at: number;
    }>('SELECT * FROM dkim_keys WHERE domain = $1 ORDER BY created_at, selector COLLATE "C"', [domain]);
    return rows.map((r) => ({
      domain: r.domain,
      selector: r.selector,
      algorithm: r.algorithm,
      privateKey: r.private_key,
      publicKey: r.public_key,
      active: r.active,
      createdAt: r.created_at,
    }));
  }

  async setDkimKeyActive(domain: string, selector: string, active: boolean): Promise<void> {
    const r = await this.db.query('UPDATE dkim_keys SET active = $1 WHERE domain = $2 AND selector = $3', [active, domain, selector]);
    if (r.rowCount === 0) throw new StoreError('not-found', `${domain} has no DKIM key ${selector}`);
  }

  async addAppPassword(mailboxId: number, name: string, secretHash: string, createdAt: number): Promise<AppPassword> {
    const r = await this.db.row<AppPasswordRow>(
      `INSERT INTO app_passwords (mailbox_id, name, secret_hash, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (mailbox_id, name) DO NOTHING RETURNING *`,
      [mailboxId, name, secretHash, createdAt],
    );
    if (!r) throw new StoreError('exists', `an app password named ${JSON.stringify(name)} already exists`);
    return toAppPassword(r);
  }

  async listAppPasswords(mailboxId: number): Promise<AppPassword[]> {
    return (await this.db.rows<AppPasswordRow>('SELECT * FROM app_passwords WHERE mailbox_id = $1 ORDER BY name COLLATE "C"', [mailboxId])).map(toAppPassword);
  }

  async findAppPassword(mailboxId: number, secretHash: string): Promise<AppPassword | null> {
    const r = await this.db.row<AppPasswordRow>('SELECT * FROM app_passwords WHERE mailbox_id = $1 AND secret_hash = $2', [mailboxId, secretHash]);
    return r ? toAppPassword(r) : null;
  }

  async touchAppPassword(id: number, at: number): Promise<void> {
    await this.db.query('UPDATE app_passwords SET last_used_at = $1 WHERE id = $2', [at, id]);
  }

  async revokeAppPassword(mailboxId: number, name: string): Promise<boolean> {
    return ((await this.db.query('DELETE FROM app_passwords WHERE mailbox_id = $1 AND name = $2', [mailboxId, name])).rowCount ?? 0) > 0;
  }
}

/** Inside a transaction: the mailbox, its folders and messages, and its subscriber when nobody is left in it. */
async function removeMailboxRows(q: Sql, id: number): Promise<void> {
  const m = (await rowOf<MailboxRow>(q, 'SELECT * FROM mailboxes WHERE id = $1', [id]))!;
  const folders = await rowsOf<{ id: number }>(q, 'SELECT id FROM folders WHERE mailbox_id = $1 ORDER BY id FOR UPDATE', [id]);
  for (const f of folders) await deleteFolderRows(q, f.id);
  await q.query('DELETE FROM aliases WHERE target = $1 AND system = false', [m.address]);
  await q.query('DELETE FROM mailboxes WHERE id = $1', [id]);
  const left = (await rowOf<{ n: number }>(q, 'SELECT COUNT(*) AS n FROM mailboxes WHERE subscriber_id = $1', [m.subscriber_id]))!.n;
  if (left === 0) await q.query('DELETE FROM subscribers WHERE id = $1', [m.subscriber_id]);
}
