import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EnhancedCode, ReplyCode, SmtpSyntaxError, saslFailureStatus } from '../../../src/protocol/smtp/codes.js';
import { parseCommand } from '../../../src/protocol/smtp/command.js';
import { authChallengeReply, ehloReply, errorReply, formatReply, statusReply } from '../../../src/protocol/smtp/reply.js';

/** Checks the reply grammar of RFC 5321 §4.2 and the 512-octet limit; returns the lines without CRLF. */
function checkWire(wire: string, code: number): string[] {
  assert.ok(wire.endsWith('\r\n'));
  const lines = wire.slice(0, -2).split('\r\n');
  lines.forEach((line, i) => {
    assert.ok(Buffer.byteLength(line) + 2 <= 512, `line ${i} is ${Buffer.byteLength(line) + 2} octets`);
    assert.doesNotMatch(line, /[\r\n]/);
    const sep = i === lines.length - 1 ? ' ' : '-';
    assert.ok(line === String(code) || line.startsWith(`${code}${sep}`), JSON.stringify(line));
  });
  return lines;
}

describe('formatReply', () => {
  it('formats single and multi-line replies, with the enhanced code on every line (RFC 2034 §4)', () => {
    assert.equal(formatReply({ code: 250, enhanced: '2.1.0', text: 'Sender OK' }), '250 2.1.0 Sender OK\r\n');
    assert.equal(formatReply({ code: 221, text: 'bye' }), '221 bye\r\n');
    assert.equal(formatReply({ code: 214, text: ['See', 'https://example.com'] }), '214-See\r\n214 https://example.com\r\n');
    assert.equal(formatReply({ code: 550, enhanced: '5.7.1', text: 'one\ntwo\r\nthree' }), '550-5.7.1 one\r\n550-5.7.1 two\r\n550 5.7.1 three\r\n');
    assert.equal(formatReply({ code: 250, text: '' }), '250\r\n');
  });

  it('never lets text break out of the reply (injection)', () => {
    const wire = formatReply({ code: 250, enhanced: '2.0.0', text: 'ok\r\n250 2.0.0 forged\rx\0y' });
    const lines = checkWire(wire, 250);
    assert.deepEqual(lines, ['250-2.0.0 ok', '250-2.0.0 250 2.0.0 forged', '250 2.0.0 x y']);
  });

  it('wraps long text under 512 octets per line (RFC 5321 §4.5.3.1.5)', () => {
    const words = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    const lines = checkWire(formatReply({ code: 554, enhanced: '5.7.1', text: words }), 554);
    assert.ok(lines.length > 1);
    assert.equal(lines.map((l) => l.slice('554-5.7.1 '.length)).join(' '), words);
    const unbroken = 'ü'.repeat(1000);
    const lines2 = checkWire(formatReply({ code: 550, text: unbroken }), 550);
    assert.equal(lines2.map((l) => l.slice(4)).join(''), unbroken);
  });

  it('refuses invalid codes (programming errors)', () => {
    assert.throws(() => formatReply({ code: 99, text: 'x' }), RangeError);
    assert.throws(() => formatReply({ code: 250, enhanced: '2.0', text: 'x' }), RangeError);
    assert.throws(() => formatReply({ code: 250, enhanced: '3.0.0', text: 'x' }), RangeError);
  });

  it('keeps every line within the limit for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), fc.boolean(), (text, enhanced) => {
        checkWire(formatReply({ code: 451, enhanced: enhanced ? '4.3.0' : undefined, text }), 451);
      }),
      { numRuns: 500 },
    );
  });
});

describe('errorReply, statusReply and status tables', () => {
  it('turns a parser error into its reply', () => {
    try {
      parseCommand('FOO');
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof SmtpSyntaxError);
      assert.equal(formatReply(errorReply(e)), '500 5.5.1 command not recognized\r\n');
      assert.equal(formatReply(errorReply(e, false)), '500 command not recognized\r\n');
    }
    assert.equal(
      formatReply(statusReply({ code: ReplyCode.AuthCredentialsInvalid, enhanced: EnhancedCode.AuthCredentialsInvalid }, 'bad credentials')),
      '535 5.7.8 bad credentials\r\n',
    );
  });

  it('maps SASL failures to RFC 4954 replies', () => {
    assert.deepEqual(saslFailureStatus('cancelled'), { code: 501, enhanced: '5.0.0' });
    assert.deepEqual(saslFailureStatus('malformed'), { code: 501, enhanced: '5.5.2' });
    assert.deepEqual(saslFailureStatus('too-long'), { code: 500, enhanced: '5.5.6' });
    assert.deepEqual(saslFailureStatus('unsupported-mechanism'), { code: 504, enhanced: '5.5.4' });
  });
});

describe('ehloReply', () => {
  it('greets then lists one extension per line (RFC 5321 §4.1.1.1)', () => {
    assert.equal(
      ehloReply('mail.example.com', 'client.example', ['PIPELINING', 'SIZE 52428800', 'AUTH PLAIN LOGIN']),
      '250-mail.example.com Hello client.example\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250 AUTH PLAIN LOGIN\r\n',
    );
    assert.equal(ehloReply('mail.example.com', '', []), '250 mail.example.com\r\n');
  });

  it('sanitises and shortens the client-supplied name', () => {
    const wire = ehloReply('mail.example.com', `evil\r\n250 fake${'x'.repeat(1000)}`, ['8BITMIME']);
    const lines = checkWire(wire, 250);
    assert.equal(lines.length, 2);
    assert.ok(lines[0]!.startsWith('250-mail.example.com Hello evil  250 fake'));
  });

  it('refuses invalid extension lines and host names (programming errors)', () => {
    assert.throws(() => ehloReply('mail.example.com', 'c', ['BAD\r\nLINE']), RangeError);
    assert.throws(() => ehloReply('mail.example.com', 'c', ['']), RangeError);
    assert.throws(() => ehloReply('bad host', 'c', []), RangeError);
  });
});

describe('authChallengeReply', () => {
  it('sends "334 " and the base64 challenge only (RFC 4954 §4)', () => {
    assert.equal(authChallengeReply(''), '334 \r\n');
    assert.equal(authChallengeReply('VXNlcm5hbWU6'), '334 VXNlcm5hbWU6\r\n');
    assert.throws(() => authChallengeReply('not base64!'), RangeError);
  });
});
