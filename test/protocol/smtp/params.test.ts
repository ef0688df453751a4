import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SmtpSyntaxError } from '../../../src/protocol/smtp/codes.js';
import { parseMailParameters, parseRcptParameters, xtextDecode, xtextEncode } from '../../../src/protocol/smtp/params.js';

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SmtpSyntaxError, `unexpected ${String(e)}`);
    return `${e.status.code} ${e.status.enhanced} ${e.code}`;
  }
  assert.fail('expected a syntax error');
}

describe('xtext (RFC 3461 §4)', () => {
  it('decodes and encodes', () => {
    assert.equal(xtextDecode('a+2Bb+3Dc+20d'), 'a+b=c d');
    assert.equal(xtextDecode('a+2bb'), 'a+b'); // lower-case hex accepted
    assert.equal(xtextDecode(''), '');
    assert.equal(xtextDecode('j+C3+B6'), 'jö');
    assert.equal(xtextEncode('a+b=c d'), 'a+2Bb+3Dc+20d');
    assert.equal(xtextEncode('jö\r\n'), 'j+C3+B6+0D+0A');
  });

  it('rejects invalid xtext', () => {
    for (const bad of ['+', '+2', '+GG', 'a=b', 'a b', '\x7f', 'ö', '+FF', '+C3']) assert.throws(() => xtextDecode(bad), SmtpSyntaxError, JSON.stringify(bad));
  });

  it('round-trips any text, and encodes to valid xtext (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        fc.pre(Buffer.from(text, 'utf8').toString('utf8') === text); // well-formed UTF-16 only
        const encoded = xtextEncode(text);
        assert.match(encoded, /^(?:[!-*,-<>-~]|\+[0-9A-F]{2})*$/);
        assert.equal(xtextDecode(encoded), text);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('MAIL parameters', () => {
  it('parses every supported parameter', () => {
    assert.deepEqual(parseMailParameters(' SIZE=12345 BODY=BINARYMIME SMTPUTF8 RET=full ENVID=abc+2B AUTH=user+40example.com'), {
      smtputf8: true,
      size: 12345,
      body: 'BINARYMIME',
      ret: 'FULL',
      envid: 'abc+',
      auth: { kind: 'mailbox', mailbox: 'user@example.com' },
    });
    assert.deepEqual(parseMailParameters(''), { smtputf8: false });
    assert.deepEqual(parseMailParameters('body=7bit AUTH=<>'), { smtputf8: false, body: '7BIT', auth: { kind: 'unknown' } });
  });

  it('accepts SIZE up to 20 digits, clamping past 2^53 (RFC 1870 §3)', () => {
    assert.equal(parseMailParameters('SIZE=99999999999999999999').size, Number.MAX_SAFE_INTEGER);
    assert.equal(failure(() => parseMailParameters('SIZE=999999999999999999999')), '501 5.5.4 bad-parameter');
  });

  it('refuses bad values with 501 and unknown parameters with 555', () => {
    const cases: ReadonlyArray<[string, string]> = [
      ['SIZE', '501 5.5.4 bad-parameter'],
      ['SIZE=', '501 5.5.4 bad-parameter'],
      ['SIZE=-1', '501 5.5.4 bad-parameter'],
      ['SIZE=1e3', '501 5.5.4 bad-parameter'],
      ['BODY=base64', '501 5.5.4 bad-parameter'],
      ['BODY', '501 5.5.4 bad-parameter'],
      ['SMTPUTF8=1', '501 5.5.4 bad-parameter'],
      ['RET=ALL', '501 5.5.4 bad-parameter'],
      ['ENVID=a b', '555 5.5.4 unknown-parameter'], // "b" is a second, unknown, parameter
      ['ENVID=a\x01b', '501 5.5.4 bad-parameter'],
      ['ENVID=+ZZ', '501 5.5.4 bad-parameter'],
      [`ENVID=${'x'.repeat(101)}`, '501 5.5.4 bad-parameter'],
      ['AUTH', '501 5.5.4 bad-parameter'],
      ['AUTH=a=b', '501 5.5.4 bad-parameter'],
      ['SIZE=1 SIZE=1', '501 5.5.4 duplicate-parameter'],
      ['size=1 SIZE=2', '501 5.5.4 duplicate-parameter'],
      ['-X=1', '501 5.5.4 bad-parameter'],
      ['=1', '501 5.5.4 bad-parameter'],
      ['X_Y', '501 5.5.4 bad-parameter'],
      ['NOTIFY=NEVER', '555 5.5.4 unknown-parameter'],
      ['XYZZY', '555 5.5.4 unknown-parameter'],
      ['REQUIRETLS', '555 5.5.4 unknown-parameter'],
    ];
    for (const [text, expected] of cases) assert.equal(failure(() => parseMailParameters(text)), expected, text);
  });

  it('refuses parameters of extensions not advertised', () => {
    const none = { extensions: new Set<never>() };
    for (const text of ['SIZE=1', 'BODY=8BITMIME', 'SMTPUTF8', 'RET=FULL', 'ENVID=x', 'AUTH=<>'])
      assert.equal(failure(() => parseMailParameters(text, none)), '555 5.5.4 unknown-parameter', text);
    assert.equal(failure(() => parseMailParameters('BODY=BINARYMIME', { extensions: new Set(['8BITMIME'] as const) })), '555 5.5.4 unknown-parameter');
  });
});

describe('RCPT parameters', () => {
  it('parses NOTIFY (RFC 3461 §4.1)', () => {
    assert.deepEqual(parseRcptParameters('NOTIFY=NEVER').notify, { kind: 'never' });
    assert.deepEqual(parseRcptParameters('notify=delay,Success').notify, { kind: 'on', success: true, failure: false, delay: true });
    assert.deepEqual(parseRcptParameters('NOTIFY=SUCCESS,FAILURE,DELAY').notify, { kind: 'on', success: true, failure: true, delay: true });
    for (const bad of ['NOTIFY', 'NOTIFY=', 'NOTIFY=NEVER,FAILURE', 'NOTIFY=FAILURE,NEVER', 'NOTIFY=SUCCESS,SUCCESS', 'NOTIFY=SUCCESS,', 'NOTIFY=ALWAYS'])
      assert.equal(failure(() => parseRcptParameters(bad)), '501 5.5.4 bad-parameter', bad);
  });

  it('parses ORCPT (RFC 3461 §4.2, RFC 6533 §3)', () => {
    assert.deepEqual(parseRcptParameters('ORCPT=rfc822;a+2Bb@example.com').orcpt, { addrType: 'rfc822', address: 'a+b@example.com' });
    assert.deepEqual(parseRcptParameters('ORCPT=RFC822;x@y').orcpt, { addrType: 'rfc822', address: 'x@y' });
    assert.deepEqual(parseRcptParameters('ORCPT=utf-8;j\\x{F6}@example.com').orcpt, { addrType: 'utf-8', address: 'jö@example.com' });
    assert.deepEqual(parseRcptParameters('ORCPT=utf-8;jö@example.com', { smtputf8: true }).orcpt, { addrType: 'utf-8', address: 'jö@example.com' });
    assert.equal(failure(() => parseRcptParameters('ORCPT=utf-8;jö@example.com')), '501 5.5.4 bad-parameter');
    for (const bad of ['ORCPT', 'ORCPT=rfc822', 'ORCPT=rfc822;', 'ORCPT=;a@b', 'ORCPT=rfc822;a+G0', `ORCPT=rfc822;${'a'.repeat(500)}`, 'ORCPT=utf-8;\\x{D800}'])
      assert.equal(failure(() => parseRcptParameters(bad)), '501 5.5.4 bad-parameter', bad);
  });

  it('refuses MAIL parameters on RCPT', () => {
    assert.equal(failure(() => parseRcptParameters('SIZE=10')), '555 5.5.4 unknown-parameter');
    assert.equal(failure(() => parseRcptParameters('NOTIFY=NEVER NOTIFY=NEVER')), '501 5.5.4 duplicate-parameter');
  });
});

describe('parameter parsers: properties', () => {
  it('only ever throw SmtpSyntaxError on random input', () => {
    const piece = fc.constantFrom(' ', '=', ';', ',', '+', '+2B', '+G', 'SIZE', 'BODY', 'NOTIFY', 'ORCPT', 'ENVID', 'AUTH', 'RET', 'SMTPUTF8',
      'NEVER', 'SUCCESS', 'rfc822', 'utf-8', '\\x{', '}', 'FF', '12', 'ö', '<>', '\x00', '\uDC00');
    const input = fc.oneof(fc.array(piece, { maxLength: 20 }).map((p) => p.join('')), fc.string({ unit: 'binary', maxLength: 100 }));
    fc.assert(
      fc.property(input, fc.boolean(), (text, smtputf8) => {
        for (const parse of [() => parseMailParameters(text), () => parseRcptParameters(text, { smtputf8 }), () => xtextDecode(text)]) {
          try {
            parse();
          } catch (e) {
            if (!(e instanceof SmtpSyntaxError)) throw e;
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});
