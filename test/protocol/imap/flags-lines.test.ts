/**
 * FlagsLines (the text fast path of FETCH and STORE responses) gives exactly the octets of fetchResponse through
 * the encoder, for any UID/FLAGS/MODSEQ items in any order, \Recent included, and refuses the flags the encoder
 * refuses.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeResponseChunks, fetchResponse, FlagsLines, joinChunks, type FlagsFetchItem } from '../../../src/protocol/imap/index.js';

const viaEncoder = (seq: number, items: FlagsFetchItem[]): string => joinChunks(encodeResponseChunks(fetchResponse(seq, items))).toString('latin1');

const flag = fc.oneof(
  fc.constantFrom('\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '$Junk', 'NonJunk'),
  fc.stringMatching(/^[\x21\x23-\x27\x2b-\x5b\x5d-\x7a\x7c\x7e]{1,12}$/),
);
const kind = fc.constantFrom<FlagsFetchItem['kind']>('UID', 'FLAGS', 'MODSEQ');

/** The items a message's line stands for, as the general encoder takes them. */
function itemsOf(kinds: readonly FlagsFetchItem['kind'][], uid: number, flags: readonly string[], recent: boolean, modSeq: number): FlagsFetchItem[] {
  return kinds.map((k): FlagsFetchItem => {
    if (k === 'UID') return { kind: 'UID', uid };
    if (k === 'MODSEQ') return { kind: 'MODSEQ', modSeq: BigInt(modSeq) };
    return { kind: 'FLAGS', flags: recent ? [...flags, '\\Recent'] : flags };
  });
}

describe('FlagsLines', () => {
  it('writes the lines a client resynchronising sees', () => {
    const lines = new FlagsLines(['UID', 'FLAGS']);
    assert.equal(lines.line(1, 7, [], false, 3), '* 1 FETCH (UID 7 FLAGS ())\r\n');
    const seen = ['\\Seen', 'work'];
    assert.equal(lines.line(2, 9, seen, true, 3), '* 2 FETCH (UID 9 FLAGS (\\Seen work \\Recent))\r\n');
    assert.equal(lines.line(3, 10, seen, false, 3), '* 3 FETCH (UID 10 FLAGS (\\Seen work))\r\n', 'the cached list is not the \\Recent one');
    assert.equal(new FlagsLines(['UID', 'FLAGS', 'MODSEQ']).line(20000, 4, seen, false, 12), '* 20000 FETCH (UID 4 FLAGS (\\Seen work) MODSEQ (12))\r\n');
  });

  it('gives the same octets as fetchResponse through the encoder', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 2 ** 32 - 1 }),
        fc.array(kind, { maxLength: 5 }),
        fc.array(flag, { maxLength: 6 }),
        fc.boolean(),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        (seq, uid, kinds, flags, recent, modSeq) => {
          const lines = new FlagsLines(kinds);
          // Twice: the second line comes from the cached flag text.
          for (let i = 0; i < 2; i++) assert.equal(lines.line(seq, uid, flags, recent, modSeq), viaEncoder(seq, itemsOf(kinds, uid, flags, recent, modSeq)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a flag that is not an atom, as the encoder does', () => {
    for (const bad of ['two words', 'a(b', 'quo"te', 'x\r\ny', '']) {
      assert.throws(() => new FlagsLines(['FLAGS']).line(1, 1, [bad], false, 1), RangeError);
      assert.throws(() => viaEncoder(1, [{ kind: 'FLAGS', flags: [bad] }]), RangeError);
    }
  });
});
