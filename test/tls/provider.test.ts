/**
 * The TLS provider over real sockets: certificates by SNI with the configured one as fallback, replaced without
 * touching open connections, and TLS-ALPN-01 challenge certificates only for clients that offer `acme-tls/1`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import acme from 'acme-client';
import { generateSelfSigned, TlsProvider, writeSelfSigned } from '../../src/tls/certs.js';

let provider: TlsProvider;
let server: Server;
let port: number;
let challenge: { cert: string; key: string };
const sockets: TLSSocket[] = [];

async function hello(servername: string, o: { alpn?: string[]; maxVersion?: 'TLSv1.2' | 'TLSv1.3' } = {}): Promise<{ names: string; alpn: string | false; socket: TLSSocket }> {
  const socket = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, ...(o.alpn ? { ALPNProtocols: o.alpn } : {}), ...(o.maxVersion ? { maxVersion: o.maxVersion } : {}) });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  return { names: socket.getPeerCertificate().subjectaltname ?? '', alpn: socket.alpnProtocol ?? false, socket };
}

describe('TlsProvider', () => {
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-tls-'));
    await writeSelfSigned('fallback.example.test', join(dir, 'cert.pem'), join(dir, 'key.pem'));
    provider = new TlsProvider(join(dir, 'cert.pem'), join(dir, 'key.pem'));
    const [key, cert] = await acme.crypto.createAlpnCertificate(
      { identifier: { type: 'dns', value: 'pending.example.test' } } as Parameters<typeof acme.crypto.createAlpnCertificate>[0],
      'token.thumbprint',
      await acme.crypto.createPrivateEcdsaKey(),
    );
    challenge = { cert: cert.toString(), key: key.toString() };
    provider.setChallengeSource(async (name) => (name === 'pending.example.test' ? challenge : null));
    server = createServer(provider.serverOptions({ acmeAlpn: true }), (s) => s.on('error', () => undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });

  after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('serves stored certificates by name, wildcard second, the configured one otherwise; an open connection keeps its own', async () => {
    const a = await generateSelfSigned('a.example.test');
    const w = await generateSelfSigned('*.example.test');
    const notAfter = Date.now() + 86_400_000;
    assert.deepEqual(provider.setCertificates([
      { names: ['a.example.test'], certPem: a.cert, keyPem: a.key, notAfter },
      { names: ['*.example.test'], certPem: w.cert, keyPem: w.key, notAfter },
      { names: ['broken.example.test'], certPem: 'not a certificate', keyPem: 'nor a key', notAfter },
    ]).map((f) => f.names), [['broken.example.test']]);
    const open = await hello('a.example.test', { alpn: ['http/1.1'] });
    assert.match(open.names, /DNS:a\.example\.test/);
    assert.equal(open.alpn, 'http/1.1');
    assert.match((await hello('b.example.test')).names, /DNS:\*\.example\.test/);
    assert.match((await hello('other.test')).names, /DNS:fallback\.example\.test/);
    provider.setCertificates([]);
    assert.match((await hello('a.example.test')).names, /DNS:fallback\.example\.test/, 'new handshakes see the new set');
    assert.match(open.socket.getPeerCertificate().subjectaltname ?? '', /DNS:a\.example\.test/);
    assert.equal(open.socket.destroyed, false);
    open.socket.destroy();
  });

  // TLS 1.3 only: acme-client's challenge certificate carries keyUsage keyCertSign|cRLSign without digitalSignature,
  // which OpenSSL refuses for TLS 1.2 ECDHE-ECDSA ("no shared cipher"). CAs' validators (pebble, Let's Encrypt)
  // negotiate TLS 1.3.
  it('answers a TLS-ALPN-01 validation with the challenge certificate', async () => {
    for (const maxVersion of ['TLSv1.3'] as const) {
      const v = await hello('pending.example.test', { alpn: ['acme-tls/1'], maxVersion });
      assert.equal(v.alpn, 'acme-tls/1');
      assert.equal(v.names, 'DNS:pending.example.test', maxVersion);
      assert.ok(acme.crypto.isAlpnCertificateAuthorizationValid(v.socket.getPeerCertificate(true).raw.toString('base64').replace(/(.{64})/g, '$1\n').replace(/^/, '-----BEGIN CERTIFICATE-----\n').replace(/\n?$/, '\n-----END CERTIFICATE-----\n'), 'token.thumbprint'));
      v.socket.destroy();
    }
  });

  it('gives a TLS 1.3 browser the ordinary certificate while a challenge is pending, and no challenge to other names', async () => {
    const browser = await hello('pending.example.test', { alpn: ['h2', 'http/1.1'], maxVersion: 'TLSv1.3' });
    assert.equal(browser.alpn, 'http/1.1');
    assert.match(browser.names, /DNS:fallback\.example\.test/);
    browser.socket.destroy();
    const elsewhere = await hello('idle.example.test', { alpn: ['acme-tls/1'] });
    assert.match(elsewhere.names, /DNS:fallback\.example\.test/);
    elsewhere.socket.destroy();
  });

  it('refuses a client that offers no protocol it speaks (RFC 7301 §3.2)', async () => {
    await assert.rejects(hello('a.example.test', { alpn: ['h2'] }), /no application protocol/);
  });
});
