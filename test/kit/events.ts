/** Reading a mailbox's event log from a test: writes happen after the protocol reply, so poll briefly. */
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { MailboxEvent } from '../../src/store/types.js';

export async function waitForEvents(dataDir: string, address: string, ok: (events: MailboxEvent[]) => boolean, timeoutMs = 5000): Promise<MailboxEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const store = openSqliteStore({ path: join(dataDir, 'outpost.db') });
    let events: MailboxEvent[] = [];
    try {
      const m = await store.getMailbox(address);
      events = m ? await store.listEvents(m.id, 100) : [];
    } finally {
      await store.close();
    }
    if (ok(events) || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
}
