/**
 * Accounts the way a provider hands them out: domains, subscribers with an allowance of included mailboxes,
 * mailboxes, aliases and app passwords. The CLI, the web sign-up and the admin console all go through here, so every
 * refusal carries the same reason: taken, reserved, invalid (and what), weak (and why), allowance used up.
 */
import type { Alias, AppPassword, DkimKey, Domain, Mailbox, Role, Store, Subscriber } from '../store/types.js';
import { StoreError } from '../store/errors.js';
import { UserError } from '../lib/errors.js';
import { accountLimits } from '../lib/limits.js';
import { parseAddress, parseDomain, type Address } from '../mail/address.js';
import { REQUIRED_ROLE_ALIASES, isReservedLocalPart } from './reserved.js';
import type { PasswordPolicy } from './password-policy.js';
import { type PasswordHasher, generateAppPassword, hashAppPassword } from './hashing.js';
import { defaultSelector, generateDkimKey, type DkimAlgorithm } from '../queue/dkim.js';

/** The folders every new mailbox starts with (RFC 6154 special-use attributes). */
export const DEFAULT_FOLDERS = [
  { name: 'INBOX', specialUse: null },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Archive', specialUse: '\\Archive' },
] as const;

export interface AccountServiceDeps {
  store: Store;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  now: () => number;
  defaultAllowance?: number;
  defaultQuotaBytes?: number;
}

export interface AddMailboxOptions {
  /** Join the subscription held by this address (or containing this mailbox); else a new subscription. */
  subscriber?: string;
  role?: Role;
  quotaBytes?: number;
  /** Operators may hand out reserved names such as info@ (never postmaster@ or abuse@, which are aliases). */
  allowReserved?: boolean;
}

export class AccountService {
  readonly store: Store;
  readonly #hasher: PasswordHasher;
  readonly #policy: PasswordPolicy;
  readonly #now: () => number;
  readonly #defaultAllowance: number;
  readonly #defaultQuota: number;

  constructor(deps: AccountServiceDeps) {
    this.store = deps.store;
    this.#hasher = deps.hasher;
    this.#policy = deps.policy;
    this.#now = deps.now;
    this.#defaultAllowance = deps.defaultAllowance ?? accountLimits.defaultAllowance;
    this.#defaultQuota = deps.defaultQuotaBytes ?? accountLimits.defaultQuotaBytes;
  }

  // ------------------------------------------------------------ domains

  /** Adds a hosted domain; postmaster@ and abuse@ point to its admin (the given mailbox, else the first admin). */
  async addDomain(name: string, adminAddress?: string): Promise<Domain> {
    const domain = parseDomain(name);
    const admin = adminAddress ? await this.requireMailbox(adminAddress) : await this.firstAdmin();
    if (!admin)
      throw new UserError('no-admin', 'no admin mailbox exists yet to receive postmaster@ and abuse@ mail: pass --admin ADDRESS or run `outpost init` first');
    const d: Domain = { name: domain, adminAddress: admin.address, signupPolicy: 'closed', createdAt: this.#now() };
    await this.store.addDomain(d);
    await this.pointRoleAliases(domain, admin.address);
    await this.addDkimKey(domain);
    return d;
  }

  /** Generates and stores a DKIM signing key for a hosted domain (RSA 2048 by default; ed25519 optional). */
  async addDkimKey(name: string, algorithm: DkimAlgorithm = 'rsa-sha256', selector?: string): Promise<DkimKey> {
    const domain = parseDomain(name);
    if (!(await this.store.getDomain(domain))) throw new UserError('not-local', `${domain} is not a domain this server hosts`);
    const key = generateDkimKey(domain, selector ?? defaultSelector(this.#now(), algorithm), algorithm, this.#now());
    await this.store.addDkimKey(key);
    return key;
  }

  /** Gives every hosted domain without a DKIM key one (run at start-up); returns the keys made. */
  async ensureDkimKeys(): Promise<DkimKey[]> {
    const made: DkimKey[] = [];
    for (const d of await this.store.listDomains())
      if ((await this.store.listDkimKeys(d.name)).length === 0) made.push(await this.addDkimKey(d.name));
    return made;
  }

  /** Creates the first domain and its postmaster@ admin mailbox (used by `outpost init`). */
  async bootstrap(domainName: string, password: string): Promise<Mailbox> {
    const domain = parseDomain(domainName);
    if (!(await this.store.getDomain(domain)))
      await this.store.addDomain({ name: domain, adminAddress: null, signupPolicy: 'closed', createdAt: this.#now() });
    const address = `postmaster@${domain}`;
    const existing = await this.store.getMailbox(address);
    if (existing) return existing;
    await this.store.removeAlias(address).catch(() => undefined);
    const mailbox = await this.createChecked(parseAddress(address), password, { role: 'admin', allowReserved: true }, true);
    await this.store.updateDomain(domain, { adminAddress: address });
    await this.pointRoleAliases(domain, address);
    if ((await this.store.listDkimKeys(domain)).length === 0) await this.addDkimKey(domain);
    return mailbox;
  }

  async setDomainAdmin(name: string, adminAddress: string): Promise<void> {
    const domain = parseDomain(name);
    const admin = await this.requireMailbox(adminAddress);
    await this.store.updateDomain(domain, { adminAddress: admin.address });
    await this.pointRoleAliases(domain, admin.address);
  }

  async removeDomain(name: string, withMailboxes = false): Promise<void> {
    await this.store.removeDomain(parseDomain(name), withMailboxes);
  }

  listDomains(): Promise<Domain[]> {
    return this.store.listDomains();
  }

  private async firstAdmin(): Promise<Mailbox | undefined> {
    const all = await this.store.listMailboxes();
    return all.filter((m) => m.role === 'admin' && !m.disabled).sort((a, b) => a.id - b.id)[0];
  }

  private async pointRoleAliases(domain: string, target: string): Promise<void> {
    for (const role of REQUIRED_ROLE_ALIASES) {
      const address = `${role}@${domain}`;
      if (address === target || (await this.store.getMailbox(address))) continue;
      const existing = await this.store.getAlias(address);
      if (existing?.system) await this.store.removeAlias(address);
      if (!existing || existing.system) await this.store.addAlias(address, [target], true);
    }
  }

  // ------------------------------------------------------------ mailboxes

  /** Adds a mailbox, refusing with the reason: invalid, not local, reserved, taken, allowance, weak. */
  async addMailbox(addressInput: string, password: string, opts: AddMailboxOptions = {}): Promise<Mailbox> {
    return this.createChecked(parseAddress(addressInput), password, opts, false);
  }

  private async createChecked(addr: Address, password: string, opts: AddMailboxOptions, internal: boolean): Promise<Mailbox> {
    if (!(await this.store.getDomain(addr.domain)))
      throw new UserError('not-local', `${addr.domain} is not a domain this server hosts (add it with: outpost domain add ${addr.domain})`);
    const roleAlias = (REQUIRED_ROLE_ALIASES as readonly string[]).includes(addr.localPart);
    if (!internal && isReservedLocalPart(addr.localPart) && (!opts.allowReserved || roleAlias))
      throw new UserError('reserved', `${addr.address} is reserved: ${addr.localPart}@ belongs to the server's operator`);
    if ((await this.store.getMailbox(addr.address)) || (await this.store.getAlias(addr.address)))
      throw new StoreError('taken', `${addr.address} is already taken`);
    const subscriber = opts.subscriber ? await this.requireSubscriber(opts.subscriber) : undefined;
    if (subscriber) {
      const used = await this.store.countMailboxes(subscriber.id);
      if (used >= subscriber.allowance)
        throw new StoreError('allowance', `the allowance of ${subscriber.holder} is used up (${used} of ${subscriber.allowance} mailboxes)`);
    }
    this.#policy.check(password, addr.address);
    return this.store.createMailbox({
      ...addr,
      role: opts.role ?? 'user',
      passwordHash: await this.#hasher.hash(password),
      quotaBytes: opts.quotaBytes ?? this.#defaultQuota,
      subscriber: subscriber ? { existingId: subscriber.id } : { newAllowance: this.#defaultAllowance },
      enforceAllowance: true,
      folders: DEFAULT_FOLDERS,
      createdAt: this.#now(),
    });
  }

  async getMailbox(address: string): Promise<Mailbox | null> {
    return this.store.getMailbox(parseAddress(address).address);
  }

  async requireMailbox(address: string): Promise<Mailbox> {
    const m = await this.getMailbox(address);
    if (!m) throw new UserError('not-found', `no mailbox ${parseAddress(address).address}`);
    return m;
  }

  listMailboxes(domain?: string): Promise<Mailbox[]> {
    return this.store.listMailboxes(domain ? { domain: parseDomain(domain) } : {});
  }

  async changePassword(address: string, password: string): Promise<void> {
    const m = await this.requireMailbox(address);
    this.#policy.check(password, m.address);
    await this.store.updateMailbox(m.id, { passwordHash: await this.#hasher.hash(password) });
    // A changed password signs the mailbox out of every web session (a leaked password stops working everywhere).
    await this.store.deleteSessionsOf(m.id);
    await this.note(m.id, 'password.changed');
  }

  async setQuota(address: string, quotaBytes: number): Promise<void> {
    if (!Number.isSafeInteger(quotaBytes) || quotaBytes < 0) throw new UserError('invalid', 'a quota is a number of bytes, 0 for unlimited');
    await this.store.updateMailbox((await this.requireMailbox(address)).id, { quotaBytes });
  }

  async setDisabled(address: string, disabled: boolean): Promise<void> {
    await this.store.updateMailbox((await this.requireMailbox(address)).id, { disabled });
  }

  async removeMailbox(address: string): Promise<void> {
    const m = await this.requireMailbox(address);
    const adminOf = (await this.store.listDomains()).filter((d) => d.adminAddress === m.address);
    if (adminOf.length > 0)
      throw new UserError(
        'in-use',
        `${m.address} is the admin of ${adminOf.map((d) => d.name).join(', ')}: make another mailbox the admin first (outpost domain admin DOMAIN ADDRESS)`,
      );
    await this.store.removeMailbox(m.id);
  }

  // ------------------------------------------------------------ subscribers

  /** The subscriber held by `address`, or the one `address` belongs to. */
  async requireSubscriber(address: string): Promise<Subscriber> {
    const canonical = parseAddress(address).address;
    const held = await this.store.getSubscriberByHolder(canonical);
    if (held) return held;
    const m = await this.store.getMailbox(canonical);
    const s = m ? await this.store.getSubscriber(m.subscriberId) : null;
    if (!s) throw new UserError('not-found', `no subscriber holds or includes ${canonical}`);
    return s;
  }

  async subscriberView(address: string): Promise<{ subscriber: Subscriber; mailboxes: Mailbox[] }> {
    const subscriber = await this.requireSubscriber(address);
    return { subscriber, mailboxes: await this.store.listMailboxes({ subscriberId: subscriber.id }) };
  }

  async setAllowance(address: string, allowance: number): Promise<void> {
    if (!Number.isSafeInteger(allowance) || allowance < 1 || allowance > 10_000)
      throw new UserError('invalid', 'an allowance is a whole number of mailboxes from 1 to 10000');
    const s = await this.requireSubscriber(address);
    const used = await this.store.countMailboxes(s.id);
    if (allowance < used) throw new UserError('invalid', `${s.holder} already has ${used} mailboxes; remove some before lowering the allowance to ${allowance}`);
    await this.store.setAllowance(s.id, allowance);
  }

  // ------------------------------------------------------------ aliases

  async addAlias(aliasInput: string, targetInputs: string[]): Promise<Alias> {
    const alias = parseAddress(aliasInput);
    if (!(await this.store.getDomain(alias.domain))) throw new UserError('not-local', `${alias.domain} is not a domain this server hosts`);
    if (targetInputs.length === 0) throw new UserError('invalid', 'an alias needs at least one target address');
    const targets = targetInputs.map((t) => parseAddress(t).address);
    if (targets.includes(alias.address)) throw new UserError('invalid', 'an alias cannot point to itself');
    const existing = await this.store.getAlias(alias.address);
    if (existing?.system) throw new UserError('reserved', `${alias.address} follows the domain's admin; change it with outpost domain admin`);
    if ((existing?.targets.length ?? 0) + targets.length > accountLimits.aliasTargetsMax)
      throw new UserError('invalid', `an alias may have at most ${accountLimits.aliasTargetsMax} targets`);
    await this.store.addAlias(alias.address, targets, false);
    return (await this.store.getAlias(alias.address))!;
  }

  listAliases(domain?: string): Promise<Alias[]> {
    return this.store.listAliases(domain ? parseDomain(domain) : undefined);
  }

  async removeAlias(aliasInput: string, target?: string): Promise<void> {
    const alias = parseAddress(aliasInput).address;
    if ((await this.store.getAlias(alias))?.system) throw new UserError('reserved', `${alias} is required (RFC 2142) and cannot be removed`);
    await this.store.removeAlias(alias, target === undefined ? undefined : parseAddress(target).address);
  }

  // ------------------------------------------------------------ app passwords

  /** Creates an app password and returns its secret, which is shown once and never stored. */
  async addAppPassword(address: string, name: string): Promise<{ appPassword: AppPassword; secret: string }> {
    const m = await this.requireMailbox(address);
    const clean = name.trim();
    if (clean.length === 0 || clean.length > 64 || /[\u0000-\u001f\u007f]/.test(clean))
      throw new UserError('invalid', 'an app password name is 1 to 64 printable characters, e.g. "phone"');
    if ((await this.store.listAppPasswords(m.id)).length >= accountLimits.appPasswordsPerMailbox)
      throw new UserError('invalid', `a mailbox may have at most ${accountLimits.appPasswordsPerMailbox} app passwords`);
    const secret = generateAppPassword();
    const appPassword = await this.store.addAppPassword(m.id, clean, hashAppPassword(secret), this.#now());
    await this.note(m.id, 'app-password.added');
    return { appPassword, secret };
  }

  async listAppPasswords(address: string): Promise<AppPassword[]> {
    return this.store.listAppPasswords((await this.requireMailbox(address)).id);
  }

  async revokeAppPassword(address: string, name: string): Promise<void> {
    const m = await this.requireMailbox(address);
    if (!(await this.store.revokeAppPassword(m.id, name))) throw new UserError('not-found', `${m.address} has no app password named ${JSON.stringify(name)}`);
    await this.note(m.id, 'app-password.revoked');
  }

  private note(mailboxId: number, kind: string): Promise<void> {
    return this.store.recordEvent({
      mailboxId,
      at: this.#now(),
      protocol: 'cli',
      port: 0,
      clientIp: 'local',
      tls: false,
      clientName: null,
      kind,
      result: 'ok',
      reason: null,
    });
  }
}
