/** The TLS provider over real sockets: SANs of the self-signed certificate, reload without dropping connections. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { TlsProvider, generateSelfSigned, writeSelfSigned } from '../../src/tls/certs.js';

const dir = mkdtempSync(join(tmpdir(), 'outpost-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function connectTo(port: number, servername?: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(servername ? { servername } : {}) }, () => resolve(s));
    s.once('error', reject);
  });
}

const echoOnce = (s: TLSSocket, text: string) =>
  new Promise<string>((resolve) => {
    s.once('data', (d) => resolve(d.toString()));
    s.write(text);
  });

describe('TLS', () => {
  it('generates a self-signed certificate for the host name and localhost', async () => {
    const { cert, key } = await generateSelfSigned('mail.example.test');
    const x = new X509Certificate(cert);
    assert.match(x.subjectAltName ?? '', /DNS:mail\.example\.test/);
    assert.match(x.subjectAltName ?? '', /DNS:localhost/);
    assert.match(x.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.equal(x.subject, x.issuer);
    assert.ok(x.verify(x.publicKey), "signed by its own key");
    assert.ok(new Date(x.validTo).getTime() > Date.now() + 365 * 24 * 3600 * 1000);
    assert.match(key, /BEGIN PRIVATE KEY/);
  });

  it('reloads the certificate for new connections while open ones keep working (with and without SNI)', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    await writeSelfSigned('one.example.test', cert, key);
    const provider = new TlsProvider(cert, key);
    const server = createServer(provider.serverOptions(), (s) => s.on('data', (d) => s.write(d)));
    provider.attach(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const old = await connectTo(port, 'one.example.test');
      const before = old.getPeerX509Certificate()!.fingerprint256;
      assert.equal(before, provider.info.fingerprint256);

      await writeSelfSigned('two.example.test', cert, key);
      const info = provider.reload();
      assert.notEqual(info.fingerprint256, before);

      for (const sni of ['two.example.test', undefined]) {
        const fresh = await connectTo(port, sni);
        assert.equal(fresh.getPeerX509Certificate()!.fingerprint256, info.fingerprint256, `new cert with SNI=${sni}`);
        fresh.destroy();
      }
      assert.equal(await echoOnce(old, 'still here'), 'still here', 'the old connection survives the reload');
      old.destroy();
    } finally {
      server.close();
    }
  });

  it('keeps the old certificate when the new files are broken', async () => {
    const cert = join(dir, 'c2.pem');
    const key = join(dir, 'k2.pem');
    await writeSelfSigned('three.example.test', cert, key);
    const provider = new TlsProvider(cert, key);
    const before = provider.info.fingerprint256;
    await writeSelfSigned('x.example.test', cert, join(dir, 'other-key.pem'));
    assert.throws(() => provider.reload(), /not usable/);
    assert.equal(provider.info.fingerprint256, before);
  });
});
