/** Conformance: domains, subscribers, mailboxes, aliases, app passwords. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StoreHarness } from './harness.js';
import { DEFAULT_FOLDERS, domainWithMailbox } from './fixtures.js';

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

export function accountCases(h: StoreHarness): void {
  describe('accounts', () => {
    it('adds, lists, updates and removes domains; refuses duplicates and non-empty removal', () =>
      h.withStore(async (s) => {
        await s.addDomain({ name: 'example.test', adminAddress: null, signupPolicy: 'closed', createdAt: 5 });
        await assert.rejects(s.addDomain({ name: 'example.test', adminAddress: null, signupPolicy: 'closed', createdAt: 5 }), code('exists'));
        await s.updateDomain('example.test', { adminAddress: 'boss@example.test', signupPolicy: 'invite' });
        assert.deepEqual(await s.getDomain('example.test'), {
          name: 'example.test',
          adminAddress: 'boss@example.test',
          signupPolicy: 'invite',
          createdAt: 5,
        });
        await domainWithMailbox(s, 'alice@example.test');
        await assert.rejects(s.removeDomain('example.test', false), code('not-empty'));
        await s.removeDomain('example.test', true);
        assert.equal(await s.getDomain('example.test'), null);
        assert.equal(await s.getMailbox('alice@example.test'), null);
        assert.deepEqual(await s.listDomains(), []);
      }));

    it('creates a mailbox with its subscriber and folders', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s, 'alice@example.test', 3);
        assert.equal(m.address, 'alice@example.test');
        assert.equal(m.usedBytes, 0);
        const sub = await s.getSubscriberByHolder('alice@example.test');
        assert.ok(sub);
        assert.equal(sub.allowance, 3);
        assert.equal(m.subscriberId, sub.id);
        const folders = await s.listFolders(m.id);
        assert.deepEqual(folders.map((f) => f.name).sort(), DEFAULT_FOLDERS.map((f) => f.name).sort());
        assert.equal(folders.find((f) => f.name === 'Sent')?.specialUse, '\\Sent');
        const validities = new Set(folders.map((f) => f.uidValidity));
        assert.equal(validities.size, folders.length, 'every folder gets its own UIDVALIDITY');
        for (const f of folders) assert.equal(f.uidNext, 1);
      }));

    it('refuses a taken address, an alias address, a foreign domain, and enforces the allowance', () =>
      h.withStore(async (s) => {
        const holder = await domainWithMailbox(s, 'alice@example.test', 2);
        await assert.rejects(domainWithMailbox(s, 'alice@example.test'), code('taken'));
        await s.addAlias('sales@example.test', ['alice@example.test'], false);
        await assert.rejects(domainWithMailbox(s, 'sales@example.test'), code('taken'));
        const add = (address: string) =>
          s.createMailbox({
            address,
            localPart: address.split('@')[0]!,
            domain: address.split('@')[1]!,
            role: 'user',
            passwordHash: 'x',
            quotaBytes: 0,
            subscriber: { existingId: holder.subscriberId },
            enforceAllowance: true,
            folders: DEFAULT_FOLDERS,
            createdAt: 2,
          });
        await assert.rejects(add('bob@elsewhere.test'), code('not-found'));
        const bob = await add('bob@example.test');
        assert.equal(bob.subscriberId, holder.subscriberId);
        assert.equal(await s.countMailboxes(holder.subscriberId), 2);
        await assert.rejects(add('carol@example.test'), code('allowance'));
        await s.setAllowance(holder.subscriberId, 3);
        await add('carol@example.test');
        assert.deepEqual(
          (await s.listMailboxes({ subscriberId: holder.subscriberId })).map((m) => m.address),
          ['alice@example.test', 'bob@example.test', 'carol@example.test'],
        );
      }));

    it('updates and removes mailboxes; the last removal takes the subscriber with it', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        await s.updateMailbox(m.id, { passwordHash: 'new', quotaBytes: 1000, disabled: true, role: 'admin' });
        const u = await s.getMailboxById(m.id);
        assert.equal(u?.passwordHash, 'new');
        assert.equal(u?.quotaBytes, 1000);
        assert.equal(u?.disabled, true);
        assert.equal(u?.role, 'admin');
        await s.addAppPassword(m.id, 'phone', 'h1', 1);
        await s.recordEvent({ mailboxId: m.id, at: 1, protocol: 'imap', port: 993, clientIp: '127.0.0.1', tls: true, clientName: null, kind: 'auth', result: 'ok', reason: null });
        await s.removeMailbox(m.id);
        assert.equal(await s.getMailbox(m.address), null);
        assert.equal(await s.getSubscriber(m.subscriberId), null);
        assert.deepEqual(await s.listAppPasswords(m.id), []);
        assert.deepEqual(await s.listEvents(m.id, 10), []);
        await assert.rejects(s.removeMailbox(m.id), code('not-found'));
      }));

    it('keeps aliases with several targets and removes one target or all', () =>
      h.withStore(async (s) => {
        await domainWithMailbox(s, 'alice@example.test');
        await s.addAlias('team@example.test', ['alice@example.test'], false);
        await s.addAlias('team@example.test', ['bob@other.test', 'alice@example.test'], false);
        assert.deepEqual(await s.getAlias('team@example.test'), {
          address: 'team@example.test',
          targets: ['alice@example.test', 'bob@other.test'],
          system: false,
        });
        await assert.rejects(s.addAlias('alice@example.test', ['x@example.test'], false), code('taken'));
        await s.addAlias('postmaster@example.test', ['alice@example.test'], true);
        assert.deepEqual(
          (await s.listAliases('example.test')).map((a) => [a.address, a.system]),
          [
            ['postmaster@example.test', true],
            ['team@example.test', false],
          ],
        );
        await s.removeAlias('team@example.test', 'bob@other.test');
        assert.deepEqual((await s.getAlias('team@example.test'))?.targets, ['alice@example.test']);
        await s.removeAlias('team@example.test');
        assert.equal(await s.getAlias('team@example.test'), null);
        await assert.rejects(s.removeAlias('team@example.test'), code('not-found'));
      }));

    it('keeps DKIM keys per domain, refusing a reused selector, removed with the domain', () =>
      h.withStore(async (s) => {
        await s.addDomain({ name: 'example.test', adminAddress: null, signupPolicy: 'closed', createdAt: 1 });
        const key = { domain: 'example.test', selector: 's2026', algorithm: 'rsa-sha256' as const, privateKey: 'PEM', publicKey: 'B64', active: true, createdAt: 5 };
        await s.addDkimKey(key);
        await assert.rejects(s.addDkimKey(key), code('exists'));
        await assert.rejects(s.addDkimKey({ ...key, domain: 'nowhere.test' }), code('not-found'));
        await s.addDkimKey({ ...key, selector: 's2027', algorithm: 'ed25519-sha256', createdAt: 6 });
        await s.setDkimKeyActive('example.test', 's2026', false);
        assert.deepEqual(
          (await s.listDkimKeys('example.test')).map((k) => [k.selector, k.algorithm, k.active]),
          [
            ['s2026', 'rsa-sha256', false],
            ['s2027', 'ed25519-sha256', true],
          ],
        );
        await s.removeDomain('example.test', false);
        assert.deepEqual(await s.listDkimKeys('example.test'), []);
      }));

    it('keeps per-mailbox rules (forwarding, vacation), removed with the mailbox', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        assert.equal(await s.getMailboxRules(m.id), null);
        const rules = {
          mailboxId: m.id,
          forwardTo: ['me@elsewhere.test'],
          keepCopy: false,
          vacation: { enabled: true, subject: 'Away', body: 'Back on Monday', periodDays: 3, until: 99 },
        };
        await s.setMailboxRules(rules);
        assert.deepEqual(await s.getMailboxRules(m.id), rules);
        await s.setMailboxRules({ ...rules, forwardTo: [], keepCopy: true });
        assert.deepEqual((await s.getMailboxRules(m.id))!.forwardTo, []);
        await assert.rejects(s.setMailboxRules({ ...rules, mailboxId: 999_999 }), code('not-found'));
        await s.removeMailbox(m.id);
        assert.equal(await s.getMailboxRules(m.id), null);
      }));

    it('creates a server-wide setting once; every handle sees the first value', () =>
      h.withStores(2, async ([a, b]) => {
        assert.equal(await a!.settingOnce('srs-secret', 'first'), 'first');
        assert.equal(await b!.settingOnce('srs-secret', 'second'), 'first');
      }));

    it('stores app passwords by hash, refuses duplicate names, revokes', () =>
      h.withStore(async (s) => {
        const m = await domainWithMailbox(s);
        const ap = await s.addAppPassword(m.id, 'phone', 'hash-1', 10);
        assert.equal(ap.lastUsedAt, null);
        await assert.rejects(s.addAppPassword(m.id, 'phone', 'hash-2', 11), code('exists'));
        await s.addAppPassword(m.id, 'laptop', 'hash-3', 12);
        assert.equal((await s.findAppPassword(m.id, 'hash-1'))?.name, 'phone');
        assert.equal(await s.findAppPassword(m.id, 'hash-x'), null);
        await s.touchAppPassword(ap.id, 99);
        assert.equal((await s.findAppPassword(m.id, 'hash-1'))?.lastUsedAt, 99);
        assert.deepEqual((await s.listAppPasswords(m.id)).map((a) => a.name), ['laptop', 'phone']);
        assert.equal(await s.revokeAppPassword(m.id, 'phone'), true);
        assert.equal(await s.revokeAppPassword(m.id, 'phone'), false);
        assert.equal(await s.findAppPassword(m.id, 'hash-1'), null);
      }));
  });
}
