/**
 * DKIM signing of outgoing mail for our own domains (RFC 6376), and the keys themselves.
 *
 * The signing domain is the domain of the From header (RFC 7489 §3.1.1: relaxed alignment also accepts a parent),
 * falling back to the envelope sender's; we walk up the labels until a domain with an active key is found, so
 * notices from MAILER-DAEMON@mail.example.com are signed by example.com. Relaxed/relaxed canonicalisation
 * (RFC 6376 §3.4.2, §3.4.4) survives the usual header rewrapping in transit.
 */
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import type { AccountStore, DkimKey } from '../store/types.js';
import { headerValue } from './dsn.js';

export type DkimAlgorithm = DkimKey['algorithm'];

/** A new key pair: private PKCS#8 PEM, public base64 SPKI DER for the `p=` tag (RFC 6376 §3.6.1, RFC 8463 for ed25519). */
export function generateDkimKey(domain: string, selector: string, algorithm: DkimAlgorithm, now: number): DkimKey {
  const { privateKey, publicKey } =
    algorithm === 'rsa-sha256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // RFC 8463 §4.2: an ed25519 p= is the raw 32-byte key, not the SPKI structure.
  const p = algorithm === 'ed25519-sha256' ? spki.subarray(spki.length - 32) : spki;
  return {
    domain,
    selector,
    algorithm,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: p.toString('base64'),
    active: true,
    createdAt: now,
  };
}

/** A selector naming the year the key was made, e.g. `s2026` (ed25519 keys get `e2026`). */
export function defaultSelector(now: number, algorithm: DkimAlgorithm = 'rsa-sha256'): string {
  return `${algorithm === 'rsa-sha256' ? 's' : 'e'}${new Date(now).getUTCFullYear()}`;
}

/** The TXT record value to publish at `selector._domainkey.domain`. */
export function dkimRecord(k: Pick<DkimKey, 'algorithm' | 'publicKey'>): string {
  return `v=DKIM1; k=${k.algorithm === 'rsa-sha256' ? 'rsa' : 'ed25519'}; p=${k.publicKey}`;
}

/** The domain part of the first address in a From header value. */
function fromDomain(raw: Buffer): string | null {
  const from = headerValue(raw, 'from');
  if (!from) return null;
  const m = /<[^<>@]*@([^<>\s]+)>/.exec(from) ?? /@([A-Za-z0-9.-]+)/.exec(from);
  return m ? m[1]!.toLowerCase() : null;
}

export class DkimSigner {
  constructor(private readonly store: Pick<AccountStore, 'listDkimKeys'>) {}

  /** The active keys for `domain` or its nearest parent that has some. */
  async keysFor(domain: string): Promise<DkimKey[]> {
    const labels = domain.toLowerCase().split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      const keys = (await this.store.listDkimKeys(labels.slice(i).join('.'))).filter((k) => k.active);
      if (keys.length) return keys;
    }
    return [];
  }

  /** Returns the message with DKIM-Signature fields prepended, or unchanged when no local domain signs it. */
  async sign(raw: Buffer, mailFrom: string): Promise<{ raw: Buffer; domain: string | null }> {
    const candidates = [fromDomain(raw), mailFrom.includes('@') ? mailFrom.slice(mailFrom.lastIndexOf('@') + 1).toLowerCase() : null];
    for (const d of candidates) {
      if (!d) continue;
      const keys = await this.keysFor(d);
      if (!keys.length) continue;
      const first = keys[0]!;
      // mailauth signs nothing unless the keys are passed as signatureData.
      const result = await dkimSign(raw, {
        signingDomain: first.domain,
        selector: first.selector,
        privateKey: first.privateKey,
        canonicalization: 'relaxed/relaxed',
        signatureData: keys.map((k) => ({ signingDomain: k.domain, selector: k.selector, privateKey: k.privateKey, algorithm: k.algorithm, canonicalization: 'relaxed/relaxed' })),
      });
      if (result.errors?.length) throw new Error(`DKIM signing for ${first.domain} failed: ${JSON.stringify(result.errors)}`);
      return { raw: Buffer.concat([Buffer.from(result.signatures), raw]), domain: first.domain };
    }
    return { raw, domain: null };
  }
}
