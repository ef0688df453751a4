/**
 * One ACME order (RFC 8555 §7.4) through acme-client: the account key from the store (created once per directory),
 * challenge answers written to the store so every node answers them (HTTP-01 §8.3 on the `http` listener,
 * TLS-ALPN-01 RFC 8737 on `https`), a fresh P-256 key per certificate.
 */
import { readFileSync } from 'node:fs';
import { Agent, get } from 'node:https';
import acme from 'acme-client';
import type { InternalAxiosRequestConfig } from 'axios';
import type { AcmeConfig } from '../config/load.js';
import { acmeLimits } from '../lib/limits.js';
import { TemporaryError, UserError } from '../lib/errors.js';
import type { Store } from '../store/types.js';
import type { KeySealer } from './seal.js';

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export interface AcmeIssuerOptions {
  store: Store;
  config: AcmeConfig;
  now: () => number;
  sealer: KeySealer;
  /** Aborts every request of an order in flight (shutdown). */
  signal?: AbortSignal;
  /** Told of each challenge answered (type and name), for the log. */
  onChallenge?: (type: string, name: string) => void;
}

type Challenge = { type: string; token: string };
type Authz = { identifier: { value: string } };

export class AcmeIssuer {
  readonly #agent: Agent | undefined;

  constructor(private readonly o: AcmeIssuerOptions) {
    if (o.config.caFile) {
      let ca: string;
      try {
        ca = readFileSync(o.config.caFile, 'utf8');
      } catch (e) {
        throw new UserError('acme', `cannot read [acme] ca_file (${(e as Error).message})`);
      }
      this.#agent = new Agent({ ca });
    }
  }

  /** Orders one certificate for `names` (the first is its common name); throws a TemporaryError when it fails. */
  async order(names: readonly string[]): Promise<IssuedCertificate> {
    // acme-client talks through one shared axios instance: our CA bundle applies while our order runs, and its own
    // retries are off (our scheduler backs off instead of blocking for minutes on a CA that is down).
    const interceptor = acme.axios.interceptors.request.use((cfg: InternalAxiosRequestConfig & { retryAttempt?: number }) => {
      if (this.#agent) cfg.httpsAgent = this.#agent;
      if (this.o.signal) cfg.signal = this.o.signal;
      cfg.retryAttempt = Number.MAX_SAFE_INTEGER - 1;
      return cfg;
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no certificate after ${acmeLimits.orderTimeoutMs / 1000}s`)), acmeLimits.orderTimeoutMs);
      });
      return await Promise.race([this.run(names), timeout]);
    } catch (e) {
      throw new TemporaryError('acme', `ACME order for ${names.join(', ')} failed: ${describeError(e)}`);
    } finally {
      clearTimeout(timer);
      acme.axios.interceptors.request.eject(interceptor);
    }
  }

  /** GET the directory first: a CA that is down gives its real reason (acme-client turns it into a TypeError). */
  private reachable(): Promise<void> {
    return new Promise((resolve, reject) => {
      const options = { ...(this.#agent ? { agent: this.#agent } : {}), ...(this.o.signal ? { signal: this.o.signal } : {}), timeout: acmeLimits.directoryTimeoutMs };
      const req = get(this.o.config.directoryUrl, options, (res) => {
        res.resume();
        if (res.statusCode === 200) resolve();
        else reject(new Error(`the ACME directory answered HTTP ${res.statusCode}`));
      });
      req.on('timeout', () => req.destroy(new Error('the ACME directory did not answer in time')));
      req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(`cannot reach the ACME directory: ${e.code ?? e.message}`)));
    });
  }

  private async run(names: readonly string[]): Promise<IssuedCertificate> {
    const { store, config, now } = this.o;
    await this.reachable();
    const context = `acme-account:${config.directoryUrl}`;
    let account = await store.getAcmeAccount(config.directoryUrl);
    if (!account) {
      const keyPem = (await acme.crypto.createPrivateEcdsaKey()).toString();
      account = { directoryUrl: config.directoryUrl, keyPem: this.o.sealer.seal(keyPem, context), accountUrl: null, createdAt: now() };
      await store.putAcmeAccount(account);
    }
    const client = new acme.Client({ directoryUrl: config.directoryUrl, accountKey: this.o.sealer.unseal(account.keyPem, context), backoffAttempts: 10, backoffMin: 200, backoffMax: 5000 });
    // RFC 8555 §7.3.1: newAccount with a known key returns that account, so this finds it again, and registers anew
    // if the CA has forgotten it (a CA reset, a test CA restarted).
    // For a known account acme-client then sends the same fields as an update (§7.3.2), which must not be empty.
    await client.createAccount({ termsOfServiceAgreed: true, contact: config.contact ? [`mailto:${config.contact}`] : [] });
    const [keyPem, csr] = await acme.crypto.createCsr({ commonName: names[0]!, altNames: [...names] }, await acme.crypto.createPrivateEcdsaKey());
    const preferred = config.challenge;
    const certPem = await client.auto({
      csr,
      ...(config.contact ? { email: config.contact } : {}),
      termsOfServiceAgreed: true,
      // The library's self-check would resolve names through the machine's resolver; the CA validates anyway.
      skipChallengeVerification: true,
      challengePriority: [preferred, preferred === 'http-01' ? 'tls-alpn-01' : 'http-01'],
      challengeCreateFn: (authz, challenge, keyAuthorization) => this.present(authz, challenge, keyAuthorization),
      challengeRemoveFn: (authz, challenge) => this.withdraw(authz, challenge),
    });
    if (account.accountUrl !== client.getAccountUrl()) await store.putAcmeAccount({ ...account, accountUrl: client.getAccountUrl() });
    return { certPem, keyPem: keyPem.toString() };
  }

  private async present(authz: Authz, challenge: Challenge, keyAuthorization: string): Promise<void> {
    const expiresAt = this.o.now() + acmeLimits.challengeTtlMs;
    this.o.onChallenge?.(challenge.type, authz.identifier.value);
    if (challenge.type === 'http-01') {
      await this.o.store.putAcmeChallenge({ kind: 'http-01', key: challenge.token, value: keyAuthorization, expiresAt });
    } else if (challenge.type === 'tls-alpn-01') {
      // An EC key like every other certificate here: OpenSSL keeps one certificate per key type, so an RSA challenge
      // certificate next to the EC default would lose to it with clients that prefer ECDSA.
      const ecKey = await acme.crypto.createPrivateEcdsaKey();
      const [key, cert] = await acme.crypto.createAlpnCertificate(authz as Parameters<typeof acme.crypto.createAlpnCertificate>[0], keyAuthorization, ecKey);
      await this.o.store.putAcmeChallenge({
        kind: 'tls-alpn-01',
        key: authz.identifier.value.toLowerCase(),
        value: JSON.stringify({ cert: cert.toString(), key: key.toString() }),
        expiresAt,
      });
    } else throw new Error(`challenge type ${challenge.type} is not supported`);
  }

  private async withdraw(authz: Authz, challenge: Challenge): Promise<void> {
    if (challenge.type === 'http-01') await this.o.store.deleteAcmeChallenge('http-01', challenge.token);
    else if (challenge.type === 'tls-alpn-01') await this.o.store.deleteAcmeChallenge('tls-alpn-01', authz.identifier.value.toLowerCase());
  }
}

/** A one-line reason for logs and `cert status`: the CA's problem document (RFC 8555 §6.7) when there is one. */
function describeError(e: unknown): string {
  const err = e as { message?: string; code?: string; response?: { data?: { detail?: string; type?: string } } };
  const detail = err.response?.data?.detail;
  // acme-client's retry interceptor reads `response.config` of a network error that has no response.
  if (!detail && e instanceof TypeError && /reading 'config'/.test(err.message ?? '')) return 'the connection to the CA failed';
  return (detail ?? err.message ?? String(e)).replace(/\s+/g, ' ').slice(0, 500);
}
