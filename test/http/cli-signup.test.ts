/** `outpost domain signup D POLICY` and `outpost domain invite D` through the real CLI. */
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';
import { outpost } from '../kit/cli.js';

let d: TestDataDir;
before(async () => {
  d = await makeDataDir();
});

it('sets the sign-up policy and shows it in the domain list', async () => {
  const set = await outpost(['--data', d.dir, 'domain', 'signup', 'example.test', 'invite']);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /Sign-up at example\.test is now invite/);
  const list = await outpost(['--data', d.dir, 'domain', 'list']);
  assert.match(list.stdout, /example\.test.*sign-up invite/);
});

it('refuses an unknown policy and an unknown domain with the reason', async () => {
  const bad = await outpost(['--data', d.dir, 'domain', 'signup', 'example.test', 'sometimes']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /closed, invite, open/);
  const unknown = await outpost(['--data', d.dir, 'domain', 'signup', 'nowhere.test', 'open']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /not a domain this server hosts/);
});

it('prints distinct invite codes and warns when the policy is not "invite"', async () => {
  const r = await outpost(['--data', d.dir, 'domain', 'invite', 'example.test', '--count', '3']);
  assert.equal(r.code, 0, r.stderr);
  const codes = r.stdout.trim().split('\n');
  assert.equal(new Set(codes).size, 3);
  for (const c of codes) assert.match(c, /^[0-9a-f]{10}-[0-9a-f]{12}$/);
  await outpost(['--data', d.dir, 'domain', 'signup', 'example.test', 'closed']);
  const w = await outpost(['--data', d.dir, 'domain', 'invite', 'example.test']);
  assert.match(w.stderr, /sign-up at example\.test is closed/);
});
