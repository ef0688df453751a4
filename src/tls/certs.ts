/**
 * Certificates: a self-signed one for first runs (`outpost init`), and the provider every TLS listener asks for its
 * current SecureContext. Reloading (SIGHUP) swaps the context for new handshakes; open connections keep theirs.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createSecureContext, type SecureContext, type Server as TlsServer, type TlsOptions } from 'node:tls';
import { generate } from 'selfsigned';
import { UserError } from '../lib/errors.js';

/** A self-signed certificate for `hostname` and localhost (SANs), valid for ~2 years, with an EC P-256 key. */
export async function generateSelfSigned(hostname: string): Promise<{ cert: string; key: string }> {
  const names = [...new Set([hostname, 'localhost'])];
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 825 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names.map((value) => ({ type: 2 as const, value })), { type: 7 as const, ip: '127.0.0.1' }, { type: 7 as const, ip: '::1' }],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export async function writeSelfSigned(hostname: string, certPath: string, keyPath: string): Promise<void> {
  const { cert, key } = await generateSelfSigned(hostname);
  mkdirSync(dirname(certPath), { recursive: true });
  mkdirSync(dirname(keyPath), { recursive: true });
  writeFileSync(certPath, cert);
  writeFileSync(keyPath, key, { mode: 0o600 });
}

export interface CertificateInfo {
  subject: string;
  names: string[];
  validTo: Date;
  fingerprint256: string;
  selfSigned: boolean;
}

function describe(certPem: string): CertificateInfo {
  const x = new X509Certificate(certPem);
  const names = (x.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
  return { subject: x.subject, names, validTo: new Date(x.validTo), fingerprint256: x.fingerprint256, selfSigned: x.subject === x.issuer && x.verify(x.publicKey) };
}

/** RFC 8996 deprecates TLS 1.0 and 1.1; mail clients of the last decade speak 1.2. */
const MIN_VERSION = 'TLSv1.2';

/** Holds the current certificate; TLS servers read it at every handshake. */
export class TlsProvider {
  #context: SecureContext;
  #info: CertificateInfo;
  #pem: { cert: string; key: string };
  readonly #servers = new Set<TlsServer>();

  constructor(
    private readonly certPath: string,
    private readonly keyPath: string,
  ) {
    const loaded = this.load();
    this.#context = loaded.context;
    this.#info = loaded.info;
    this.#pem = loaded.pem;
  }

  private load(): { context: SecureContext; info: CertificateInfo; pem: { cert: string; key: string } } {
    let cert: string;
    let key: string;
    try {
      cert = readFileSync(this.certPath, 'utf8');
      key = readFileSync(this.keyPath, 'utf8');
    } catch (e) {
      throw new UserError('tls', `cannot read the TLS certificate or key (${(e as Error).message}); fix [tls] cert/key in outpost.toml`);
    }
    try {
      return { context: createSecureContext({ cert, key, minVersion: MIN_VERSION }), info: describe(cert), pem: { cert, key } };
    } catch (e) {
      throw new UserError('tls', `the TLS certificate or key is not usable (${(e as Error).message}); fix [tls] cert/key in outpost.toml`);
    }
  }

  /** Re-reads the files. On failure the old certificate stays in use and the error is thrown for the log. */
  reload(): CertificateInfo {
    const loaded = this.load();
    this.#context = loaded.context;
    this.#info = loaded.info;
    this.#pem = loaded.pem;
    // Clients that send no SNI get the server's default context: swap it too.
    for (const server of this.#servers) server.setSecureContext({ ...loaded.pem, minVersion: MIN_VERSION });
    return loaded.info;
  }

  /** Keeps an implicit-TLS server's default certificate current across reloads. */
  attach(server: TlsServer): void {
    this.#servers.add(server);
    server.once('close', () => this.#servers.delete(server));
  }

  get info(): CertificateInfo {
    return this.#info;
  }

  get context(): SecureContext {
    return this.#context;
  }

  /** Options for `tls.createServer` / `new TLSSocket(…, {isServer: true})` that always use the current certificate. */
  serverOptions(): TlsOptions {
    return {
      SNICallback: (_servername, cb) => cb(null, this.#context),
      ...this.#pem,
      minVersion: MIN_VERSION,
    };
  }
}
