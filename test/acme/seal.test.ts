/** Private keys sealed at rest with the secret file (AES-256-GCM, bound to their row). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeySealer } from '../../src/acme/seal.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';

describe('key sealing', () => {
  it('round-trips, creates the secret with mode 0600, and never stores the PEM as text', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'outpost-seal-')), 'tls', 'secret.key');
    const sealer = new KeySealer(path);
    const sealed = sealer.seal(PEM, 'cert:mail.example.test');
    assert.match(sealed, /^sealed:v1:[A-Za-z0-9+/=]+$/);
    assert.ok(!sealed.includes('PRIVATE KEY'));
    assert.notEqual(sealer.seal(PEM, 'cert:mail.example.test'), sealed, 'a fresh IV each time');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(new KeySealer(path).unseal(sealed, 'cert:mail.example.test'), PEM, 'another node with the same file opens it');
  });

  it('refuses a key moved to another row or opened with another secret, and reads unsealed text as it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-seal-'));
    const sealer = new KeySealer(join(dir, 'a.key'));
    const sealed = sealer.seal(PEM, 'cert:a.example');
    assert.throws(() => sealer.unseal(sealed, 'cert:b.example'), /does not open/);
    assert.throws(() => new KeySealer(join(dir, 'b.key')).unseal(sealed, 'cert:a.example'), /does not open/);
    assert.equal(sealer.unseal(PEM, 'cert:a.example'), PEM);
    writeFileSync(join(dir, 'short.key'), 'c2hvcnQ=\n');
    assert.throws(() => new KeySealer(join(dir, 'short.key')).seal(PEM, 'x'), /32-byte/);
  });
});
