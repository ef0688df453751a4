/** The real `outpost` binary: help on every verb, the refusals of `account add` with their reasons, the other verbs. */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { outpost } from '../kit/cli.js';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';

const GOOD = 'correct horse battery staple';

describe('outpost CLI', () => {
  let d: TestDataDir;
  const cli = (args: string[], stdin?: string) => outpost(['--data', d.dir, ...args], stdin === undefined ? {} : { stdin });
  const add = (address: string, password = GOOD, ...extra: string[]) => cli(['account', 'add', address, '--password-stdin', ...extra], `${password}\n`);

  before(async () => {
    d = await makeDataDir();
  });

  it('lists every verb in --help, and every verb has its own --help', async () => {
    const r = await outpost(['--help']);
    assert.equal(r.code, 0);
    for (const verb of ['init', 'serve', 'domain', 'account', 'subscriber', 'alias', 'app-password']) assert.match(r.stdout, new RegExp(`\\n  ${verb}\\b`));
    const nested: Record<string, string[]> = {
      domain: ['add', 'list', 'remove', 'admin'],
      account: ['add', 'list', 'show', 'passwd', 'remove', 'quota', 'disable', 'enable', 'log'],
      subscriber: ['show', 'allowance'],
      alias: ['add', 'list', 'remove'],
      'app-password': ['add', 'list', 'revoke'],
    };
    await Promise.all(
      Object.entries(nested).map(async ([verb, subs]) => {
        const h = await outpost([verb, '--help']);
        assert.equal(h.code, 0, `${verb} --help`);
        for (const s of subs) {
          assert.match(h.stdout, new RegExp(`\\n  ${s}\\b`), `${verb} lists ${s}`);
          const sh = await outpost([verb, s, '--help']);
          assert.equal(sh.code, 0, `${verb} ${s} --help`);
          assert.match(sh.stdout, /^Usage: outpost /);
        }
      }),
    );
  });

  it('fails with exit 1 and a one-line reason on an unknown verb or a missing argument', async () => {
    const r = await outpost(['frobnicate']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
    const m = await cli(['account', 'add']);
    assert.equal(m.code, 1);
    assert.match(m.stderr, /missing required argument 'address'/);
  });

  it('init wrote a working domain with postmaster@ as admin and abuse@ pointing to it', async () => {
    const accounts = JSON.parse((await cli(['account', 'list', '--json'])).stdout) as Array<{ address: string; role: string }>;
    assert.deepEqual(accounts.map((a) => [a.address, a.role]), [['postmaster@example.test', 'admin']]);
    const aliases = JSON.parse((await cli(['alias', 'list', '--json'])).stdout) as Array<{ address: string; targets: string[] }>;
    assert.deepEqual(aliases.map((a) => [a.address, a.targets]), [['abuse@example.test', ['postmaster@example.test']]]);
    const again = await cli(['init', '--hostname', 'x.test', '--domain', 'x.test']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already initialised/);
  });

  describe('account add refuses with exit 1 and the reason', () => {
    const cases: Array<[string, string, RegExp, string[]?]> = [
      ['bad@@example.test', GOOD, /invalid address .*more than one @/],
      ['a..b@example.test', GOOD, /invalid address .*two dots in a row/],
      [`${'a'.repeat(65)}@example.test`, GOOD, /invalid address .*longer than 64/],
      ['postmaster@example.test', GOOD, /reserved/],
      ['abuse@example.test', GOOD, /reserved/],
      ['someone@not-hosted.test', GOOD, /not-hosted\.test is not a domain this server hosts/],
      ['carol@example.test', 'abcdef', /weak password: it must be at least 10 characters long \(it has 6\)/],
      ['carol@example.test', 'carol@example.test', /weak password: it contains the address/],
      ['carol@example.test', 'password123456', /weak password: .*common password "password"/],
      ['carol@example.test', 'qwertyuiop', /weak password: it is one of the most common passwords/],
      ['carol@example.test', 'carol-is-my-name', /weak password: it contains the part of the address before @/],
    ];
    for (const [address, password, reason] of cases)
      it(`${address} with ${JSON.stringify(password)}`, async () => {
        const r = await add(address, password);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, reason);
        assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
      });

    it('an existing address in another case', async () => {
      assert.equal((await add('Dora@example.test')).code, 0);
      const r = await add('dORA@EXAMPLE.test');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /dora@example\.test is already taken/);
    });

    it('a mailbox beyond the subscriber allowance', async () => {
      assert.equal((await add('holder@example.test')).code, 0);
      assert.equal((await cli(['subscriber', 'allowance', 'holder@example.test', '2'])).code, 0);
      assert.equal((await add('kid1@example.test', GOOD, '--subscriber', 'holder@example.test')).code, 0);
      const r = await add('kid2@example.test', GOOD, '--subscriber', 'holder@example.test');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /allowance of holder@example\.test is used up \(2 of 2 mailboxes\)/);
      const show = await cli(['subscriber', 'show', 'kid1@example.test']);
      assert.match(show.stdout, /holder@example\.test: 2 of 2 mailboxes used/);
    });

    it('a password only from stdin or a terminal, never the command line', async () => {
      const r = await cli(['account', 'add', 'erin@example.test']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /--password-stdin/);
      const p = await cli(['account', 'add', 'erin@example.test', '--password', GOOD]);
      assert.equal(p.code, 1);
      assert.match(p.stderr, /unknown option '--password'/);
    });
  });

  it('manages domains, aliases, quotas, passwords and app passwords', async () => {
    assert.equal((await add('frank@example.test', GOOD, '--quota', '500M')).code, 0);
    const quota = await cli(['account', 'quota', 'frank@example.test']);
    assert.match(quota.stdout, /0 of 500 MiB/);
    assert.match((await cli(['account', 'quota', 'frank@example.test', 'unlimited'])).stdout, /of unlimited/);
    assert.equal((await cli(['account', 'quota', 'frank@example.test', 'lots'])).code, 1);

    const dom = await cli(['domain', 'add', 'Second.Test', '--admin', 'frank@example.test']);
    assert.equal(dom.code, 0, dom.stderr);
    const aliases = JSON.parse((await cli(['alias', 'list', 'second.test', '--json'])).stdout) as Array<{ address: string; targets: string[] }>;
    assert.deepEqual(aliases.map((a) => [a.address, a.targets]), [
      ['abuse@second.test', ['frank@example.test']],
      ['postmaster@second.test', ['frank@example.test']],
    ]);
    assert.match((await cli(['account', 'remove', 'frank@example.test'])).stderr, /is the admin of second\.test/);
    assert.equal((await cli(['alias', 'add', 'team@second.test', 'frank@example.test', 'dora@example.test'])).code, 0);
    assert.match((await cli(['alias', 'remove', 'postmaster@second.test'])).stderr, /required/);
    assert.match((await cli(['domain', 'remove', 'example.test'])).stderr, /still has \d+ mailbox/);

    const ap = await cli(['app-password', 'add', 'frank@example.test', 'phone']);
    assert.match(ap.stdout, /\(shown only now\): [a-z2-9]{4}(-[a-z2-9]{4}){4}$/m);
    assert.match((await cli(['app-password', 'list', 'frank@example.test'])).stdout, /^phone\tcreated .*last used never$/m);
    assert.match((await cli(['app-password', 'add', 'frank@example.test', 'phone'])).stderr, /already exists/);
    assert.equal((await cli(['app-password', 'revoke', 'frank@example.test', 'phone'])).code, 0);
    assert.match((await cli(['app-password', 'revoke', 'frank@example.test', 'phone'])).stderr, /no app password named "phone"/);

    assert.equal((await cli(['account', 'passwd', 'frank@example.test', '--password-stdin'], 'another good passphrase\n')).code, 0);
    assert.match((await cli(['account', 'passwd', 'frank@example.test', '--password-stdin'], 'short\n')).stderr, /weak password/);
    const log = await cli(['account', 'log', 'frank@example.test', '--json']);
    assert.deepEqual(
      (JSON.parse(log.stdout) as Array<{ kind: string }>).map((e) => e.kind),
      ['password.changed', 'app-password.revoked', 'app-password.added'],
    );
    const show = JSON.parse((await cli(['account', 'show', 'frank@example.test', '--json'])).stdout) as Record<string, unknown>;
    assert.equal(show.passwordHash, undefined, 'never prints the hash');
    assert.deepEqual(show.aliases, ['abuse@second.test', 'postmaster@second.test', 'team@second.test']);

    assert.equal((await cli(['domain', 'admin', 'second.test', 'dora@example.test'])).code, 0);
    assert.equal((await cli(['account', 'remove', 'frank@example.test'])).code, 0);
    assert.equal((await cli(['account', 'show', 'frank@example.test'])).code, 1);
    assert.equal((await cli(['domain', 'remove', 'second.test'])).code, 0);
  });
});
