/**
 * Per-mailbox "spam / not spam" training. The webmail (and IMAP moves to/from Junk, later) call `train`; the
 * built-in engine reads the sender's standing for that mailbox. State lives in store counters, shared by all nodes.
 */
import type { CounterStore } from '../store/types.js';

/** Training is remembered for two years: long enough to matter, short enough to forget a reformed sender. */
const TRAINING_WINDOW_MS = 2 * 365 * 24 * 3600 * 1000;

export type TrainingVerdict = 'spam' | 'ham';

export class SpamTraining {
  constructor(
    private readonly counters: CounterStore,
    private readonly now: () => number,
  ) {}

  private key(mailboxId: number, verdict: TrainingVerdict, sender: string): string {
    return `train:${verdict}:${mailboxId}:${sender.toLowerCase()}`;
  }

  /** Records that a mailbox's owner called mail from `sender` spam or not spam. */
  async train(mailboxId: number, sender: string, verdict: TrainingVerdict): Promise<void> {
    if (!sender) return;
    await this.counters.hitCounter(this.key(mailboxId, verdict, sender), this.now(), TRAINING_WINDOW_MS);
    await this.counters.clearCounter(this.key(mailboxId, verdict === 'spam' ? 'ham' : 'spam', sender));
  }

  /** +1 when the owner marked this sender as spam (more often than not), -1 for not spam, 0 when untrained. */
  async standing(mailboxId: number, sender: string): Promise<-1 | 0 | 1> {
    if (!sender) return 0;
    const [spam, ham] = await Promise.all([
      this.counters.getCounter(this.key(mailboxId, 'spam', sender)),
      this.counters.getCounter(this.key(mailboxId, 'ham', sender)),
    ]);
    const s = spam?.count ?? 0;
    const h = ham?.count ?? 0;
    return s > h ? 1 : h > s ? -1 : 0;
  }
}
