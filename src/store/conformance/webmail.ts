/** Conformance: webmail preferences (issue 11). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StoreHarness } from './harness.js';
import { domainWithMailbox } from './fixtures.js';

export function webmailCases(h: StoreHarness): void {
  describe('webmail preferences', () => {
    it('are absent, then stored, replaced, and removed with the mailbox', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s, 'alice@example.test');
        assert.equal(await s.getWebmailPrefs(m.id), null);
        await s.setWebmailPrefs(m.id, { displayName: 'Alice Ö', signature: 'Alice\n-- ', trustedSenders: ['news@shop.test'] });
        assert.deepEqual(await s.getWebmailPrefs(m.id), { displayName: 'Alice Ö', signature: 'Alice\n-- ', trustedSenders: ['news@shop.test'] });
        await s.setWebmailPrefs(m.id, { displayName: '', signature: '', trustedSenders: [] });
        assert.deepEqual(await s.getWebmailPrefs(m.id), { displayName: '', signature: '', trustedSenders: [] });
        await assert.rejects(s.setWebmailPrefs(m.id + 1000, { displayName: '', signature: '', trustedSenders: [] }), (e: unknown) => (e as { code?: string }).code === 'not-found');
        await s.removeMailbox(m.id);
        assert.equal(await s.getWebmailPrefs(m.id), null);
      }));
  });
}
