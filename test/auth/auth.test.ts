/** The auth service: passwords and app passwords, identical failures, the shared limiter, the event log. */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { testServices, type TestServices } from '../kit/services.js';
import { clientKey } from '../../src/auth/limiter.js';
import type { AuthAttempt } from '../../src/auth/service.js';

const PASSWORD = 'correct horse battery staple';

describe('auth service', () => {
  let t: TestServices;
  const attempt = (over: Partial<AuthAttempt> = {}): AuthAttempt => ({
    username: 'alice@example.test',
    password: PASSWORD,
    protocol: 'imap',
    port: 993,
    clientIp: '192.0.2.10',
    tls: true,
    clientName: 'Thunderbird 128',
    ...over,
  });
  const events = async () => {
    await t.auth.flush();
    const m = await t.store.getMailbox('alice@example.test');
    return t.store.listEvents(m!.id, 100);
  };

  beforeEach(async () => {
    t = await testServices();
    await t.accounts.bootstrap('example.test', 'admins secret passphrase');
    await t.accounts.addMailbox('alice@example.test', PASSWORD);
  });
  afterEach(() => t.close());

  it('signs in with the password (address case-insensitive) and logs who, where and how', async () => {
    const r = await t.auth.authenticate(attempt({ username: 'Alice@EXAMPLE.test' }));
    assert.equal(r.ok, true);
    assert.equal(r.ok && r.via, 'password');
    const [e] = await events();
    assert.deepEqual(
      { protocol: e!.protocol, port: e!.port, ip: e!.clientIp, tls: e!.tls, name: e!.clientName, kind: e!.kind, result: e!.result, reason: e!.reason },
      { protocol: 'imap', port: 993, ip: '192.0.2.10', tls: true, name: 'Thunderbird 128', kind: 'auth', result: 'ok', reason: null },
    );
  });

  it('accepts app passwords (dashes and case ignored) for mail protocols, never for the web', async () => {
    const { secret } = await t.accounts.addAppPassword('alice@example.test', 'phone');
    const imap = await t.auth.authenticate(attempt({ password: secret.toUpperCase().replace(/-/g, ' ') }));
    assert.ok(imap.ok && imap.via === 'app-password' && imap.appPasswordName === 'phone');
    const smtp = await t.auth.authenticate(attempt({ protocol: 'submission', port: 465, password: secret }));
    assert.equal(smtp.ok, true);
    const web = await t.auth.authenticate(attempt({ protocol: 'web', port: 443, password: secret }));
    assert.deepEqual(web, { ok: false, failure: 'invalid-credentials' });
    const log = await events();
    assert.equal(log[0]!.reason, 'app-password-on-web');
    assert.equal(log[1]!.reason, 'app-password:phone');
    assert.ok((await t.store.listAppPasswords(imap.ok ? imap.mailbox.id : 0))[0]!.lastUsedAt);
    await t.accounts.revokeAppPassword('alice@example.test', 'phone');
    assert.equal((await t.auth.authenticate(attempt({ password: secret }))).ok, false);
  });

  it('answers an unknown address exactly like a wrong password, doing the same hashing work', async () => {
    const before = t.hasher.verifications;
    const wrong = await t.auth.authenticate(attempt({ password: 'wrong password here' }));
    const afterWrong = t.hasher.verifications;
    const unknown = await t.auth.authenticate(attempt({ username: 'nobody@example.test', password: 'wrong password here' }));
    const garbage = await t.auth.authenticate(attempt({ username: '"not an address', password: 'x' }));
    assert.deepEqual(wrong, { ok: false, failure: 'invalid-credentials' });
    assert.deepEqual(unknown, wrong);
    assert.deepEqual(garbage, wrong);
    assert.equal(afterWrong - before, 1, 'one argon2 verification for a wrong password');
    assert.equal(t.hasher.verifications - afterWrong, 2, 'one (decoy) verification each for unknown users');
    const log = await events();
    assert.equal(log[0]!.reason, 'bad-password');
  });

  it('refuses a disabled mailbox after checking the password', async () => {
    await t.accounts.setDisabled('alice@example.test', true);
    assert.deepEqual(await t.auth.authenticate(attempt()), { ok: false, failure: 'disabled' });
    assert.deepEqual(await t.auth.authenticate(attempt({ password: 'wrong password here' })), { ok: false, failure: 'invalid-credentials' });
  });

  it('slows failures per mailbox from anywhere, doubling up to the cap', async () => {
    const s = t.limiter.settings;
    for (let i = 0; i < s.mailboxSlowAfter + 3; i++)
      await t.auth.authenticate(attempt({ password: `wrong ${i} password`, clientIp: `198.51.100.${i}` }));
    assert.deepEqual(t.sleeps, [s.mailboxBaseDelayMs, s.mailboxBaseDelayMs * 2]);
    for (let i = 0; i < 10; i++) await t.auth.authenticate(attempt({ password: 'wrong password again', clientIp: `203.0.113.${i}` }));
    assert.equal(Math.max(...t.sleeps), s.mailboxMaxDelayMs);
    // The window passes: no more delay.
    t.clock.now += s.windowMs;
    t.sleeps.length = 0;
    assert.equal((await t.auth.authenticate(attempt())).ok, true);
    assert.deepEqual(t.sleeps, []);
  });

  it('locks out one (mailbox, IP) pair without locking the owner out elsewhere, until the lockout ends', async () => {
    const s = t.limiter.settings;
    const attacker = { clientIp: '192.0.2.66', password: 'guess guess guess' };
    for (let i = 0; i < s.pairLockAfter; i++) assert.equal((await t.auth.authenticate(attempt(attacker))).ok, false);
    const locked = await t.auth.authenticate(attempt({ clientIp: '192.0.2.66' }));
    assert.equal(locked.ok, false);
    assert.equal(!locked.ok && locked.failure, 'locked-out');
    assert.ok(!locked.ok && locked.retryAfterMs! > 0 && locked.retryAfterMs! <= s.lockoutMs);
    assert.equal((await t.auth.authenticate(attempt({ clientIp: '192.0.2.77' }))).ok, true, 'the owner elsewhere gets in');
    assert.equal((await events())[1]!.reason, 'locked-out');
    t.clock.now += s.lockoutMs + 1;
    assert.equal((await t.auth.authenticate(attempt({ clientIp: '192.0.2.66' }))).ok, true, 'the lockout ends');
  });

  it('a success clears the pair counter', async () => {
    const s = t.limiter.settings;
    for (let i = 0; i < s.pairLockAfter - 1; i++) await t.auth.authenticate(attempt({ password: 'typo typo typo' }));
    assert.equal((await t.auth.authenticate(attempt())).ok, true);
    for (let i = 0; i < s.pairLockAfter - 1; i++) await t.auth.authenticate(attempt({ password: 'typo typo typo' }));
    assert.equal((await t.auth.authenticate(attempt())).ok, true, 'not locked: the count restarted after the success');
  });

  it('locks out a client IP that fails across many mailboxes (credential stuffing), by /64 for IPv6', async () => {
    const s = t.limiter.settings;
    for (let i = 0; i < s.ipLockAfter; i++)
      await t.auth.authenticate(attempt({ username: `user${i}@example.test`, clientIp: `2001:db8:1:2::${(i % 9) + 1}` }));
    const r = await t.auth.authenticate(attempt({ clientIp: '2001:db8:1:2:ffff::1' }));
    assert.equal(!r.ok && r.failure, 'locked-out', 'the whole /64 is locked');
    assert.equal((await t.auth.authenticate(attempt({ clientIp: '2001:db8:1:3::1' }))).ok, true, 'another /64 is not');
  });

  it('maps client addresses to limiter keys', () => {
    assert.equal(clientKey('192.0.2.1'), '192.0.2.1');
    assert.equal(clientKey('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(clientKey('2001:db8:0:1::5'), '2001:db8:0:1::/64');
    assert.equal(clientKey('2001:0db8:0000:0001:0000:0000:0000:0005'), '2001:db8:0:1::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
  });
});
