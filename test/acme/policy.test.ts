/** Which names are ordered in which certificate, when renewal is due, how failures back off. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { certificateGroups, isOrderableName } from '../../src/acme/names.js';
import { backoffMs, daysLeft, orderReason, renewalTime } from '../../src/acme/policy.js';
import type { StoredCertificate } from '../../src/store/types.js';

const DAY = 86_400_000;
const cert = (names: string[], notBefore: number, notAfter: number): StoredCertificate => ({
  key: names[0]!,
  names,
  certPem: '',
  keyPem: '',
  source: 'acme',
  issuer: 'CN=x',
  notBefore,
  notAfter,
  updatedAt: 1,
});

describe('certificate groups', () => {
  it('puts the server names together and each domain in its own certificate', () => {
    assert.deepEqual(certificateGroups({ hostnames: ['Mail.Example.com.', 'mail.example.com'], domains: ['b.example', 'A.example', 'b.example'] }), [
      { key: 'mail.example.com', names: ['mail.example.com'] },
      { key: 'autoconfig.a.example', names: ['autoconfig.a.example', 'autodiscover.a.example'] },
      { key: 'autoconfig.b.example', names: ['autoconfig.b.example', 'autodiscover.b.example'] },
    ]);
  });

  it('adds mta-sts.<domain> where a policy is published, and never orders a name twice', () => {
    const g = certificateGroups({ hostnames: ['autoconfig.a.example'], domains: ['a.example'], mtaStsDomains: ['a.example'] });
    assert.deepEqual(g, [
      { key: 'autoconfig.a.example', names: ['autoconfig.a.example'] },
      { key: 'autodiscover.a.example', names: ['autodiscover.a.example', 'mta-sts.a.example'] },
    ]);
  });

  it('skips what a CA cannot issue for: IP literals, single labels', () => {
    assert.equal(isOrderableName('127.0.0.1'), false);
    assert.equal(isOrderableName('localhost'), false);
    assert.equal(isOrderableName('mail.example.com'), true);
    assert.deepEqual(certificateGroups({ hostnames: ['localhost', '127.0.0.1'], domains: [] }), []);
  });
});

describe('renewal timing and backoff', () => {
  it('orders a missing certificate and one whose names changed', () => {
    assert.equal(orderReason(undefined, ['a.example'], 0, 30), 'missing');
    assert.equal(orderReason(cert(['a.example'], 0, 90 * DAY), ['a.example', 'b.example'], DAY, 30), 'names-changed');
  });

  it('renews a 90-day certificate 30 days before expiry, a short-lived one at two thirds of its life', () => {
    const c90 = cert(['a.example'], 0, 90 * DAY);
    assert.equal(renewalTime(c90, 30), 60 * DAY);
    assert.equal(orderReason(c90, ['a.example'], 60 * DAY - 1, 30), null);
    assert.equal(orderReason(c90, ['a.example'], 60 * DAY, 30), 'renewal-due');
    const c6 = cert(['a.example'], 0, 6 * DAY);
    assert.equal(renewalTime(c6, 30), 4 * DAY);
  });

  it('doubles the wait after each failure up to the maximum', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 10, 100].map((f) => backoffMs(f, 1000, 5000)), [0, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('counts whole days left', () => {
    assert.equal(daysLeft(10 * DAY, DAY / 2), 9);
    assert.equal(daysLeft(0, DAY), -1);
  });
});
