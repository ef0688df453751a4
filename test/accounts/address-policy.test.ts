import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAddress } from '../../src/mail/address.js';
import { PasswordPolicy, loadCommonPasswords } from '../../src/accounts/password-policy.js';
import { UserError } from '../../src/lib/errors.js';

describe('address rules (RFC 5321 dot-atom, lengths, IDN)', () => {
  const good: Array<[string, string]> = [
    ['Alice@Example.TEST', 'alice@example.test'],
    ["o'brien+tag@example.test", "o'brien+tag@example.test"],
    ['first.last@sub.example.test', 'first.last@sub.example.test'],
    ['user@bücher.example', 'user@xn--bcher-kva.example'],
    ['user@example.test.', 'user@example.test'],
    [`${'a'.repeat(64)}@example.test`, `${'a'.repeat(64)}@example.test`],
  ];
  for (const [input, canonical] of good) it(`accepts ${input}`, () => assert.equal(parseAddress(input).address, canonical));

  const bad: Array<[string, RegExp]> = [
    ['no-at-sign', /has no @/],
    ['a@b@example.test', /more than one @/],
    ['@example.test', /before @ is empty/],
    ['.a@example.test', /start or end with a dot/],
    ['a.@example.test', /start or end with a dot/],
    ['a..b@example.test', /two dots in a row/],
    ['a b@example.test', /not allowed \(" "\)/],
    ['"quoted"@example.test', /not allowed/],
    ['ünï@example.test', /not allowed/],
    [`${'a'.repeat(65)}@example.test`, /longer than 64/],
    ['a@', /domain is empty/],
    ['a@-bad.test', /inner hyphens/],
    ['a@[192.0.2.1]', /address literals/],
    [`a@${'l'.repeat(64)}.test`, /longer than 63/],
  ];
  for (const [input, why] of bad)
    it(`refuses ${input}`, () => assert.throws(() => parseAddress(input), (e: Error) => e instanceof UserError && why.test(e.message)));

  it('never throws anything but a UserError', () =>
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        try {
          parseAddress(s);
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
        }
      }),
      { numRuns: 2000 },
    ));
});

describe('password policy', () => {
  const policy = new PasswordPolicy(loadCommonPasswords());
  const table: Array<[string, string, RegExp | null]> = [
    ['correct horse battery staple', 'alice@example.test', null],
    ['Tr0ub4dor&3xyz', 'alice@example.test', null],
    ['abcdef', 'alice@example.test', /at least 10 characters long \(it has 6\)/],
    ['alice@example.test', 'alice@example.test', /contains the address/],
    ['xxALICE123456', 'alice@example.test', /part of the address before @/],
    ['password123456', 'alice@example.test', /common password "password" with digits or symbols added/],
    ['!!Dragon2026!!', 'alice@example.test', /common password "dragon"/],
    ['qwertyuiop', 'alice@example.test', /one of the most common passwords/],
    ['1234567890', 'alice@example.test', /one of the most common/],
    ['2468024680', 'alice@example.test', /sequence or repetition/],
    ['aaaaaaaaaaaa', 'alice@example.test', /fewer than 4 different characters|common/],
    ['tab\there is bad', 'alice@example.test', /control characters/],
    ['x'.repeat(300), 'alice@example.test', /at most 256/],
  ];
  for (const [pw, address, why] of table)
    it(`${why ? 'refuses' : 'accepts'} ${JSON.stringify(pw.slice(0, 30))}`, () => {
      const problem = policy.problem(pw, address);
      if (why === null) assert.equal(problem, undefined);
      else assert.match(problem ?? '', why);
    });

  it('ships a list of common passwords', () => assert.ok(loadCommonPasswords().size >= 10_000));
});
