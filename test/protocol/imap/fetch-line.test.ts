/**
 * flagsFetchLine (the text fast path of FETCH and STORE responses) gives exactly the octets of fetchResponse through
 * the encoder, for any UID/FLAGS/MODSEQ items, and refuses what the encoder refuses.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeResponseChunks, fetchResponse, flagsFetchLine, joinChunks, type FlagsFetchItem } from '../../../src/protocol/imap/index.js';

const viaEncoder = (seq: number, items: FlagsFetchItem[]): string => joinChunks(encodeResponseChunks(fetchResponse(seq, items))).toString('latin1');

const flag = fc.oneof(
  fc.constantFrom('\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '\\Recent', '$Junk', 'NonJunk'),
  fc.stringMatching(/^[\x21\x23-\x27\x2b-\x5b\x5d-\x7a\x7c\x7e]{1,12}$/),
);
const item: fc.Arbitrary<FlagsFetchItem> = fc.oneof(
  fc.nat().map((uid) => ({ kind: 'UID' as const, uid: uid + 1 })),
  fc.array(flag, { maxLength: 6 }).map((flags) => ({ kind: 'FLAGS' as const, flags })),
  fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map((modSeq) => ({ kind: 'MODSEQ' as const, modSeq })),
);

describe('flagsFetchLine', () => {
  it('writes the lines a client resynchronising sees', () => {
    const checked = new Set<string>();
    assert.equal(flagsFetchLine(1, [{ kind: 'UID', uid: 7 }, { kind: 'FLAGS', flags: [] }], checked), '* 1 FETCH (UID 7 FLAGS ())\r\n');
    assert.equal(
      flagsFetchLine(20000, [{ kind: 'UID', uid: 4 }, { kind: 'FLAGS', flags: ['\\Seen', 'work'] }, { kind: 'MODSEQ', modSeq: 12n }], checked),
      '* 20000 FETCH (UID 4 FLAGS (\\Seen work) MODSEQ (12))\r\n',
    );
    assert.deepEqual([...checked].sort(), ['\\Seen', 'work']);
  });

  it('gives the same octets as fetchResponse through the encoder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 32 }), fc.array(item, { maxLength: 5 }), (seq, items) => {
        assert.equal(flagsFetchLine(seq, items, new Set()), viaEncoder(seq, items));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a flag that is not an atom and numbers that are not IMAP numbers, as the encoder does', () => {
    for (const bad of ['two words', 'a(b', 'quo"te', 'x\r\ny', '']) {
      assert.throws(() => flagsFetchLine(1, [{ kind: 'FLAGS', flags: [bad] }], new Set()), RangeError);
      assert.throws(() => viaEncoder(1, [{ kind: 'FLAGS', flags: [bad] }]), RangeError);
    }
    assert.throws(() => flagsFetchLine(-1, [], new Set()), RangeError);
    assert.throws(() => flagsFetchLine(1, [{ kind: 'UID', uid: 1.5 }], new Set()), RangeError);
  });
});
