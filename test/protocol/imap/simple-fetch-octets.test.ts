/**
 * simpleFetchOctets (the direct path of FETCH responses with plain values and in-memory text, e.g. a header
 * listing) gives exactly the octets of fetchResponse through the encoder, and leaves to the encoder what it does
 * not handle.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeResponseChunks, fetchResponse, joinChunks, simpleFetchOctets, type FetchResponseItem, type Section, type SectionText } from '../../../src/protocol/imap/index.js';

const viaEncoder = (seq: number, items: FetchResponseItem[]): Buffer => joinChunks(encodeResponseChunks(fetchResponse(seq, items)));

const flag = fc.oneof(fc.constantFrom('\\Seen', '\\Answered', '\\Recent', '$Junk'), fc.stringMatching(/^[\x21\x23-\x27\x2b-\x5b\x5d-\x7a\x7c\x7e]{1,12}$/));
const fieldName = fc.stringMatching(/^[A-Za-z0-9-]{1,16}$/);
const sectionText: fc.Arbitrary<SectionText | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom<SectionText>({ kind: 'header' }, { kind: 'text' }, { kind: 'mime' }),
  fc.record({ kind: fc.constant('header-fields' as const), fields: fc.array(fieldName, { minLength: 1, maxLength: 5 }), not: fc.boolean() }),
);
const section: fc.Arbitrary<Section> = fc.record({ part: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 3 }), text: sectionText });
const content = fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)));
const item: fc.Arbitrary<FetchResponseItem> = fc.oneof(
  fc.integer({ min: 1, max: 2 ** 32 - 1 }).map((uid) => ({ kind: 'UID' as const, uid })),
  fc.array(flag, { maxLength: 5 }).map((flags) => ({ kind: 'FLAGS' as const, flags })),
  fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map((modSeq) => ({ kind: 'MODSEQ' as const, modSeq })),
  fc.integer({ min: 0, max: 2 ** 40 }).map((size) => ({ kind: 'RFC822.SIZE' as const, size })),
  fc
    .record({ t: fc.integer({ min: 0, max: 4_102_444_800_000 }), offsetMinutes: fc.integer({ min: -720, max: 840 }) })
    .map(({ t, offsetMinutes }) => ({ kind: 'INTERNALDATE' as const, date: new Date(t), offsetMinutes })),
  fc.record({ kind: fc.constantFrom('RFC822' as const, 'RFC822.HEADER' as const, 'RFC822.TEXT' as const), content }),
  fc.record({ kind: fc.constant('BODY[]' as const), section, origin: fc.option(fc.nat(), { nil: undefined }), content }),
);

describe('simpleFetchOctets', () => {
  it('gives the same octets as fetchResponse through the encoder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 32 - 1 }), fc.array(item, { maxLength: 6 }), (seq, items) => {
        const direct = simpleFetchOctets(seq, items);
        assert.ok(direct);
        assert.deepEqual(direct, viaEncoder(seq, items));
      }),
      { numRuns: 1000 },
    );
  });

  it('a header listing line, literal and all', () => {
    const header = Buffer.from('Subject: hi\r\n\r\n');
    const line = simpleFetchOctets(3, [
      { kind: 'UID', uid: 9 },
      { kind: 'RFC822.SIZE', size: 120 },
      { kind: 'BODY[]', section: { part: [], text: { kind: 'header-fields', fields: ['subject', 'From'], not: false } }, origin: undefined, content: header },
    ]);
    assert.equal(line!.toString('latin1'), '* 3 FETCH (UID 9 RFC822.SIZE 120 BODY[HEADER.FIELDS (SUBJECT FROM)] {15}\r\nSubject: hi\r\n\r\n)\r\n');
  });

  it('leaves structures, BINARY and streamed bodies to the encoder, and refuses what it refuses', () => {
    assert.equal(simpleFetchOctets(1, [{ kind: 'BINARY.SIZE', part: [1], size: 3 }]), null);
    assert.equal(simpleFetchOctets(1, [{ kind: 'RFC822', content: { kind: 'stream', size: 10, binary: false, source: null } }]), null);
    assert.throws(() => simpleFetchOctets(1, [{ kind: 'FLAGS', flags: ['two words'] }]), RangeError);
    assert.throws(() => simpleFetchOctets(1, [{ kind: 'UID', uid: 1.5 }]), RangeError);
    const badName = { part: [], text: { kind: 'header-fields' as const, fields: ['a b'], not: false } };
    assert.throws(() => simpleFetchOctets(1, [{ kind: 'BODY[]', section: badName, origin: undefined, content: null }]), RangeError);
  });
});
