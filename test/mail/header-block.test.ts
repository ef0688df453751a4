import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lenientHeaderEnd, parseHeaderFields, splitMessage, unfold } from '../../src/mail/header-block.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('splitMessage', () => {
  const cases: Array<[string, string, string]> = [
    ['Subject: x\r\n\r\nbody\r\n', 'Subject: x\r\n', 'body\r\n'],
    ['A: 1\r\nB: 2\r\n\r\n\r\nbody', 'A: 1\r\nB: 2\r\n', '\r\nbody'],
    ['A: 1\r\nB: 2\r\n', 'A: 1\r\nB: 2\r\n', ''],
    ['A: 1', 'A: 1', ''],
    ['\r\nbody only\r\n', '', 'body only\r\n'],
    ['', '', ''],
    ['A: 1\n\nbody\r\n\r\nmore', 'A: 1\n\nbody\r\n', 'more'],
  ];
  for (const [raw, header, body] of cases) {
    it(`splits ${JSON.stringify(raw)}`, () => {
      const r = splitMessage(b(raw));
      assert.equal(r.header.toString('latin1'), header);
      assert.equal(r.body.toString('latin1'), body);
    });
  }
});

describe('lenientHeaderEnd', () => {
  const cases: Array<[string, number]> = [
    ['A: 1\r\n\r\nx', 6],
    ['A: 1\n\nx', 5],
    ['A: 1\n\r\nx', 5],
    ['\nx', 0],
    ['\r\nx', 0],
    ['A: 1\r\nB: 2', 10],
  ];
  for (const [raw, end] of cases) it(`ends ${JSON.stringify(raw)} at ${end}`, () => assert.equal(lenientHeaderEnd(b(raw)), end));
});

describe('parseHeaderFields', () => {
  const cases: Array<[string, Array<[string, string]>]> = [
    ['Subject: hello\r\n', [['Subject', 'hello']]],
    ['Subject:  two spaces \r\n', [['Subject', 'two spaces ']]],
    ['Subject: a\r\n b\r\n\tc\r\nTo: x\r\n', [['Subject', 'a b\tc'], ['To', 'x']]],
    ['From : obs@x.test\r\n', [['From', 'obs@x.test']]],
    ['FROM:no-space\r\n', [['FROM', 'no-space']]],
    ['no colon here\r\nA: 1\r\n', [['', 'no colon here'], ['A', '1']]],
    [' leading continuation\r\nA: 1\r\n', [['', ' leading continuation'], ['A', '1']]],
    ['A: 1\nB: 2\n', [['A', '1'], ['B', '2']]],
    ['A: 1\rB: 2\r\n', [['A', '1\rB: 2']]],
    ['A: 1', [['A', '1']]],
    ['A:\r\n', [['A', '']]],
    ['A: x\r\n\r\nB: y\r\n', [['A', 'x'], ['', ''], ['B', 'y']]],
    ['Subject: caf\xe9\r\n', [['Subject', 'café']]],
  ];
  for (const [header, expected] of cases) {
    it(`parses ${JSON.stringify(header)}`, () => {
      const fields = parseHeaderFields(b(header));
      assert.deepEqual(fields.map((f) => [f.name, f.value]), expected);
      assert.equal(Buffer.concat(fields.map((f) => f.raw)).toString('latin1'), header);
      for (const f of fields) assert.equal(f.lowerName, f.name.toLowerCase());
    });
  }

  it('reads UTF-8 header text as UTF-8', () => {
    const [f] = parseHeaderFields(Buffer.from('Subject: Grüße\r\n'));
    assert.equal(f?.value, 'Grüße');
  });

  it('never throws, and the raw bytes of the fields add up to the header (property)', () => {
    const bytes = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
    const texty = fc
      .array(fc.constantFrom('A', 'From', ':', ' ', '\t', '\r', '\n', '\r\n', 'x', '=?', '\u00e9'), { maxLength: 60 })
      .map((parts) => Buffer.from(parts.join('')));
    fc.assert(
      fc.property(fc.oneof(bytes, texty), (header) => {
        const fields = parseHeaderFields(header);
        assert.ok(Buffer.concat(fields.map((f) => f.raw)).equals(header));
        splitMessage(header);
        lenientHeaderEnd(header);
      }),
      { numRuns: 500 },
    );
  });
});

describe('unfold', () => {
  it('removes folding line breaks only', () => {
    assert.equal(unfold('a\r\n b\r\n\tc\r\n'), 'a b\tc');
    assert.equal(unfold('a\r\nb'), 'a\r\nb');
  });
});
