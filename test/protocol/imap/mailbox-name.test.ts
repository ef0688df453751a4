import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeMailboxName, decodeModifiedUtf7, encodeMailboxName, encodeModifiedUtf7, normaliseInbox } from '../../../src/protocol/imap/mailbox-name.js';

describe('modified UTF-7 (RFC 3501 §5.1.3)', () => {
  const pairs: ReadonlyArray<[string, string]> = [
    ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
    ['中國書店', '&Ti1XC2b4Xpc-'],
    ['☺!', '&Jjo-!'],
    ['Tom & Jerry', 'Tom &- Jerry'],
    ['&', '&-'],
    ['Entwürfe', 'Entw&APw-rfe'],
    ['Gelöschte Elemente', 'Gel&APY-schte Elemente'],
    ['😀', '&2D3eAA-'],
    ['a\u0000b', 'a&AAA-b'],
    ['', ''],
    ['plain ASCII ~!@#$%^*()', 'plain ASCII ~!@#$%^*()'],
  ];
  for (const [name, encoded] of pairs) {
    it(`${JSON.stringify(name)} ⇄ ${encoded}`, () => {
      assert.equal(encodeModifiedUtf7(name), encoded);
      assert.equal(decodeModifiedUtf7(encoded), name);
    });
  }

  it('rejects anything but the canonical encoding', () => {
    for (const bad of [
      '&Jjo', // unterminated
      '&AGE-', // "a" encoded
      '&Jjo-&Jjo-', // two adjacent shifts (must be one)
      '&Jj-', // not a whole UTF-16 unit
      '&Jjp-', // stray bits
      '&2D0-', // lone high surrogate
      '&3gA-', // lone low surrogate
      '&Ti1XC2b4Xpc=-', // padding
      '&Ti1/C2b4Xpc-', // "/" instead of ","
      'tab\there',
      'jörg',
    ]) {
      assert.equal(decodeModifiedUtf7(bad), undefined, bad);
    }
  });

  it('round-trips any well-formed name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (name) => {
        const encoded = encodeModifiedUtf7(name);
        assert.match(encoded, /^[\x20-\x7e]*$/);
        assert.equal(decodeModifiedUtf7(encoded), name);
      }),
    );
  });

  it('decode never throws and only accepts what encode gives back', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('&', '-', 'A', 'j', 'o', ',', '+', '/', 'x', '2', 'D', '3'), maxLength: 20 }), (text) => {
        const name = decodeModifiedUtf7(text);
        if (name !== undefined) assert.equal(encodeModifiedUtf7(name), text);
      }),
    );
  });
});

describe('mailbox names in a session', () => {
  it('INBOX is case-insensitive, other names are not', () => {
    assert.equal(normaliseInbox('iNbOx'), 'INBOX');
    assert.equal(normaliseInbox('inbox/Sub'), 'inbox/Sub');
    assert.equal(normaliseInbox('Inboxes'), 'Inboxes');
    assert.equal(encodeMailboxName('inbox', false), 'INBOX');
  });

  it('decodes by the session encoding', () => {
    assert.equal(decodeMailboxName(Buffer.from('&Jjo-'), false), '☺');
    assert.equal(decodeMailboxName(Buffer.from('&Jjo-'), true), '&Jjo-');
    assert.equal(decodeMailboxName(Buffer.from('☺'), true), '☺');
    assert.equal(decodeMailboxName(Buffer.from('☺'), false), undefined);
    assert.equal(decodeMailboxName(Buffer.from([0xff]), true), undefined);
    assert.equal(encodeMailboxName('☺', true), '☺');
    assert.equal(encodeMailboxName('☺', false), '&Jjo-');
  });
});
