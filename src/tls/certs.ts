/**
 * Certificates: a self-signed one for first runs (`outpost init`), and the provider every TLS listener asks for its
 * current SecureContext. The configured certificate (`[tls] cert/key`) is the fallback; certificates from the store
 * (ACME, issue 10) answer by SNI (RFC 6066 §3), and the `https` listener answers TLS-ALPN-01 challenges (RFC 8737).
 * Reloading (SIGHUP, or new certificates in the store) swaps contexts for new handshakes; open connections keep theirs.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createSecureContext, type SecureContext, type Server as TlsServer, type TlsOptions } from 'node:tls';
import { generate } from 'selfsigned';
import { UserError } from '../lib/errors.js';
import { normaliseServername, SniIndex } from './sni.js';

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

export function describe(certPem: string): CertificateInfo {
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

/** RFC 8737 §6.2: the ALPN protocol of a TLS-ALPN-01 validation. */
export const ACME_TLS_ALPN = 'acme-tls/1';

/** A certificate to serve by SNI (from the store). */
export interface SniCertificate {
  names: readonly string[];
  certPem: string;
  keyPem: string;
  notAfter: number;
}

/** Looks up a pending TLS-ALPN-01 challenge certificate for a name (RFC 8737 §3). */
export type ChallengeSource = (name: string) => Promise<{ cert: string; key: string } | null>;

export type SniCallback = (this: unknown, servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void;

/** Holds the current certificates; TLS servers read them at every handshake. */
export class TlsProvider {
  #context: SecureContext;
  #info: CertificateInfo;
  #pem: { cert: string; key: string };
  #sni = new SniIndex<SecureContext>([]);
  /** TLS-ALPN-01 challenge certificates last found pending, by name (parsed once). */
  readonly #alpn = new Map<string, { cert: string; context: SecureContext }>();
  /** Whether a connection's ClientHello offered `acme-tls/1` (set by the ALPN callback, read by the SNI callback). */
  readonly #offersAcme = new WeakMap<object, boolean>();
  #challenges: ChallengeSource | null = null;
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

  /**
   * Replaces the certificates served by SNI. A certificate that does not load is skipped (and reported); the others
   * still serve. New handshakes see the new set at once; open connections keep the certificate they got.
   */
  setCertificates(list: readonly SniCertificate[]): Array<{ names: readonly string[]; error: string }> {
    const failed: Array<{ names: readonly string[]; error: string }> = [];
    const entries = [];
    for (const c of list) {
      try {
        entries.push({ names: c.names, notAfter: c.notAfter, value: createSecureContext({ cert: c.certPem, key: c.keyPem, minVersion: MIN_VERSION }) });
      } catch (e) {
        failed.push({ names: c.names, error: (e as Error).message });
      }
    }
    this.#sni = new SniIndex(entries);
    return failed;
  }

  /**
   * Where the https listener finds pending TLS-ALPN-01 challenge certificates (the store, so any node answers).
   * While one is pending for a name, that name's handshakes on https get it (SNI is read before ALPN).
   */
  setChallengeSource(source: ChallengeSource | null): void {
    this.#challenges = source;
    if (!source) this.#alpn.clear();
  }

  /** Keeps an implicit-TLS server's default certificate current across reloads. */
  attach(server: TlsServer): void {
    this.#servers.add(server);
    server.once('close', () => this.#servers.delete(server));
  }

  get info(): CertificateInfo {
    return this.#info;
  }

  /** The fallback (configured) certificate's context. */
  get context(): SecureContext {
    return this.#context;
  }

  /** The context for a server name: a stored certificate by SNI, else the configured one. */
  contextFor(servername: string | undefined | null): SecureContext {
    return this.#sni.select(servername) ?? this.#context;
  }

  /**
   * The SNI callback of every listener. On `https` a pending TLS-ALPN-01 challenge certificate answers a client that
   * offered `acme-tls/1`. Node runs the ALPN callback before this one in TLS 1.3 and after it in TLS 1.2: when ALPN
   * is not known yet (TLS 1.2), a pending challenge answers any client for that name during the seconds it is pending.
   */
  sniCallback(alpnChallenges = false): SniCallback {
    const provider = this;
    return function (this: unknown, servername, cb) {
      const name = normaliseServername(servername);
      const source = provider.#challenges;
      const offersAcme = this && typeof this === 'object' ? provider.#offersAcme.get(this) : undefined;
      if (!alpnChallenges || !source || !name || offersAcme === false) return cb(null, provider.contextFor(servername));
      provider.lookupChallenge(source, name, servername, cb);
    };
  }

  private lookupChallenge(source: ChallengeSource, name: string, servername: string, cb: Parameters<SniCallback>[1]): void {
    source(name).then(
      (pem) => {
        if (!pem) {
          this.#alpn.delete(name);
          return cb(null, this.contextFor(servername));
        }
        let entry = this.#alpn.get(name);
        if (entry?.cert !== pem.cert) {
          entry = { cert: pem.cert, context: createSecureContext({ cert: pem.cert, key: pem.key, minVersion: MIN_VERSION }) };
          this.#alpn.set(name, entry);
        }
        cb(null, entry.context);
      },
      // A store hiccup must not break ordinary handshakes.
      () => cb(null, this.contextFor(servername)),
    );
  }

  /** What an in-protocol upgrade (STARTTLS, STLS) passes to `new TLSSocket(…, {isServer: true})`. */
  starttlsOptions(): { context: SecureContext; SNICallback: SniCallback } {
    return { context: this.#context, SNICallback: this.sniCallback() };
  }

  /**
   * Options for `tls.createServer` that always use the current certificates. With `acmeAlpn` (the https listener)
   * the server also negotiates `acme-tls/1` (RFC 8737 §3) for a client that offers it, else http/1.1.
   */
  serverOptions(opts: { acmeAlpn?: boolean } = {}): TlsOptions {
    const base: TlsOptions = { SNICallback: this.sniCallback(opts.acmeAlpn === true), ...this.#pem, minVersion: MIN_VERSION };
    if (!opts.acmeAlpn) return base;
    const offersAcme = this.#offersAcme;
    return {
      ...base,
      ALPNCallback(this: unknown, { protocols }: { servername: string; protocols: string[] }) {
        const acme = protocols.includes(ACME_TLS_ALPN);
        if (this && typeof this === 'object') offersAcme.set(this, acme);
        // RFC 8737 §3: a validation offers acme-tls/1 only; without a pending challenge it fails on the certificate.
        if (acme) return ACME_TLS_ALPN;
        // Fastify here speaks HTTP/1.1 only; a client offering nothing we speak gets no_application_protocol (RFC 7301 §3.2).
        return protocols.includes('http/1.1') ? 'http/1.1' : undefined;
      },
    };
  }
}
