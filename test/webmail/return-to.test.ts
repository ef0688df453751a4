/** Sign-in's return-to (src/http/routes/auth.ts safeReturnTo): same-site paths only, never an open redirect. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { safeReturnTo } from '../../src/http/routes/auth.js';

describe('safeReturnTo', () => {
  it('keeps paths on this site, normalised', () => {
    assert.equal(safeReturnTo('/webmail'), '/webmail');
    assert.equal(safeReturnTo('/webmail?folder=3#m12'), '/webmail?folder=3#m12');
    assert.equal(safeReturnTo('/guide/../account'), '/account');
    assert.equal(safeReturnTo('/webmail/é'), '/webmail/%C3%A9');
  });

  it('refuses everything that could leave the site or loop', () => {
    const hostile = [
      '//evil.test',
      '//evil.test/webmail',
      '/\\evil.test',
      '\\\\evil.test',
      '/\\/evil.test',
      'https://evil.test/',
      'http:evil.test',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      ' /webmail',
      '/\t/evil.test',
      '/\r\nSet-Cookie: x=1',
      'webmail',
      '',
      '/signin?next=//evil.test',
      '/signout',
      '/.//evil.test',
      '/..//evil.test',
      '/webmail/..//evil.test',
      `/${'a'.repeat(3000)}`,
    ];
    for (const v of hostile) assert.equal(safeReturnTo(v), null, JSON.stringify(v));
    assert.equal(safeReturnTo(['/webmail']), null);
    assert.equal(safeReturnTo(undefined), null);
  });

  it('a path that only looks like a host stays a path on this site', () => {
    // %2F is not a slash to a browser resolving a Location: this is the path "/%2F%2Fevil.test" here.
    assert.equal(safeReturnTo('/%2F%2Fevil.test'), '/%2F%2Fevil.test');
    assert.equal(safeReturnTo('/./evil.test'), '/evil.test');
  });
});
