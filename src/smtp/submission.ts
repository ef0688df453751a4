/**
 * Submission rules (RFC 6409) that depend on who signed in: which addresses a mailbox may send as.
 * A mailbox owns its own address and every alias that delivers to it (RFC 6409 §8.1 allows refusing the rest;
 * like mox we do, 550 5.7.1). The null reverse-path `<>` is allowed (RFC 6409 §4.3: it must not by itself cause a
 * rejection). The header checks (From/Sender and their tricks) are in src/mail/submission.ts.
 */
import type { Mailbox, Store } from '../store/types.js';
import type { ReversePath } from '../protocol/smtp/path.js';
import { localKey } from './recipients.js';
import { SmtpRefusal, Status } from './status.js';

/** The addresses (canonical, lower case) a mailbox may use as envelope sender and in From/Sender. */
export async function ownedAddresses(store: Store, mailbox: Mailbox): Promise<Set<string>> {
  const owned = new Set([mailbox.address]);
  for (const alias of await store.listAliases()) {
    if (alias.targets.some((t) => t.toLowerCase() === mailbox.address)) owned.add(alias.address.toLowerCase());
  }
  return owned;
}

/** RFC 6409 §8.1: refuses an envelope sender the signed-in mailbox does not own. */
export function checkEnvelopeSender(path: ReversePath, owned: ReadonlySet<string>, mailbox: Mailbox): void {
  if (path.kind === 'null') return;
  const key = localKey(path.mailbox);
  if (key !== null && owned.has(key)) return;
  throw new SmtpRefusal(
    Status.SenderNotOwned,
    `sender <${path.mailbox.address}> is not yours: you are signed in as ${mailbox.address}; send from that address or one of your aliases`,
    { logReason: 'sender-not-owned' },
  );
}
