/** List rows: the quick address reading agrees with the full RFC 5322 parser; newest-first windows over sparse UIDs. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { groupConversations, rowPeople, newestEntries, storeNeedle } from '../../src/webmail/listing.js';
import { describeMessage } from '../../src/imap/engine/describe.js';
import { baseSubject, senderKey, sortKeysOf, structureHasAttachment } from '../../src/mail/sort-keys.js';
import { people } from '../../src/webmail/message.js';
import type { MessageEntry, Store } from '../../src/store/types.js';

describe('rowPeople', () => {
  it('answers as the full parser does, for any display name and address', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'B', ' ', '"', '\\', ',', ';', ':', '<', '>', '@', '(', ')', 'é', '.', '-', '\t', 'x') });
    const addr = fc.tuple(fc.stringMatching(/^[a-z0-9._+-]{1,8}$/), fc.stringMatching(/^[a-z0-9-]{1,8}\.[a-z]{2,4}$/)).map(([l, d]) => `${l}@${d}`);
    fc.assert(
      fc.property(text, addr, fc.constantFrom('quoted', 'bare-name', 'addr', 'angle', 'raw'), (name, a, form) => {
        const value = form === 'quoted' ? `"${name.replace(/["\\]/g, '\\$&')}" <${a}>` : form === 'bare-name' ? `${name} <${a}>` : form === 'addr' ? a : form === 'angle' ? `<${a}>` : name;
        assert.deepEqual(rowPeople(value), people(value), value);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('newestEntries', () => {
  const entry = (uid: number): MessageEntry => ({ folderId: 1, uid, messageId: uid, blobId: '', size: uid, flags: [], modSeq: 1, internalDate: uid, meta: { size: uid, subject: `s${uid}`, from: null, to: null, cc: null, date: null, messageId: null, inReplyTo: null, references: null, structure: null } });
  const storeOf = (uids: number[]) => {
    const calls: Array<[number, number]> = [];
    const store = {
      listEntries: async (_f: number, r: { fromUid?: number; toUid?: number }) => {
        calls.push([r.fromUid!, r.toUid!]);
        return uids.filter((u) => u >= r.fromUid! && u <= r.toUid!).map(entry);
      },
    } as unknown as Store;
    return { store, calls };
  };

  it('reads one window for a dense folder and pages by cursor', async () => {
    const { store, calls } = storeOf(Array.from({ length: 100_000 }, (_, i) => i + 1));
    const p = await newestEntries(store, 1, 100_001, undefined, 50);
    assert.deepEqual(p.entries.map((e) => e.uid), Array.from({ length: 50 }, (_, i) => 100_000 - i));
    assert.equal(p.more, true);
    assert.equal(calls.length, 1);
    const q = await newestEntries(store, 1, 100_001, p.entries.at(-1)!.uid, 50);
    assert.equal(q.entries[0]!.uid, 99_950);
  });

  it('widens the window over sparse UIDs and stops at the first UID', async () => {
    const uids = [3, 500, 9000, 9001, 20000];
    const { store } = storeOf(uids);
    const p = await newestEntries(store, 1, 30_000, undefined, 4);
    assert.deepEqual(p.entries.map((e) => e.uid), [20000, 9001, 9000, 500]);
    assert.equal(p.more, true);
    const all = await newestEntries(store, 1, 30_000, undefined, 50);
    assert.deepEqual(all.entries.map((e) => e.uid), [...uids].reverse());
    assert.equal(all.more, false);
  });

  it('the store is asked for the longest ASCII run of a needle (its LIKE ignores ASCII case only)', () => {
    assert.equal(storeNeedle('Sender7@'), 'Sender7@');
    assert.equal(storeNeedle('Émile Zola'), 'mile Zola');
    assert.equal(storeNeedle('日本'), undefined);
    assert.equal(storeNeedle(''), undefined);
  });
});

describe('sort keys (RFC 5256 §2.1 base subject, sender, sent date)', () => {
  it('base subject: Re:/Fwd:/list tags/(fwd) trailers/[fwd: ...] removed, whitespace collapsed, folded', () => {
    const cases: Array<[string | null, string]> = [
      ['Re: banana', 'banana'],
      ['RE: re: Fwd: FW: Banana', 'banana'],
      ['Re[2]: banana', 'banana'],
      ['[list] Re: [other] banana', 'banana'],
      ['[list]   Re:  banana split (fwd)', 'banana split'],
      ['[Fwd: Re: banana]', 'banana'],
      ['[list]', '[list]'],
      ['AW: Sv: WG: Besprechung', 'besprechung'],
      ['Réunion   du\tlundi', 'réunion du lundi'],
      ['=?UTF-8?Q?Caf=C3=A9?= menu', 'café menu'],
      ['Reply all', 'reply all'],
      [null, ''],
    ];
    for (const [subject, base] of cases) assert.equal(baseSubject(subject), base, String(subject));
  });

  it('sender: display name, else address, folded; date: Date, else internal date', () => {
    assert.equal(senderKey('"Zoë Q" <z@x.test>'), 'zoë q');
    assert.equal(senderKey('Bob@X.test'), 'bob@x.test');
    assert.equal(senderKey('=?UTF-8?B?w4ltaWxl?= <e@x.test>'), 'émile');
    assert.equal(senderKey(null), '');
    assert.deepEqual(sortKeysOf({ date: null, from: 'a@b.test', subject: 'Fwd: x' }, 42), { date: 42, from: 'a@b.test', subject: 'x' });
  });
});

describe('groupConversations', () => {
  const e = (uid: number, id: string, refs: string | null) => ({ uid, internalDate: uid, meta: { messageId: id, inReplyTo: null, references: refs, date: null, size: 1, subject: null, from: null, to: null, cc: null, structure: null } });
  it('groups by references (even through a missing parent), newest conversation first', () => {
    const a1 = e(1, '<a1@x>', null);
    const b1 = e(2, '<b1@x>', null);
    const a3 = e(3, '<a3@x>', '<a1@x> <a2@x>');
    const c = e(4, '<c@x>', '<gone@x>');
    const c2 = e(5, '<c2@x>', '<gone@x>');
    assert.deepEqual(groupConversations([a1, b1, a3, c, c2]).map((g) => g.map((x) => x.uid)), [[4, 5], [1, 3], [2]]);
  });
});

describe('structureHasAttachment (from the BODYSTRUCTURE stored at delivery)', () => {
  const mixed = (second: string) =>
    Buffer.from(`From: a@b.test\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n${second}\r\n\r\nAAAA\r\n--b--\r\n`);
  const has = (raw: Buffer) => structureHasAttachment(describeMessage(raw).structure);
  it('an attachment disposition, or a named part that is not text, is an attachment', () => {
    assert.equal(has(Buffer.from('From: a@b.test\r\nSubject: x\r\n\r\nplain\r\n')), false);
    assert.equal(has(mixed('Content-Type: application/pdf\r\nContent-Disposition: ATTACHMENT; filename=x.pdf')), true);
    assert.equal(has(mixed('Content-Type: image/png; name=photo.png')), true);
    assert.equal(has(mixed('Content-Type: text/plain\r\nContent-Disposition: attachment; filename=notes.txt')), true);
    assert.equal(has(mixed('Content-Type: text/plain; name=notes.txt\r\nContent-Disposition: inline')), false);
    assert.equal(has(mixed('Content-Type: image/png\r\nContent-Disposition: inline')), false);
    const inner = 'From: c@d.test\r\nSubject: inner\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\nContent-Type: application/zip; name=a.zip\r\n\r\nUEs=\r\n--i--';
    assert.equal(has(mixed(`Content-Type: message/rfc822\r\n\r\n${inner}`)), true);
    assert.equal(structureHasAttachment(null), null, 'no stored description: unknown');
    assert.equal(structureHasAttachment({ v: 2, body: {} }), null);
  });
});
