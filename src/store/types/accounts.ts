/**
 * Domains, subscribers, mailboxes, aliases, app passwords, DKIM keys, per-mailbox rules: {@link AccountStore}. Part
 * of the store's interfaces, re-exported by src/store/types.ts.
 */
import type { SpecialUse } from './mail.js';

export type Role = 'user' | 'admin';

export interface Domain {
  /** Lower-case ASCII (punycode) name. */
  name: string;
  /** Address of the mailbox that administers this domain; postmaster@ and abuse@ point here (RFC 2142). */
  adminAddress: string | null;
  /** Who may sign up at this domain on the web (issue 9): closed by default. */
  signupPolicy: 'closed' | 'invite' | 'open';
  createdAt: number;
}

export interface Subscriber {
  id: number;
  /** The address of the mailbox that holds the subscription. */
  holder: string;
  /** How many mailboxes the subscriber may have. */
  allowance: number;
  createdAt: number;
}

export interface Mailbox {
  id: number;
  /** Canonical lower-case address. */
  address: string;
  localPart: string;
  domain: string;
  subscriberId: number;
  role: Role;
  /** PHC-format password hash (argon2id). */
  passwordHash: string;
  /** Bytes; 0 = unlimited. */
  quotaBytes: number;
  /** Sum of the sizes of all messages in all of this mailbox's folders. */
  usedBytes: number;
  disabled: boolean;
  createdAt: number;
}

export interface NewMailbox {
  address: string;
  localPart: string;
  domain: string;
  role: Role;
  passwordHash: string;
  quotaBytes: number;
  /** Join this subscriber, or create a new one with this mailbox as holder and the given allowance. */
  subscriber: { existingId: number } | { newAllowance: number };
  /** Refuse (throw `allowance`) when the subscriber already has this many mailboxes or more. */
  enforceAllowance: boolean;
  /** Folders created with the mailbox (name + special-use attribute). */
  folders: ReadonlyArray<{ name: string; specialUse: SpecialUse | null }>;
  createdAt: number;
}

export interface Alias {
  address: string;
  targets: string[];
  /** True for postmaster@/abuse@, which follow the domain's admin. */
  system: boolean;
}

export interface AppPassword {
  id: number;
  mailboxId: number;
  name: string;
  /** SHA-256 of the generated secret (secrets are high-entropy, so a fast hash suffices). */
  secretHash: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A domain's DKIM signing key (RFC 6376); the public half is published at `selector._domainkey.domain`. */
export interface DkimKey {
  domain: string;
  selector: string;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
  /** PKCS#8 PEM. */
  privateKey: string;
  /** The base64 SPKI DER for the `p=` tag. */
  publicKey: string;
  /** Active keys sign outgoing mail; an inactive one stays published while it rotates out. */
  active: boolean;
  createdAt: number;
}

/** What a mailbox does with incoming mail besides filing it (forwarding, RFC 3834 vacation replies). */
export interface MailboxRules {
  mailboxId: number;
  /** Addresses every incoming message is forwarded to (local or remote); empty = no forwarding. */
  forwardTo: string[];
  /** Keep a copy in this mailbox when forwarding. */
  keepCopy: boolean;
  vacation: {
    enabled: boolean;
    subject: string;
    body: string;
    /** RFC 3834 §2: at most one reply per sender per this many days. */
    periodDays: number;
    /** Stop replying after this time (ms since the epoch), or null for no end. */
    until: number | null;
  };
}

export interface AccountStore {
  addDomain(d: Domain): Promise<void>;
  getDomain(name: string): Promise<Domain | null>;
  listDomains(): Promise<Domain[]>;
  updateDomain(name: string, change: Partial<Pick<Domain, 'adminAddress' | 'signupPolicy'>>): Promise<void>;
  /** Removes the domain, its aliases, and (only when `withMailboxes`) its mailboxes; else refuses `not-empty`. */
  removeDomain(name: string, withMailboxes: boolean): Promise<void>;

  getSubscriber(id: number): Promise<Subscriber | null>;
  getSubscriberByHolder(holder: string): Promise<Subscriber | null>;
  setAllowance(id: number, allowance: number): Promise<void>;
  countMailboxes(subscriberId: number): Promise<number>;

  /** Atomically: check the address is free (no mailbox, no alias), check the allowance, create subscriber, mailbox, folders. */
  createMailbox(m: NewMailbox): Promise<Mailbox>;
  getMailbox(address: string): Promise<Mailbox | null>;
  getMailboxById(id: number): Promise<Mailbox | null>;
  listMailboxes(filter?: { domain?: string; subscriberId?: number }): Promise<Mailbox[]>;
  updateMailbox(id: number, change: Partial<Pick<Mailbox, 'passwordHash' | 'quotaBytes' | 'role' | 'disabled'>>): Promise<void>;
  /** Removes the mailbox with its folders, messages, app passwords and events; a subscriber left empty goes too. */
  removeMailbox(id: number): Promise<void>;

  /** Adds targets to an alias (creating it); refuses `taken` if a mailbox has that address. */
  addAlias(address: string, targets: string[], system: boolean): Promise<void>;
  getAlias(address: string): Promise<Alias | null>;
  listAliases(domain?: string): Promise<Alias[]>;
  /** Removes one target, or the whole alias when `target` is omitted. */
  removeAlias(address: string, target?: string): Promise<void>;

  getMailboxRules(mailboxId: number): Promise<MailboxRules | null>;
  setMailboxRules(rules: MailboxRules): Promise<void>;
  /**
   * A server-wide setting created once (e.g. the SRS secret): returns the stored value, storing `value` first if the
   * key had none. Every node gets the same answer.
   */
  settingOnce(key: string, value: string): Promise<string>;

  /** Adds a DKIM key (refuses `exists` for a selector already used by the domain). */
  addDkimKey(k: DkimKey): Promise<void>;
  listDkimKeys(domain: string): Promise<DkimKey[]>;
  setDkimKeyActive(domain: string, selector: string, active: boolean): Promise<void>;

  addAppPassword(mailboxId: number, name: string, secretHash: string, createdAt: number): Promise<AppPassword>;
  listAppPasswords(mailboxId: number): Promise<AppPassword[]>;
  findAppPassword(mailboxId: number, secretHash: string): Promise<AppPassword | null>;
  touchAppPassword(id: number, at: number): Promise<void>;
  revokeAppPassword(mailboxId: number, name: string): Promise<boolean>;
}
