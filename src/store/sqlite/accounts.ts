/** Domains, subscribers, mailboxes, aliases and app passwords in SQLite. */
import type { AccountStore, Alias, AppPassword, DkimKey, Domain, Mailbox, MailboxRules, NewMailbox, Subscriber } from '../types.js';
import { StoreError } from '../errors.js';
import { type Db, nextUidValidity, writeTx } from './db.js';
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
  disabled: number;
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
  disabled: r.disabled !== 0,
  createdAt: r.created_at,
});

interface DomainRow {
  name: string;
  admin_address: string | null;
  signup_policy: Domain['signupPolicy'];
  created_at: number;
}
const toDomain = (r: DomainRow): Domain => ({
  name: r.name,
  adminAddress: r.admin_address,
  signupPolicy: r.signup_policy,
  createdAt: r.created_at,
});

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

const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);

export class SqliteAccounts implements AccountStore {
  constructor(private readonly db: Db) {}

  async addDomain(d: Domain): Promise<void> {
    await writeTx(this.db, () => {
      if (this.db.prepare('SELECT 1 FROM domains WHERE name = ?').get(d.name))
        throw new StoreError('exists', `domain ${d.name} already exists`);
      this.db
        .prepare('INSERT INTO domains (name, admin_address, signup_policy, created_at) VALUES (?, ?, ?, ?)')
        .run(d.name, d.adminAddress, d.signupPolicy, d.createdAt);
    });
  }

  async getDomain(name: string): Promise<Domain | null> {
    const r = this.db.prepare('SELECT * FROM domains WHERE name = ?').get(name) as DomainRow | undefined;
    return r ? toDomain(r) : null;
  }

  async listDomains(): Promise<Domain[]> {
    return (this.db.prepare('SELECT * FROM domains ORDER BY name').all() as DomainRow[]).map(toDomain);
  }

  async updateDomain(name: string, change: Partial<Pick<Domain, 'adminAddress' | 'signupPolicy'>>): Promise<void> {
    await writeTx(this.db, () => {
      const r = this.db.prepare('SELECT * FROM domains WHERE name = ?').get(name) as DomainRow | undefined;
      if (!r) throw new StoreError('not-found', `no domain ${name}`);
      this.db
        .prepare('UPDATE domains SET admin_address = ?, signup_policy = ? WHERE name = ?')
        .run(
          change.adminAddress !== undefined ? change.adminAddress : r.admin_address,
          change.signupPolicy ?? r.signup_policy,
          name,
        );
    });
  }

  async removeDomain(name: string, withMailboxes: boolean): Promise<void> {
    await writeTx(this.db, () => {
      if (!this.db.prepare('SELECT 1 FROM domains WHERE name = ?').get(name))
        throw new StoreError('not-found', `no domain ${name}`);
      const ids = (this.db.prepare('SELECT id FROM mailboxes WHERE domain = ?').all(name) as Array<{ id: number }>).map((r) => r.id);
      if (ids.length > 0 && !withMailboxes)
        throw new StoreError('not-empty', `domain ${name} still has ${ids.length} mailbox(es); remove them first`);
      for (const id of ids) this.removeMailboxRows(id);
      this.db.prepare('DELETE FROM aliases WHERE domain = ?').run(name);
      this.db.prepare('DELETE FROM domains WHERE name = ?').run(name);
    });
  }

  async getSubscriber(id: number): Promise<Subscriber | null> {
    return this.subscriberWhere('id = ?', id);
  }

  async getSubscriberByHolder(holder: string): Promise<Subscriber | null> {
    return this.subscriberWhere('holder = ?', holder);
  }

  private subscriberWhere(where: string, value: unknown): Subscriber | null {
    const r = this.db.prepare(`SELECT * FROM subscribers WHERE ${where}`).get(value) as
      | { id: number; holder: string; allowance: number; created_at: number }
      | undefined;
    return r ? { id: r.id, holder: r.holder, allowance: r.allowance, createdAt: r.created_at } : null;
  }

  async setAllowance(id: number, allowance: number): Promise<void> {
    const res = await writeTx(this.db, () => this.db.prepare('UPDATE subscribers SET allowance = ? WHERE id = ?').run(allowance, id));
    if (res.changes === 0) throw new StoreError('not-found', `no subscriber ${id}`);
  }

  async countMailboxes(subscriberId: number): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM mailboxes WHERE subscriber_id = ?').get(subscriberId) as { n: number }).n;
  }

  async createMailbox(m: NewMailbox): Promise<Mailbox> {
    const id = await writeTx(this.db, () => {
      if (!this.db.prepare('SELECT 1 FROM domains WHERE name = ?').get(m.domain))
        throw new StoreError('not-found', `${m.domain} is not a local domain`);
      if (this.db.prepare('SELECT 1 FROM mailboxes WHERE address = ?').get(m.address))
        throw new StoreError('taken', `${m.address} is already taken`);
      if (this.db.prepare('SELECT 1 FROM aliases WHERE address = ?').get(m.address))
        throw new StoreError('taken', `${m.address} is already taken (it is an alias)`);
      let subscriberId: number;
      if ('existingId' in m.subscriber) {
        const s = this.subscriberWhere('id = ?', m.subscriber.existingId);
        if (!s) throw new StoreError('not-found', `no subscriber ${m.subscriber.existingId}`);
        const used = (this.db.prepare('SELECT COUNT(*) AS n FROM mailboxes WHERE subscriber_id = ?').get(s.id) as { n: number }).n;
        if (m.enforceAllowance && used >= s.allowance)
          throw new StoreError('allowance', `the allowance of ${s.holder} is used up (${used} of ${s.allowance} mailboxes)`);
        subscriberId = s.id;
      } else {
        if (this.db.prepare('SELECT 1 FROM subscribers WHERE holder = ?').get(m.address))
          throw new StoreError('taken', `${m.address} already holds a subscription`);
        subscriberId = Number(
          this.db
            .prepare('INSERT INTO subscribers (holder, allowance, created_at) VALUES (?, ?, ?)')
            .run(m.address, m.subscriber.newAllowance, m.createdAt).lastInsertRowid,
        );
      }
      const mailboxId = Number(
        this.db
          .prepare(
            `INSERT INTO mailboxes (address, local_part, domain, subscriber_id, role, password_hash, quota_bytes, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(m.address, m.localPart, m.domain, subscriberId, m.role, m.passwordHash, m.quotaBytes, m.createdAt).lastInsertRowid,
      );
      const insertFolder = this.db.prepare(
        'INSERT INTO folders (mailbox_id, name, special_use, uid_validity, created_at) VALUES (?, ?, ?, ?, ?)',
      );
      for (const f of m.folders) insertFolder.run(mailboxId, f.name, f.specialUse, nextUidValidity(this.db, m.createdAt), m.createdAt);
      return mailboxId;
    });
    return (await this.getMailboxById(id))!;
  }

  async getMailbox(address: string): Promise<Mailbox | null> {
    const r = this.db.prepare('SELECT * FROM mailboxes WHERE address = ?').get(address) as MailboxRow | undefined;
    return r ? toMailbox(r) : null;
  }

  async getMailboxById(id: number): Promise<Mailbox | null> {
    const r = this.db.prepare('SELECT * FROM mailboxes WHERE id = ?').get(id) as MailboxRow | undefined;
    return r ? toMailbox(r) : null;
  }

  async listMailboxes(filter: { domain?: string; subscriberId?: number } = {}): Promise<Mailbox[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.domain !== undefined) (where.push('domain = ?'), args.push(filter.domain));
    if (filter.subscriberId !== undefined) (where.push('subscriber_id = ?'), args.push(filter.subscriberId));
    const sql = `SELECT * FROM mailboxes ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY address`;
    return (this.db.prepare(sql).all(...args) as MailboxRow[]).map(toMailbox);
  }

  async updateMailbox(id: number, change: Partial<Pick<Mailbox, 'passwordHash' | 'quotaBytes' | 'role' | 'disabled'>>): Promise<void> {
    await writeTx(this.db, () => {
      const r = this.db.prepare('SELECT * FROM mailboxes WHERE id = ?').get(id) as MailboxRow | undefined;
      if (!r) throw new StoreError('not-found', `no mailbox ${id}`);
      this.db
        .prepare('UPDATE mailboxes SET password_hash = ?, quota_bytes = ?, role = ?, disabled = ? WHERE id = ?')
        .run(
          change.passwordHash ?? r.password_hash,
          change.quotaBytes ?? r.quota_bytes,
          change.role ?? r.role,
          change.disabled === undefined ? r.disabled : change.disabled ? 1 : 0,
          id,
        );
    });
  }

  async removeMailbox(id: number): Promise<void> {
    await writeTx(this.db, () => {
      if (!this.db.prepare('SELECT 1 FROM mailboxes WHERE id = ?').get(id)) throw new StoreError('not-found', `no mailbox ${id}`);
      this.removeMailboxRows(id);
    });
  }

  /** Inside a transaction: the mailbox, its folders and messages, and its subscriber when nobody is left in it. */
  private removeMailboxRows(id: number): void {
    const m = this.db.prepare('SELECT * FROM mailboxes WHERE id = ?').get(id) as MailboxRow;
    const folders = this.db.prepare('SELECT id FROM folders WHERE mailbox_id = ?').all(id) as Array<{ id: number }>;
    for (const f of folders) deleteFolderRows(this.db, f.id);
    this.db.prepare('DELETE FROM aliases WHERE target = ? AND system = 0').run(m.address);
    this.db.prepare('DELETE FROM mailboxes WHERE id = ?').run(id);
    const left = (this.db.prepare('SELECT COUNT(*) AS n FROM mailboxes WHERE subscriber_id = ?').get(m.subscriber_id) as { n: number }).n;
    if (left === 0) this.db.prepare('DELETE FROM subscribers WHERE id = ?').run(m.subscriber_id);
  }

  async addAlias(address: string, targets: string[], system: boolean): Promise<void> {
    await writeTx(this.db, () => {
      if (this.db.prepare('SELECT 1 FROM mailboxes WHERE address = ?').get(address))
        throw new StoreError('taken', `${address} is already a mailbox`);
      const insert = this.db.prepare(
        'INSERT INTO aliases (address, target, domain, system) VALUES (?, ?, ?, ?) ON CONFLICT (address, target) DO NOTHING',
      );
      for (const t of targets) insert.run(address, t, domainOf(address), system ? 1 : 0);
    });
  }

  async getAlias(address: string): Promise<Alias | null> {
    const rows = this.db.prepare('SELECT target, system FROM aliases WHERE address = ? ORDER BY target').all(address) as Array<{
      target: string;
      system: number;
    }>;
    if (rows.length === 0) return null;
    return { address, targets: rows.map((r) => r.target), system: rows.some((r) => r.system !== 0) };
  }

  async listAliases(domain?: string): Promise<Alias[]> {
    const rows = (
      domain === undefined
        ? this.db.prepare('SELECT * FROM aliases ORDER BY address, target').all()
        : this.db.prepare('SELECT * FROM aliases WHERE domain = ? ORDER BY address, target').all(domain)
    ) as Array<{ address: string; target: string; system: number }>;
    const byAddress = new Map<string, Alias>();
    for (const r of rows) {
      const a = byAddress.get(r.address) ?? { address: r.address, targets: [], system: false };
      a.targets.push(r.target);
      a.system ||= r.system !== 0;
      byAddress.set(r.address, a);
    }
    return [...byAddress.values()];
  }

  async removeAlias(address: string, target?: string): Promise<void> {
    const res = await writeTx(this.db, () =>
      target === undefined
        ? this.db.prepare('DELETE FROM aliases WHERE address = ?').run(address)
        : this.db.prepare('DELETE FROM aliases WHERE address = ? AND target = ?').run(address, target),
    );
    if (res.changes === 0) throw new StoreError('not-found', target ? `${address} does not point to ${target}` : `no alias ${address}`);
  }

  async getMailboxRules(mailboxId: number): Promise<MailboxRules | null> {
    const r = this.db.prepare('SELECT * FROM mailbox_rules WHERE mailbox_id = ?').get(mailboxId) as
      | {
          mailbox_id: number;
          forward_to: string;
          keep_copy: number;
          vacation_enabled: number;
          vacation_subject: string;
          vacation_body: string;
          vacation_period_days: number;
          vacation_until: number | null;
        }
      | undefined;
    if (!r) return null;
    return {
      mailboxId: r.mailbox_id,
      forwardTo: JSON.parse(r.forward_to) as string[],
      keepCopy: r.keep_copy !== 0,
      vacation: {
        enabled: r.vacation_enabled !== 0,
        subject: r.vacation_subject,
        body: r.vacation_body,
        periodDays: r.vacation_period_days,
        until: r.vacation_until,
      },
    };
  }

  async setMailboxRules(rules: MailboxRules): Promise<void> {
    await writeTx(this.db, () => {
      if (!this.db.prepare('SELECT 1 FROM mailboxes WHERE id = ?').get(rules.mailboxId)) throw new StoreError('not-found', `no mailbox ${rules.mailboxId}`);
      const v = rules.vacation;
      this.db
        .prepare(
          `INSERT INTO mailbox_rules (mailbox_id, forward_to, keep_copy, vacation_enabled, vacation_subject, vacation_body, vacation_period_days, vacation_until)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (mailbox_id) DO UPDATE SET forward_to = excluded.forward_to, keep_copy = excluded.keep_copy,
             vacation_enabled = excluded.vacation_enabled, vacation_subject = excluded.vacation_subject, vacation_body = excluded.vacation_body,
             vacation_period_days = excluded.vacation_period_days, vacation_until = excluded.vacation_until`,
        )
        .run(rules.mailboxId, JSON.stringify(rules.forwardTo), rules.keepCopy ? 1 : 0, v.enabled ? 1 : 0, v.subject, v.body, v.periodDays, v.until);
    });
  }

  async settingOnce(key: string, value: string): Promise<string> {
    return writeTx(this.db, () => {
      this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(`app:${key}`, value);
      return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(`app:${key}`) as { value: string }).value;
    });
  }

  async addDkimKey(k: DkimKey): Promise<void> {
    await writeTx(this.db, () => {
      if (!this.db.prepare('SELECT 1 FROM domains WHERE name = ?').get(k.domain)) throw new StoreError('not-found', `no domain ${k.domain}`);
      if (this.db.prepare('SELECT 1 FROM dkim_keys WHERE domain = ? AND selector = ?').get(k.domain, k.selector))
        throw new StoreError('exists', `${k.domain} already has a DKIM key with selector ${k.selector}`);
      this.db
        .prepare('INSERT INTO dkim_keys (domain, selector, algorithm, private_key, public_key, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(k.domain, k.selector, k.algorithm, k.privateKey, k.publicKey, k.active ? 1 : 0, k.createdAt);
    });
  }

  async listDkimKeys(domain: string): Promise<DkimKey[]> {
    const rows = this.db.prepare('SELECT * FROM dkim_keys WHERE domain = ? ORDER BY created_at, selector').all(domain) as Array<{
      domain: string;
      selector: string;
      algorithm: DkimKey['algorithm'];
      private_key: string;
      public_key: string;
      active: number;
      created_at: number;
    }>;
    return rows.map((r) => ({
      domain: r.domain,
      selector: r.selector,
      algorithm: r.algorithm,
      privateKey: r.private_key,
      publicKey: r.public_key,
      active: r.active !== 0,
      createdAt: r.created_at,
    }));
  }

  async setDkimKeyActive(domain: string, selector: string, active: boolean): Promise<void> {
    const res = await writeTx(this.db, () =>
      this.db.prepare('UPDATE dkim_keys SET active = ? WHERE domain = ? AND selector = ?').run(active ? 1 : 0, domain, selector),
    );
    if (res.changes === 0) throw new StoreError('not-found', `${domain} has no DKIM key ${selector}`);
  }

  async addAppPassword(mailboxId: number, name: string, secretHash: string, createdAt: number): Promise<AppPassword> {
    return writeTx(this.db, () => {
      if (this.db.prepare('SELECT 1 FROM app_passwords WHERE mailbox_id = ? AND name = ?').get(mailboxId, name))
        throw new StoreError('exists', `an app password named ${JSON.stringify(name)} already exists`);
      const id = Number(
        this.db
          .prepare('INSERT INTO app_passwords (mailbox_id, name, secret_hash, created_at) VALUES (?, ?, ?, ?)')
          .run(mailboxId, name, secretHash, createdAt).lastInsertRowid,
      );
      return toAppPassword(this.db.prepare('SELECT * FROM app_passwords WHERE id = ?').get(id) as AppPasswordRow);
    });
  }

  async listAppPasswords(mailboxId: number): Promise<AppPassword[]> {
    return (this.db.prepare('SELECT * FROM app_passwords WHERE mailbox_id = ? ORDER BY name').all(mailboxId) as AppPasswordRow[]).map(
      toAppPassword,
    );
  }

  async findAppPassword(mailboxId: number, secretHash: string): Promise<AppPassword | null> {
    const r = this.db.prepare('SELECT * FROM app_passwords WHERE mailbox_id = ? AND secret_hash = ?').get(mailboxId, secretHash) as
      | AppPasswordRow
      | undefined;
    return r ? toAppPassword(r) : null;
  }

  async touchAppPassword(id: number, at: number): Promise<void> {
    await writeTx(this.db, () => this.db.prepare('UPDATE app_passwords SET last_used_at = ? WHERE id = ?').run(at, id));
  }

  async revokeAppPassword(mailboxId: number, name: string): Promise<boolean> {
    return (await writeTx(this.db, () => this.db.prepare('DELETE FROM app_passwords WHERE mailbox_id = ? AND name = ?').run(mailboxId, name))).changes > 0;
  }
}
