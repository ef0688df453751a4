/** Conformance: certificates served by SNI, ACME accounts, challenges and renewal state (issue 10). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredCertificate } from '../types.js';
import type { StoreHarness } from './harness.js';

const cert = (key: string, updatedAt: number): StoredCertificate => ({
  key,
  names: [key, `autoconfig.${key}`],
  certPem: `-----BEGIN CERTIFICATE-----\n${key}\n-----END CERTIFICATE-----\n`,
  keyPem: 'sealed-key',
  source: 'acme',
  issuer: 'CN=Test CA',
  notBefore: 1000,
  notAfter: 2000,
  updatedAt,
});

export function certCases(h: StoreHarness): void {
  describe('certificates', () => {
    it('stores certificates by group, replaces them, and reports the newest change to every handle', () =>
      h.withStores(2, async ([a, b]) => {
        assert.equal(await b!.certificatesVersion(), 0);
        await a!.putCertificate(cert('mail.example.test', 10));
        await a!.putCertificate(cert('example.test', 11));
        await a!.putCertificate({ ...cert('mail.example.test', 12), notAfter: 3000, names: ['mail.example.test'] });
        const all = await b!.listCertificates();
        assert.deepEqual(all.map((c) => [c.key, c.notAfter, c.names]), [
          ['example.test', 2000, ['example.test', 'autoconfig.example.test']],
          ['mail.example.test', 3000, ['mail.example.test']],
        ]);
        assert.equal(all[1]!.keyPem, 'sealed-key');
        assert.equal(await b!.certificatesVersion(), 12);
      }));

    it('keeps one ACME account per directory', () =>
      h.withStore(async (s) => {
        assert.equal(await s.getAcmeAccount('https://ca.test/dir'), null);
        await s.putAcmeAccount({ directoryUrl: 'https://ca.test/dir', keyPem: 'k1', accountUrl: null, createdAt: 5 });
        await s.putAcmeAccount({ directoryUrl: 'https://ca.test/dir', keyPem: 'k1', accountUrl: 'https://ca.test/acct/1', createdAt: 6 });
        assert.deepEqual(await s.getAcmeAccount('https://ca.test/dir'), { directoryUrl: 'https://ca.test/dir', keyPem: 'k1', accountUrl: 'https://ca.test/acct/1', createdAt: 5 });
      }));

    it('answers challenges from any handle until they expire or are deleted', () =>
      h.withStores(2, async ([a, b]) => {
        await a!.putAcmeChallenge({ kind: 'http-01', key: 'tok', value: 'tok.thumb', expiresAt: 100 });
        await a!.putAcmeChallenge({ kind: 'tls-alpn-01', key: 'tok', value: '{}', expiresAt: 100 });
        assert.equal((await b!.getAcmeChallenge('http-01', 'tok', 50))?.value, 'tok.thumb');
        assert.equal(await b!.getAcmeChallenge('http-01', 'tok', 100), null, 'expired');
        await a!.deleteAcmeChallenge('http-01', 'tok');
        assert.equal(await b!.getAcmeChallenge('http-01', 'tok', 50), null);
        assert.equal((await b!.getAcmeChallenge('tls-alpn-01', 'tok', 50))?.value, '{}', 'kinds are separate');
      }));

    it('keeps renewal state per group', () =>
      h.withStore(async (s) => {
        assert.equal(await s.getRenewalState('g'), null);
        const state = { key: 'g', failures: 2, nextAttemptAt: 900, lastAttemptAt: 800, lastSuccessAt: null, lastError: 'connection refused' };
        await s.putRenewalState(state);
        await s.putRenewalState({ ...state, failures: 0, lastError: null, lastSuccessAt: 950 });
        assert.deepEqual(await s.getRenewalState('g'), { ...state, failures: 0, lastError: null, lastSuccessAt: 950 });
        assert.deepEqual((await s.listRenewalStates()).map((r) => r.key), ['g']);
      }));
  });
}
