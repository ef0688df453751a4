/** The webmail preferences of a mailbox, validated (display name, signature, senders whose images are shown). */
import { UserError } from '../lib/errors.js';
import { webmailLimits } from '../lib/limits.js';
import type { Store, WebmailPrefs } from '../store/types.js';

export class Prefs {
  constructor(private readonly store: Store) {}

  async get(mailboxId: number): Promise<WebmailPrefs> {
    return (await this.store.getWebmailPrefs(mailboxId)) ?? { displayName: '', signature: '', trustedSenders: [] };
  }

  async update(mailboxId: number, change: Partial<Pick<WebmailPrefs, 'displayName' | 'signature'>>): Promise<WebmailPrefs> {
    const p = await this.get(mailboxId);
    const displayName = (change.displayName ?? p.displayName).trim();
    const signature = (change.signature ?? p.signature).replace(/\r\n?/g, '\n');
    if (displayName.length > webmailLimits.displayNameChars || /[\u0000-\u001f\u007f<>@"]/.test(displayName))
      throw new UserError('invalid', `the display name must be at most ${webmailLimits.displayNameChars} characters, without < > @ " or control characters`);
    if (signature.length > webmailLimits.signatureChars) throw new UserError('invalid', `the signature may be at most ${webmailLimits.signatureChars} characters`);
    const next = { ...p, displayName, signature };
    await this.store.setWebmailPrefs(mailboxId, next);
    return next;
  }

  /** Shows (or stops showing) remote images of one sender. */
  async trustSender(mailboxId: number, sender: string, trusted: boolean): Promise<void> {
    const s = sender.trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(s)) throw new UserError('invalid', 'not a sender address');
    const p = await this.get(mailboxId);
    const rest = p.trustedSenders.filter((x) => x !== s);
    const list = trusted ? [...rest, s].slice(-webmailLimits.trustedSenders) : rest;
    await this.store.setWebmailPrefs(mailboxId, { ...p, trustedSenders: list });
  }
}
