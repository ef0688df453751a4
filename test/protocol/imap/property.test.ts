import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ImapSyntaxError } from '../../../src/protocol/imap/errors.js';
import { parseCommand, parseCommandLine } from '../../../src/protocol/imap/parser.js';
import { ImapCommandReader, type ReaderEvent } from '../../../src/protocol/imap/reader.js';
import { encodeResponse } from '../../../src/protocol/imap/response.js';
import { syntaxErrorResponse } from '../../../src/protocol/imap/response.js';

/** IMAP-ish tokens, so random input reaches deep into the grammar instead of failing at the tag. */
const TOKENS = [
  'a', '1', ' ', '(', ')', '[', ']', '<', '>', '.', ':', ',', '*', '$', '%', '"', '\\', '{', '}', '+', '~', '-', '=', '\r\n', '\n', '\x00', '\xff',
  'UID', 'FETCH', 'SEARCH', 'STORE', 'COPY', 'MOVE', 'APPEND', 'LIST', 'LSUB', 'STATUS', 'SELECT', 'EXAMINE', 'CREATE', 'LOGIN', 'AUTHENTICATE',
  'SORT', 'THREAD', 'ID', 'ENABLE', 'SETQUOTA', 'GETQUOTA', 'EXPUNGE', 'RENAME', 'BODY', 'BODY.PEEK', 'BINARY', 'BINARY.SIZE', 'HEADER.FIELDS',
  'HEADER.FIELDS.NOT', 'MIME', 'TEXT', 'HEADER', 'FLAGS', '+FLAGS.SILENT', 'UNCHANGEDSINCE', 'CHANGEDSINCE', 'VANISHED', 'QRESYNC', 'CONDSTORE',
  'RETURN', 'CHARSET', 'UTF-8', 'OR', 'NOT', 'ALL', 'MODSEQ', 'SINCE', '1-Feb-1994', '"17-Jul-1996 02:44:25 -0700"', 'NIL', 'INBOX', '&Jjo-', '&',
  '\\Seen', '\\Recent', 'USE', 'SUBSCRIBED', 'RECURSIVEMATCH', 'CHILDREN', 'MESSAGES', 'SIZE', 'UTF8', '{3}\r\nabc', '{2+}\r\nxy', '~{1+}\r\n\x00', '{0}\r\n',
];

const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => `t ${t.join('')}`);
const anyBytes = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a).toString('latin1'));

/** Frames and parses; every failure must be an ImapSyntaxError that encodes to a BAD response. */
function check(input: string, chunks: readonly number[] = []): void {
  const reader = new ImapCommandReader({ maxLiteralOctets: 1000, maxLineOctets: 500 });
  const bytes = Buffer.from(input, 'latin1');
  const handle = (e: ReaderEvent): void => {
    if (e.kind === 'literal-request') reader.acceptLiteral();
    else if (e.kind === 'error') assertBad(e.error);
    else {
      try {
        const command = parseCommand(e.command, { utf8: bytes.length % 2 === 0 });
        assert.equal(typeof command.tag, 'string');
      } catch (error) {
        assertBad(error);
      }
    }
  };
  let at = 0;
  for (const size of [...chunks, bytes.length]) {
    reader.push(bytes.subarray(at, at + size));
    at = Math.min(bytes.length, at + size);
    for (let e = reader.next(); e !== undefined; e = reader.next()) handle(e);
  }
}

function assertBad(error: unknown): void {
  assert.ok(error instanceof ImapSyntaxError, `not an ImapSyntaxError: ${String(error)}`);
  assert.notEqual(error.code, 'internal', `a parser bug surfaced: ${error.message}`);
  assert.match(encodeResponse(syntaxErrorResponse(error)).toString('latin1'), /^(\S+|\*) BAD .*\r\n$/);
}

describe('the reader and parser never throw anything but ImapSyntaxError', () => {
  it('on IMAP token soup', () => {
    fc.assert(fc.property(tokenSoup, (input) => check(`${input}\r\n`)), { numRuns: 3000 });
  });

  it('on random octets, in random chunks', () => {
    fc.assert(fc.property(anyBytes, fc.array(fc.nat(50), { maxLength: 10 }), (input, chunks) => check(input, chunks)), { numRuns: 2000 });
  });

  it('on pipelined token soup in random chunks', () => {
    fc.assert(
      fc.property(fc.array(tokenSoup, { maxLength: 5 }), fc.array(fc.nat(30), { maxLength: 10 }), (lines, chunks) => check(lines.map((l) => `${l}\r\n`).join(''), chunks)),
      { numRuns: 1000 },
    );
  });

  it('on deep nesting without a stack overflow', () => {
    for (const depth of [100, 10_000]) {
      for (const line of [
        `t SEARCH ${'('.repeat(depth)}ALL${')'.repeat(depth)}`,
        `t SEARCH ${'NOT '.repeat(depth)}ALL`,
        `t SEARCH ${'OR ALL '.repeat(depth)}ALL`,
        `t FETCH 1 ${'('.repeat(depth)}`,
        `t STORE 1 FLAGS ${'('.repeat(depth)}`,
        `t SELECT x ${'('.repeat(depth)}`,
      ]) {
        assert.throws(() => parseCommandLine(line), (e: unknown) => {
          assertBad(e);
          return true;
        });
      }
    }
  });
});
