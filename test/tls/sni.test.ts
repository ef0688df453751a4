/** Which certificate answers which server name: exact, then one-label wildcard, else the fallback (RFC 6066, RFC 6125). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseServername, SniIndex } from '../../src/tls/sni.js';

describe('SNI selection', () => {
  const index = new SniIndex([
    { names: ['mail.example.test'], notAfter: 100, value: 'host' },
    { names: ['autoconfig.example.test', 'autodiscover.example.test'], notAfter: 100, value: 'domain' },
    { names: ['*.example.test'], notAfter: 100, value: 'wild' },
    { names: ['MAIL.example.test.'], notAfter: 50, value: 'older-host' },
    { names: ['autoconfig.other.test'], notAfter: 10, value: 'old-other' },
    { names: ['autoconfig.other.test'], notAfter: 20, value: 'new-other' },
  ]);

  const cases: Array<[string | undefined, string | null]> = [
    ['mail.example.test', 'host'],
    ['MAIL.Example.TEST.', 'host'],
    ['autodiscover.example.test', 'domain'],
    ['webmail.example.test', 'wild'],
    ['a.b.example.test', null],
    ['example.test', null],
    ['autoconfig.other.test', 'new-other'],
    ['unknown.test', null],
    [undefined, null],
    ['', null],
  ];
  for (const [name, want] of cases)
    it(`${JSON.stringify(name)} → ${want ?? 'fallback'}`, () => {
      assert.equal(index.select(name), want);
    });

  it('normalises names and refuses unusable ones', () => {
    assert.equal(normaliseServername('Mail.Example.Test.'), 'mail.example.test');
    assert.equal(normaliseServername('a'.repeat(254)), null);
    assert.equal(normaliseServername(null), null);
  });
});
