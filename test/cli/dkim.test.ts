/** `outpost domain dkim`: the CLI twin of the admin console's "add DKIM key", checked by `outpost dns` and dkimpy's parser. */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { outpost } from '../kit/cli.js';
import { makeDataDir, type TestDataDir } from '../kit/data-dir.js';

describe('outpost domain dkim', () => {
  let d: TestDataDir;
  const cli = (...args: string[]) => outpost(['--data', d.dir, ...args]);
  before(async () => {
    d = await makeDataDir();
  });

  it('adds an ed25519 key with a chosen selector, prints its record, and `outpost dns` lists it', async () => {
    const r = await cli('domain', 'dkim', 'example.test', '--algorithm', 'ed25519-sha256', '--selector', 'ed2026');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Added a ed25519-sha256 DKIM key for example\.test/m);
    const record = r.stdout.match(/^ed2026\._domainkey\.example\.test\.\t3600\tIN\tTXT\t"(v=DKIM1; k=ed25519; p=[A-Za-z0-9+/=]+)"$/m);
    assert.ok(record, r.stdout);
    const dns = await cli('dns', 'example.test');
    assert.equal(dns.code, 0, dns.stderr);
    assert.ok(dns.stdout.includes('ed2026._domainkey.example.test.'), dns.stdout);
    assert.ok(dns.stdout.includes(record[1]!.split('p=')[1]!.slice(0, 40)), 'the same public key');
  });

  it('refuses an unknown algorithm, a bad selector and a domain it does not host, with exit 1 and the reason', async () => {
    const a = await cli('domain', 'dkim', 'example.test', '--algorithm', 'dsa');
    assert.equal(a.code, 1);
    assert.match(a.stderr, /unknown DKIM algorithm "dsa"/);
    const s = await cli('domain', 'dkim', 'example.test', '--selector', 'bad_selector!');
    assert.equal(s.code, 1);
    assert.match(s.stderr, /not a DNS label/);
    const n = await cli('domain', 'dkim', 'elsewhere.test');
    assert.equal(n.code, 1);
    assert.ok(n.stderr.length > 0);
  });
});
