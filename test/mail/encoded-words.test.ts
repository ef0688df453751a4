import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeEncodedWords, hasEncodedWords } from '../../src/mail/encoded-words.js';

describe('decodeEncodedWords (RFC 2047)', () => {
  const cases: Array<[string, string]> = [
    ['plain text', 'plain text'],
    ['=?utf-8?q?caf=C3=A9?=', 'café'],
    ['=?UTF-8?Q?a_b?=', 'a b'],
    ['=?utf-8?b?R3LDvMOfZQ==?=', 'Grüße'],
    ['=?iso-8859-1?q?caf=E9?=', 'café'],
    ['=?ISO-8859-2?Q?=B1?=', 'ą'],
    ['=?koi8-r?b?8NLJ18XU?=', 'Привет'],
    ['=?utf-8?q?a?= =?utf-8?q?b?=', 'ab'],
    ['=?utf-8?q?a?=\r\n =?utf-8?q?b?=', 'ab'],
    ['=?utf-8?q?a?= x =?utf-8?q?b?=', 'a x b'],
    ['Re: =?utf-8?q?caf=C3=A9?= ok', 'Re: café ok'],
    // A character split across two words in the same charset.
    ['=?utf-8?q?caf=C3?= =?utf-8?q?=A9?=', 'café'],
    ['=?utf-8*en?q?hi?=', 'hi'],
    ['=?x-unknown?q?hi?=', '=?x-unknown?q?hi?='],
    ['=?utf-8?x?hi?=', '=?utf-8?x?hi?='],
    ['=?utf-8?q?bad=ZZ?=', 'bad=ZZ'],
    ['=?utf-8?q??=', ''],
    ['glued=?utf-8?q?X?=text', 'gluedXtext'],
    ['=?utf-8?b?ZXZpbCA8ZXZpbEB4Pg==?= <me@ours.test>', 'evil <evil@x> <me@ours.test>'],
  ];
  for (const [input, expected] of cases) {
    it(`decodes ${JSON.stringify(input)}`, () => assert.equal(decodeEncodedWords(input), expected));
  }

  it('detects encoded words', () => {
    assert.equal(hasEncodedWords('=?utf-8?q?x?='), true);
    assert.equal(hasEncodedWords('=? not one ?='), false);
  });

  it('never throws (property)', () => {
    const word = fc
      .tuple(fc.constantFrom('utf-8', 'iso-8859-1', 'shift_jis', 'utf-16', 'nope', ''), fc.constantFrom('b', 'q', 'B', 'x'), fc.string())
      .map(([c, e, t]) => `=?${c}?${e}?${t}?=`);
    fc.assert(
      fc.property(fc.array(fc.oneof(word, fc.string(), fc.constant(' ')), { maxLength: 8 }), (parts) => {
        decodeEncodedWords(parts.join(''));
      }),
      { numRuns: 500 },
    );
  });
});
