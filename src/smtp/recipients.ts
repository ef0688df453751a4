/**
 * RCPT TO: where a recipient's copy goes. A local address must exist now (550 5.1.1 at RCPT, so we never accept
 * mail we would have to bounce later); aliases expand (to local mailboxes and to remote forwards); a mailbox over
 * quota answers 452 4.2.2; a remote address goes to the outbound queue if the relay policy allows it.
 *
 * RFC 5321 §4.1.1.3 (RCPT, `<Postmaster>`), §3.6.2 (relaying), §4.5.3.1.8 (recipient limit); RFC 3463.
 */
import type { Mailbox, Store } from '../store/types.js';
import type { ForwardPath, PathMailbox } from '../protocol/smtp/path.js';
import { formatLocalPart } from '../protocol/smtp/path.js';
import { parseAddress } from '../mail/address.js';
import { smtpServerLimits } from '../lib/limits.js';
import { SmtpRefusal, Status } from './status.js';
import type { Srs } from '../inbound/srs.js';
import { isEchoAddress } from '../echo/responder.js';

/** Where one accepted recipient's copies go. */
export interface RecipientRoute {
  /** The address as the client wrote it (for logs and the queue's ORCPT default). */
  readonly address: string;
  /** Local mailboxes that get a copy in INBOX. */
  readonly mailboxes: readonly Mailbox[];
  /** Addresses handed to the outbound queue: the recipient itself, or an alias's remote targets. */
  readonly remote: readonly string[];
  /** True when the recipient is not in a local domain (so it needed the relay policy). */
  readonly relayed: boolean;
}

export type Resolution =
  | { kind: 'local'; mailboxes: Mailbox[]; forwards: string[] }
  | { kind: 'remote'; address: string }
  | { kind: 'unknown'; reason: string };

/** The canonical lookup key of a path mailbox in a local domain, or null when it cannot be one of ours. */
export function localKey(m: PathMailbox): string | null {
  if (m.domain.kind !== 'name') return null;
  try {
    return parseAddress(`${m.localPart}@${m.domain.ascii}`).address;
  } catch {
    return null; // quoted local parts with @, spaces…: not an address we hand out
  }
}

/** The address to queue for a remote mailbox: the local part as on the wire, the domain in ASCII or as a literal. */
export function remoteAddress(m: PathMailbox): string {
  const domain = m.domain.kind === 'name' ? m.domain.ascii : m.domain.text;
  return `${formatLocalPart(m.localPart)}@${domain}`;
}

/**
 * Resolves a forward path against the store. `primaryDomain` receives `<Postmaster>`; `srs` recognises the
 * rewritten senders of mail we forwarded, so bounces to them go back to the original sender. `echoLocalPart` names
 * the echo address of every local domain (src/echo): accepted with no mailbox when no real address has that name.
 */
export async function resolveRecipient(store: Store, path: ForwardPath, primaryDomain: string, srs?: Srs, echoLocalPart: string | null = null): Promise<Resolution> {
  if (path.kind === 'postmaster') return expand(store, `postmaster@${primaryDomain}`);
  const m = path.mailbox;
  // RFC 5321 §4.1.3: an address literal names a host, never one of our domains: never local.
  if (m.domain.kind !== 'name') return { kind: 'remote', address: remoteAddress(m) };
  if (!(await store.getDomain(m.domain.ascii))) return { kind: 'remote', address: remoteAddress(m) };
  if (srs && /^srs0=/i.test(m.localPart)) {
    const r = await srs.reverse(m.localPart);
    return r.ok ? { kind: 'local', mailboxes: [], forwards: [r.address] } : { kind: 'unknown', reason: `srs-${r.reason}` };
  }
  const key = localKey(m);
  if (key === null) return { kind: 'unknown', reason: 'not-an-address' };
  const r = await expand(store, key);
  if (r.kind === 'unknown' && r.reason === 'no-such-address' && isEchoAddress(key, echoLocalPart)) return { kind: 'local', mailboxes: [], forwards: [] };
  return r;
}

/**
 * Expands a local address: a mailbox (and where it forwards to), or an alias (recursively, depth-limited) to
 * mailboxes and remote forwards. A cycle of forwards that keeps no copy anywhere is a loop: refused once at RCPT
 * (554 5.4.6), so the sender gets one bounce instead of mail circling between mailboxes.
 */
async function expand(store: Store, address: string): Promise<Resolution> {
  const mailboxes = new Map<number, Mailbox>();
  const forwards = new Set<string>();
  const seen = new Set<string>();
  let disabled = false;
  let looped = false;
  const visit = async (addr: string, depth: number): Promise<void> => {
    if (seen.has(addr) || depth > smtpServerLimits.aliasDepthMax) {
      looped = true;
      return;
    }
    seen.add(addr);
    const mailbox = await store.getMailbox(addr);
    if (mailbox) {
      if (mailbox.disabled) {
        disabled = true;
        return;
      }
      const rules = await store.getMailboxRules(mailbox.id);
      if (!rules || rules.forwardTo.length === 0 || rules.keepCopy) mailboxes.set(mailbox.id, mailbox);
      for (const t of rules?.forwardTo ?? []) await visit(t.toLowerCase(), depth + 1);
      return;
    }
    const alias = await store.getAlias(addr);
    if (alias) {
      for (const t of alias.targets) await visit(t.toLowerCase(), depth + 1);
      return;
    }
    if (depth > 0) {
      const domain = addr.slice(addr.lastIndexOf('@') + 1);
      if (!(await store.getDomain(domain))) forwards.add(addr); // an alias forwarding to another provider
    }
  };
  await visit(address, 0);
  if (mailboxes.size === 0 && forwards.size === 0) return { kind: 'unknown', reason: looped ? 'forwarding-loop' : disabled ? 'disabled' : 'no-such-address' };
  return { kind: 'local', mailboxes: [...mailboxes.values()], forwards: [...forwards] };
}

/**
 * RFC 3463 X.2.2: refuses a recipient whose mailbox is already over quota, or would be with the declared SIZE.
 * Temporary (452), so the sender retries once the owner has made room.
 */
export function checkQuota(mailboxes: readonly Mailbox[], declaredSize: number | undefined): void {
  for (const m of mailboxes) {
    if (m.quotaBytes > 0 && m.usedBytes + (declaredSize ?? 0) >= m.quotaBytes)
      throw new SmtpRefusal(Status.MailboxFull, `mailbox full: ${m.address} is over its storage quota; try again later`, { logReason: 'quota' });
  }
}

export function unknownRecipient(address: string, reason: string): SmtpRefusal {
  if (reason === 'forwarding-loop')
    return new SmtpRefusal(Status.Loop, `mail for <${address}> is forwarded in a loop and kept nowhere; please tell the owner`, { logReason: reason });
  return new SmtpRefusal(Status.NoSuchUser, `no such mailbox here: <${address}>`, { logReason: reason });
}
