/**
 * Certificates, ACME accounts, challenges and renewal state ({@link CertStore}). Part of the store's interfaces,
 * re-exported by src/store/types.ts.
 */

/** Where a served certificate came from. */
export type CertificateSource = 'acme' | 'file';

/**
 * A certificate every node serves by SNI (RFC 6066 §3). `key` names the group it was ordered for (the first name);
 * the private key is PEM, possibly sealed by the caller (the store treats it as opaque text and never logs it).
 */
export interface StoredCertificate {
  key: string;
  names: string[];
  certPem: string;
  keyPem: string;
  source: CertificateSource;
  issuer: string;
  notBefore: number;
  notAfter: number;
  updatedAt: number;
}

/** The ACME account for one directory URL (RFC 8555 §7.3): its private key (opaque PEM) and account URL. */
export interface AcmeAccount {
  directoryUrl: string;
  keyPem: string;
  accountUrl: string | null;
  createdAt: number;
}

/**
 * A pending ACME challenge answer (RFC 8555 §8), so any node can answer it: for `http-01` the key is the token and
 * `value` the key authorization; for `tls-alpn-01` (RFC 8737) the key is the name and `value` the challenge
 * certificate and key as JSON.
 */
export interface AcmeChallenge {
  kind: 'http-01' | 'tls-alpn-01';
  key: string;
  value: string;
  expiresAt: number;
}

/** Renewal bookkeeping for one certificate group: failures drive the exponential backoff. */
export interface CertRenewalState {
  key: string;
  failures: number;
  nextAttemptAt: number;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
}

export interface CertStore {
  /** Inserts or replaces the certificate of a group. */
  putCertificate(c: StoredCertificate): Promise<void>;
  listCertificates(): Promise<StoredCertificate[]>;
  /** The newest `updatedAt` of any certificate (0 when none): a cheap "anything new?" for every node. */
  certificatesVersion(): Promise<number>;
  getAcmeAccount(directoryUrl: string): Promise<AcmeAccount | null>;
  putAcmeAccount(a: AcmeAccount): Promise<void>;
  putAcmeChallenge(c: AcmeChallenge): Promise<void>;
  /** The challenge if it exists and has not expired at `now`. */
  getAcmeChallenge(kind: AcmeChallenge['kind'], key: string, now: number): Promise<AcmeChallenge | null>;
  deleteAcmeChallenge(kind: AcmeChallenge['kind'], key: string): Promise<void>;
  getRenewalState(key: string): Promise<CertRenewalState | null>;
  putRenewalState(s: CertRenewalState): Promise<void>;
  listRenewalStates(): Promise<CertRenewalState[]>;
}
