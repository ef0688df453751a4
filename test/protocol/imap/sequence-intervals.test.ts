/** sequenceSetIntervals is exactly the set sequenceSetIncludes tests, sorted and merged (property test). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sequenceSetIncludes, sequenceSetIntervals, type SeqNumber } from '../../../src/protocol/imap/index.js';

const seqNumber: fc.Arbitrary<SeqNumber> = fc.oneof(fc.integer({ min: 1, max: 60 }), fc.constant('*' as const));
const set = fc.array(fc.record({ start: seqNumber, end: seqNumber }), { minLength: 1, maxLength: 6 }).map((ranges) => ({ kind: 'set' as const, ranges }));

test('intervals cover exactly the numbers the set includes, sorted, disjoint and not adjacent', () => {
  fc.assert(
    fc.property(set, fc.integer({ min: 0, max: 70 }), (s, largest) => {
      const intervals = sequenceSetIntervals(s, largest);
      for (let i = 1; i < intervals.length; i++) assert.ok(intervals[i]![0] > intervals[i - 1]![1] + 1, 'merged');
      for (const [low, high] of intervals) assert.ok(low <= high);
      const inIntervals = (n: number) => intervals.some(([low, high]) => n >= low && n <= high);
      for (let n = 0; n <= 75; n++) assert.equal(inIntervals(n), sequenceSetIncludes(s, n, largest), `n=${n}`);
    }),
    { numRuns: 2000 },
  );
});
