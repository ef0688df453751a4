/** `outpost serve` as a real process: start-up, banner, bad configuration, SIGHUP reload, SIGTERM exit 0, first run. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { makeDataDir, editConfig } from '../kit/data-dir.js';
import { startServe } from '../kit/serve.js';
import { outpost } from '../kit/cli.js';
import { writeSelfSigned } from '../../src/tls/certs.js';

describe('outpost serve', () => {
  it('starts, prints where everything is, reloads the certificate on SIGHUP and exits 0 on SIGTERM', async () => {
    const d = await makeDataDir();
    const serve = startServe(d.dir);
    try {
      await serve.waitFor(/Outpost is running for example\.test as mail\.example\.test/);
      await serve.waitFor(/stop: /);
      const out = serve.stdout();
      assert.match(out, new RegExp(`data directory: ${d.dir.replace(/[/.]/g, '\\$&')}`));
      assert.match(out, /\(self-signed\)/);
      for (const [role, port] of Object.entries(d.ports)) assert.match(out, new RegExp(`${role}\\s+127\\.0\\.0\\.1:${port}`));
      assert.match(out, /create a mailbox: .* account add you@example\.test/);

      // A CLI verb works while the server runs (same store, no lock errors).
      const add = await outpost(['--data', d.dir, 'account', 'add', 'live@example.test', '--password-stdin'], { stdin: 'a long good passphrase\n' });
      assert.equal(add.code, 0, add.stderr);

      await writeSelfSigned('renewed.example.test', join(d.dir, 'tls/cert.pem'), join(d.dir, 'tls/key.pem'));
      const expected = new X509Certificate(readFileSync(join(d.dir, 'tls/cert.pem'))).fingerprint256;
      serve.child.kill('SIGHUP');
      await serve.waitFor(/"msg":"tls\.reloaded"/);
      const reload = serve.logs().find((l) => l.msg === 'tls.reloaded');
      assert.equal(reload?.fingerprint, expected);
      assert.equal(serve.child.exitCode, null, 'still running after SIGHUP');
    } finally {
      assert.equal(await serve.stop(), 0, 'SIGTERM exits 0');
    }
    assert.match(serve.stdout(), /"msg":"server\.stopped"/);
  });

  it('refuses to start on a bad configuration, naming the key, the value and the fix', async () => {
    const d = await makeDataDir();
    editConfig(d.dir, (t) => t.replace(/^imap(\s*=)/m, 'imapp$1'));
    const r = await outpost(['--data', d.dir, 'serve']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /outpost\.toml: unknown key "imapp" in \[listen\]\. Did you mean "imap"\?/);
    editConfig(d.dir, (t) => t.replace(/^imapp(\s*=)/m, 'imap$1').replace('level = "info"', 'level = 3'));
    const v = await outpost(['--data', d.dir, 'serve']);
    assert.equal(v.code, 1);
    assert.match(v.stderr, /\[log\] level = 3 is not valid: it must be one of .* Fix: write it like level = "info"/);
  });

  it('a first run with no data directory initialises one and says how to create the first mailbox', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'outpost-first-')), 'fresh');
    const serve = startServe(dir, { OUTPOST_HOSTNAME: 'mail.first.test', OUTPOST_DOMAIN: 'first.test' });
    try {
      await serve.waitFor(/stop: /);
      assert.match(serve.stdout(), /First run: initialised .* for first\.test/);
      assert.match(serve.stdout(), /Admin mailbox postmaster@first\.test, password \(shown only now\): \S{20}/);
      assert.match(serve.stdout(), /account add you@first\.test/);
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });
});
