import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePop3Command, Pop3SyntaxError } from '../../../src/protocol/pop3/command.js';
import { multiline, stuffMessage, err, ok } from '../../../src/protocol/pop3/response.js';

describe('POP3 command parser (RFC 1939, 2449, 5034)', () => {
  const good: Array<[string, unknown]> = [
    ['user alice@example.test', { verb: 'USER', name: 'alice@example.test' }],
    ['PASS pass with spaces ', { verb: 'PASS', password: 'pass with spaces ' }],
    ['STAT', { verb: 'STAT' }],
    ['list', { verb: 'LIST', msg: null }],
    ['LIST 7', { verb: 'LIST', msg: 7 }],
    ['UIDL 1', { verb: 'UIDL', msg: 1 }],
    ['RETR 2147483647', { verb: 'RETR', msg: 2147483647 }],
    ['TOP 1 0', { verb: 'TOP', msg: 1, lines: 0 }],
    ['DELE 3', { verb: 'DELE', msg: 3 }],
    ['AUTH', { verb: 'AUTH', mechanism: null, initialResponse: null }],
    ['AUTH plain AGEAYg==', { verb: 'AUTH', mechanism: 'PLAIN', initialResponse: 'AGEAYg==' }],
    ['capa', { verb: 'CAPA' }],
    ['STLS', { verb: 'STLS' }],
    ['QUIT', { verb: 'QUIT' }],
  ];
  for (const [line, expected] of good) it(`parses ${JSON.stringify(line)}`, () => assert.deepEqual(parsePop3Command(line), expected));

  const bad = ['', 'RETR 0', 'RETR 4294967296', 'RETR -1', 'RETR +1', 'RETR 1.5', 'TOP 1 -1', 'TOP 1', 'LIST 1 2', 'DELE', 'STAT x', 'PASS', 'USER', 'USER a b', 'FOO', 'RETR 1\u0000', 'RETR  1'];
  for (const line of bad) it(`refuses ${JSON.stringify(line)}`, () => assert.throws(() => parsePop3Command(line), Pop3SyntaxError));

  it('throws nothing but Pop3SyntaxError on random input', () =>
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        try {
          parsePop3Command(s);
        } catch (e) {
          if (!(e instanceof Pop3SyntaxError)) throw e;
        }
      }),
      { numRuns: 3000 },
    ));
});

describe('POP3 responses', () => {
  it('formats status lines with response codes and no injected line breaks', () => {
    assert.equal(ok('fine'), '+OK fine\r\n');
    assert.equal(err('locked', 'IN-USE'), '-ERR [IN-USE] locked\r\n');
    assert.equal(err('a\r\n+OK fake'), '-ERR a +OK fake\r\n');
  });

  it('byte-stuffs multi-line responses and messages, always ending in CRLF.CRLF', () => {
    assert.equal(multiline('+OK\r\n', ['1 10', '.hidden']), '+OK\r\n1 10\r\n..hidden\r\n.\r\n');
    assert.equal(stuffMessage(Buffer.from('A: b\r\n\r\n.x\r\nend')).toString(), 'A: b\r\n\r\n..x\r\nend\r\n.\r\n');
    assert.equal(stuffMessage(Buffer.from('A: b\n\n.\nbare\rCR\r\n')).toString(), 'A: b\r\n\r\n..\r\nbare\r\nCR\r\n.\r\n');
    assert.equal(stuffMessage(Buffer.from('H: 1\r\n\r\nl1\r\nl2\r\nl3\r\n'), 1).toString(), 'H: 1\r\n\r\nl1\r\n.\r\n');
    assert.equal(stuffMessage(Buffer.from('H: 1\r\n\r\nl1\r\n'), 0).toString(), 'H: 1\r\n\r\n.\r\n');
  });

  it('a stuffed message never contains an early terminator', () =>
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: fc.constantFrom('.', '\r', '\n', 'a', ' ') }), (s) => {
        const out = stuffMessage(Buffer.from(s, 'latin1')).toString('latin1');
        assert.ok(out.endsWith('.\r\n'));
        const inner = out.slice(0, -3);
        assert.ok(!('\r\n' + inner).includes('\r\n.\r\n'), 'no CRLF.CRLF inside');
        assert.ok(!/\r(?!\n)|(?<!\r)\n/.test(inner), 'only CRLF line endings');
      }),
      { numRuns: 2000 },
    ));
});
