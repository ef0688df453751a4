import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  LOGIN_PASSWORD_CHALLENGE,
  LOGIN_USERNAME_CHALLENGE,
  SaslExchange,
  SaslSyntaxError,
  decodeBase64Response,
  decodeLoginResponse,
  decodePlainResponse,
  encodePlainResponse,
  isSaslMechanism,
  saslMechanisms,
  type SaslStep,
} from '../../../src/protocol/sasl/index.js';

const b64 = (s: string | Buffer): string => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('base64');

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SaslSyntaxError, `unexpected ${String(e)}`);
    return e.code;
  }
  assert.fail('expected a SaslSyntaxError');
}

describe('base64 responses (RFC 4954 §4)', () => {
  it('decodes strict base64 and "=" as empty', () => {
    assert.equal(decodeBase64Response('dGVzdA==').toString(), 'test');
    assert.equal(decodeBase64Response('=').length, 0);
    assert.equal(decodeBase64Response('').length, 0);
  });

  it('rejects anything else', () => {
    for (const bad of ['=AAA', 'AAA=BBB', 'dGVzdA', 'dGVzdA=', 'dGVz dA==', 'dGVzdA==\r', 'dG-zdA==', '==', '*x'])
      assert.equal(reason(() => decodeBase64Response(bad)), 'malformed', bad);
    assert.equal(reason(() => decodeBase64Response('A'.repeat(12292))), 'too-long');
  });
});

describe('PLAIN (RFC 4616)', () => {
  it('decodes authzid NUL authcid NUL passwd', () => {
    assert.deepEqual(decodePlainResponse('dGVzdAB0ZXN0ADEyMzQ='), { authzid: 'test', username: 'test', password: '1234' });
    assert.deepEqual(decodePlainResponse(b64('\0jö@example.com\0pässwörd with spaces')), {
      authzid: '',
      username: 'jö@example.com',
      password: 'pässwörd with spaces',
    });
  });

  it('rejects malformed messages', () => {
    const cases: ReadonlyArray<[string, string]> = [
      ['=', 'malformed'],
      [b64('userpass'), 'malformed'],
      [b64('user\0pass'), 'malformed'],
      [b64('a\0user\0pass\0x'), 'malformed'],
      [b64('\0\0pass'), 'malformed'],
      [b64('\0user\0'), 'malformed'],
      [b64(Buffer.from([0xff, 0x00, 0x61, 0x00, 0x62])), 'malformed'],
      ['not base64!', 'malformed'],
      [b64(`\0${'u'.repeat(1025)}\0pass`), 'too-long'],
      [b64(`\0user\0${'p'.repeat(1025)}`), 'too-long'],
    ];
    for (const [input, expected] of cases) assert.equal(reason(() => decodePlainResponse(input)), expected, input);
  });

  it('round-trips credentials (property)', () => {
    const field = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(field, field.filter((s) => s !== ''), field.filter((s) => s !== ''), (authzid, username, password) => {
        assert.deepEqual(decodePlainResponse(encodePlainResponse({ authzid, username, password })), { authzid, username, password });
      }),
    );
  });
});

describe('LOGIN', () => {
  it('has the usual prompts', () => {
    assert.equal(Buffer.from(LOGIN_USERNAME_CHALLENGE, 'base64').toString(), 'Username:');
    assert.equal(Buffer.from(LOGIN_PASSWORD_CHALLENGE, 'base64').toString(), 'Password:');
  });

  it('decodes non-empty text and rejects the rest', () => {
    assert.equal(decodeLoginResponse(b64('user@example.com'), 'username'), 'user@example.com');
    assert.equal(reason(() => decodeLoginResponse('=', 'username')), 'malformed');
    assert.equal(reason(() => decodeLoginResponse(b64('a\0b'), 'password')), 'malformed');
    assert.equal(reason(() => decodeLoginResponse(b64(Buffer.from([0xc3])), 'password')), 'malformed');
    assert.equal(reason(() => decodeLoginResponse(b64('p'.repeat(1025)), 'password')), 'too-long');
  });
});

describe('SaslExchange', () => {
  const credentials = { authzid: '', username: 'user@example.com', password: 'secret pass' };

  it('offers PLAIN and LOGIN', () => {
    assert.deepEqual([...saslMechanisms], ['PLAIN', 'LOGIN']);
    assert.equal(isSaslMechanism('plain'), true);
    assert.equal(isSaslMechanism('CRAM-MD5'), false);
  });

  it('PLAIN with an initial response completes at once', () => {
    const x = new SaslExchange();
    assert.deepEqual(x.start('plain', encodePlainResponse(credentials)), { kind: 'success', credentials });
    assert.equal(x.finished, true);
  });

  it('PLAIN without an initial response sends an empty challenge first', () => {
    const x = new SaslExchange();
    assert.deepEqual(x.start('PLAIN'), { kind: 'challenge', challenge: '' });
    assert.deepEqual(x.respond(Buffer.from(encodePlainResponse(credentials))), { kind: 'success', credentials });
  });

  it('LOGIN asks for the username then the password', () => {
    const x = new SaslExchange();
    assert.deepEqual(x.start('LOGIN'), { kind: 'challenge', challenge: LOGIN_USERNAME_CHALLENGE });
    assert.deepEqual(x.respond(b64(credentials.username)), { kind: 'challenge', challenge: LOGIN_PASSWORD_CHALLENGE });
    assert.deepEqual(x.respond(b64(credentials.password)), { kind: 'success', credentials });
  });

  it('LOGIN accepts the username as an initial response', () => {
    const x = new SaslExchange();
    assert.deepEqual(x.start('login', b64(credentials.username)), { kind: 'challenge', challenge: LOGIN_PASSWORD_CHALLENGE });
    assert.deepEqual(x.respond(b64(credentials.password)), { kind: 'success', credentials });
  });

  it('"*" cancels at any step (RFC 4954 §4)', () => {
    const plain = new SaslExchange();
    plain.start('PLAIN');
    assert.deepEqual(plain.respond('*'), { kind: 'failure', reason: 'cancelled', message: 'authentication cancelled' });
    const login = new SaslExchange();
    login.start('LOGIN', b64('user'));
    assert.equal((login.respond('*') as Extract<SaslStep, { kind: 'failure' }>).reason, 'cancelled');
    assert.equal(login.finished, true);
  });

  it('fails on malformed responses, unknown mechanisms and over-long lines', () => {
    const failureReason = (step: SaslStep) => (step.kind === 'failure' ? step.reason : step.kind);
    assert.equal(failureReason(new SaslExchange().start('CRAM-MD5')), 'unsupported-mechanism');
    assert.equal(failureReason(new SaslExchange().start('PLAIN', '=')), 'malformed');
    assert.equal(failureReason(new SaslExchange().start('PLAIN', 'dGVzdA')), 'malformed');
    assert.equal(failureReason(new SaslExchange().start('LOGIN', '=')), 'malformed');
    const x = new SaslExchange();
    x.start('PLAIN');
    assert.equal(failureReason(x.respond('A'.repeat(20000))), 'too-long');
  });

  it('refuses to be driven out of order (programming errors)', () => {
    const x = new SaslExchange();
    assert.throws(() => x.respond('x'), /idle/);
    x.start('PLAIN', encodePlainResponse(credentials));
    assert.throws(() => x.respond('x'), /finished/);
    assert.throws(() => x.start('PLAIN'), /twice/);
  });

  it('never throws on client input: decoders only throw SaslSyntaxError (property)', () => {
    const line = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a).toString('base64')),
      fc.constantFrom('*', '=', '', '===='),
    );
    fc.assert(
      fc.property(fc.constantFrom('PLAIN', 'LOGIN', 'plain', 'XOAUTH2', ''), fc.option(line, { nil: undefined }), fc.array(line, { maxLength: 3 }), (mech, ir, lines) => {
        const x = new SaslExchange();
        let step = x.start(mech, ir);
        for (const l of lines) {
          if (step.kind !== 'challenge') break;
          step = x.respond(l);
        }
        assert.ok(['challenge', 'success', 'failure'].includes(step.kind));
        for (const l of lines) {
          for (const decode of [() => decodePlainResponse(l), () => decodeLoginResponse(l, 'username'), () => decodeBase64Response(l)]) {
            try {
              decode();
            } catch (e) {
              if (!(e instanceof SaslSyntaxError)) throw e;
            }
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
