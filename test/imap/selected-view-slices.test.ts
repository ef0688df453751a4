/**
 * SelectedView.slices and resolve pick exactly the messages a naive reading of the set picks (each message tested
 * with sequenceSetIncludes), by UID over a folder with gaps in its UIDs and by sequence number, with the BAD for a
 * sequence number past the last message (RFC 9051 §9). Property test on a real SQLite store.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testServices, type TestServices } from '../kit/services.js';
import { SelectedView } from '../../src/imap/selected-view.js';
import { ImapBad } from '../../src/imap/errors.js';
import { extractMeta } from '../../src/mail/meta.js';
import { sequenceSetIncludes, type SeqNumber } from '../../src/protocol/imap/index.js';

let t: TestServices;
let view: SelectedView;

before(async () => {
  t = await testServices();
  await t.accounts.bootstrap('example.test', 'admins secret passphrase');
  const box = await t.accounts.addMailbox('alice@example.test', 'a long good passphrase');
  const inbox = (await t.store.getFolder(box.id, 'INBOX'))!;
  for (let i = 1; i <= 60; i++) {
    const raw = Buffer.from(`Subject: ${i}\r\n\r\nbody\r\n`);
    await t.store.append(inbox.id, raw, extractMeta(raw), [], 1000 + i);
  }
  // Gaps: UIDs 1-3, 10-19 and every 7th gone, 60 kept (the largest).
  const doomed = Array.from({ length: 59 }, (_, i) => i + 1).filter((u) => u <= 3 || (u >= 10 && u <= 19) || u % 7 === 0);
  await t.store.storeFlags(inbox.id, doomed, 'add', ['\\Deleted']);
  await t.store.expunge(inbox.id);
  view = await SelectedView.open({ store: t.store, mailboxId: box.id, folderId: inbox.id, name: 'INBOX', readOnly: true });
});
after(async () => {
  view.close();
  await t.close();
});

const seqNumber: fc.Arbitrary<SeqNumber> = fc.oneof(fc.integer({ min: 1, max: 70 }), fc.constant('*' as const));
const set = fc.array(fc.record({ start: seqNumber, end: seqNumber }), { minLength: 1, maxLength: 6 }).map((ranges) => ({ kind: 'set' as const, ranges }));

test('by UID: the messages whose UID the set includes, in order, as disjoint ascending slices', () => {
  const messages = view.messages;
  const largest = messages[messages.length - 1]!.uid;
  assert.equal(largest, 60);
  fc.assert(
    fc.property(set, (s) => {
      const want = messages.filter((m) => sequenceSetIncludes(s, m.uid, largest)).map((m) => m.uid);
      assert.deepEqual(view.resolve(s, true).map((p) => p.message.uid), want);
      const slices = view.slices(s, true);
      for (let i = 1; i < slices.length; i++) assert.ok(slices[i]![0] >= slices[i - 1]![1]);
      assert.deepEqual(slices.flatMap(([from, to]) => messages.slice(from, to).map((m) => m.uid)), want);
    }),
    { numRuns: 1000 },
  );
});

test('by sequence number: the numbers the set includes, or BAD past the last message', () => {
  const count = view.count;
  fc.assert(
    fc.property(set, (s) => {
      const past = s.ranges.some((r) => (r.start !== '*' && r.start > count) || (r.end !== '*' && r.end > count));
      if (past) {
        assert.throws(() => view.resolve(s, false), ImapBad);
        return;
      }
      const want = view.messages.map((_, i) => i + 1).filter((n) => sequenceSetIncludes(s, n, count));
      assert.deepEqual(view.resolve(s, false).map((p) => p.seq), want);
    }),
    { numRuns: 1000 },
  );
});
