/** Per-mailbox forwarding and vacation settings, validated, for the CLI and (later) the settings page. */
import type { MailboxRules, Store } from '../store/types.js';
import { UserError } from '../lib/errors.js';
import { parseAddress } from '../mail/address.js';

/** Forward targets per mailbox: forwarding is not a mailing list. */
const MAX_FORWARD_TARGETS = 10;
/** Vacation text: a few paragraphs, not a newsletter. */
const MAX_VACATION_BODY = 10_000;

const defaults = (mailboxId: number): MailboxRules => ({
  mailboxId,
  forwardTo: [],
  keepCopy: true,
  vacation: { enabled: false, subject: '', body: '', periodDays: 7, until: null },
});

export class RulesService {
  constructor(private readonly store: Store) {}

  private async mailbox(address: string) {
    const m = await this.store.getMailbox(parseAddress(address).address);
    if (!m) throw new UserError('not-found', `no mailbox ${address}`);
    return m;
  }

  async get(address: string): Promise<MailboxRules> {
    const m = await this.mailbox(address);
    return (await this.store.getMailboxRules(m.id)) ?? defaults(m.id);
  }

  /** Forwards every incoming message to `targets` (none = stop forwarding), keeping a copy or not. */
  async setForwarding(address: string, targets: string[], keepCopy: boolean): Promise<MailboxRules> {
    const m = await this.mailbox(address);
    const list = [...new Set(targets.map((t) => parseAddress(t).address))];
    if (list.includes(m.address)) throw new UserError('invalid', 'a mailbox cannot forward to itself');
    if (list.length > MAX_FORWARD_TARGETS) throw new UserError('invalid', `at most ${MAX_FORWARD_TARGETS} forwarding addresses`);
    const rules = { ...(await this.get(m.address)), forwardTo: list, keepCopy: list.length === 0 ? true : keepCopy };
    await this.store.setMailboxRules(rules);
    return rules;
  }

  async setVacation(address: string, v: { enabled: boolean; subject?: string; body?: string; periodDays?: number; until?: number | null }): Promise<MailboxRules> {
    const m = await this.mailbox(address);
    const current = await this.get(m.address);
    const next = { ...current.vacation, ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) } as MailboxRules['vacation'];
    if (next.enabled && next.body.trim() === '') throw new UserError('invalid', 'a vacation reply needs a message');
    if (next.body.length > MAX_VACATION_BODY) throw new UserError('invalid', `the vacation message may be at most ${MAX_VACATION_BODY} characters`);
    if (!Number.isInteger(next.periodDays) || next.periodDays < 1 || next.periodDays > 365)
      throw new UserError('invalid', 'the reply period is a whole number of days from 1 to 365');
    if (/[\r\n]/.test(next.subject)) throw new UserError('invalid', 'the subject must be one line');
    const rules = { ...current, vacation: next };
    await this.store.setMailboxRules(rules);
    return rules;
  }
}
