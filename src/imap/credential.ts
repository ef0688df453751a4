/**
 * The credential a session signed in with, checked again while the session lasts. RFC 5530 §3 EXPIRED: "access is
 * no longer permitted using that passphrase" — in Outpost, when the app password the session used was revoked,
 * when the mailbox's password was changed after a sign-in with it, or when the mailbox was removed; a mailbox
 * that was disabled is CONTACTADMIN, as at sign-in. The session then ends with `* BYE [EXPIRED]` (or
 * `[CONTACTADMIN]`) before its next command, so a phone that was lost, or a password that leaked, stops reading
 * mail at once.
 *
 * Outpost's credentials carry no expiry date, and a revoked app password is deleted, so a sign-in with one is
 * indistinguishable from a wrong password: LOGIN never answers EXPIRED (see src/protocol/imap/codes.ts).
 *
 * The check reads the store at most every imapServerLimits.credentialRecheckMs, never on every command.
 */
import { hashAppPassword } from '../accounts/hashing.js';
import type { Mailbox, Store } from '../store/types.js';

export type SignedInCredential =
  | { readonly kind: 'password'; readonly mailboxId: number; readonly address: string; readonly passwordHash: string }
  | { readonly kind: 'app-password'; readonly mailboxId: number; readonly address: string; readonly secretHash: string; readonly name: string };

/** What the sign-in used: the mailbox's password hash as it was, or the app password's stored hash. */
export function signedInCredential(mailbox: Mailbox, via: 'password' | 'app-password', password: string, appPasswordName: string | null): SignedInCredential {
  if (via === 'app-password') return { kind: 'app-password', mailboxId: mailbox.id, address: mailbox.address, secretHash: hashAppPassword(password), name: appPasswordName ?? '' };
  return { kind: 'password', mailboxId: mailbox.id, address: mailbox.address, passwordHash: mailbox.passwordHash };
}

export type CredentialVerdict = { kind: 'valid' } | { kind: 'expired' | 'disabled'; reason: string };

/** Whether `c` still lets its holder in. */
export async function checkCredential(store: Store, c: SignedInCredential): Promise<CredentialVerdict> {
  const m = await store.getMailbox(c.address);
  if (!m || m.id !== c.mailboxId) return { kind: 'expired', reason: 'the mailbox was removed' };
  if (m.disabled) return { kind: 'disabled', reason: 'the mailbox was disabled' };
  if (c.kind === 'password') return m.passwordHash === c.passwordHash ? { kind: 'valid' } : { kind: 'expired', reason: 'the password was changed' };
  return (await store.findAppPassword(m.id, c.secretHash)) ? { kind: 'valid' } : { kind: 'expired', reason: `the app password "${c.name}" was revoked` };
}

/** A session's credential and when it was last checked. */
export class CredentialWatch {
  #checkedAt: number;

  constructor(
    readonly credential: SignedInCredential,
    signedInAt: number,
    private readonly intervalMs: number,
  ) {
    this.#checkedAt = signedInAt;
  }

  /** Checks the credential when `intervalMs` have passed since the last check; valid otherwise. */
  async check(store: Store, now: number): Promise<CredentialVerdict> {
    if (now - this.#checkedAt < this.intervalMs) return { kind: 'valid' };
    const verdict = await checkCredential(store, this.credential);
    this.#checkedAt = now;
    return verdict;
  }
}
